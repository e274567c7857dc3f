"""Two-pass validation: the JSON Schema first (every error, at its pointer), then meaning.

Meaning checks are what a schema cannot say: codes unique, points that add up, thresholds
in order, facts that fit the leaf's rule, a self-score above the maximum, evidence dated
outside the year or pointing outside the submissions folder, the same commune twice.
Each check returns a list of Issues; nothing here raises on bad input.
"""

from __future__ import annotations

import json
import os
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import jsonschema_rs
import msgspec

from .errors import Issue, message, pointer
from . import rules
from .files import DATA
from .model import SECTION_SURVEY, document_type, is_real_date
from .numbers import exact_hundredths, format_points, is_hundredths, to_hundredths
from .text import legacy_encoding, legacy_message, match_key, may_be_legacy, may_hold_legacy, name_key, nfc, same_text
from .vietnamese import format_count, format_date

SCHEMAS = {  # in the checkout where the README documents them; installed, in scoring/data (scoring.files.DATA)
    "criteria": DATA / "criteria" / "criteria.schema.json",
    "extension": DATA / "criteria" / "extension.schema.json",  # a set built on a framework (scoring/extends.py)
    "submission": DATA / "submissions" / "submission.schema.json",
    "appraisal": DATA / "submissions" / "appraisal.schema.json",
    "survey": DATA / "submissions" / "survey.schema.json",
    "results": Path(__file__).resolve().parent / "results.schema.json",
    "registry": DATA / "submissions" / "registry.schema.json",
}


