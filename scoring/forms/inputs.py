"""The JSON inputs the forms need, read and validated with the engine's own loader and checks.

Unlike ``scoring.load.load_inputs`` these read only what a form needs: the criteria set
alone (a commune's form), one submission (``check``), or the submissions and an appraisal
without the survey (the council's appraisal form).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import validate
from ..errors import InputError, Issue, message
from ..files import DEFAULT_CRITERIA, ParsedFile, display_path, read_json, resolve_paths, submission_files
from ..load import build_appraisal, build_submission, criteria_from
from ..facts import FactTable, evidence_warnings
from ..model import Appraisal, CriteriaSet, Submission

WARNING_CODES = frozenset({"evidence-file-missing"})


@dataclass(frozen=True)
class CriteriaSource:
    """A validated criteria set: the model and the document it came from (for headings)."""

    criteria: CriteriaSet
    data: dict
    path: str


def load_criteria(path=None) -> CriteriaSource:
    """Read and validate a criteria set (default: the bundled one); InputError on any problem."""
    parsed = read_json(Path(path) if path else DEFAULT_CRITERIA)
    issues = list(parsed.issues)
    built = data = None
    if parsed.data is not None and not issues:
        built, data, found, _ = criteria_from(parsed)  # a set built on a framework is resolved (issue 13)
        issues += found
    if issues:
        raise InputError(issues)
    return CriteriaSource(built, data, parsed.path)


def submission_issues(parsed: ParsedFile, criteria: CriteriaSet, base_dir: Path) -> tuple[list[Issue], list[Issue]]:
    """check_submission split into (errors, warnings): a scanned file not found yet is only a warning
    here, since a commune checks (or imports) its form before the scans sit beside it."""
    found = validate.check_submission(parsed, criteria, base_dir)
    errors = [issue for issue in found if issue.code not in WARNING_CODES]
    warnings = [issue for issue in found if issue.code in WARNING_CODES]
    if not errors:
        warnings += evidence_warnings(parsed, criteria)
    return errors, warnings


def read_submission_file(path, criteria: CriteriaSet) -> tuple[dict, Submission, list[Issue]]:
    """One submission JSON, validated against the criteria set: (data, model, warnings)."""
    path = Path(path)
    parsed = read_json(path)
    issues = list(parsed.issues)
    warnings: list[Issue] = []
    if parsed.data is not None and not issues:
        errors, warnings = submission_issues(parsed, criteria, path.parent)
        issues += errors
    if issues:
        raise InputError(issues)
    return parsed.data, build_submission(parsed.data, parsed.path), warnings


def read_draft_submission(path) -> dict:
    """A submission used only to pre-fill a form (last year's or a draft): it must have the
    submission's structure; whether it fits this year's criteria set is not required."""
    parsed = read_json(Path(path))
    issues = list(parsed.issues)
    if parsed.data is not None and not issues:
        issues += validate.schema_issues(parsed, "submission")
    if issues:
        raise InputError(issues)
    return parsed.data


@dataclass(frozen=True)
class CouncilInputs:
    """What the appraisal form is made from.

    ``facts``: the submissions' fact table, laid out as they were read; each submission's
    leaf entries are read again from its file (its hash checked) when its rows are written,
    as on the engine's national runs (issue 19): the parsed entries of every commune are
    never held at once.
    """

    source: CriteriaSource
    submissions: tuple[Submission, ...]
    appraisal: Appraisal | None
    appraisal_data: dict | None
    facts: FactTable | None = None


def load_council_inputs(criteria=None, submissions=None, appraisal=None) -> CouncilInputs:
    """The criteria set, every submission and the appraisal file if there is one (no survey needed).

    The submissions are read and checked as ``score`` reads them (scoring.quick: the quick
    reader, forked workers from PARALLEL_FROM files on, the thorough check's messages for
    any file it cannot vouch for); every problem of every file is an error.
    """
    from .. import appraisals as council
    from ..quick import check_submission_files
    from ..workers import collector_paused

    several = appraisal if isinstance(appraisal, (list, tuple)) and appraisal else None
    criteria_path, submissions_dir, appraisal_path, _ = resolve_paths(
        criteria, submissions, None if several is not None or appraisal == () else appraisal, None)
    appraisal_list = council.appraisal_paths(several if several is not None else appraisal_path)
    source = load_criteria(criteria_path)
    criteria_set = source.criteria
    issues: list[Issue] = []
    if not submissions_dir.is_dir():
        raise InputError([Issue(display_path(submissions_dir), "", "file-missing", message("file-missing", "submissions"))])
    paths = submission_files(submissions_dir)
    if not paths:
        raise InputError([Issue(display_path(submissions_dir), "", "no-submissions", message("no-submissions"))])
    with collector_paused():
        checked, facts = check_submission_files(paths, criteria_set, submissions_dir)
    parsed_files = [item.file for item in checked]  # each document without its leaf entries
    built = []
    for item in checked:
        issues += item.file.issues
        issues += item.issues
        if item.valid:
            built.append(build_submission(item.file.data, item.file.path, (item.location, item.file.path, item.file.sha256)))
    issues += validate.check_communes_unique(parsed_files)
    appraisal_model = appraisal_data = None
    valid, models = [], []
    for appraisal_path in appraisal_list:  # several files (split appraisal) are merged
        parsed = read_json(appraisal_path)
        issues += parsed.issues
        if parsed.data is not None:
            known = {s.code for s in built} | {f.data["commune"]["code"] for f in parsed_files
                                               if isinstance(f.data, dict) and isinstance(f.data.get("commune"), dict)
                                               and isinstance(f.data["commune"].get("code"), str)}
            found = validate.check_appraisal(parsed, criteria_set, known)
            issues += found
            if not found:
                valid.append(parsed)
                models.append(build_appraisal(parsed.data, parsed.path))
    issues += council.conflict_issues(valid)
    if issues:
        raise InputError(issues)
    if valid:
        appraisal_model = council.merge(models)
        seen, entries = set(), []
        for parsed in valid:
            for entry in parsed.data["entries"]:
                key = (entry["commune"], entry["leaf"], entry["stage"])
                if key not in seen:
                    seen.add(key)
                    entries.append(entry)
        appraisal_data = {**valid[0].data, "entries": entries}
    return CouncilInputs(source, tuple(built), appraisal_model, appraisal_data, facts)
