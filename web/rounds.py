"""Who may do what, when: roles, assignments, the steps' deadlines, the communes' states,
and loading a round from the project's files (the office's set-up, the demo, a backup).

One place answers every access question (``can_*``); the views ask it and answer 404 when
the answer is no (a commune's user does not learn that another commune's page exists).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import AppraisalEntry, Assignment, Commune, Evidence, LeafEntry, Profile, Round, Step

PUBLIC = "public"
SELF_EDITABLE = (Commune.NOT_STARTED, Commune.DRAFT)
SCORED_STATES = (Commune.SUBMITTED, Commune.LOCKED, Commune.APPRAISED_1, Commune.EXPLANATION_REQUESTED,
                 Commune.EXPLANATION_SUBMITTED, Commune.APPRAISED_2, Commune.APPROVED, Commune.PUBLISHED)


def role(user) -> str:
    if not user.is_authenticated:
        return PUBLIC
    profile = getattr(user, "profile", None)
    return profile.role if profile else PUBLIC


def lock_expired(now=None) -> int:
    """Lock every step whose deadline has passed (called on every request and by
    ``manage.py lock_deadlines``). When self-assessment closes, drafts are locked as they
    stand (they count as submitted); communes that never started stay "not submitted".
    A commune the office reopened stays open until its own ``reopened_until``.
    Returns the number of steps locked."""
    now = now or timezone.now()
    locked = 0
    for step in Step.objects.filter(locked_at__isnull=True, closes_at__lte=now).select_related("round"):
        with transaction.atomic():
            step.locked_at = now
            step.save(update_fields=["locked_at"])
            locked += 1
            if step.kind == Step.SELF:
                for commune in step.round.communes.filter(state=Commune.DRAFT):
                    if commune.reopened_until and commune.reopened_until > now:
                        continue
                    commune.state = Commune.LOCKED
                    commune.save(update_fields=["state"])
    # reopened communes whose own deadline passed
    for commune in Commune.objects.filter(state=Commune.DRAFT, reopened_until__lte=now):
        self_step = commune.round.steps.filter(kind=Step.SELF).first()
        if self_step is None or not self_step.is_open(now):
            commune.state = Commune.LOCKED
            commune.save(update_fields=["state"])
    return locked


def step(round_: Round, kind: str) -> Step | None:
    return round_.steps.filter(kind=kind).first()


def step_open(round_: Round, kind: str, now=None) -> bool:
    found = step(round_, kind)
    return bool(found and found.is_open(now))


def assigned_areas(user, commune: Commune) -> set[str] | None:
    """The areas of ``commune`` assigned to the appraiser: a set of area codes, ``{""}`` for
    every area, or None when nothing of this commune is assigned."""
    areas = set(Assignment.objects.filter(user=user, round=commune.round)
                .filter(models_q_commune(commune)).values_list("area", flat=True))
    return areas or None


def models_q_commune(commune):
    from django.db.models import Q

    return Q(commune=commune) | Q(commune__isnull=True)


def can_view_commune(user, commune: Commune) -> bool:
    """The commune's working pages (its entries, drafts, evidence, appraisal)."""
    who = role(user)
    if who == Profile.OFFICE:
        return True
    if who == Profile.COMMUNE:
        return user.profile.commune_id == commune.pk
    if who == Profile.APPRAISER:
        return commune.state in SCORED_STATES and assigned_areas(user, commune) is not None
    return False


def can_edit_self(user, commune: Commune, now=None) -> bool:
    """The commune's own users, while its self-assessment is open: the step is open (or the
    office reopened the commune until a later time) and it has not been submitted."""
    now = now or timezone.now()
    if role(user) != Profile.COMMUNE or user.profile.commune_id != commune.pk:
        return False
    if commune.state not in SELF_EDITABLE:
        return False
    return step_open(commune.round, Step.SELF, now) or bool(commune.reopened_until and commune.reopened_until > now)


def can_explain(user, commune: Commune, now=None) -> bool:
    return (role(user) == Profile.COMMUNE and user.profile.commune_id == commune.pk
            and commune.state == Commune.EXPLANATION_REQUESTED and step_open(commune.round, Step.EXPLANATION, now))


APPRAISAL_STATES = {1: (Commune.SUBMITTED, Commune.LOCKED, Commune.APPRAISED_1),
                    2: (Commune.EXPLANATION_REQUESTED, Commune.EXPLANATION_SUBMITTED, Commune.APPRAISED_2)}
APPRAISAL_STEPS = {1: Step.APPRAISAL_1, 2: Step.APPRAISAL_2}


def can_appraise(user, commune: Commune, area: str, stage: int, now=None) -> bool:
    """An appraiser assigned to the leaf's area of this commune (or the office), while the
    stage's step is open and the commune is at that stage."""
    who = role(user)
    if who == Profile.APPRAISER:
        areas = assigned_areas(user, commune)
        if areas is None or not ("" in areas or area in areas):
            return False
    elif who != Profile.OFFICE:
        return False
    return commune.state in APPRAISAL_STATES.get(stage, ()) and step_open(commune.round, APPRAISAL_STEPS[stage], now)


def can_read_evidence(user, evidence: Evidence) -> bool:
    return can_view_commune(user, evidence.commune)


