"""Inputs → the model. ``load_inputs`` is the whole input step of a run.

``load_inputs`` reads the criteria set, every submission, the appraisal, the survey and the
registry (files opened and parsed by scoring.files; submissions through the speed paths of
scoring.quick), validates them (scoring.validate: schema pass, then meaning pass) and, only
when no problem was found, builds the model the engine scores (the ``build_*`` functions,
from validated plain data). Problems are never raised one by one: they are collected and
raised together as an InputError.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import MappingProxyType

from .errors import InputError, Issue
from .input_files import folder_warnings
from .files import SURVEY_NAME, display_path, read_document, reread_leaves, resolve_paths, submission_files
from .model import (
    SECTION_AREA, SECTION_BONUS, SECTION_PENALTY, SECTION_SURVEY,
    Appraisal, AppraisalEntry, Area, Band, Block, CriteriaSet,
    InputFile, Inputs, LazyReports, Leaf, Submission, Survey,
    frozen_mapping,
)
from .numbers import to_hundredths
from .rules import build_rule  # noqa: F401 - each kind builds its own parameters
from .quick import check_submission_files
from .workers import collector_paused


# ---------------------------------------------------------------- building the model


def parse_date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _h(value) -> int:
    return to_hundredths(value)


def iter_leaves(data: dict):
    """Yield (raw leaf, section, area code, JSON pointer) for every leaf of a criteria set, in order."""

    def walk(nodes, section, area, base):
        for index, node in enumerate(nodes):
            here = f"{base}/{index}"
            if "items" in node:
                yield from walk(node["items"], section, area, here + "/items")
            else:
                yield node, section, area, here

    for a_index, area in enumerate(data.get("areas", [])):
        section = SECTION_SURVEY if area.get("source") == "survey" else SECTION_AREA
        yield from walk(area.get("criteria", []), section, area["code"], f"/areas/{a_index}/criteria")
    for name, section in (("bonus", SECTION_BONUS), ("penalty", SECTION_PENALTY)):
        part = (data.get("adjustments") or {}).get(name)
        if part:
            yield from walk(part["items"], section, None, f"/adjustments/{name}/items")


def build_criteria(data: dict, path: str) -> CriteriaSet:
    """A validated criteria document → CriteriaSet."""
    leaves = []
    for node, section, area, where in iter_leaves(data):
        evidence = node.get("evidence") or {}
        leaves.append(Leaf(
            code=node["code"], title=node["title"], max=_h(node["max"]), section=section, area=area,
            rule=build_rule(node["rule"]),
            evidence_required=bool(evidence.get("required", False)),
            evidence_types=tuple(evidence.get("types") or ()),
            evidence_description=evidence.get("description", ""),
            not_applicable=node.get("not_applicable"),
            legal_ref=node.get("legal_ref"), pointer=where,
        ))
    adjustments = data.get("adjustments") or {}
    window = data.get("evidence_window")
    cap = data.get("index_cap", 100)
    ranking = data["ranking"]
    return CriteriaSet(
        id=data["id"], year=int(data["year"]), title=data["title"],
        issuer=frozen_mapping(data["issuer"]), legal_source=frozen_mapping(data["legal_source"]),
        total_points=_h(data["total_points"]),
        index_cap=None if cap is None else _h(cap),
        evidence_window=(parse_date(window["from"]), parse_date(window["to"])) if window else None,
        areas=tuple(Area(a["code"], a["title"], _h(a["max"]), a.get("source", "self_assessment")) for a in data["areas"]),
        leaves=tuple(leaves),
        bonus_title=(adjustments.get("bonus") or {}).get("title"),
        bonus_cap=_h((adjustments.get("bonus") or {}).get("cap", 0)),
        penalty_title=(adjustments.get("penalty") or {}).get("title"),
        penalty_cap=_h((adjustments.get("penalty") or {}).get("cap", 0)),
        bands=tuple(Band(b["name"], _h(b["min_index"]), b.get("color")) for b in data["bands"]),
        blocks=tuple(Block(b["id"], b["name"], tuple(b["unit_types"])) for b in ranking["blocks"]),
        tie_break=tuple(ranking.get("tie_break") or ()),
        path=path,
        survey_missing=(data.get("provisional") or {}).get("survey_missing", "exclude"),
        awaiting_appraisal=(data.get("provisional") or {}).get("awaiting_appraisal", "self_score"),
    )


def build_submission(data: dict, path: str, stored: tuple[str, str, str] | None = None) -> Submission:
    """A validated submission document → Submission (leaf reports converted on first use).

    With ``stored`` (the file's path, shown path and sha256) the leaf entries are not kept:
    they are read again from the file when an explanation needs them (reread_leaves), and
    ``data`` may lack "leaves".
    """
    commune = data["commune"]
    leaves = LazyReports(data["leaves"]) if stored is None else LazyReports(source=stored, parse=reread_leaves)
    return Submission(path, data["criteria_id"], int(data["year"]), commune["code"], commune["name"],
                      commune["type"], leaves, frozen_mapping(data.get("report") or {}))


def build_appraisal(data: dict, path: str) -> Appraisal:
    who = data.get("appraiser") or data["council"]
    return Appraisal(path, data["council"], tuple(
        AppraisalEntry(e["commune"], e["leaf"], int(e["stage"]), _h(e["score"]), e["reason"],
                       parse_date(e["date"]) if e.get("date") else None, e.get("appraiser") or who, path,
                       bool(e.get("explanation_requested", False)))
        for e in data["entries"]
    ))


def build_survey(data: dict, path: str) -> Survey:
    return Survey(path, data["conducted_by"], MappingProxyType({
        commune: MappingProxyType({leaf: MappingProxyType({option: int(count) for option, count in options.items()})
                                   for leaf, options in questions.items()})
        for commune, questions in data["tallies"].items()
    }))


# ---------------------------------------------------------------- the whole input set


def load_inputs(criteria=None, submissions=None, appraisal=None, survey=None, *, progress=None,
                registry=None) -> Inputs:
    """Read and validate every input; return the model, or raise InputError with every problem.

    ``registry``: the year's list of units (scoring.registry); by default registry.json beside
    the submissions folder when it exists. Registered units without a submission come back
    as warnings (Inputs.warnings), not problems.

    ``progress(done, total)``, when given, is called as submission files are read (the CLI
    shows a progress bar with it; the loader itself prints nothing).
    """
    with collector_paused():
        return _load_inputs(criteria, submissions, appraisal, survey, progress, registry)


def _load_inputs(criteria, submissions, appraisal, survey, progress, registry=None) -> Inputs:
    from . import validate  # local import: validate uses the builders above
    from . import registry as units

    from . import appraisals as council

    several = appraisal if isinstance(appraisal, (list, tuple)) and appraisal else None
    criteria_path, submissions_dir, appraisal_path, survey_path = resolve_paths(
        criteria, submissions, None if several is not None or appraisal == () else appraisal, survey)
    appraisal_list = council.appraisal_paths(several if several is not None else appraisal_path)
    registry_path = units.resolve_registry(submissions_dir, registry)
    issues: list[Issue] = []

    criteria_file = read_document(criteria_path)
    issues += criteria_file.issues
    criteria_set = None
    if criteria_file.data is not None:
        found = validate.check_criteria(criteria_file)
        issues += found
        if not found:
            criteria_set = build_criteria(criteria_file.data, criteria_file.path)

    registry_file = read_document(registry_path) if registry_path else None
    built_registry = None
    if registry_file is not None:
        issues += registry_file.issues
        if registry_file.data is not None:
            found = units.check_registry(registry_file, criteria_set)
            issues += found
            if not found and criteria_set is not None:
                built_registry = units.build_registry(registry_file.data, registry_file.path, criteria_set)

    shown_dir = display_path(submissions_dir)
    if not submissions_dir.is_dir():
        issues.append(Issue(shown_dir, "", "file-missing", "không tìm thấy thư mục hồ sơ tự đánh giá"))
        paths = []
    else:
        paths = submission_files(submissions_dir)
        if not paths:
            issues.append(Issue(shown_dir, "", "no-submissions", "thư mục không có hồ sơ tự đánh giá (*.json)"))
    skipped = folder_warnings(submissions_dir, shown_dir) if submissions_dir.is_dir() else []
    others: dict = {}

    def read_the_others():  # while worker processes read the submissions
        others["appraisals"] = []
        for path in appraisal_list:
            parsed = read_document(path)
            others["appraisals"].append(parsed)
            if parsed.data is not None and criteria_set is not None \
                    and not validate.check_appraisal(parsed, criteria_set, None):
                others.setdefault("appraisals built", {})[parsed.path] = build_appraisal(parsed.data, parsed.path)
        for role, path, check, build in (("survey", survey_path, validate.check_survey, build_survey),):
            parsed = others[role] = read_document(path) if path else None
            # checked ahead, before the communes are known: when nothing is found and every
            # commune it names is known (checked below), that was the whole check
            if parsed is not None and parsed.data is not None and criteria_set is not None \
                    and not check(parsed, criteria_set, None):
                others[role + " built"] = build(parsed.data, parsed.path)

    checked, facts = check_submission_files(paths, criteria_set, submissions_dir, progress=progress,
                                            meanwhile=read_the_others)
    submission_files_read = [c.file for c in checked]
    appraisal_files, survey_file = others["appraisals"], others["survey"]
    # the survey arrives last: unless the criteria set refuses it, an empty survey file or
    # missing tallies give provisional results (scoring.provisional), with warnings
    survey_may_lack = criteria_set is not None and criteria_set.survey_missing != "error"
    empty_survey = survey_may_lack and survey_file is not None and [i.code for i in survey_file.issues] == ["file-empty"]
    for parsed in submission_files_read + appraisal_files + [f for f in (survey_file,) if f]:
        if parsed is survey_file and empty_survey:
            warnings_survey = [Issue(survey_file.path, "", "survey-missing",
                                     "tệp số phiếu điều tra xã hội học rỗng: chưa có số phiếu nào, kết quả là TẠM TÍNH")]
            continue
        issues += parsed.issues

    built_submissions = []
    warnings: list[Issue] = list(skipped)
    for item in checked:
        issues += item.issues
        warnings += item.warnings
        if item.valid:
            built_submissions.append(build_submission(item.file.data, item.file.path,
                                                      (item.location, item.file.path, item.file.sha256)))
    issues += validate.check_communes_unique(submission_files_read)
    if built_registry is not None:
        issues += units.check_submissions(built_registry, submission_files_read, issues)

    # Communes named by any readable submission (valid or not), so that an appraisal or survey
    # entry is not reported as unknown just because its commune's file has another problem.
    known = {f.data["commune"]["code"] for f in submission_files_read
             if isinstance(f.data, dict) and isinstance(f.data.get("commune"), dict)
             and isinstance(f.data["commune"].get("code"), str)}
    # a registered unit without a submission may already have appraisal entries or survey
    # tallies: they are not errors (the unit is listed as not submitted, its entries unused)
    registered = built_registry.codes - known if built_registry is not None else frozenset()
    if built_registry:
        warnings += units.not_submitted_warnings(built_registry, built_registry.missing(known))
    built_survey = others.get("survey built")
    if built_survey is not None and not validate.survey_communes_known(survey_file, criteria_set, known, registered):
        built_survey = None
    built_appraisals, valid_appraisals = [], []
    for appraisal_file in appraisal_files:
        if appraisal_file.data is None:
            continue
        built_appraisal = others.get("appraisals built", {}).get(appraisal_file.path)
        if built_appraisal is None or not validate.appraisal_communes_known(appraisal_file, known | registered):
            found = validate.check_appraisal(appraisal_file, criteria_set, known | registered)  # the full check, in order
            issues += found
            built_appraisal = build_appraisal(appraisal_file.data, appraisal_file.path) \
                if not found and criteria_set is not None else None
        if built_appraisal is not None:
            built_appraisals.append(built_appraisal)
            valid_appraisals.append(appraisal_file)
    issues += council.conflict_issues(valid_appraisals)
    built_appraisal = council.merge(built_appraisals)
    if survey_file and survey_file.data is not None and built_survey is None:
        found = validate.check_survey(survey_file, criteria_set, known, registered)
        if survey_may_lack:
            warnings += _survey_gaps_per_commune([issue for issue in found if issue.code == "survey-missing"])
            found = [issue for issue in found if issue.code != "survey-missing"]
        issues += found
        if not found and criteria_set is not None:
            built_survey = build_survey(survey_file.data, survey_file.path)
    if criteria_set is not None and survey_file is None and any(l.section == SECTION_SURVEY for l in criteria_set.leaves):
        (warnings if survey_may_lack else issues).append(Issue(
            shown_dir, "", "survey-missing",
            f"bộ tiêu chí có phần điều tra xã hội học nhưng không có tệp {SURVEY_NAME} (dùng --survey)"
            + ("; kết quả là TẠM TÍNH" if survey_may_lack else "")))
    if empty_survey:
        warnings += warnings_survey

    if issues:
        raise InputError(_dedupe(issues))
    files = [InputFile("criteria", criteria_file.path, criteria_file.sha256)]
    files += [InputFile("submission", f.path, f.sha256) for f in submission_files_read]
    files += [InputFile("appraisal", f.path, f.sha256) for f in appraisal_files]
    if survey_file:
        files.append(InputFile("survey", survey_file.path, survey_file.sha256))
    if registry_file:
        files.append(InputFile("registry", registry_file.path, registry_file.sha256))
    return Inputs(criteria_set, tuple(built_submissions), built_appraisal, built_survey, tuple(files), facts,
                  registry=built_registry, warnings=tuple(warnings))


def _survey_gaps_per_commune(issues):
    """The survey-missing issues (one per commune and question) as one warning per commune."""
    questions: dict = {}
    for issue in issues:
        questions.setdefault((issue.file, issue.pointer), []).append(issue.message.rsplit(" ", 1)[-1])
    return [Issue(file, where, "survey-missing",
                  f"chưa có số phiếu của xã mã {where.rsplit('/', 1)[-1]} cho câu {', '.join(codes)}; kết quả là TẠM TÍNH")
            for (file, where), codes in questions.items()]


def _dedupe(issues):
    seen, result = set(), []
    for issue in issues:
        if issue not in seen:
            seen.add(issue)
            result.append(issue)
    return result


__all__ = ["load_inputs", "build_criteria", "build_submission", "build_appraisal", "build_survey", "iter_leaves"]

