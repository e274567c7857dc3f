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
import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType, SimpleNamespace

from .errors import InputError, Issue, message
from .input_files import folder_warnings
from .facts import evidence_warnings, fact_block
from .files import (
    DEFAULT_CRITERIA, SURVEY_NAME, ParsedFile, display_path, document_from_data, leaves_from_text, read_document,
    reread_leaves, resolve_paths, submission_files,
)
from .model import (
    SECTION_AREA, SECTION_BONUS, SECTION_PENALTY, SECTION_SURVEY,
    Appraisal, AppraisalEntry, Area, Band, Block, CriteriaSet,
    InputFile, Inputs, LazyReports, Leaf, Node, Submission, Survey,
    frozen_mapping,
)
from .numbers import to_hundredths
from .rules import build_rule  # noqa: F401 - each kind builds its own parameters
from .quick import CheckedSubmission, check_submission_files
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
        for node, leaf_section, code, here in walk(area.get("criteria", []), section, area["code"], f"/areas/{a_index}/criteria"):
            yield node, leaf_section_of(node, leaf_section), code, here
    for name, section in (("bonus", SECTION_BONUS), ("penalty", SECTION_PENALTY)):
        part = (data.get("adjustments") or {}).get(name)
        if part:
            yield from walk(part["items"], section, None, f"/adjustments/{name}/items")


def leaf_section_of(raw: dict, section: str) -> str:
    """A leaf's section: a survey-kind leaf is scored from the survey tallies wherever it sits
    (issue 13: "some tables give every row a survey column"), so a survey leaf inside a
    content area is in the survey section while its ``area`` stays that content area (whose
    sub-index counts it). Validation keeps survey kinds out of the bonus and penalty items."""
    if section == SECTION_AREA and raw.get("rule", {}).get("kind") == "survey":
        return SECTION_SURVEY
    return section


def build_criteria(data: dict, path: str) -> CriteriaSet:
    """A validated criteria document → CriteriaSet, with its tree (area → criterion →
    sub-criterion → leaf, and the bonus and penalty items) and its leaves in order."""
    leaves = []

    def node(raw, section, area, where) -> Node:
        if "items" in raw:
            return Node(raw["code"], raw["title"], _h(raw["max"]), children=tuple(
                node(child, section, area, f"{where}/items/{index}") for index, child in enumerate(raw["items"])))
        evidence = raw.get("evidence") or {}
        leaf = Leaf(
            code=raw["code"], title=raw["title"], max=_h(raw["max"]), section=leaf_section_of(raw, section), area=area,
            rule=build_rule(raw["rule"]),
            evidence_required=bool(evidence.get("required", False)),
            evidence_types=tuple(evidence.get("types") or ()),
            evidence_description=evidence.get("description", ""),
            not_applicable=raw.get("not_applicable"),
            legal_ref=raw.get("legal_ref"), pointer=where,
        )
        leaves.append(leaf)
        return Node(leaf.code, leaf.title, leaf.max, leaf=leaf)

    def nodes(items, section, area, base):
        return tuple(node(raw, section, area, f"{base}/{index}") for index, raw in enumerate(items))

    areas = tuple(Area(a["code"], a["title"], _h(a["max"]), a.get("source", "self_assessment"),
                       nodes(a.get("criteria", []), SECTION_SURVEY if a.get("source") == "survey" else SECTION_AREA,
                             a["code"], f"/areas/{index}/criteria"))
                  for index, a in enumerate(data["areas"]))
    sections = {name: nodes(((data.get("adjustments") or {}).get(name) or {}).get("items", ()), section, None,
                            f"/adjustments/{name}/items")
                for name, section in (("bonus", SECTION_BONUS), ("penalty", SECTION_PENALTY))}
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
        areas=areas,
        leaves=tuple(leaves),
        bonus_items=sections["bonus"], penalty_items=sections["penalty"],
        bonus_title=(adjustments.get("bonus") or {}).get("title"),
        bonus_cap=_h((adjustments.get("bonus") or {}).get("cap", 0)),
        penalty_title=(adjustments.get("penalty") or {}).get("title"),
        penalty_cap=_h((adjustments.get("penalty") or {}).get("cap", 0)),
        bands=tuple(Band(b["name"], _h(b["min_index"]), b.get("color")) for b in data["bands"]),
        blocks=tuple(Block(b["id"], b["name"], tuple(b["unit_types"]), b.get("ranked", True)) for b in ranking["blocks"]),
        tie_break=tuple(ranking.get("tie_break") or ()),
        path=path,
        survey_missing=(data.get("provisional") or {}).get("survey_missing", "exclude"),
        awaiting_appraisal=(data.get("provisional") or {}).get("awaiting_appraisal", "self_score"),
        survey_required=data.get("survey_required", True),
        comparison=data.get("comparison"),
    )


