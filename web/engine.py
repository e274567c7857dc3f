"""The round's data in the project's file formats, and its scores from the engine.

Everything here goes through the engine's public library API (``scoring.load``,
``scoring.score``, ``scoring.find_issues``) and its writers: the application has no
scoring code of its own. ``export_round`` writes the round as the CLI reads it (criteria,
registry, one submission per commune with its evidence files, appraisal, survey);
``score_round`` scores exactly such an export, so ``cli.py score`` on an export gives the
application's results (tests/web/test_export.py).

Layout of an export folder ``DIR``::

    DIR/criteria.json  DIR/registry.json  DIR/appraisal.json  DIR/survey.json (when present)
    DIR/communes/<code>.json
    DIR/communes/evidence/<code>/<file name>     (the uploaded name; sha256-prefixed if two differ)
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.cache import caches

import scoring
from scoring.load import build_criteria

from .models import AppraisalEntry, Commune, Evidence, Round


@functools.lru_cache(maxsize=32)
def _criteria_cached(round_id: int, text: str):
    return build_criteria(json.loads(text), "criteria.json")


def criteria_model(round_: Round):
    """The round's criteria set as the engine's model (scoring.model.CriteriaSet): its
    leaves, their maxima, steps, rules in words."""
    return _criteria_cached(round_.pk, json.dumps(round_.criteria, sort_keys=True))


def _number(value: Decimal | None):
    """A stored Decimal as the JSON number the files hold (1, 0.5, 0.75)."""
    if value is None:
        return None
    value = Decimal(value).normalize()
    return int(value) if value == value.to_integral_value() else float(value)


def _document(evidence: Evidence, file: str) -> dict:
    document = {"number": evidence.number, "date": evidence.date.isoformat(), "title": evidence.title,
                "issuer": evidence.issuer}
    if evidence.sha256:  # a document cited without a scan has no file
        document["file"] = file
    return document


def submission_dict(commune: Commune, file_of=None) -> dict:
    """The commune's submission (submission.schema.json). ``file_of(evidence)`` names each
    evidence file (default: its sha256, relative to EVIDENCE_ROOT)."""
    file_of = file_of or (lambda evidence: evidence.sha256)
    round_ = commune.round
    documents: dict[tuple[str, str], list] = {}
    for evidence in commune.evidence.all().order_by("id"):
        documents.setdefault((evidence.leaf, evidence.stage), []).append(_document(evidence, file_of(evidence)))
    leaves = {}
    for entry in commune.entries.all().order_by("id"):
        leaf: dict = {}
        if entry.facts:
            leaf["facts"] = entry.facts
        if entry.self_score is not None:
            leaf["self_score"] = _number(entry.self_score)
        own = documents.get((entry.leaf, Evidence.SELF))
        if own:
            leaf["evidence"] = own
        if entry.explanation:
            leaf["explanation"] = entry.explanation
        if entry.not_applicable:
            leaf["not_applicable"] = True
        if entry.answer:
            leaf["explanation_round"] = {"explanation": entry.answer}
            extra = documents.get((entry.leaf, Evidence.EXPLANATION))
            if extra:
                leaf["explanation_round"]["evidence"] = extra
        leaves[entry.leaf] = leaf
    data = {"criteria_id": round_.criteria_id, "year": round_.year,
            "commune": {"code": commune.code, "name": commune.name, "type": commune.type}}
    report = {key: value for key, value in (("number", commune.report_number),
                                            ("date", commune.report_date and commune.report_date.isoformat()),
                                            ("signer", commune.report_signer)) if value}
    if report:
        data["report"] = report
    data["leaves"] = leaves
    return data


def appraisal_dict(round_: Round) -> dict:
    entries = []
    for entry in AppraisalEntry.objects.filter(commune__round=round_).select_related("commune", "appraiser") \
            .order_by("commune__code", "stage", "id"):
        item = {"commune": entry.commune.code, "leaf": entry.leaf, "stage": entry.stage,
                "score": _number(entry.score), "reason": entry.reason, "date": entry.date.isoformat()}
        if entry.explanation_requested:
            item["explanation_requested"] = True
        if entry.appraiser is not None:
            item["appraiser"] = entry.appraiser.get_full_name() or entry.appraiser.username
        entries.append(item)
    return {"criteria_id": round_.criteria_id, "year": round_.year, "council": round_.council, "entries": entries}


def submitted_communes(round_: Round):
    """The communes whose self-assessment counts: every state from submitted on (a draft is
    not scored; the registry lists it as not submitted)."""
    return round_.communes.exclude(state__in=[Commune.NOT_STARTED, Commune.DRAFT])


def _write(path: Path, data) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def export_round(round_: Round, folder, *, include_drafts: bool = False) -> Path:
    """Write the round into ``folder`` (created; must be empty or absent) in the project's
    file formats (layout in the module docstring); return the folder. The export is also
    the round's backup (web.management.commands.import_round reads it back)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise FileExistsError(f"Thư mục {folder} không trống.")
    communes_dir = folder / "communes"
    communes_dir.mkdir()
    _write(folder / "criteria.json", round_.criteria)
    _write(folder / "registry.json", round_.registry)
    communes = round_.communes.all() if include_drafts else submitted_communes(round_)
    for commune in communes.order_by("code"):
        names: dict[str, str] = {}
        target = communes_dir / "evidence" / commune.code

        def file_of(evidence, names=names, target=target, code=commune.code):
            if not evidence.sha256:
                return None
            name = evidence.filename
            if names.get(name, evidence.sha256) != evidence.sha256:
                name = f"{evidence.sha256[:12]}-{name}"
            names[name] = evidence.sha256
            target.mkdir(parents=True, exist_ok=True)
            if not (target / name).exists():
                shutil.copyfile(Path(settings.EVIDENCE_ROOT) / evidence.sha256, target / name)
            return f"evidence/{code}/{name}"

        _write(communes_dir / f"{commune.code}.json", submission_dict(commune, file_of))
    _write(folder / "appraisal.json", appraisal_dict(round_))
    if round_.survey:
        _write(folder / "survey.json", round_.survey)
    return folder


