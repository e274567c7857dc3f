"""Problems found in the inputs, as data.

An Issue has a stable kebab-case code, the file, a JSON pointer into it and a Vietnamese
message. Validation collects them all; the CLI prints them one per line and exits 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Issue:
    file: str
    pointer: str
    code: str
    message: str

    def __str__(self) -> str:
        return one_line(f"{self.file}:{cut_pointer(self.pointer)}: {cut_quoted(self.message)} [{self.code}]")

    @property
    def location(self) -> "Location":
        """Where the problem is, as the one location type (a JSON pointer here)."""
        return Location(self.file, self.pointer)


# characters quoted from input that would break a report line or hide or reorder text on a
# terminal: C0 and C1 controls, DEL, Unicode line/paragraph separators, zero-width and
# bidirectional controls, BOM
_HIDDEN = [*range(0x00, 0x20), *range(0x7F, 0xA0), *range(0x200B, 0x2010), 0x2028, 0x2029,
           *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFEFF]
_VISIBLE = {code: (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}") for code in _HIDDEN}
_VISIBLE |= {ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"}


def one_line(text: str) -> str:
    """Text made safe for one line of a report: control characters shown as escapes."""
    return text.translate(_VISIBLE)


QUOTE_LIMIT = 80  # characters of an input value quoted in a message


def cut(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text`` as quoted in a message: whole when short, else its first ``limit``
    characters and how long it was ("…" and "(5.000 ký tự)")."""
    text = str(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} ký tự)".replace(",", ".")


_QUOTED = re.compile(r"(['\"])([^'\"]{%d,})\1" % (QUOTE_LIMIT + 1))
_TOKEN = re.compile(r"[^/]{%d,}" % (QUOTE_LIMIT + 1))


def cut_quoted(message: str) -> str:
    """A message with every quoted input value ('…' or "…") longer than QUOTE_LIMIT cut,
    saying how long it was: an error line stays a line whatever the input holds."""
    return _QUOTED.sub(lambda m: m.group(1) + cut(m.group(2)) + m.group(1), message)


def cut_pointer(text: str) -> str:
    """A JSON pointer whose over-long keys are cut the same way."""
    return _TOKEN.sub(lambda m: cut(m.group(0)), text)


class CchcError(Exception):
    """The one base of every error the program reports to its user (bad inputs, a form that
    cannot be read back, bad decision details, a broken template): ``issues`` holds every
    problem found, each with its code (in CODES), location and Vietnamese message. The CLI
    turns it into exit 1 and one line per issue; a notebook may catch this one class."""

    issues: tuple = ()


class InputError(CchcError):
    """Raised when inputs cannot be used; carries every issue found."""

    def __init__(self, issues):
        self.issues = tuple(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))

    def __reduce__(self):  # raised in a worker process, re-raised in the parent with its issues
        return (InputError, (self.issues,))


def not_utf8_message(error: UnicodeDecodeError) -> str:
    """The message of a file that is not UTF-8; a file that ends inside a multi-byte
    character was most likely cut short (a copy or download that stopped), so it says so."""
    if error.end >= len(error.object) and error.reason == "unexpected end of data":
        return message("encoding-invalid", "cut", byte=error.start)
    return message("encoding-invalid", byte=error.start)