def build_submission(data: dict, path: str, stored: tuple[str, str, str] | None = None, text: bytes | None = None) -> Submission:
    """A validated submission document → Submission (leaf reports converted on first use).

    The leaf entries are ``data["leaves"]``, or read from ``text`` (the validated file's
    text, kept in memory), or, with ``stored`` (the file's path, shown path and sha256),
    read again from the file when an explanation needs them (reread_leaves: the national
    path's memory saving, refused with file-changed when the file is no longer the one
    validated); with ``text`` or ``stored``, ``data`` may lack "leaves".
    """
    commune = data["commune"]
    if text is not None:
        leaves = LazyReports(source=text, parse=leaves_from_text)
    elif stored is not None:
        leaves = LazyReports(source=stored, parse=reread_leaves)
    else:
        leaves = LazyReports(data["leaves"])
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


def _survey_as_read(data: dict, path: str) -> Survey:
    """A checked survey document as a Survey whose tallies are the document's own dicts (a load
    that only checks: build_survey's copy is 33,000 read-only mappings at 3,321 communes)."""
    return Survey(path, data["conducted_by"], data["tallies"])


def build_survey(data: dict, path: str) -> Survey:
    # loops rather than nested comprehensions: a comprehension is a call of its own in
    # Python 3.11, and a national survey has 33,000 questions (0.020 -> 0.016 CPU-s)
    tallies = {}
    for commune, questions in data["tallies"].items():
        answers = {}
        for leaf, options in questions.items():
            counts = {}
            for option, count in options.items():
                counts[option] = int(count)
            answers[leaf] = MappingProxyType(counts)
        tallies[commune] = MappingProxyType(answers)
    return Survey(path, data["conducted_by"], MappingProxyType(tallies))


# ---------------------------------------------------------------- the whole input set


def load_inputs(criteria=None, submissions=None, appraisal=None, survey=None, *, progress=None,
                registry=None, reread_entries: bool = False, evidence_folder=None, frameworks=None,
                workers: int | None = None, check_only: bool = False) -> Inputs:
    """Read and validate every input; return the model, or raise InputError with every problem.

    Each input is a path, or the document itself as plain data (dicts and lists of str,
    int, float, Decimal, dates): ``criteria``, ``appraisal``, ``survey``, ``registry`` a
    dict; ``submissions`` a folder of *.json, or a list of submission dicts (or a mapping
    name → dict, the name shown in messages). Submissions given as data have their
    evidence paths relative to ``evidence_folder`` (default: the working folder), and no
    appraisal, survey or registry is looked for beside them. Defaults: the bundled example.

    ``registry``: the year's list of units (scoring.registry); by default registry.json beside
    the submissions folder when it exists. Registered units without a submission come back
    as warnings (Inputs.warnings), not problems.

    The inputs returned hold everything the results report: once loaded, no file is read
    again (the submissions' leaf entries are kept as their validated text, parsed when an
    explanation needs them). ``reread_entries=True`` (the CLI's national runs) keeps only
    the facts and each file's hash instead, and reads a file's entries again when they are
    needed, refusing a file changed since (file-changed).

    ``workers``: how many processes read the submission files (scoring.quick.check_submission_files;
    None: forked workers, one per core, from PARALLEL_FROM files on; 1: this process alone, which
    spends the fewest CPU-seconds: ``validate`` asks for it). The result is the same either way.

    ``check_only=True`` (``validate``, ``find_issues``: inputs only checked, never scored): the
    problems and warnings found are the same, but what only scoring needs is not kept: the
    submission files are not hashed (their sha256 left empty: 0.05 CPU-s of a national
    folder's 3,321), so their entries cannot be read again, the fact table is not kept
    (``Inputs.facts`` None: 30 MB at 3,321), and the survey's tallies are left as read. The
    Inputs returned say so (``check_only``), and scoring.engine.score refuses them.

    ``progress(done, total)``, when given, is called as submission files are read (the CLI
    shows a progress bar with it; the loader itself prints nothing).

    A criteria set that ``extends`` a framework (scoring/extends.py) is resolved into one full
    set: the framework is read from its file (relative to the set's), or taken from
    ``frameworks`` (a mapping reference → document, for sets given as data).
    """
    with collector_paused():
        return _load_inputs(criteria, submissions, appraisal, survey, progress, registry, reread_entries, evidence_folder,
                            frameworks, workers, check_only)