def export_paths(folder: Path) -> dict:
    """The engine's inputs of an export folder, as ``scoring.load`` keywords (and CLI options)."""
    paths = {"criteria": folder / "criteria.json", "submissions": folder / "communes",
             "appraisal": folder / "appraisal.json", "registry": folder / "registry.json"}
    if (folder / "survey.json").exists():
        paths["survey"] = folder / "survey.json"
    return {key: str(value) for key, value in paths.items()}


def score_round(round_: Round, generated_at: str) -> Path:
    """Score the round with the engine and write results.json, ket-qua.xlsx and
    quyet-dinh.docx into OUTPUT_ROOT/<round id>/ (replacing the previous set); return that
    folder. Raises scoring.InputError with every problem when the round cannot be scored."""
    from scoring.writers.outputs import write_outputs

    with tempfile.TemporaryDirectory(prefix="cchc-export-") as tmp:
        folder = export_round(round_, Path(tmp) / "round")
        inputs = scoring.load(**export_paths(folder))
        results = scoring.score(inputs)
        out = Path(settings.OUTPUT_ROOT) / str(round_.pk)
        out.mkdir(parents=True, exist_ok=True)
        write_outputs(results, inputs.files, generated_at=generated_at, out=out, force=True)
    return out


def stored_results(round_: Round) -> dict | None:
    """The last scoring's results.json, or None."""
    path = Path(settings.OUTPUT_ROOT) / str(round_.pk) / "results.json"
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


_LEAF_POINTER = re.compile(r"^/leaves/([^/]+)")


def check_commune(commune: Commune) -> tuple[dict, dict | None]:
    """The commune's self-assessment checked and scored by the engine as ``cli.py check``
    does (no appraisal, no survey: provisional). Returns (problems per leaf code, "" for
    the whole file: lists of Vietnamese messages), and the commune's result (plain data,
    scoring.api.commune_data) or None when the problems prevent scoring.

    The answer is kept in the "checks" cache (settings.CACHES, shared by the server's
    processes) under a hash of everything it depends on (``_check_key``): a page shown again
    with the same data does not run the engine again (bench/web_load.py)."""
    data = submission_dict(commune)
    key = _check_key(commune.round, data)
    found = caches["checks"].get(key)
    if found is not None:
        return found
    found = _check(commune, data)
    caches["checks"].set(key, found)
    return found


@functools.lru_cache(maxsize=1)
def engine_fingerprint() -> str:
    """A hash of the engine's code and data files (scoring/): a check kept in the cache by
    an older engine is never taken for this one's."""
    from scoring.files import DATA

    digest = hashlib.sha256(scoring.__version__.encode())
    package = Path(scoring.__file__).resolve().parent
    files = [p for p in package.rglob("*") if p.suffix in (".py", ".json")]
    files += list(DATA.glob("*/*.schema.json"))   # the schemas the loader validates with
    for path in sorted(files):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _check_key(round_: Round, data: dict) -> str:
    """What a check's result depends on: the engine, the criteria set, the submission and
    where its evidence files are (files are named by content and never change)."""
    text = json.dumps([engine_fingerprint(), str(settings.EVIDENCE_ROOT), round_.criteria, data],
                      sort_keys=True, ensure_ascii=False, default=str)
    return "check:" + hashlib.sha256(text.encode()).hexdigest()


def _check(commune: Commune, data: dict) -> tuple[dict, dict | None]:
    problems: dict[str, list[str]] = {}
    try:
        results = scoring.score(scoring.load(commune.round.criteria, [data], evidence_folder=settings.EVIDENCE_ROOT))
    except scoring.InputError as error:
        for issue in error.issues:
            match = _LEAF_POINTER.match(issue.pointer or "")
            problems.setdefault(match.group(1).replace("~1", "/").replace("~0", "~") if match else "", []) \
                .append(issue.message)
        return problems, None
    return problems, results.commune(commune.code)