def pointer(*parts) -> str:
    """A JSON pointer (RFC 6901) from path parts: pointer("leaves", "1.1.1") → "/leaves/1.1.1"."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


# Every code the validator can give, with what it means (the README's error table is
# checked against this list by a test).
CODES = {
    "file-missing": "Tệp hoặc thư mục đầu vào không tồn tại.",
    "file-unreadable": "Không đọc được tệp.",
    "file-empty": "Tệp rỗng.",
    "file-not-regular": "Đường dẫn không phải tệp dữ liệu thông thường (ống dẫn FIFO, thiết bị như /dev/zero, thư mục): không đọc.",
    "file-too-large": "Tệp lớn quá mức một tệp đầu vào có thể có: không đọc.",
    "entry-skipped": "Cảnh báo: một mục trong thư mục hồ sơ mang tên *.json nhưng không phải tệp thông thường (FIFO, liên kết tới thiết bị, thư mục) nên bị bỏ qua.",
    "file-changed": "Tệp hồ sơ bị sửa, thay thế hoặc xóa trong lúc đang chấm (sau khi đã kiểm tra): chạy lại lệnh.",
    "encoding-invalid": "Tệp không phải UTF-8.",
    "json-invalid": "JSON sai cú pháp (có dòng, cột).",
    "json-nan": "NaN/Infinity không phải số JSON hợp lệ.",
    "json-not-object": "Tệp chỉ chứa null thay vì một đối tượng JSON.",
    "number-too-large": "Số quá lớn.",
    "duplicate-key": "Một khóa xuất hiện hai lần trong cùng một đối tượng.",
    "schema-*": "Sai cấu trúc theo JSON Schema (mã theo từ khóa: schema-required, schema-type, schema-enum, …).",
    "precision": "Điểm có quá hai chữ số thập phân.",
    "date-invalid": "Ngày không tồn tại.",
    "duplicate-code": "Mã tiêu chí/lĩnh vực/khối trùng nhau trong bộ tiêu chí.",
    "points-mismatch": "Điểm tối đa không bằng tổng điểm các thành phần.",
    "points-zero": "Bộ tiêu chí có tổng điểm bằng 0: chỉ số không tính được.",
    "thresholds-order": "Các ngưỡng không theo thứ tự.",
    "points-above-max": "Điểm của một ngưỡng/phương án vượt điểm tối đa của tiêu chí.",
    "points-below-floor": "Điểm của một phương án/kết quả thấp hơn mức sàn (floor) của tiêu chí.",
    "threshold-bound-direction": "Ngưỡng 'above'/'below' không hợp với chiều so sánh của quy tắc.",
    "max-unreachable": "Không phương án nào cho đủ điểm tối đa.",
    "deadline-order": "Hạn chậm nhất sớm hơn thời hạn.",
    "step-invalid": "Bước chấm điểm không chia hết điểm tối đa.",
    "bands-order": "Ngưỡng xếp loại không giảm dần hoặc không kết thúc ở 0.",
    "block-overlap": "Một loại hình đơn vị thuộc nhiều khối xếp hạng.",
    "survey-area": "Lĩnh vực điều tra xã hội học chứa tiêu chí không phải loại survey (hoặc ngược lại).",
    "criteria-mismatch": "Tệp thuộc bộ tiêu chí hoặc năm khác.",
    "duplicate-commune": "Một xã có hai hồ sơ.",
    "duplicate-name": "Hai đơn vị cùng loại hình có tên giống nhau (so theo NFC, không phân biệt hoa thường).",
    "text-legacy-encoding": "Chữ gõ bằng bảng mã cũ (TCVN3/ABC hoặc VNI) thay vì Unicode: cần chuyển mã (ví dụ bằng Unikey).",
    "unknown-leaf": "Mã tiêu chí không có trong bộ tiêu chí.",
    "leaf-missing": "Thiếu tiêu chí trong hồ sơ tự đánh giá.",
    "survey-leaf-in-submission": "Hồ sơ tự chấm điểm cho tiêu chí điều tra xã hội học.",
    "fact-missing": "Thiếu số liệu mà quy tắc chấm điểm cần.",
    "fact-unexpected": "Số liệu không dùng cho quy tắc chấm điểm của tiêu chí.",
    "fact-invalid": "Số liệu không hợp lệ (phương án không có, số có quá hai chữ số thập phân…).",
    "numerator-above-denominator": "Tử số lớn hơn mẫu số.",
    "zero-denominator": "Mẫu số bằng 0 ở tiêu chí không được khai không áp dụng.",
    "self-score-above-max": "Điểm tự chấm vượt điểm tối đa.",
    "self-score-below-min": "Điểm tự chấm âm (hoặc dưới mức sàn).",
    "score-off-step": "Điểm không theo bước chấm của tiêu chí.",
    "na-not-allowed": "Khai không áp dụng cho tiêu chí không cho phép.",
    "evidence-date-outside": "Ngày của tài liệu kiểm chứng nằm ngoài khoảng thời gian của bộ tiêu chí.",
    "evidence-path-unsafe": "Đường dẫn tệp kiểm chứng ra ngoài thư mục hồ sơ.",
    "evidence-file-missing": "Tệp kiểm chứng không tồn tại.",
    "self-score-missing": "Cảnh báo: tiêu chí do Hội đồng chấm chưa có điểm tự chấm và chưa được thẩm định (tạm tính 0 điểm).",
    "evidence-type-unknown": "Cảnh báo: không nhận ra loại văn bản trong số của tài liệu kiểm chứng (tài liệu không được tính ở tiêu chí chỉ nhận một số loại).",
    "unit-type-unranked": "Loại hình đơn vị không thuộc khối xếp hạng nào.",
    "unknown-commune": "Mã xã không có hồ sơ tự đánh giá.",
    "score-above-max": "Điểm thẩm định vượt điểm tối đa.",
    "score-below-min": "Điểm thẩm định âm (hoặc dưới mức sàn).",
    "duplicate-entry": "Một tiêu chí của một xã được thẩm định hai lần ở cùng một vòng.",
    "survey-missing": "Thiếu số phiếu khảo sát của một xã cho một câu hỏi: lỗi khi bộ tiêu chí đặt provisional.survey_missing = \"error\"; nếu không, là cảnh báo và kết quả TẠM TÍNH.",
    "survey-unknown-option": "Phương án trả lời không có trong câu hỏi.",
    "survey-not-survey-leaf": "Tiêu chí không phải câu hỏi điều tra xã hội học.",
    "survey-empty": "Câu hỏi không có phiếu trả lời nào.",
    "no-submissions": "Thư mục hồ sơ không có tệp .json nào.",
    # the year's list of units (scoring/registry.py, registry.json)
    "registry-unregistered": "Hồ sơ của một đơn vị không có trong danh sách đơn vị của năm.",
    "registry-name-mismatch": "Tên đơn vị trong hồ sơ khác tên trong danh sách đơn vị.",
    "registry-type-mismatch": "Loại hình đơn vị trong hồ sơ khác loại hình trong danh sách đơn vị.",
    "registry-duplicate-unit": "Danh sách đơn vị ghi một mã hai lần.",
    "registry-block-mismatch": "Khối xếp hạng của đơn vị không phải khối xếp hạng loại hình của nó trong bộ tiêu chí.",
    "registry-predecessor-invalid": "Đơn vị ghi chính nó là đơn vị tiền thân.",
    "registry-deadline-order": "Hạn các bước của vòng đánh giá (danh sách đơn vị, deadlines) không theo thứ tự.",
    # split appraisal (scoring/appraisals.py)
    "appraisal-conflict": "Hai tệp thẩm định cho cùng xã, tiêu chí và vòng kết quả khác nhau.",
    # provisional results (scoring/provisional.py)
    "results-provisional": "Dự thảo quyết định từ kết quả TẠM TÍNH mà không yêu cầu rõ (--provisional).",
    "not-submitted": "Cảnh báo (không phải lỗi): đơn vị trong danh sách chưa nộp hồ sơ; được liệt kê 'chưa nộp', không chấm điểm, không xếp hạng.",
    # forms (scoring/forms): problems in a filled Excel form or a survey table, at their cell
    "form-not-a-form": "Tệp không phải biểu mẫu do chương trình tạo (hoặc không đọc được như bảng tính .xlsx).",
    "form-kind-mismatch": "Biểu mẫu khác loại được yêu cầu (--kind).",
    "form-criteria-mismatch": "Biểu mẫu được tạo cho bộ tiêu chí hoặc năm khác.",
    "form-cell-type": "Ô có kiểu dữ liệu sai (chữ trong ô số, số không nguyên…).",
    "form-cell-empty": "Ô bắt buộc để trống.",
    "form-cell-invalid": "Giá trị không thuộc danh sách cho phép (có/không).",
    "form-cell-formula": "Ô chứa công thức chưa có giá trị đã tính (tệp ghi bởi chương trình không tính công thức).",
    "form-number-ambiguous": "Số gõ dạng chữ có dấu ngăn cách mơ hồ (1.000 hay 1,000: một nghìn hay một).",
    "form-date-invalid": "Ô ngày không chứa ngày hợp lệ (ngày của Excel hoặc dd/mm/yyyy).",
    "form-row-missing": "Dòng của một tiêu chí bị xóa khỏi biểu mẫu.",
    "form-row-moved": "Dòng bị chuyển chỗ (sai thứ tự so với biểu mẫu).",
    "form-row-duplicate": "Một tiêu chí (hoặc một xã và câu hỏi) có hai dòng.",
    "form-row-unknown": "Dòng có số liệu nhưng không có mã tiêu chí.",
    "form-column-moved": "Cột của biểu mẫu bị thêm, xóa hoặc đổi chỗ.",
    "appraisal-reason-missing": "Điểm thẩm định khác điểm trước đó mà không ghi lý do.",
    "appraisal-score-missing": "Có lý do hoặc ngày thẩm định nhưng không có điểm.",
    "survey-tally-invalid": "Số phiếu không phải số nguyên không âm.",
    "survey-header-invalid": "Bảng số phiếu thiếu cột mã xã, câu hỏi hoặc phương án trả lời.",
    "csv-invalid": "Tệp CSV không đọc được (một ô quá dài, sai cú pháp CSV).",
    "excel-limit": "Kết quả vượt giới hạn của Excel (16.384 cột, 1.048.576 dòng một trang): không ghi thay vì mất ô.",
    # the decision-details file and options (decision --details, --number, --date, --signer, --signing-mode;
    # scoring/writers/decision.py): every problem of the file is reported at once
    "details-not-found": "Không tìm thấy tệp thông tin quyết định (--details).",
    "details-unreadable": "Không đọc được tệp thông tin quyết định.",
    "details-bad-encoding": "Tệp thông tin quyết định không phải văn bản UTF-8.",
    "details-bad-json": "Tệp thông tin quyết định không phải JSON hợp lệ.",
    "details-bad-type": "Giá trị trong thông tin quyết định sai kiểu (cần chuỗi, danh sách chuỗi, đối tượng JSON).",
    "details-unknown-key": "Khóa không được hỗ trợ trong tệp thông tin quyết định (thông báo liệt kê các khóa hợp lệ).",
    "details-empty": "Thông tin quyết định để trống (chỉ có khoảng trắng).",
    "details-too-long": "Thông tin quyết định quá dài (quá 2.000 ký tự).",
    "details-bad-number": "Số quyết định không hợp lệ (cần \"47\" hoặc \"47/QĐ-UBND\", không có khoảng trắng).",
    "details-bad-date": "Ngày ký không hợp lệ (cần dạng dd/mm/yyyy hoặc YYYY-MM-DD, ngày có thật).",
    "details-bad-signing-mode": "Cách ký không phải \"tm\" (TM. ỦY BAN NHÂN DÂN) hoặc \"kt\" (KT. CHỦ TỊCH).",
    # the decision's Word template (decision --template)
    "template-missing": "Không tìm thấy mẫu quyết định.",
    "template-not-docx": "Mẫu quyết định không phải tệp Word .docx hợp lệ (tệp khác loại, gói hỏng, XML hỏng).",
    "template-code": "Mã mẫu (Jinja) trong mẫu quyết định sai cú pháp hoặc dùng tên không có.",
    # year over year (score --previous; scoring/previous.py)
    "previous-criteria-mismatch": "Kết quả năm trước chấm theo bộ tiêu chí không cùng họ (không được nhận để so sánh).",
    "previous-year-mismatch": "Kết quả năm trước không phải của năm liền trước năm đang chấm.",
    "previous-provisional": "Kết quả năm trước là kết quả TẠM TÍNH, không phải kết quả đã phê duyệt.",
    "previous-duplicate-unit": "Một đơn vị có kết quả năm trước trong hai tệp.",
    "previous-population-missing": "Thiếu dân số của đơn vị tiền thân khi bộ tiêu chí so sánh theo đơn vị đông dân nhất.",
    "eligibility-band-unknown": "Điều kiện khen thưởng nêu một xếp loại không có trong bộ tiêu chí.",
}


# ---------------------------------------------------------------- the registry of codes
# Adding a code: one line in CODES above (code → what it means, in Vietnamese), plus its
# severity below when it is not an error, plus a row in README.md's "Error codes" table and a
# broken fixture that triggers it (tests/test_error_registry.py checks all four). A message
# may be rendered from a template here (``message(code, **values)``) instead of written out at
# the raise site; codes without a template keep the message written where they are raised.

# codes that never stop a run (the rest are errors); "either": the criteria set or the
# command decides (survey-missing is an error only under provisional.survey_missing = "error";
# evidence-file-missing is a warning when a form is read back, an error when a year is scored)
SEVERITY = {
    "entry-skipped": "warning",
    "evidence-type-unknown": "warning",
    "not-submitted": "warning",
    "survey-missing": "either",
    "evidence-file-missing": "either",
}

# message templates (named placeholders, str.format) of every code: the wording users read is
# here, never at the place that reports it (``message(code, **values)``). A code reported with
# several wordings has one key per wording, "code.variant" (``message(code, "variant", ...)``);
# tests/test_error_templates.py checks that every code has one and that every call fills
# exactly its placeholders. The values are quoted input, cut to QUOTE_LIMIT when shown.
TEMPLATES = {
    # reading files (scoring/files.py, input_files.py, load.py)
    "file-missing": "không tìm thấy tệp",
    "file-unreadable": "không đọc được tệp: {reason}",
    "file-empty": "tệp rỗng",
    "file-not-regular": "là {kind}, không phải tệp dữ liệu: không đọc",
    "file-too-large": "tệp quá lớn ({size}; tối đa {limit}): không đọc",
    "entry-skipped": "bỏ qua '{name}': là {kind}, không phải tệp hồ sơ",
    "entry-skipped.unopened": "bỏ qua '{name}': không mở được ({reason})",
    "file-changed": "tệp đã bị sửa, thay thế hoặc xóa trong lúc đang chấm điểm; hãy chạy lại lệnh",
    "encoding-invalid": "tệp không phải UTF-8 (byte {byte})",
    "encoding-invalid.cut": ("tệp không phải UTF-8 (byte {byte}): tệp kết thúc giữa một ký tự, có thể đã bị cắt cụt "
                             "(sao chép hoặc tải về chưa xong)"),
    "json-invalid": "JSON sai cú pháp ở dòng {line}, cột {column}: {reason}",
    "json-invalid.not_json_data": "dữ liệu không biểu diễn được bằng JSON: {reason}",
    "json-invalid.too_deep": "JSON lồng nhau quá sâu",
    "json-nan": "'{name}' không phải là số JSON hợp lệ",
    "json-not-object": "tệp phải chứa một đối tượng JSON, không phải null",
    "number-too-large": "có số quá lớn (quá nhiều chữ số)",
    "number-too-large.exponent": "có số với số mũ vượt giới hạn (quá lớn hoặc quá nhỏ)",
    "duplicate-key": "khóa '{key}' xuất hiện hai lần trong cùng một đối tượng",
    "no-submissions": "thư mục không có hồ sơ tự đánh giá (*.json)",
    "no-submissions.as_data": "không có hồ sơ tự đánh giá nào",
    "file-missing.submissions": "không tìm thấy thư mục hồ sơ tự đánh giá",
    "survey-missing.empty_file": "tệp số phiếu điều tra xã hội học rỗng: chưa có số phiếu nào, kết quả là TẠM TÍNH",
    "survey-missing.no_file": "bộ tiêu chí có phần điều tra xã hội học nhưng không có tệp {file} (dùng --survey)",
    "survey-missing.no_file_provisional": ("bộ tiêu chí có phần điều tra xã hội học nhưng không có tệp {file} (dùng --survey)"
                                           "; kết quả là TẠM TÍNH"),
    "survey-missing.optional": ("xã mã {commune} không có số phiếu điều tra xã hội học (bộ tiêu chí không bắt buộc): "
                                "câu {questions} được loại khỏi điểm tối đa"),
    "survey-missing.provisional": "chưa có số phiếu của xã mã {commune} cho câu {questions}; kết quả là TẠM TÍNH",
    "self-score-missing": ("tiêu chí {leaf} do Hội đồng thẩm định chấm: chưa có điểm tự chấm và chưa "
                           "được thẩm định, tạm tính 0 điểm (hãy ghi điểm tự chấm)"),
    # split appraisal (scoring/appraisals.py)
    "appraisal-conflict": ("xã {commune}, tiêu chí {leaf}, vòng {stage}: kết quả khác với "
                           "{other} (hai tệp thẩm định không thống nhất)"),
    # evidence (scoring/facts.py)
    "evidence-type-unknown": ("không nhận ra loại văn bản trong số '{number}' (đọc được '{read}'); tiêu chí {leaf} chỉ nhận "
                              "tài liệu loại {types}, nên tài liệu này không được tính là kiểm chứng; "
                              "hãy ghi số theo mẫu 12/KH-UBND"),
    # the results workbook (scoring/writers/workbook.py); the "." after "2 cột" is as printed since
    # the numbers' thousands separators were written by replacing every "," of the message
    "excel-limit": ("bộ tiêu chí có {areas} lĩnh vực; bảng tính kết quả chỉ chứa được "
                    "{max_areas} (mỗi lĩnh vực 2 cột. Excel tối đa {max_columns} cột)"),
    "excel-limit.rows": "{communes} đơn vị vượt số dòng của một trang Excel ({max_rows})",
    "details-not-found": "không tìm thấy tệp thông tin quyết định",
    "details-unreadable": "không đọc được tệp: {reason}",
    "details-bad-encoding": "tệp không phải văn bản UTF-8",
    "details-bad-json": "JSON không hợp lệ (dòng {line}, cột {column}): {reason}",
    "details-bad-type": "{what} phải là {expected}",
    "details-unknown-key": "khóa không được hỗ trợ {key!r}; các khóa hợp lệ: {allowed}",
    "details-empty": "{what} không được để trống",
    "details-too-long": "{what} quá dài (tối đa 2000 ký tự)",
    "details-bad-number": ('số quyết định không hợp lệ {value!r}: cần số thứ tự ("47") '
                           'hoặc số và ký hiệu ("47/QĐ-UBND"), không có khoảng trắng'),
    "details-bad-date": "ngày không hợp lệ {value!r}, cần dạng dd/mm/yyyy (05/02/2024) hoặc YYYY-MM-DD",
    "details-bad-signing-mode": ('cách ký phải là "tm" (TM. ỦY BAN NHÂN DÂN) hoặc "kt" (KT. CHỦ TỊCH), '
                                 "không phải {value!r}"),
    "template-missing": "không tìm thấy mẫu quyết định (.docx)",
}


@dataclass(frozen=True)
class Code:
    """One registered code: ``code`` (stable, kebab-case), ``description`` (Vietnamese, the
    README table's text), ``severity`` ("error", "warning" or "either") and ``template`` (the
    message template, or None when the message is written at the raise site)."""

    code: str
    description: str
    severity: str = "error"
    template: str | None = None


def registry() -> dict[str, Code]:
    """Every code the program can report, as Code records (built from CODES, SEVERITY and
    TEMPLATES, so that a code added to CODES by any module is in it at once)."""
    return {code: Code(code, description, SEVERITY.get(code, "error"), TEMPLATES.get(code))
            for code, description in CODES.items()}


def message(code: str, variant: str | None = None, /, **values) -> str:
    """The Vietnamese message of ``code`` rendered from its template with ``values``; with
    ``variant``, from the template "code.variant" (the same code worded for another case).

    Raises KeyError for a code that is not registered, a template that does not exist or a
    placeholder given no value: a message is never made up or left half filled."""
    if code not in CODES:
        raise KeyError(f"unregistered error code {code!r}")
    return TEMPLATES[f"{code}.{variant}" if variant else code].format(**values)


def templates_of(code: str) -> dict[str, str]:
    """Every template of ``code``: its key ("code" or "code.variant") → template."""
    return {key: template for key, template in TEMPLATES.items() if key.split(".", 1)[0] == code}


@dataclass(frozen=True, order=True)
class Location:
    """Where a problem is: a file and either a JSON pointer (``/leaves/1.1.1``, RFC 6901; a
    command-line option such as ``--date`` for a value given on the command line) or a cell of
    a spreadsheet (``Sheet!F12``; ``R5C3`` in a CSV file). Empty ``where``: the whole file.

    Written as users read it: ``file:/json/pointer``, ``FILE.xlsx!Sheet!F12``, ``FILE.csv!R5C3``."""

    file: str
    where: str = ""

    @property
    def is_cell(self) -> bool:
        return bool(self.where) and not self.where.startswith(("/", "-"))

    def __str__(self) -> str:
        if self.is_cell:
            return one_line(f"{self.file}!{self.where}")
        return one_line(f"{self.file}:{cut_pointer(self.where)}")