def _resolve_criteria(criteria_file, frameworks, as_data: bool):
    """An extending criteria document → (the resolved document as a ParsedFile named and hashed
    as the extending file, the frameworks read, problems pointed back at their source)."""
    from . import extends, validate
    from .files import document_from_data

    read = extends.data_reader(frameworks) if as_data else extends.file_reader(frameworks)
    resolved = extends.resolve(criteria_file, read)
    if resolved.document is None:
        return None, [], resolved.issues
    parsed = document_from_data(resolved.document, criteria_file.path)
    parsed = replace(parsed, sha256=criteria_file.sha256)
    found = [extends.locate(issue, resolved, criteria_file.path, criteria_file.data)
             for issue in list(parsed.issues) + validate.check_criteria(parsed)]
    return parsed, resolved.frameworks, found


def criteria_from(criteria_file, frameworks=None, as_data: bool = False):
    """A criteria document read (a ParsedFile with data) → (CriteriaSet or None, the full
    document, problems, frameworks read). A set that ``extends`` a framework (issue 13) is
    resolved first (scoring/extends.py) and checked as one full set."""
    from . import validate
    from .extends import framework_summary, is_extension

    if is_extension(criteria_file.data):
        resolved, framework_files, found = _resolve_criteria(criteria_file, frameworks, as_data)
        if resolved is None or found:
            return None, None, found, framework_files
        built = replace(build_criteria(resolved.data, criteria_file.path), framework=framework_summary(framework_files))
        return built, resolved.data, [], framework_files
    found = validate.check_criteria(criteria_file)
    if found:
        return None, None, found, []
    return build_criteria(criteria_file.data, criteria_file.path), criteria_file.data, [], []