# ---------------------------------------------------------------- loading from files

def store_file(data: bytes) -> str:
    """Keep ``data`` as EVIDENCE_ROOT/<sha256> (once per content); return the sha256."""
    digest = hashlib.sha256(data).hexdigest()
    root = Path(settings.EVIDENCE_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    target = root / digest
    if not target.exists():
        partial = root / f".{digest}.part"
        partial.write_bytes(data)
        partial.replace(target)
    return digest


def _read(path: Path):
    return json.loads(path.read_text(encoding="utf-8-sig"))


def _decimal(value):
    return None if value is None else Decimal(str(value))


@transaction.atomic
def import_round(criteria_path, submissions_dir, *, appraisal_path=None, survey_path=None, registry_path=None,
                 skip=(), steps_from=None, steps_days: int = 30) -> Round:
    """Create a round from the project's files: the criteria set and the registry, and
    (optional) the communes' submissions with their evidence files, the council's
    appraisal and the survey. Communes with a submission start as submitted (appraised
    when the appraisal has their entries); ``skip``: codes whose files are left out (they
    start "not started"). Every step is open from ``steps_from`` (default now) for
    ``steps_days`` days: the office sets the real dates on the round's page."""
    submissions_dir = Path(submissions_dir)
    criteria = _read(Path(criteria_path))
    registry = _read(Path(registry_path)) if registry_path else None
    if registry is None:
        raise ValueError("Cần danh sách đơn vị (registry.json) để tạo đợt đánh giá.")
    survey = _read(Path(survey_path)) if survey_path and Path(survey_path).exists() else None
    appraisal = _read(Path(appraisal_path)) if appraisal_path and Path(appraisal_path).exists() else None
    round_ = Round.objects.create(criteria_id=criteria["id"], year=criteria["year"], title=criteria["title"],
                                  criteria=criteria, registry=registry, survey=survey,
                                  council=(appraisal or {}).get("council", "Hội đồng thẩm định"))
    start = steps_from or timezone.now() - dt.timedelta(hours=1)
    for kind, _label in Step.KINDS:
        Step.objects.create(round=round_, kind=kind, opens_at=start, closes_at=start + dt.timedelta(days=steps_days))
    communes = {}
    for unit in registry["units"]:
        communes[unit["code"]] = Commune.objects.create(round=round_, code=unit["code"], name=unit["name"],
                                                        type=unit["type"], block=unit.get("block", ""))
    for path in sorted(submissions_dir.glob("*.json")):
        data = _read(path)
        code = data["commune"]["code"]
        if code in skip or code not in communes:
            continue
        commune = communes[code]
        report = data.get("report") or {}
        commune.report_number = report.get("number", "")
        commune.report_date = dt.date.fromisoformat(report["date"]) if report.get("date") else None
        commune.report_signer = report.get("signer", "")
        commune.state = Commune.SUBMITTED
        commune.save()
        for leaf, entry in data["leaves"].items():
            answer = (entry.get("explanation_round") or {}).get("explanation", "")
            LeafEntry.objects.create(commune=commune, leaf=leaf, facts=entry.get("facts") or {},
                                     self_score=_decimal(entry.get("self_score")),
                                     not_applicable=bool(entry.get("not_applicable")),
                                     explanation=entry.get("explanation") or "", answer=answer)
            documents = [(Evidence.SELF, d) for d in entry.get("evidence") or ()]
            documents += [(Evidence.EXPLANATION, d) for d in (entry.get("explanation_round") or {}).get("evidence") or ()]
            for stage, document in documents:
                _import_document(commune, leaf, stage, document, submissions_dir)
    for entry in (appraisal or {}).get("entries", ()):
        commune = communes.get(entry["commune"])
        if commune is None or entry["commune"] in skip:
            continue
        AppraisalEntry.objects.create(commune=commune, leaf=entry["leaf"], stage=entry["stage"],
                                      score=_decimal(entry["score"]), reason=entry["reason"],
                                      date=dt.date.fromisoformat(entry.get("date") or timezone.localdate().isoformat()),
                                      explanation_requested=bool(entry.get("explanation_requested")))
    for commune in communes.values():
        stages = set(commune.appraisals.values_list("stage", flat=True))
        if commune.state == Commune.SUBMITTED and stages:
            commune.state = Commune.APPRAISED_2 if 2 in stages else Commune.APPRAISED_1
            commune.save(update_fields=["state"])
    return round_


def _import_document(commune, leaf, stage, document, base: Path):
    file = document.get("file")
    if file:
        path = (base / file).resolve()
        if base.resolve() not in path.parents:
            raise ValueError(f"Tệp kiểm chứng ngoài thư mục hồ sơ: {file}")
        data = path.read_bytes()
        digest = store_file(data)
        name = Path(file).name
    else:  # a document cited without a scan: kept as cited, with no file
        data, digest, name = b"", "", ""
    from .evidence import sniff

    Evidence.objects.create(commune=commune, leaf=leaf, stage=stage, number=document["number"],
                            date=dt.date.fromisoformat(document["date"]), title=document["title"],
                            issuer=document["issuer"], sha256=digest, filename=name,
                            content_type=(sniff(data) or "application/octet-stream") if data else "", size=len(data))