@lru_cache(maxsize=None)
def validator(name: str):
    """The compiled validator of one of the committed schemas (jsonschema's
    Draft202012Validator, imported here: only a file the compiled validator refuses needs
    it, and a valid run does not pay for importing it)."""
    from jsonschema import Draft202012Validator

    schema = json.loads(SCHEMAS[name].read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@lru_cache(maxsize=None)
def fast_check(name: str):
    """The same schema in a compiled validator (jsonschema-rs): a quick yes/no for valid files.

    jsonschema's pure-Python validator is the reference and explains every error, but costs
    ~13 ms per 100-leaf submission (43 s for 3,321 communes); the compiled one answers in a
    fraction of the JSON parse time. Criteria sets, appraisals, surveys and the submissions
    the quick reader (scoring.quick_schema) does not vouch for take it; a file it rejects
    is re-run through jsonschema for the full report.
    """
    return rs_validator(name).is_valid


@lru_cache(maxsize=None)
def rs_validator(name: str):
    """The compiled (jsonschema-rs) validator of one of the committed schemas."""
    return jsonschema_rs.validator_for(json.loads(SCHEMAS[name].read_text(encoding="utf-8")))


_TYPE_NAMES = {"object": "một đối tượng", "array": "một danh sách", "string": "một chuỗi", "integer": "một số nguyên",
               "number": "một số", "boolean": "true hoặc false", "null": "null"}


def _count(value) -> str:
    """A schema bound as a person reads it: a whole number with "." between thousands
    (5.000 ký tự, 100.000.000), anything else as written."""
    return format_count(value) if type(value) is int else str(value)


def _schema_message(error) -> str:
    keyword, value = error.validator, error.validator_value
    if keyword == "required":
        # one error per missing field, each naming its own (the message starts with its repr)
        missing = [name for name in value if isinstance(error.instance, dict) and name not in error.instance]
        name = next((n for n in missing if error.message.startswith(repr(n))), missing[0] if missing else value)
        return f"thiếu trường bắt buộc '{name}'"
    if keyword == "additionalProperties":
        allowed = sorted((error.schema.get("properties") or {}).keys())
        extra = sorted(set(error.instance) - set(allowed)) if isinstance(error.instance, dict) else []
        listing = ", ".join(a for a in allowed if a != "$schema")
        return f"trường không hợp lệ '{', '.join(extra)}' (các trường được dùng: {listing})"
    if keyword == "type":
        names = value if isinstance(value, list) else [value]
        return "phải là " + " hoặc ".join(_TYPE_NAMES.get(n, n) for n in names)
    if keyword in ("enum", "const"):
        options = value if keyword == "enum" else [value]
        message = "phải là một trong: " + ", ".join(json.dumps(o, ensure_ascii=False) for o in options)
        close = [o for o in options if isinstance(o, str) and isinstance(error.instance, str) and same_text(o, error.instance)]
        if close:  # "Xã" for "xã": say which one it looks like, so the message does not seem to contradict itself
            message += f" (giá trị {json.dumps(error.instance, ensure_ascii=False)} phải viết đúng là "
            message += f"{json.dumps(close[0], ensure_ascii=False)})"
        return message
    if keyword == "pattern":
        if value.startswith("^[^\x00"):
            return ("chứa ký tự điều khiển, ký tự ẩn hoặc ký tự không dùng (không in được: NUL, ESC, ký tự đổi chiều "
                    "viết, khoảng trắng rộng 0, U+FFFE, U+FFFF, U+FDD0–U+FDEF…)")
        return f"không đúng định dạng (mẫu {value})"
    if keyword == "minimum":
        return f"phải lớn hơn hoặc bằng {_count(value)}"
    if keyword == "maximum":
        return f"phải nhỏ hơn hoặc bằng {_count(value)}"
    if keyword == "exclusiveMinimum":
        return f"phải lớn hơn {_count(value)}"
    if keyword == "minItems":
        return f"phải có ít nhất {_count(value)} phần tử"
    if keyword == "maxItems":
        return f"có nhiều nhất {_count(value)} phần tử"
    if keyword == "minLength":
        return "không được để trống" if value == 1 else f"phải dài ít nhất {_count(value)} ký tự"
    if keyword == "maxLength":
        return f"dài quá {_count(value)} ký tự"
    if keyword == "propertyNames":
        return f"tên khóa '{error.instance}' không hợp lệ"
    if keyword == "oneOf":
        return "một tiêu chí phải có 'rule' (tiêu chí được chấm) hoặc 'items' (nhóm tiêu chí thành phần), không cả hai"
    return error.message


def schema_issues(parsed, name: str) -> list[Issue]:
    """Pass 1: every JSON Schema error of a file, each at its JSON pointer."""
    try:
        if fast_check(name)(parsed.data):
            return []
    except UnicodeEncodeError:  # a lone surrogate escape ("\\ud800") somewhere: not text
        return _lone_surrogates(parsed)
    issues = []  # explain with the reference validator
    for error in validator(name).iter_errors(parsed.data):
        where = list(error.absolute_path)
        message = _schema_message(error)
        if "propertyNames" in error.schema_path:  # a bad key: point at it and name it
            where.append(error.instance)
            message = f"tên khóa '{error.instance}' không hợp lệ: {message}"
        issues.append(Issue(parsed.path, pointer(*where), f"schema-{error.validator}", message))
    if not issues:
        # the two validators disagree (Python's re lets "$" match before a final newline,
        # ECMA-262 does not): the compiled validator's verdict stands, with its own words
        for error in rs_validator(name).iter_errors(parsed.data):
            issues.append(Issue(parsed.path, pointer(*error.instance_path), f"schema-{_rs_kind(error)}",
                                "không đúng định dạng" if _rs_kind(error) == "pattern" else error.message))
    return sorted(issues, key=lambda i: (i.pointer, i.code))


def _rs_kind(error) -> str:
    """The JSON Schema keyword of a jsonschema-rs error ("pattern", "type", …)."""
    name = type(error.kind).__name__
    return name[:1].lower() + name[1:]


def _lone_surrogates(parsed) -> list[Issue]:
    """Strings holding a lone UTF-16 surrogate escape (\\ud800): not text, refused at their place."""
    issues = []
    for path, value in _walk_with_keys(parsed.data):
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                issues.append(Issue(parsed.path, pointer(*path), "encoding-invalid", message("encoding-invalid", "surrogate")))
    return issues


def _walk_with_keys(value, path=()):
    """Every scalar and every key of a JSON document, with its path (keys are checked as text too)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield path + (key,), key
            yield from _walk_with_keys(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk_with_keys(item, path + (index,))
    else:
        yield path, value


def precision_issues(parsed) -> list[Issue]:
    """Every number of a file kept to the hundredth (results.json read back by the writers)."""
    return _precision_and_dates(parsed, ())


def _precision_and_dates(parsed, date_keys) -> list[Issue]:
    """Every number kept to the hundredth; every date a real calendar date.

    Read after the schema check, so the document is only as deep as its schema allows; the
    walk visits each object and list once and looks only at decimals and date fields (the
    other scalars are the bulk of an appraisal or a results file).
    """
    issues = []

    def visit(container, path):
        for key, value in container.items() if type(container) is dict else enumerate(container):
            kind = type(value)
            if kind is dict or kind is list:
                visit(value, path + (key,))
            elif kind is Decimal:
                if not is_hundredths(value):
                    where = pointer(*path, key)
                    if value.is_finite() and not value.is_zero() and value.adjusted() > 9:
                        issues.append(Issue(parsed.path, where, "number-too-large", message("number-too-large", "value", value=value)))
                    else:
                        issues.append(Issue(parsed.path, where, "precision", message("precision", value=value)))
            elif kind is str and key in date_keys and not is_real_date(value):
                issues.append(Issue(parsed.path, pointer(*path, key), "date-invalid", message("date-invalid", value=value)))

    if type(parsed.data) in (dict, list):
        visit(parsed.data, ())
    return issues


# ---------------------------------------------------------------- criteria set


def check_criteria(parsed) -> list[Issue]:
    """Schema, then meaning: unique codes, sums, thresholds, bands, blocks, survey area."""
    issues = schema_issues(parsed, "criteria")
    if issues:
        return issues
    data, file = parsed.data, parsed.path
    issues += _precision_and_dates(parsed, {"date", "from", "to"} | rules.DATE_FIELDS)
    if issues:
        return issues

    def add(where, code, message):
        issues.append(Issue(file, where, code, message))

    seen_codes: dict[str, str] = {}

    def check_code(code, where):
        if code in seen_codes:
            add(where + "/code", "duplicate-code", message("duplicate-code", code=code, first=seen_codes[code]))
        else:
            seen_codes[code] = where

    def check_node(node, where, in_survey):
        check_code(node["code"], where)
        node_max = to_hundredths(node["max"])
        if "items" in node:
            total = 0
            for index, child in enumerate(node["items"]):
                total += to_hundredths(child["max"])
                check_node(child, f"{where}/items/{index}", in_survey)
            if total != node_max:
                add(where + "/max", "points-mismatch",
                    message("points-mismatch", code=node['code'], max=format_points(node_max, decimals=0),
                            total=format_points(total, decimals=0)))
        else:
            check_rule(node, where, in_survey)

    def check_rule(node, where, in_survey):
        rule, kind, node_max, code = node["rule"], node["rule"]["kind"], to_hundredths(node["max"]), node["code"]
        rule_at = where + "/rule"
        # a content area (in_survey None) may hold survey-kind leaves (issue 13); a survey area
        # holds only them, the bonus and penalty items (False) none
        if in_survey is not None and rules.KINDS[kind].survey != in_survey:
            add(rule_at + "/kind", "survey-area",
                message("survey-area") if in_survey else message("survey-area", "outside"))

        rules.KINDS[kind].check(rules.Checks(rule, node_max, code, rule_at, add))

    total = 0
    for a_index, area in enumerate(data["areas"]):
        where = f"/areas/{a_index}"
        check_code(area["code"], where)
        in_survey = True if area.get("source") == "survey" else None
        area_total = 0
        for c_index, node in enumerate(area["criteria"]):
            area_total += to_hundredths(node["max"])
            check_node(node, f"{where}/criteria/{c_index}", in_survey)
        area_max = to_hundredths(area["max"])
        if area_total != area_max:
            add(where + "/max", "points-mismatch",
                message("points-mismatch", "area", code=area['code'], max=format_points(area_max, decimals=0),
                        total=format_points(area_total, decimals=0)))
        total += area_max
    declared = to_hundredths(data["total_points"])
    if declared <= 0:  # no index can be computed: points ÷ 0
        add("/total_points", "points-zero", message("points-zero"))
    elif total != declared:
        add("/total_points", "points-mismatch",
            message("points-mismatch", "total", declared=format_points(declared, decimals=0), total=format_points(total, decimals=0)))
    for name in ("bonus", "penalty"):
        section = (data.get("adjustments") or {}).get(name)
        if section:
            for index, node in enumerate(section["items"]):
                check_node(node, f"/adjustments/{name}/items/{index}", False)

    bands = data["bands"]
    minima = [Decimal(b["min_index"]) for b in bands]
    if any(b >= a for a, b in zip(minima, minima[1:])) or minima[-1] != 0:
        add("/bands", "bands-order", message("bands-order"))
    names = [b["name"] for b in bands]
    for index, name in enumerate(names):
        if names.index(name) != index:
            add(f"/bands/{index}/name", "duplicate-code", message("duplicate-code", "band", name=name))
    owner: dict[str, str] = {}
    block_ids = []
    for index, block in enumerate(data["ranking"]["blocks"]):
        if block["id"] in block_ids:
            add(f"/ranking/blocks/{index}/id", "duplicate-code", message("duplicate-code", "block", block=block['id']))
        block_ids.append(block["id"])
        for u_index, unit_type in enumerate(block["unit_types"]):
            if unit_type in owner:
                add(f"/ranking/blocks/{index}/unit_types/{u_index}", "block-overlap",
                    message("block-overlap", unit_type=unit_type, block=owner[unit_type]))
            owner[unit_type] = block["id"]
    window = data.get("evidence_window")
    if window and window["to"] < window["from"]:
        add("/evidence_window", "deadline-order", message("deadline-order", "window"))
    return issues


# ---------------------------------------------------------------- submissions


def _evidence_path_issue(file, where, reference: str, base_dir: Path):
    """An evidence file must be a relative path that stays inside the submissions folder."""
    if os.path.isabs(reference) or reference.startswith(("\\", "/")) or (len(reference) > 1 and reference[1] == ":"):
        return Issue(file, where, "evidence-path-unsafe", message("evidence-path-unsafe", path=reference))
    if "\x00" in reference:
        return Issue(file, where, "evidence-path-unsafe", message("evidence-path-unsafe", "nul"))
    try:
        base = base_dir.resolve()
        target = (base_dir / reference).resolve()
        if target != base and base not in target.parents:
            return Issue(file, where, "evidence-path-unsafe", message("evidence-path-unsafe", "outside", path=reference))
        if not target.is_file():
            found, legacy_named = locate_evidence(base_dir, reference)
            if legacy_named is not None:
                part, on_disk, encoding = legacy_named
                return Issue(file, where, "text-legacy-encoding",
                             message("text-legacy-encoding", "file_name", path=reference, on_disk=on_disk, encoding=encoding,
                                     reads=part, source=encoding.split()[0]))
            if found is not None:
                target = found.resolve()
                if target != base and base not in target.parents:
                    return Issue(file, where, "evidence-path-unsafe", message("evidence-path-unsafe", "outside", path=reference))
        if not target.is_file():
            return Issue(file, where, "evidence-file-missing", message("evidence-file-missing", path=reference))
    except (OSError, RuntimeError) as exc:  # a folder on the way that may be listed but not entered, a symlink loop…
        return Issue(file, where, "evidence-file-missing",
                     message("evidence-file-missing", "unreachable", path=reference, reason=getattr(exc, 'strerror', None) or exc))
    return None


def find_whatever_form(base_dir: Path, reference: str) -> Path | None:
    """The file a relative reference names, whatever the Unicode normal form of the names
    on disk: a folder unzipped from a Mac holds "Ba\u0301o ca\u0301o.pdf" (NFD) where the
    submission says "Báo cáo.pdf" (NFC). Each part is taken as written when it is there,
    else the one entry of its folder with the same name read as a person reads it
    (disk_name_matches); None when there is none (locate_evidence says why)."""
    return locate_evidence(base_dir, reference)[0]


def disk_name_readings(name: str):
    """How a name on disk may read, as (text, legacy encoding or None): its NFC form; a name
    that is not UTF-8 (a zip made on Windows without the UTF-8 flag: surrogate escapes) in
    the Windows Vietnamese code page 1258; a name typed in an old font encoding (TCVN3 "B¸o
    c¸o.pdf", VNI), read as what it stands for, with that encoding's name."""
    yield nfc(name), None
    latin = name
    if any("\udc80" <= char <= "\udcff" for char in name):
        raw = os.fsencode(name)
        try:
            yield nfc(raw.decode("cp1258")), None
        except UnicodeDecodeError:
            pass
        latin = raw.decode("latin-1")
    if may_be_legacy(latin):
        found = legacy_encoding(latin)
        if found is not None:
            yield nfc(found[1]), found[0]


def _name_key(name: str) -> str:
    # a file name as a person types it: case (Windows ignores it), spaces at the ends
    return name.casefold().strip()


def locate_evidence(base_dir: Path, reference: str) -> tuple[Path | None, tuple | None]:
    """(the file a reference names, or None; when None, (part, name on disk, encoding) of a
    part found only under a name typed in an old font encoding, else None).

    Each part of the reference is taken as written when it is there; else the one entry of
    its folder whose name reads the same (disk_name_readings: NFC/NFD, code page 1258),
    whatever its case and spaces at the ends when only one entry does; a part found only
    under a legacy-encoded name is not taken (the caller refuses it, saying how to rename)."""
    current = base_dir
    for part in reference.replace("\\", "/").split("/"):
        if part in ("", "."):
            continue
        candidate = current / part
        if part == ".." or os.path.lexists(candidate):
            current = candidate
            continue
        try:
            names = os.listdir(current)
        except OSError:
            return None, None
        wanted = nfc(part)
        readings = [(name, reading, legacy) for name in names for reading, legacy in disk_name_readings(name)]
        matches = {name for name, reading, legacy in readings if legacy is None and reading == wanted}
        if not matches:
            matches = {name for name, reading, legacy in readings
                       if legacy is None and _name_key(reading) == _name_key(wanted)}
        if len(matches) != 1:
            legacy_named = {(name, legacy) for name, reading, legacy in readings
                            if legacy is not None and _name_key(reading) == _name_key(wanted)}
            if len(matches) == 0 and len(legacy_named) == 1:
                name, legacy = legacy_named.pop()
                shown = os.fsencode(name).decode("latin-1") if any("\udc80" <= c <= "\udcff" for c in name) else name
                return None, (part, shown, legacy)
            return None, None
        current = current / matches.pop()
    return current, None


def _leaf_checks(criteria) -> dict:
    """Per leaf code, what the meaning checks of a submission need, computed once per criteria set."""
    cached = criteria.__dict__.get("_leaf_checks")
    if cached is not None:
        return cached
    checks = {}
    for leaf in criteria.leaves:
        rule = leaf.rule
        checks[leaf.code] = (
            leaf,
            rule.facts,
            rule.lowest,
            frozenset(rule.fact_options("choice") or ()) if "choice" in rule.facts else None,
        )
    object.__setattr__(criteria, "_leaf_checks", checks)  # a cache, not state: the set is frozen
    return checks


def check_submission(parsed, criteria, base_dir: Path) -> list[Issue]:
    """Schema, then (when the criteria set is valid) the header and every leaf against its rule."""
    issues = schema_issues(parsed, "submission")
    if issues:
        return issues
    issues = header_issues(parsed, criteria)  # the commune's name and the report's fields among them
    issues += legacy_document_issues(parsed, ("leaves",))
    if criteria is not None:
        issues += leaf_issues(parsed, criteria, base_dir)
    return issues


def header_issues(parsed, criteria, read_quickly: bool = False) -> list[Issue]:
    """A schema-valid submission's header: report date, criteria set and year, ranking block.

    ``read_quickly``: the quick reader (scoring.quick) read it, which proved the report's date
    a real day (a date type) and no text of the file legacy-encoded (its byte scan): those two
    tests would find nothing (3,321 files: 0.005 CPU-s)."""
    data, file = parsed.data, parsed.path
    issues = []

    def add(where, code, message):
        issues.append(Issue(file, where, code, message))

    issues += report_field_issues(file, data.get("report"))
    if not read_quickly:
        report_date = (data.get("report") or {}).get("date")
        if report_date and not is_real_date(report_date):
            add("/report/date", "date-invalid", message("date-invalid", value=report_date))
        texts = [("/commune/name", data["commune"]["name"])]
        texts += [(f"/report/{key}", value) for key, value in (data.get("report") or {}).items() if key != "date"]
        issues += legacy_text_issues(file, texts)
    if criteria is None:
        return issues
    if data["criteria_id"] != criteria.id:
        add("/criteria_id", "criteria-mismatch", message("criteria-mismatch", found=data['criteria_id'], criteria=criteria.id))
    if data["year"] != criteria.year:
        add("/year", "criteria-mismatch", message("criteria-mismatch", "year", found=data['year'], criteria=criteria.year))
    if criteria.block_of(data["commune"]["type"]) is None:
        add("/commune/type", "unit-type-unranked", message("unit-type-unranked", unit_type=data['commune']['type']))
    return issues


# the covering report's fields a submission that has a report must fill, as the form's
# required cells (scoring.forms.self_assessment.REPORT_REQUIRED, form-cell-empty)
REPORT_REQUIRED = {"number": "số của báo cáo tự đánh giá", "date": "ngày báo cáo", "signer": "người ký báo cáo"}


def report_field_issues(file: str, report) -> list[Issue]:
    """A covering report whose number, date or signer is missing, empty or only spaces:
    an error at its pointer (report-field-empty), as the form's required cells are. A
    submission without a report is not checked here (files assembled by programs, earlier
    years' files: the form always writes one)."""
    if not isinstance(report, dict):
        return []
    issues = []
    for key, what in REPORT_REQUIRED.items():
        value = report.get(key)
        if value is None or isinstance(value, str) and not value.strip():
            said = "không có" if value is None else "để trống"
            issues.append(Issue(file, f"/report/{key}", "report-field-empty",
                                message("report-field-empty", what=what, said=said)))
    return issues


def legacy_text_issues(file: str, texts) -> list[Issue]:
    """Texts (pointer, text) typed in an old font encoding (TCVN3/ABC, VNI): refused, with
    what they would read as and how to convert them (scoring.text.legacy_encoding)."""
    issues = []
    for where, text in texts:
        message = legacy_message(text) if isinstance(text, str) and not text.isascii() else None
        if message:
            issues.append(Issue(file, where, "text-legacy-encoding", message))
    return issues


_DOCUMENT_ENCODER = msgspec.json.Encoder(decimal_format="number")


def legacy_document_issues(parsed, under: tuple = ()) -> list[Issue]:
    """Every string of a parsed document (or of its part at the path ``under``) typed in an
    old font encoding (TCVN3/ABC, VNI): evidence titles and numbers, explanations, appraisal
    reasons, survey entries, whatever an official types. Refused at its pointer with what it
    would read as (``text-legacy-encoding``); a regular-expression test per string first."""
    value = parsed.data
    for key in under:
        value = value.get(key) if isinstance(value, dict) else None
    if value is None:
        return []
    try:  # one byte test on the whole document (a national appraisal: ~50 MB) first
        if not may_hold_legacy(_DOCUMENT_ENCODER.encode(value)):
            return []
    except (TypeError, ValueError, UnicodeError):  # not plain JSON data (a lone surrogate): look string by string
        pass
    texts = ((pointer(*under, *path), text) for path, text in _walk_with_keys(value)
             if isinstance(text, str) and may_be_legacy(text))
    return legacy_text_issues(parsed.path, texts)


def leaf_issues(parsed, criteria, base_dir: Path) -> list[Issue]:
    """Every leaf of a schema-valid submission against its rule: known code, facts the rule
    needs and nothing else, self-score within the leaf's range and on its step, evidence
    dated within the year and stored inside the submissions folder.

    This is the reference for what a leaf may say. The loader runs it (through
    check_submission) only on files the quick reader does not vouch for: refused by it,
    marked by the quick check on the fact table (scoring.facts.extract, which must mark
    every file in which this function finds a problem), naming an evidence file not plainly
    there, or possibly holding a duplicated key.
    """
    data, file = parsed.data, parsed.path
    issues = []

    def add(where, code, message):
        issues.append(Issue(file, where, code, message))

    reported = data["leaves"]
    for leaf in criteria.leaves:
        if leaf.section == "area" and leaf.code not in reported:
            add("/leaves", "leaf-missing", message("leaf-missing", leaf=leaf.code, title=leaf.title))
    checks = _leaf_checks(criteria)
    window = criteria.evidence_window
    first_day, last_day = (window[0].isoformat(), window[1].isoformat()) if window else (None, None)
    for code, raw in reported.items():
        check = checks.get(code)
        if check is None:
            add(pointer("leaves", code), "unknown-leaf", message("unknown-leaf", leaf=code, criteria=criteria.id))
            continue
        leaf, needed, floor, choices = check
        if leaf.section == SECTION_SURVEY:
            add(pointer("leaves", code), "survey-leaf-in-submission", message("survey-leaf-in-submission", leaf=code))
            continue
        claimed_na = raw.get("not_applicable", False)
        if claimed_na and leaf.not_applicable is None:
            add(pointer("leaves", code, "not_applicable"), "na-not-allowed", message("na-not-allowed", leaf=code))
        facts = raw.get("facts")
        if facts:
            for name in facts:
                if name not in needed:
                    add(pointer("leaves", code, "facts", name), "fact-unexpected",
                        message("fact-unexpected", "needed", leaf=code, kind=leaf.rule.label, name=name, needed=", ".join(needed))
                        if needed else message("fact-unexpected", leaf=code, kind=leaf.rule.label, name=name))
            if choices is not None and "choice" in facts and facts["choice"] not in choices:
                add(pointer("leaves", code, "facts", "choice"), "fact-invalid",
                    message("fact-invalid", choice=facts['choice'],
                            options=", ".join(f'"{o.label}" (ghi {o.value})' for o in leaf.rule.choices)))
            if "value" in facts and exact_hundredths(facts["value"]) is None:
                add(pointer("leaves", code, "facts", "value"), "fact-invalid", message("fact-invalid", "precision"))
            if "denominator" in facts and "numerator" in facts:
                if facts["numerator"] > facts["denominator"]:
                    add(pointer("leaves", code, "facts", "numerator"), "numerator-above-denominator",
                        message("numerator-above-denominator", numerator=facts['numerator'], denominator=facts['denominator']))
                elif facts["denominator"] == 0 and leaf.not_applicable is None and not claimed_na:
                    add(pointer("leaves", code, "facts", "denominator"), "zero-denominator",
                        message("zero-denominator", leaf=code))
        issues += named_part_issues(file, leaf, raw)
        if needed and not claimed_na:
            for name in needed:
                if not facts or name not in facts:
                    add(pointer("leaves", code, "facts"), "fact-missing", message("fact-missing", leaf=code, name=name))
        self_score = raw.get("self_score")
        if self_score is not None:
            value = exact_hundredths(self_score)
            if value is None:
                add(pointer("leaves", code, "self_score"), "precision", message("precision", value=self_score))
            else:
                if value > leaf.max:
                    add(pointer("leaves", code, "self_score"), "self-score-above-max",
                        message("self-score-above-max", score=format_points(value, decimals=0),
                                max=format_points(leaf.max, decimals=0), leaf=code))
                elif value < floor:
                    add(pointer("leaves", code, "self_score"), "self-score-below-min",
                        message("self-score-below-min", score=format_points(value, decimals=0), floor=format_points(floor, decimals=0)))
                elif leaf.rule.step and value % leaf.rule.step:
                    add(pointer("leaves", code, "self_score"), "score-off-step",
                        message("score-off-step", leaf=code, step=format_points(leaf.rule.step, decimals=0)))
        evidence = raw.get("evidence")
        if evidence:
            for d_index, document in enumerate(evidence):
                day = document["date"]
                if not is_real_date(day):
                    add(pointer("leaves", code, "evidence", d_index, "date"), "date-invalid", message("date-invalid", value=day))
                elif window and not first_day <= day <= last_day:  # ISO dates compare as text
                    add(pointer("leaves", code, "evidence", d_index, "date"), "evidence-date-outside",
                        message("evidence-date-outside", number=document['number'], date=format_date(day),
                                first=format_date(first_day), last=format_date(last_day)))
                if document.get("file"):
                    problem = _evidence_path_issue(file, pointer("leaves", code, "evidence", d_index, "file"), document["file"], base_dir)
                    if problem:
                        issues.append(problem)
    return issues


def check_communes_unique(parsed_files) -> list[Issue]:
    """The same commune code in two submission files; two units of the same type whose
    names look the same (compared in NFC, whatever the case and spacing, Ð as Đ): the ranking,
    the workbook and the decision could not tell them apart."""
    issues, first, named = [], {}, {}
    for parsed in parsed_files:
        data = parsed.data
        if not isinstance(data, dict) or not isinstance(data.get("commune"), dict):
            continue
        code, name, kind = (data["commune"].get(key) for key in ("code", "name", "type"))
        if not isinstance(code, str):
            continue
        if code in first:
            issues.append(Issue(parsed.path, "/commune/code", "duplicate-commune", message("duplicate-commune", commune=code, first=first[code])))
            continue
        first[code] = parsed.path
        if isinstance(name, str) and isinstance(kind, str):
            key = (match_key(kind), name_key(name))  # Ð (U+00D0) and Đ look the same
            if key in named:
                other_code, other_path = named[key]
                issues.append(Issue(parsed.path, "/commune/name", "duplicate-name",
                                    message("duplicate-name", unit_type=kind, name=nfc(name), commune=code, other=other_code,
                                            other_file=other_path)))
            else:
                named[key] = (code, parsed.path)
    return issues


# ---------------------------------------------------------------- appraisal and survey


def _header_issues(parsed, criteria) -> list[Issue]:
    issues = []
    if criteria is None:
        return issues
    if parsed.data["criteria_id"] != criteria.id:
        issues.append(Issue(parsed.path, "/criteria_id", "criteria-mismatch", message("criteria-mismatch", "file", found=parsed.data['criteria_id'], criteria=criteria.id)))
    if parsed.data["year"] != criteria.year:
        issues.append(Issue(parsed.path, "/year", "criteria-mismatch", message("criteria-mismatch", "file_year", found=parsed.data['year'], criteria=criteria.year)))
    return issues


def check_appraisal(parsed, criteria, known_communes) -> list[Issue]:
    """Schema, then: known commune and leaf, score within the leaf's range and on its step, no duplicates."""
    issues = schema_issues(parsed, "appraisal")
    if issues:
        return issues
    legacy = legacy_document_issues(parsed)  # reasons, appraisers' names
    issues += _precision_and_dates(parsed, {"date"})
    if criteria is None or issues:
        return issues + legacy
    issues += legacy
    issues += _header_issues(parsed, criteria)
    seen = {}
    for index, entry in enumerate(parsed.data["entries"]):
        where = f"/entries/{index}"
        if known_communes is not None and entry["commune"] not in known_communes:
            issues.append(Issue(parsed.path, where + "/commune", "unknown-commune", message("unknown-commune", commune=entry['commune'])))
        leaf = criteria.leaf(entry["leaf"])
        if leaf is None:
            issues.append(Issue(parsed.path, where + "/leaf", "unknown-leaf", message("unknown-leaf", "appraisal", leaf=entry['leaf'])))
            continue
        if leaf.section == SECTION_SURVEY:
            issues.append(Issue(parsed.path, where + "/leaf", "survey-leaf-in-submission", message("survey-leaf-in-submission", "appraisal", leaf=leaf.code)))
        score = to_hundredths(entry["score"])
        floor = leaf.rule.lowest
        if score > leaf.max:
            issues.append(Issue(parsed.path, where + "/score", "score-above-max",
                                message("score-above-max", score=format_points(score, decimals=0),
                                        max=format_points(leaf.max, decimals=0), leaf=leaf.code)))
        elif score < floor:
            issues.append(Issue(parsed.path, where + "/score", "score-below-min", message("score-below-min", score=format_points(score, decimals=0), floor=format_points(floor, decimals=0))))
        elif leaf.rule.step and score % leaf.rule.step:
            issues.append(Issue(parsed.path, where + "/score", "score-off-step", message("score-off-step", leaf=leaf.code, step=format_points(leaf.rule.step, decimals=0))))
        key = (entry["commune"], entry["leaf"], entry["stage"])
        if key in seen:
            issues.append(Issue(parsed.path, where, "duplicate-entry", message("duplicate-entry", commune=key[0], leaf=key[1], stage=key[2], first=seen[key])))
        else:
            seen[key] = index
    return issues


def appraisal_communes_known(parsed, known_communes) -> bool:
    """The part of check_appraisal that needs the communes read, as yes/no: every entry
    names a commune with a submission."""
    return all(entry["commune"] in known_communes for entry in parsed.data["entries"])


def survey_communes_known(parsed, criteria, known_communes, registered=frozenset()) -> bool:
    """The part of check_survey that needs the communes read, as yes/no: every commune
    tallied has a submission (or is a registered unit without one), and every commune with
    a submission has every question."""
    tallies = parsed.data["tallies"]
    if not (known_communes | registered).issuperset(tallies):
        return False
    questions = [leaf.code for leaf in criteria.leaves if leaf.section == SECTION_SURVEY]
    return all(code in tallies.get(commune, ()) for commune in known_communes for code in questions)


def check_survey(parsed, criteria, known_communes, registered=frozenset()) -> list[Issue]:
    """Schema, then: tallies for every commune and survey question, with known options only.

    ``registered``: codes of registered units without a submission, whose tallies are
    accepted (and not required)."""
    issues = schema_issues(parsed, "survey")
    if issues:
        return issues
    issues += legacy_document_issues(parsed)
    if criteria is None:
        return issues
    issues += _header_issues(parsed, criteria)
    survey_leaves = [leaf for leaf in criteria.leaves if leaf.section == SECTION_SURVEY]
    # per question, its options (in the set's order and as a set): one lookup per tally
    options_of = {leaf.code: ([o.code for o in leaf.rule.answers], frozenset(o.code for o in leaf.rule.answers))
                  for leaf in survey_leaves}
    tallies = parsed.data["tallies"]
    for commune, questions in tallies.items():
        if known_communes is not None and commune not in known_communes and commune not in registered:
            issues.append(Issue(parsed.path, pointer("tallies", commune), "unknown-commune", message("unknown-commune", commune=commune)))
        for code, options in questions.items():
            known_options = options_of.get(code)
            if known_options is None:
                issues.append(Issue(parsed.path, pointer("tallies", commune, code), "survey-not-survey-leaf",
                                    message("survey-not-survey-leaf", leaf=code)))
                continue
            allowed, allowed_set = known_options
            if not allowed_set.issuperset(options):
                for option in options:
                    if option not in allowed_set:
                        issues.append(Issue(parsed.path, pointer("tallies", commune, code, option), "survey-unknown-option",
                                            message("survey-unknown-option", leaf=code, option=option, options=", ".join(allowed))))
            if not any(options.values()):
                issues.append(Issue(parsed.path, pointer("tallies", commune, code), "survey-empty",
                                    message("survey-empty", leaf=code)))
    for commune in sorted(known_communes or ()):
        answered = tallies.get(commune, {})
        for leaf in survey_leaves:
            if leaf.code not in answered:
                issues.append(Issue(parsed.path, pointer("tallies", commune), "survey-missing",
                                    message("survey-missing", commune=commune, leaf=leaf.code)))
    return issues


def named_part_issues(file: str, leaf, raw) -> list[Issue]:
    """A leaf entry against the named parts of its rule (issue 13): each condition of an
    all_of rule stated once, none unknown (``fact-missing``, ``fact-unexpected``); each
    accepted evidence document of a periodic_reports rule naming one of its periods
    (``evidence-period-missing``, ``evidence-period-unknown``), and no document naming a
    period on a leaf whose rule lists none."""
    issues = []
    code, rule = leaf.code, leaf.rule
    stated = (raw.get("facts") or {}).get("conditions")
    if stated is not None:
        named = {c.id: c for c in rule.named_conditions()}
        for key in stated:
            if key not in named:
                issues.append(Issue(file, pointer("leaves", code, "facts", "conditions", key), "fact-unexpected",
                                    message("fact-unexpected", "condition", leaf=code, key=key,
                                            conditions=', '.join(named) or 'không có')))
        for key, condition in named.items():
            if key not in stated:
                issues.append(Issue(file, pointer("leaves", code, "facts", "conditions"), "fact-missing",
                                    message("fact-missing", "condition", leaf=code, key=key, label=condition.label)))
    periods = {p.id: p for p in rule.due_periods()}
    for index, document in enumerate(raw.get("evidence") or ()):
        period = document.get("period")
        if period is not None and period not in periods:
            issues.append(Issue(file, pointer("leaves", code, "evidence", index, "period"), "evidence-period-unknown",
                                message("evidence-period-unknown", "document", number=document['number'], period=period, leaf=code,
                                        periods=', '.join(periods)) if periods
                                else message("evidence-period-unknown", "document_none", number=document['number'],
                                             period=period, leaf=code)))
        elif period is None and periods and (not leaf.evidence_types or document_type(document["number"]) in leaf.evidence_types):
            issues.append(Issue(file, pointer("leaves", code, "evidence", index), "evidence-period-missing",
                                message("evidence-period-missing", number=document['number'], leaf=code,
                                        periods=", ".join(f"{p.id} ({p.label})" for p in periods.values()))))
    return issues