def _load_inputs(criteria, submissions, appraisal, survey, progress, registry=None, reread_entries=False,
                 evidence_folder=None, frameworks=None, workers=None, check_only=False) -> Inputs:
    from . import validate  # local import: validate uses the builders above
    from . import registry as units

    from . import appraisals as council

    as_data = submissions is not None and not isinstance(submissions, (str, os.PathLike))
    if as_data:  # plain data: nothing is looked for beside a folder
        criteria_path = criteria if criteria is not None else DEFAULT_CRITERIA
        submissions_dir = Path(evidence_folder) if evidence_folder is not None else Path.cwd()
        survey_path, registry_path = survey, registry
        appraisal_list = [] if appraisal is None else list(appraisal) if isinstance(appraisal, (list, tuple)) else [appraisal]
    else:
        several = appraisal if isinstance(appraisal, (list, tuple)) and appraisal else None
        criteria_path, submissions_dir, appraisal_path, survey_path = resolve_paths(
            None if isinstance(criteria, Mapping) else criteria, submissions,
            None if several is not None or appraisal == () or isinstance(appraisal, Mapping) else appraisal,
            None if isinstance(survey, Mapping) else survey)
        if isinstance(appraisal, Mapping):
            appraisal_list = [appraisal]
        else:
            appraisal_list = council.appraisal_paths(several if several is not None else appraisal_path)
        survey_path = survey if isinstance(survey, Mapping) else survey_path
        criteria_path = criteria if isinstance(criteria, Mapping) else criteria_path
        registry_path = registry if isinstance(registry, Mapping) else units.resolve_registry(submissions_dir, registry)
    issues: list[Issue] = []

    criteria_file = _document(criteria_path, "criteria")
    issues += criteria_file.issues
    criteria_set = None
    framework_files = []
    if criteria_file.data is not None:
        criteria_set, _, found, framework_files = criteria_from(criteria_file, frameworks, isinstance(criteria_path, Mapping))
        issues += found

    registry_file = _document(registry_path, "registry") if registry_path is not None else None
    built_registry = None
    if registry_file is not None:
        issues += registry_file.issues
        if registry_file.data is not None:
            found = units.check_registry(registry_file, criteria_set)
            issues += found
            if not found and criteria_set is not None:
                built_registry = units.build_registry(registry_file.data, registry_file.path, criteria_set)

    shown_dir = display_path(submissions_dir)
    if as_data:
        paths = []
        if not submissions:
            issues.append(Issue("submissions", "", "no-submissions", message("no-submissions", "as_data")))
    elif not submissions_dir.is_dir():
        issues.append(Issue(shown_dir, "", "file-missing", message("file-missing", "submissions")))
        paths = []
    else:
        paths = submission_files(submissions_dir)
        if not paths:
            issues.append(Issue(shown_dir, "", "no-submissions", message("no-submissions")))
    skipped = folder_warnings(submissions_dir, shown_dir) if submissions_dir.is_dir() else []
    if not as_data and not isinstance(appraisal, Mapping):
        skipped += council.appraisal_folder_warnings(appraisal)
    others: dict = {}
    # only checked: the tallies as read (checked, not copied into read-only ints: nothing scores them)
    make_survey = _survey_as_read if check_only else build_survey

    def read_the_others():  # while worker processes read the submissions
        others["appraisals"] = []
        for path in appraisal_list:
            parsed = _document(path, "appraisal")
            others["appraisals"].append(parsed)
            if parsed.data is not None and criteria_set is not None \
                    and not validate.check_appraisal(parsed, criteria_set, None):
                others.setdefault("appraisals built", {})[parsed.path] = build_appraisal(parsed.data, parsed.path)
        for role, path, check, build in (("survey", survey_path, validate.check_survey, make_survey),):
            parsed = others[role] = _document(path, role) if path is not None else None
            # checked ahead, before the communes are known: when nothing is found and every
            # commune it names is known (checked below), that was the whole check
            if parsed is not None and parsed.data is not None and criteria_set is not None \
                    and not check(parsed, criteria_set, None):
                others[role + " built"] = build(parsed.data, parsed.path)

    if as_data:
        read_the_others()
        checked, facts = _check_data(submissions, criteria_set, submissions_dir)
    else:
        checked, facts = check_submission_files(paths, criteria_set, submissions_dir, progress=progress,
                                                keep_entries=not reread_entries, meanwhile=read_the_others, workers=workers,
                                                hashed=not check_only,
                                                fact_columns=AWAITING_FACTS if check_only else None)
    submission_files_read = [c.file for c in checked]
    appraisal_files, survey_file = others["appraisals"], others["survey"]
    # the survey arrives last: unless the criteria set refuses it, an empty survey file or
    # missing tallies give provisional results (scoring.provisional), with warnings
    survey_may_lack = criteria_set is not None and (criteria_set.survey_missing != "error" or not criteria_set.survey_required)
    empty_survey = survey_may_lack and survey_file is not None and [i.code for i in survey_file.issues] == ["file-empty"]
    for parsed in submission_files_read + appraisal_files + [f for f in (survey_file,) if f]:
        if parsed is survey_file and empty_survey:
            warnings_survey = [Issue(survey_file.path, "", "survey-missing", message("survey-missing", "empty_file"))]
            continue
        issues += parsed.issues

    built_submissions = []
    warnings: list[Issue] = list(skipped)
    for item in checked:
        issues += item.issues
        warnings += item.warnings
        if item.valid:
            if isinstance(item.entries, bytes):
                built_submissions.append(build_submission(item.file.data, item.file.path, text=item.entries))
            elif item.entries is not None:
                built_submissions.append(build_submission({**item.file.data, "leaves": item.entries}, item.file.path))
            else:
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
    warnings += _awaiting_without_self_score(criteria_set, built_submissions, facts, built_appraisal)
    if check_only:
        facts = None  # only its AWAITING_FACTS columns were kept: nothing to score with
    if survey_file and survey_file.data is not None and built_survey is None:
        found = validate.check_survey(survey_file, criteria_set, known, registered)
        if survey_may_lack:
            warnings += _survey_gaps_per_commune([issue for issue in found if issue.code == "survey-missing"],
                                                 _optional_survey_questions(criteria_set))
            found = [issue for issue in found if issue.code != "survey-missing"]
        issues += found
        if not found and criteria_set is not None:
            built_survey = make_survey(survey_file.data, survey_file.path)
    if criteria_set is not None and survey_file is None and any(l.section == SECTION_SURVEY for l in criteria_set.leaves):
        (warnings if survey_may_lack else issues).append(Issue(
            shown_dir, "", "survey-missing",
            message("survey-missing", "no_file_provisional" if survey_may_lack else "no_file", file=SURVEY_NAME)))
    if empty_survey:
        warnings += warnings_survey

    if issues:
        raise InputError(_dedupe(issues))
    if built_registry is not None:  # one spelling of each name in every output: the registry's
        built_submissions = list(units.with_registered_names(built_registry, built_submissions))
    files = [InputFile("criteria", criteria_file.path, criteria_file.sha256)]
    files += [InputFile("framework", path, sha256) for path, sha256, _data in framework_files]
    files += [InputFile("submission", f.path, f.sha256) for f in submission_files_read]
    files += [InputFile("appraisal", f.path, f.sha256) for f in appraisal_files]
    if survey_file:
        files.append(InputFile("survey", survey_file.path, survey_file.sha256))
    if registry_file:
        files.append(InputFile("registry", registry_file.path, registry_file.sha256))
    return Inputs(criteria_set, tuple(built_submissions), built_appraisal, built_survey, tuple(files), facts,
                  registry=built_registry, warnings=tuple(warnings), check_only=check_only)


