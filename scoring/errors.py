"""Problems found in the inputs, as data.

An Issue has a stable kebab-case code, the file, a JSON pointer into it and a Vietnamese
message. Validation collects them all; the CLI prints them one per line and exits 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .vietnamese import format_count


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
    return f"{text[:limit]}… ({format_count(len(text))} ký tự)"


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
    "period-late-above-missing": "Quy tắc báo cáo định kỳ trừ mỗi báo cáo chậm nhiều hơn mỗi báo cáo không gửi (xã không gửi có lợi hơn gửi chậm).",
    "evidence-period-missing": "Tài liệu kiểm chứng của tiêu chí chấm theo kỳ báo cáo không ghi kỳ (period) nên không được tính cho kỳ nào.",
    "evidence-period-unknown": "Tài liệu kiểm chứng ghi kỳ báo cáo (period) mà quy tắc của tiêu chí không có.",
    "step-invalid": "Bước chấm điểm không chia hết điểm tối đa.",
    "bands-order": "Ngưỡng xếp loại không giảm dần hoặc không kết thúc ở 0.",
    "block-overlap": "Một loại hình đơn vị thuộc nhiều khối xếp hạng.",
    "survey-area": "Lĩnh vực điều tra xã hội học chứa tiêu chí không phải loại survey, hoặc câu hỏi survey đặt trong phần điểm thưởng, điểm trừ (trong lĩnh vực nội dung thì được).",
    "criteria-framework-missing": "Bộ tiêu chí ghi \"extends\" một bộ khung không tìm thấy (tệp không có, hoặc không được đưa vào khi gọi thư viện).",
    "criteria-change-unknown": "Bộ tiêu chí xây dựng trên bộ khung thay, bỏ hoặc thêm vào một mã không có trong bộ khung.",
    "criteria-extends-cycle": "Chuỗi bộ khung quay lại chính nó (bộ A xây dựng trên B, B lại xây dựng trên A).",
    "criteria-mismatch": "Tệp thuộc bộ tiêu chí hoặc năm khác.",
    "duplicate-commune": "Một xã có hai hồ sơ.",
    "duplicate-name": "Hai đơn vị cùng loại hình có tên giống nhau (so theo NFC, không phân biệt hoa thường).",
    "report-field-empty": "Hồ sơ có báo cáo gửi kèm nhưng thiếu hoặc để trống số, ngày hoặc người ký báo cáo (như ô bắt buộc của phiếu).",
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
    "previous-not-results": "Tệp đưa vào --previous không phải kết quả chấm điểm results.json (một bảng Excel, hồ sơ, số phiếu...).",
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
    # issue 13 (all_of, periodic_reports, extends), 15 (previous-not-results), 16, 19: merged in the train
    "criteria-framework-missing": "không tìm thấy bộ khung '{framework}' mà bộ tiêu chí này xây dựng trên đó",
    "criteria-extends-cycle": "bộ tiêu chí xây dựng trên chính nó qua chuỗi bộ khung: {chain}",
    "criteria-change-unknown": "{what} '{code}' không có trong bộ khung (không có tiêu chí, lĩnh vực nào mang mã này)",
    "form-row-missing.condition": "thiếu dòng điều kiện {key} ({label}) dưới tiêu chí {leaf}",
    "fact-missing.condition_cell": "tiêu chí {leaf}: chưa ghi \"có\" hoặc \"không\" cho điều kiện \"{label}\"",
    "fact-missing.condition": "tiêu chí {leaf} cần khai điều kiện '{key}' ({label}): true hoặc false",
    "fact-unexpected.condition": "tiêu chí {leaf} không có điều kiện '{key}'; các điều kiện: {conditions}",
    "evidence-period-unknown": "kỳ báo cáo '{period}' không có ở tiêu chí {leaf}; ghi một trong: {periods}",
    "evidence-period-unknown.none": "kỳ báo cáo '{period}' không có ở tiêu chí {leaf}; tiêu chí này không chấm theo kỳ báo cáo, để trống ô này",
    "evidence-period-unknown.document": "tài liệu {number} ghi kỳ báo cáo '{period}' nhưng tiêu chí {leaf} chỉ có các kỳ: {periods}",
    "evidence-period-unknown.document_none": "tài liệu {number} ghi kỳ báo cáo '{period}' nhưng tiêu chí {leaf} không chấm theo kỳ báo cáo",
    "evidence-period-missing": ("tài liệu {number} không ghi kỳ báo cáo (period) nên không được tính cho kỳ nào; "
                                "tiêu chí {leaf} có các kỳ: {periods}"),
    "text-legacy-encoding.option": "{what}: {reason}",
    "text-legacy-encoding.file_name": ("tệp kiểm chứng '{path}' có trong thư mục nhưng tên trên đĩa '{on_disk}' được gõ bằng "
                                       "bảng mã cũ {encoding} (có lẽ là '{reads}'); hãy đổi tên tệp (hoặc thư mục) sang Unicode, "
                                       "ví dụ bằng Unikey Toolkit (bảng mã nguồn {source}, bảng mã đích Unicode)"),
    "previous-not-results": ("tệp {extension} không phải kết quả chấm điểm: --previous cần tệp "
                             "results.json do lệnh score ghi năm trước"),
    "previous-not-results.format": "tệp có định dạng '{found}', không phải kết quả chấm điểm ({expected}) mà --previous cần",
    "previous-not-results.no_format": ("tệp không phải kết quả chấm điểm (không có \"format\": \"{expected}\"): --previous cần tệp "
                                       "results.json do lệnh score ghi năm trước, không phải hồ sơ, số phiếu, thẩm định hay danh sách đơn vị"),
    "duplicate-code.named": "{what} '{id}' lặp lại trong tiêu chí {leaf}",
    "max-unreachable.periods": "điểm khi mọi báo cáo đúng hạn phải bằng điểm tối đa của tiêu chí",
    "period-late-above-missing": ("mỗi báo cáo chậm trừ {per_late} điểm, nhiều hơn báo cáo không gửi "
                                  "({per_missing} điểm): xã không gửi sẽ có lợi hơn gửi chậm"),
    "report-field-empty": "{what} {said}: báo cáo gửi kèm hồ sơ phải ghi số, ngày và người ký",
    "excel-limit.cell": ("trang '{sheet}' cần ghi đến {what}: không ghi tệp thay vì để mất ô; hãy tách dữ liệu "
                         "(từng nhóm đơn vị hoặc từng nhóm lĩnh vực)"),
    # reading files (scoring/files.py, input_files.py, load.py)
    "file-missing": "không tìm thấy tệp",
    "file-unreadable": "không đọc được tệp: {reason}",
    "file-empty": "tệp rỗng",
    "file-not-regular": "là {kind}, không phải tệp dữ liệu: không đọc",
    "file-too-large": "tệp quá lớn ({size}; tối đa {limit}): không đọc",
    "entry-skipped": "bỏ qua '{name}': là {kind}, không phải tệp hồ sơ",
    "entry-skipped.unopened": "bỏ qua '{name}': không mở được ({reason})",
    "entry-skipped.appraisal": "bỏ qua '{name}': là {kind}, không phải tệp kết quả thẩm định",
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
    # the self-assessment form (scoring/forms/self_assessment.py)
    "unknown-leaf.draft": "tiêu chí {leaf} không có trên phiếu của bộ tiêu chí {criteria}: bỏ qua",
    "fact-unexpected.draft": "tiêu chí {leaf} không dùng số liệu '{name}': bỏ qua",
    "fact-invalid.draft": "phương án '{choice}' không có ở tiêu chí {leaf}: bỏ qua",
    "na-not-allowed.draft": "tiêu chí {leaf} không được khai không áp dụng: bỏ qua",
    "form-row-moved.guide": "ô A{row} phải là \"{label}\" (các dòng của trang này không được thêm, xóa)",
    "form-cell-empty.guide": "chưa nhập {field}",
    "form-cell-empty.guide_required": "chưa nhập {field} (bắt buộc)",
    "form-cell-invalid.unit_type": "loại hình phải là một trong: {unit_types}, không phải '{value}'",
    "form-column-moved": "tiêu đề cột phải là \"{header}\" (các cột của phiếu không được thêm, xóa, đổi chỗ)",
    "form-row-unknown": "dòng có số liệu nhưng không có mã tiêu chí (không thêm dòng vào phiếu)",
    "unknown-leaf.form": "mã tiêu chí '{leaf}' không có trong bộ tiêu chí {criteria}",
    "fact-missing.evidence_only": "tiêu chí {leaf} có tài liệu kiểm chứng nhưng chưa có số liệu ở cột {column}",
    "form-cell-empty.self_score": "tiêu chí {leaf}: chưa nhập điểm tự chấm",
    "self-score-above-max.form": "điểm tự chấm {score} ngoài khoảng 0 đến {max} của tiêu chí {leaf}",
    "self-score-below-min.form": "điểm tự chấm {score} ngoài khoảng 0 đến {max} của tiêu chí {leaf}",
    "fact-missing.column": "tiêu chí {leaf} cần số liệu ở cột {column}",
    "fact-invalid.form": "phương án '{choice}' không có; chọn một trong: {options}",
    "form-cell-type.too_large": "số quá lớn (tối đa {limit})",
    "form-cell-empty.document_leaf": "chưa ghi mã tiêu chí của văn bản",
    "unknown-leaf.document": "mã tiêu chí '{leaf}' không có trên phiếu tự đánh giá",
    "form-cell-empty.document": "chưa ghi {field} của văn bản",
    "form-row-duplicate.document": ("văn bản {number} ngày {date} của tiêu chí {leaf} đã có ở dòng {first}; "
                                    "mỗi văn bản chỉ ghi một dòng"),
    # reading a form back (scoring/forms/__init__.py, check.py, inputs.py)
    "form-not-a-form.unknown_kind": "không phải phiếu tự đánh giá, phiếu thẩm định hay bảng số phiếu điều tra xã hội học",
    "form-kind-mismatch": "tệp là {found}, không phải {wanted} (--kind {kind})",
    "leaf-missing.form": "tiêu chí {leaf} ({title}) chưa kê khai: chưa tính điểm",
    # survey tables (scoring/forms/survey.py)
    "csv-invalid": "dòng {line} sai cú pháp CSV ({error})",
    "csv-invalid.field_too_long": "dòng {line} có ô dài quá {limit} ký tự",
    "survey-header-invalid": "không tìm thấy dòng tiêu đề có cột Mã xã, Câu hỏi và các phương án A, B, C…",
    "survey-header-invalid.first_rows": ("không tìm thấy dòng tiêu đề có cột Mã xã, Câu hỏi và các phương án A, B, C… "
                                         "(trong 10 dòng đầu)"),
    "form-cell-type.commune": "mã xã phải gồm 5 chữ số, không phải '{value}'",
    "survey-not-survey-leaf.table": "'{leaf}' không phải câu hỏi điều tra xã hội học của bộ tiêu chí {criteria}",
    "form-row-duplicate.survey": "xã {commune}, câu {leaf} đã có ở dòng {first}",
    "survey-tally-invalid.too_large": "số phiếu quá lớn (tối đa {limit})",
    "survey-empty.table": "câu {leaf} của xã {commune} không có phiếu trả lời nào",
    "survey-missing.table": "thiếu số phiếu của xã {commune} cho câu {leaf}",
    "survey-missing.no_rows": "bảng không có dòng số phiếu nào",
    # the explanation form (scoring/forms/notice.py)
    "form-row-unknown.explanation": "dòng có nội dung nhưng không có mã tiêu chí (không thêm dòng vào phiếu)",
    "unknown-leaf.explanation_form": "mã tiêu chí '{leaf}' không có trên phiếu giải trình này",
    "form-cell-empty.explanation": "tiêu chí {leaf} được đề nghị giải trình nhưng chưa có nội dung giải trình",
    "form-cell-empty.explanation_for_document": "tiêu chí {leaf}: có tài liệu bổ sung nhưng chưa có nội dung giải trình",
    "form-cell-empty.document_number": "tài liệu bổ sung của tiêu chí {leaf}: thiếu số văn bản",
    "form-cell-empty.document_title": "tài liệu bổ sung của tiêu chí {leaf}: thiếu trích yếu",
    "form-cell-empty.document_issuer": "tài liệu bổ sung của tiêu chí {leaf}: thiếu cơ quan ban hành",
    "form-cell-empty.document_date": "tài liệu bổ sung của tiêu chí {leaf}: thiếu ngày",
    "form-cell-invalid.not_requested": "tiêu chí {leaf} không được đề nghị giải trình: không ghi vào dòng này",
    # the appraisal form (scoring/forms/appraisal.py)
    "form-cell-empty.council": "chưa ghi tên Hội đồng thẩm định",
    "form-row-unknown.appraisal": "dòng có điểm nhưng không có mã xã và mã tiêu chí (không thêm dòng vào phiếu)",
    "unknown-commune.form": "mã xã '{commune}' không có trong phiếu này",
    "unknown-leaf.appraisal_form": "mã tiêu chí '{leaf}' không có trên phiếu thẩm định của bộ tiêu chí {criteria}",
    "appraisal-score-missing": "có lý do hoặc ngày thẩm định nhưng chưa có điểm (xã {commune}, tiêu chí {leaf})",
    "appraisal-score-missing.request": "đề nghị giải trình nhưng chưa có điểm thẩm định lần 1 (xã {commune}, tiêu chí {leaf})",
    "appraisal-reason-missing": "điểm {score} khác điểm theo kiểm chứng{previous}: phải ghi lý do",
    "appraisal-reason-missing.stage_2": "điểm {score} khác điểm thẩm định lần 1{previous}: phải ghi lý do",
    # forms and survey tables (scoring/forms/cells.py): problems at a cell
    "form-cell-type": "phải là một số, không phải chữ '{value}'",
    "form-cell-type.boolean": "phải là một số, không phải có/không",
    "form-cell-type.not_finite": "không phải là số hợp lệ",
    "form-cell-type.date": "phải là một số, không phải ngày tháng",
    "form-cell-type.count": "phải là số nguyên không âm, không phải {value}",
    "survey-tally-invalid": "phải là số nguyên không âm, không phải {value}",
    "form-number-ambiguous": ("'{value}' có thể là {grouped} (dấu chấm, dấu phẩy ngăn cách hàng nghìn) hoặc {decimal} "
                              "(dấu thập phân): hãy nhập số không có dấu ngăn cách hàng nghìn, phần thập phân sau dấu phẩy (0,25)"),
    "form-number-ambiguous.count": ("'{value}' có thể là một nghìn (cách viết tiếng Anh) hoặc 1 (dấu phẩy thập "
                                    "phân): số đếm nhập không có dấu ngăn cách, hoặc ngăn cách hàng nghìn bằng dấu chấm (1.000)"),
    "precision.points": "điểm {value} có quá hai chữ số thập phân",
    "form-date-invalid": "'{value}' không phải là ngày (nhập dd/mm/yyyy)",
    "form-date-invalid.time": "ngày không được có giờ phút",
    "form-date-invalid.no_such_day": "ngày '{value}' không tồn tại",
    "form-date-invalid.range": "ngày {date:%d/%m/%Y} nằm ngoài khoảng 2000-2100",
    "form-cell-invalid": "phải là '{yes}' hoặc '{no}', không phải '{value}'",
    "form-not-a-form": "không đọc được tệp như một bảng tính Excel (.xlsx)",
    "form-not-a-form.error": "không đọc được tệp như một bảng tính Excel (.xlsx): {error}",
    "form-not-a-form.ods": ("tệp .ods (LibreOffice Calc) hoặc bảng tính không phải .xlsx: không đọc được; hãy mở bằng LibreOffice "
                            "hoặc Excel và lưu lại dạng Excel 2007-365 (.xlsx)"),
    "form-not-a-form.xls": ("tệp .xls (Excel 97-2003): không đọc được; hãy mở bằng Excel hoặc LibreOffice và lưu lại dạng "
                            "Excel 2007-365 (.xlsx)"),
    "form-not-a-form.zip_bomb": "không đọc tệp như bảng tính: {why}; một phiếu thật không lớn như vậy (tệp có thể là 'bom nén')",
    "form-not-a-form.too_big": ("trang '{sheet}' có {rows} dòng × {columns} cột "
                                "(tối đa {max_columns} cột, {max_cells} ô): không phải phiếu"),
    "form-not-a-form.version": "phiếu phiên bản '{version}', chương trình đọc phiên bản {expected}",
    "form-not-a-form.sheet_missing": "thiếu trang \"{sheet}\" của phiếu",
    "form-not-a-form.self_assessment": "không phải phiếu tự đánh giá do chương trình tạo (python cli.py form)",
    "form-not-a-form.appraisal": "không phải phiếu thẩm định do chương trình tạo (python cli.py appraisal-form)",
    "form-not-a-form.explanation": "không phải phiếu giải trình do chương trình tạo (python cli.py notice)",
    "form-cell-formula": ("ô chứa công thức {formula} nhưng không có giá trị đã tính (tệp được ghi bởi chương trình "
                          "không tính công thức): hãy mở tệp bằng Excel hoặc LibreOffice rồi lưu lại, hoặc nhập giá trị "
                          "thay cho công thức"),
    "form-row-duplicate": "{row_of} đã có ở dòng {first}; mỗi tiêu chí chỉ một dòng",
    "form-row-moved": "dòng của {row_of} bị chuyển chỗ: phải đứng sau {after}",
    "form-row-moved.first": "dòng của {row_of} bị chuyển chỗ: phải là dòng đầu tiên",
    "form-row-missing": "dòng của {row_of} đã bị xóa khỏi biểu mẫu",
    "evidence-file-missing.more": ("và {count} tệp kiểm chứng khác chưa có trong thư mục {folder} "
                                   "(đường dẫn tệp tính từ thư mục hồ sơ)"),
    "form-criteria-mismatch": ("phiếu được tạo cho bộ tiêu chí '{found}' năm {found_year}, đang đọc theo bộ tiêu chí "
                               "'{criteria}' năm {year}"),
    # the year's list of units (scoring/registry.py)
    "criteria-mismatch.registry_year": "danh sách đơn vị năm {found}, bộ tiêu chí năm {criteria}",
    "criteria-mismatch.registry": "danh sách đơn vị theo bộ tiêu chí '{found}', đang chấm theo '{criteria}'",
    "registry-duplicate-unit": "mã đơn vị {unit} đã có ở /units/{first}",
    "registry-predecessor-invalid": "đơn vị {unit} không thể là đơn vị tiền thân của chính nó",
    "registry-block-mismatch": "khối '{block}' không có trong bộ tiêu chí; loại hình '{unit_type}' thuộc khối '{ranked}'",
    "registry-block-mismatch.unranked": ("khối '{block}' không xếp hạng loại hình '{unit_type}'; "
                                         "loại hình '{unit_type}' thuộc khối '{ranked}'"),
    "registry-deadline-order": ("hạn {step} ({date:%d/%m/%Y}) sớm hơn hạn {earlier} "
                                "({earlier_date:%d/%m/%Y}): các bước của vòng đánh giá phải theo thứ tự"),
    "registry-unregistered": "mã đơn vị {unit} không có trong danh sách đơn vị {registry}",
    "registry-name-mismatch": "tên đơn vị '{name}' khác tên trong danh sách đơn vị: '{registered}' (mã {unit})",
    "registry-type-mismatch": "loại hình '{unit_type}' khác loại hình trong danh sách đơn vị: '{registered}' (mã {unit})",
    "not-submitted": "{unit_type} {name} (mã {unit}) chưa nộp hồ sơ tự đánh giá: không chấm điểm, không xếp hạng",
    # year over year (scoring/previous.py)
    "eligibility-band-unknown": "xếp loại '{band}' không có trong bộ tiêu chí (có: {bands})",
    "previous-criteria-mismatch": "kết quả năm trước chấm theo bộ tiêu chí '{found}', không cùng họ với '{criteria}' (nhận: {accepted})",
    "previous-year-mismatch": "kết quả năm {found}, cần kết quả năm {wanted} (năm trước của năm {year})",
    "previous-provisional": "kết quả năm trước là kết quả TẠM TÍNH, không phải kết quả đã phê duyệt",
    "previous-duplicate-unit": "đơn vị mã {unit} đã có kết quả năm trước trong {first}",
    "previous-population-missing": ("đơn vị {name} (mã {unit}) thiếu dân số của đơn vị tiền thân "
                                    "{predecessors} (bộ tiêu chí so sánh theo đơn vị đông dân nhất)"),
    # a rule's parameters (scoring/rules/*.py: each kind's checks)
    "points-above-max": "{what} ({points}) vượt điểm tối đa {max} của tiêu chí {leaf}",
    "points-below-floor": "điểm {points} thấp hơn mức sàn {floor} của tiêu chí {leaf}",
    "points-below-floor.undeclared": "điểm {points} thấp hơn mức sàn {floor} của tiêu chí {leaf} (điểm âm cần khai \"floor\")",
    "duplicate-code.option": "phương án '{option}' lặp lại",
    "max-unreachable": "không phương án nào cho đủ {max} điểm tối đa",
    "max-unreachable.on_time": "điểm đúng hạn phải bằng điểm tối đa của tiêu chí",
    "max-unreachable.survey": "phải có một phương án được 100% số điểm",
    "deadline-order": "hạn chậm nhất (late_until) sớm hơn thời hạn (deadline)",
    "step-invalid": "bước {step} không chia hết điểm tối đa {max}",
    "thresholds-order": "các ngưỡng phải giảm dần (ngưỡng cao nhất trước)",
    "thresholds-order.increasing": "các ngưỡng phải tăng dần",
    "thresholds-order.percent": "ngưỡng tỷ lệ phải trong khoảng 0-100%",
    "threshold-bound-direction": ("ngưỡng 'above' (trên) không dùng với direction at_most; "
                                  "ở đây dùng 'below' (dưới) hoặc 'at' (không quá)"),
    "threshold-bound-direction.below": ("ngưỡng 'below' (dưới) chỉ dùng với direction at_most; "
                                        "ở đây dùng 'above' (trên) hoặc 'at' (từ)"),
    # the meaning of the inputs (scoring/validate.py)
    "encoding-invalid.surrogate": "chuỗi chứa mã \\uD800-\\uDFFF đơn lẻ, không phải ký tự hợp lệ",
    "number-too-large.value": "số {value} quá lớn",
    "precision": "số {value} có quá hai chữ số thập phân",
    "date-invalid": "ngày '{value}' không tồn tại",
    "duplicate-code": "mã '{code}' trùng với mã ở {first}",
    "duplicate-code.band": "tên xếp loại '{name}' lặp lại",
    "duplicate-code.block": "khối '{block}' lặp lại",
    "points-mismatch": "điểm tối đa của '{code}' là {max} nhưng tổng các tiêu chí thành phần là {total}",
    "points-mismatch.area": "điểm tối đa của lĩnh vực '{code}' là {max} nhưng tổng các tiêu chí là {total}",
    "points-mismatch.total": "tổng điểm khai báo là {declared} nhưng tổng các lĩnh vực là {total}",
    "survey-area": "lĩnh vực điều tra xã hội học chỉ chứa tiêu chí loại 'survey'",
    "survey-area.outside": "tiêu chí loại 'survey' không được đặt trong phần điểm thưởng, điểm trừ",
    "points-zero": "bộ tiêu chí có tổng điểm bằng 0: không tính được chỉ số (điểm đạt ÷ điểm tối đa) của xã nào",
    "bands-order": "ngưỡng xếp loại phải giảm dần (loại cao nhất trước) và loại cuối cùng có min_index = 0",
    "block-overlap": "loại hình '{unit_type}' đã thuộc khối '{block}'",
    "deadline-order.window": "ngày kết thúc sớm hơn ngày bắt đầu",
    "evidence-path-unsafe": "đường dẫn '{path}' phải là đường dẫn tương đối trong thư mục hồ sơ",
    "evidence-path-unsafe.nul": "đường dẫn chứa ký tự NUL",
    "evidence-path-unsafe.outside": "đường dẫn '{path}' trỏ ra ngoài thư mục hồ sơ",
    "evidence-file-missing": "không tìm thấy tệp kiểm chứng '{path}'",
    "evidence-file-missing.unreachable": "không truy cập được tệp kiểm chứng '{path}': {reason}",
    "criteria-mismatch": "hồ sơ theo bộ tiêu chí '{found}', đang chấm theo '{criteria}'",
    "criteria-mismatch.year": "hồ sơ năm {found}, bộ tiêu chí năm {criteria}",
    "criteria-mismatch.file": "tệp theo bộ tiêu chí '{found}', đang chấm theo '{criteria}'",
    "criteria-mismatch.file_year": "tệp năm {found}, bộ tiêu chí năm {criteria}",
    "unit-type-unranked": "loại hình '{unit_type}' không thuộc khối xếp hạng nào của bộ tiêu chí",
    "text-legacy-encoding": ("'{text}' được gõ bằng bảng mã cũ {encoding} (có lẽ là '{reads}'); hãy chuyển sang Unicode, "
                             "ví dụ bằng công cụ chuyển mã của Unikey (Unikey Toolkit: bảng mã nguồn {source}, "
                             "bảng mã đích Unicode)"),
    "leaf-missing": "thiếu tiêu chí {leaf} ({title})",
    "unknown-leaf": "mã tiêu chí '{leaf}' không có trong bộ tiêu chí {criteria}",
    "unknown-leaf.appraisal": "mã tiêu chí '{leaf}' không có trong bộ tiêu chí",
    "survey-leaf-in-submission": "tiêu chí {leaf} được chấm từ kết quả điều tra xã hội học, xã không tự chấm",
    "survey-leaf-in-submission.appraisal": "tiêu chí {leaf} được chấm từ điều tra xã hội học",
    "na-not-allowed": "tiêu chí {leaf} không được khai 'không áp dụng'",
    "fact-unexpected": "tiêu chí {leaf} ({kind}) không dùng số liệu '{name}'",
    "fact-unexpected.needed": "tiêu chí {leaf} ({kind}) không dùng số liệu '{name}'; cần: {needed}",
    "fact-invalid": "phương án '{choice}' không có; chọn một trong: {options}",
    "fact-invalid.precision": "giá trị có quá hai chữ số thập phân",
    "numerator-above-denominator": "tử số {numerator} lớn hơn mẫu số {denominator}",
    "zero-denominator": "mẫu số bằng 0 nhưng tiêu chí {leaf} không được khai không áp dụng",
    "fact-missing": "tiêu chí {leaf} cần số liệu '{name}'",
    "self-score-above-max": "điểm tự chấm {score} vượt điểm tối đa {max} của tiêu chí {leaf}",
    "self-score-below-min": "điểm tự chấm {score} thấp hơn mức thấp nhất {floor}",
    "score-off-step": "tiêu chí {leaf} chấm theo bước {step} điểm",
    "evidence-date-outside": "tài liệu {number} ngày {date} nằm ngoài khoảng {first} - {last}",
    "duplicate-commune": "xã mã {commune} đã có hồ sơ {first}",
    "duplicate-name": ("tên {unit_type} '{name}' (mã {commune}) trùng với tên của đơn vị mã {other} "
                       "({other_file}); hai đơn vị không được cùng tên: kiểm tra lại mã và tên"),
    "unknown-commune": "không có hồ sơ của xã mã {commune}",
    "score-above-max": "điểm thẩm định {score} vượt điểm tối đa {max} của tiêu chí {leaf}",
    "score-below-min": "điểm thẩm định {score} thấp hơn mức thấp nhất {floor}",
    "duplicate-entry": "xã {commune}, tiêu chí {leaf}, vòng {stage} đã được thẩm định ở /entries/{first}",
    "survey-not-survey-leaf": "'{leaf}' không phải câu hỏi điều tra xã hội học của bộ tiêu chí",
    "survey-unknown-option": "câu {leaf} không có phương án '{option}' (có: {options})",
    "survey-empty": "câu {leaf} không có phiếu trả lời nào",
    # the question's code ends the message: scoring/load.py reads it back to group a commune's questions
    "survey-missing": "thiếu số phiếu của xã mã {commune} cho câu {leaf}",
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
    # the results workbook (scoring/writers/workbook.py)
    "excel-limit": ("bộ tiêu chí có {areas} lĩnh vực; bảng tính kết quả chỉ chứa được "
                    "{max_areas} (mỗi lĩnh vực 2 cột, Excel tối đa {max_columns} cột)"),
    "excel-limit.rows": "{communes} đơn vị vượt số dòng của một trang Excel ({max_rows})",
    "excel-limit.detail": ("trang Chi tiết của {communes} đơn vị cần {rows} dòng, vượt số dòng của một trang Excel "
                           "({max_rows}): hãy chọn bố cục toàn quốc (--layout national)"),
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
    # the decision (scoring/writers/decision.py)
    "details-bad-json.too_deep": "JSON lồng nhau quá sâu (quá nhiều cấp [ hoặc {{)",
    "text-legacy-encoding.details": "{what}: {reason}",
    "template-not-docx": "không phải tệp Word .docx hợp lệ ({error})",
    "template-not-docx.zip_bomb": "không đọc mẫu: {why}; một mẫu quyết định không lớn như vậy",
    "template-code": "lỗi mã mẫu trong quyết định: {error}",
    "template-code.near": "lỗi mã mẫu trong quyết định: {error} gần: {near}",
    "results-provisional": ("kết quả là TẠM TÍNH ({why}); không lập dự thảo quyết định phê duyệt "
                            "từ kết quả tạm tính, trừ khi yêu cầu rõ bằng --provisional"),
}


@dataclass(frozen=True)
class Code:
    """One registered code: ``code`` (stable, kebab-case), ``description`` (Vietnamese, the
    README table's text), ``severity`` ("error", "warning" or "either") and ``template`` (its
    message template; a code worded only in variants gives its first, see templates_of)."""

    code: str
    description: str
    severity: str = "error"
    template: str | None = None


def registry() -> dict[str, Code]:
    """Every code the program can report, as Code records (built from CODES, SEVERITY and
    TEMPLATES, so that a code added to CODES by any module is in it at once)."""
    return {code: Code(code, description, SEVERITY.get(code, "error"),
                       TEMPLATES.get(code) or next(iter(templates_of(code).values()), None))
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
