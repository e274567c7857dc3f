"""Excel forms around the engine: what communes and the council fill, read back exactly.

* ``write_self_assessment_form`` / ``read_self_assessment_form``: a commune's self-assessment
  (scoring/forms/self_assessment.py describes the layout).
* ``write_appraisal_form`` / ``read_appraisal_form``: the council's appraisal (appraisal.py).
* ``read_survey_table``: survey tallies from a CSV file or a spreadsheet (survey.py).
* ``import_file``: any of the three, the kind recognised from the file.
* ``provisional_score`` / ``check_text``: a commune's check before sending (check.py).

Every problem in a form is a CellIssue at its sheet and cell, all raised together in a
FormError (an InputError, so the CLI prints them one per line and exits 1).
"""

from __future__ import annotations

from pathlib import Path

from .cells import (
    KIND_APPRAISAL, KIND_EXPLANATION, KIND_NAMES, KIND_SELF, KIND_SURVEY, CellIssue, FormError, FormUsageError, dumps_exact,
)

# The rest is imported when first asked for (module __getattr__): the workbook writers
# (xlsxwriter) and the engine are not paid for by a command that uses none of them
# (cli.py check on a JSON submission; issue 19).
_LAZY = {
    "read_appraisal_form": "appraisal", "write_appraisal_form": "appraisal",
    "Provisional": "check", "check_text": "check", "provisional_score": "check",
    "CouncilInputs": "inputs", "CriteriaSource": "inputs", "load_council_inputs": "inputs", "load_criteria": "inputs",
    "read_draft_submission": "inputs",
    "ImportResult": "self_assessment", "find_commune": "self_assessment",
    "read_self_assessment_form": "self_assessment", "write_self_assessment_form": "self_assessment",
    "read_survey_table": "survey",
    "apply_explanations": "notice", "read_notice": "notice", "read_submission_file": "notice", "write_notice": "notice",
}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    _ensure(_LAZY[name])
    return globals()[name]


def _ensure(*modules: str) -> None:
    """The names of ``modules`` (their _LAZY entries) set in this module, as the eager
    imports set them (a name already set, by a test's monkeypatch say, is kept): the
    functions below find them as globals."""
    from importlib import import_module

    names = globals()
    for name, module in _LAZY.items():
        if module in modules and name not in names:
            names[name] = getattr(import_module(f"{__name__}.{module}"), name)

KINDS = (KIND_SELF, KIND_APPRAISAL, KIND_SURVEY, KIND_EXPLANATION)

__all__ = [
    "KINDS", "KIND_APPRAISAL", "KIND_SELF", "KIND_SURVEY", "CellIssue", "CouncilInputs", "CriteriaSource",
    "FormError", "FormUsageError", "ImportResult", "Provisional", "check_text", "detect_kind", "dumps_exact",
    "find_commune", "import_file", "load_council_inputs", "load_criteria", "provisional_score",
    "read_appraisal_form", "read_draft_submission", "read_self_assessment_form", "read_survey_table",
    "self_assessment_form",
    "write_appraisal_form", "write_self_assessment_form",
]


def self_assessment_form(commune_code: str | None = None, criteria=None, draft=None) -> tuple[bytes, list]:
    """The form of one commune (.xlsx bytes) and the warnings about what the draft could not fill.

    The commune is ``commune_code`` or the draft's; its name and type come from the draft,
    else from the commune's submission in the bundled folder of the criteria set
    (submissions/<criteria id>/communes), else the commune fills them in.
    """
    import re

    from ..files import DATA
    from .cells import display

    _ensure("inputs", "self_assessment")
    source = load_criteria(criteria)
    draft_data = read_draft_submission(draft) if draft else None
    commune = dict(draft_data["commune"]) if draft_data else None
    if commune_code is not None:
        if not re.fullmatch(r"[0-9]{5}", commune_code):
            raise FormUsageError(f"mã xã '{commune_code}' phải gồm 5 chữ số (mã đơn vị hành chính)")
        if commune is not None and commune["code"] != commune_code:
            raise FormUsageError(f"--commune {commune_code} khác mã xã {commune['code']} trong hồ sơ {display(draft)}")
        if commune is None:
            folder = DATA / "submissions" / source.criteria.id / "communes"
            commune = find_commune(commune_code, folder) or {"code": commune_code, "name": "", "type": ""}
    if commune is None:
        raise FormUsageError("cần --commune MÃ_XÃ hoặc --from HỒ_SƠ.json")
    return write_self_assessment_form(source, commune, draft_data, draft_name=display(draft) if draft else "")


def detect_kind(path, sheets=None) -> str | None:
    """self / appraisal (from the form's hidden _meta sheet) or survey (a CSV file, or a table
    with a survey header); None when the file is none of these."""
    from . import cells, survey

    path = Path(path)
    if path.suffix.lower() == ".csv":
        return KIND_SURVEY
    if sheets is None:
        sheets = cells.read_workbook(path, cells.display(path))
    kind = cells.form_kind(cells.read_meta(sheets))
    if kind:
        return kind
    if any(survey.is_survey_table(sheet.rows) for name, sheet in sheets.items() if name != cells.META_SHEET):
        return KIND_SURVEY
    return None


def import_file(path, source: CriteriaSource, *, kind: str | None = None, base_dir=None,
                blank_rows: list | None = None) -> ImportResult:
    """Read a filled form (or a survey table) back into its JSON document; FormError with every problem.
    ``blank_rows``: see read_self_assessment_form (check on a self-assessment form being filled)."""
    from . import cells
    from ..errors import message

    _ensure("self_assessment", "appraisal", "notice", "survey")
    path = Path(path)
    shown = cells.display(path)
    sheets = None if path.suffix.lower() == ".csv" else cells.read_workbook(path, shown)
    found = detect_kind(path, sheets)
    if found is None:
        raise FormError([CellIssue(shown, "", "form-not-a-form", message("form-not-a-form", "unknown_kind"))])
    if kind is not None and kind != found:
        raise FormError([CellIssue(shown, "", "form-kind-mismatch",
                                   message("form-kind-mismatch", found=KIND_NAMES[found], wanted=KIND_NAMES[kind], kind=kind))])
    if found == KIND_SELF:
        return read_self_assessment_form(path, source, sheets=sheets, base_dir=base_dir, blank_rows=blank_rows)
    if found == KIND_APPRAISAL:
        return read_appraisal_form(path, source, sheets=sheets)
    if found == KIND_EXPLANATION:
        return read_notice(path, source.criteria, sheets=sheets)
    return read_survey_table(path, source, sheets=sheets)