AWAITING_FACTS = ("has_self", "claimed_na")  # the fact table's columns _awaiting_without_self_score reads


def _awaiting_without_self_score(criteria, submissions, facts, appraisal) -> list[Issue]:
    """A leaf the council scores (rule.awaits_appraisal) with no self-score, not claimed not
    applicable, and no appraisal entry yet: it stands at 0 until appraised. Never silently:
    a warning at the leaf's self_score (code self-score-missing). ``facts``: the fact table,
    or a dict of its AWAITING_FACTS columns; its rows follow ``submissions``."""
    if isinstance(facts, dict):
        facts = SimpleNamespace(**facts)
    if criteria is None or facts is None or not submissions or facts.has_self.shape[0] != len(submissions):
        return []
    columns = [(column, leaf) for column, leaf in enumerate(criteria.leaves)
               if leaf.section == SECTION_AREA and leaf.rule.awaits_appraisal]
    if not columns:
        return []
    appraised = appraisal.latest() if appraisal is not None else {}
    found = []
    for column, leaf in columns:
        for row in (~facts.has_self[:, column] & ~facts.claimed_na[:, column]).nonzero()[0].tolist():
            submission = submissions[row]
            if (submission.code, leaf.code) not in appraised:
                found.append(Issue(submission.path, f"/leaves/{leaf.code}/self_score", "self-score-missing",
                                   message("self-score-missing", leaf=leaf.code)))
    return found


def _document(source, role: str) -> ParsedFile:
    """An input document: read from its file, or given as plain data (named by its role)."""
    if isinstance(source, Mapping):
        return document_from_data(source, role)
    return read_document(source)


def _check_data(submissions, criteria: CriteriaSet | None, base_dir: Path):
    """Submissions given as plain data (a list of documents, or a mapping name → document),
    checked the thorough way as files would be (their evidence paths relative to
    ``base_dir``): (CheckedSubmission per document, the fact table of the valid ones)."""
    from . import validate

    named = submissions.items() if isinstance(submissions, Mapping) else (
        (f"submissions/{index}", document) for index, document in enumerate(submissions))
    checked, valid_entries = [], []
    for name, document in named:
        parsed = document_from_data(document, str(name))
        found = validate.check_submission(parsed, criteria, base_dir) if parsed.data is not None and criteria else []
        valid = not parsed.issues and not found and criteria is not None
        data, warnings, entries = parsed.data, (), None
        if valid:
            entries = data["leaves"]
            valid_entries.append(entries)
            warnings = tuple(evidence_warnings(parsed, criteria))
        if isinstance(data, dict) and "leaves" in data:
            parsed = replace(parsed, data={key: value for key, value in data.items() if key != "leaves"})
        checked.append(CheckedSubmission(parsed, tuple(found), valid, "", warnings, entries))
    return checked, fact_block(criteria, valid_entries) if criteria is not None else None


def _optional_survey_questions(criteria_set) -> int | None:
    """How many survey questions an optional survey has (issue 13), None when the survey is required."""
    if criteria_set is None or criteria_set.survey_required:
        return None
    return sum(1 for leaf in criteria_set.leaves if leaf.section == SECTION_SURVEY)


def _survey_gaps_per_commune(issues, optional_questions: int | None = None):
    """The survey-missing issues (one per commune and question) as one warning per commune;
    with an optional survey (``optional_questions``: how many questions it has) a commune
    lacking every question is said to have had none, which is final, not provisional."""
    questions: dict = {}
    for issue in issues:
        questions.setdefault((issue.file, issue.pointer), []).append(issue.message.rsplit(" ", 1)[-1])
    return [Issue(file, where, "survey-missing",
                  message("survey-missing", "optional", commune=where.rsplit('/', 1)[-1], questions=', '.join(codes))
                  if optional_questions is not None and len(codes) == optional_questions else
                  message("survey-missing", "provisional", commune=where.rsplit('/', 1)[-1], questions=', '.join(codes)))
            for (file, where), codes in questions.items()]


def _dedupe(issues):
    seen, result = set(), []
    for issue in issues:
        if issue not in seen:
            seen.add(issue)
            result.append(issue)
    return result


__all__ = ["load_inputs", "build_criteria", "build_submission", "build_appraisal", "build_survey", "iter_leaves"]

