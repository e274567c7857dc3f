"""The year's list of units (danh sách đơn vị): who must appear in every output.

The office running the round keeps the year's units: code, name, type (xã, phường, thị
trấn, đặc khu), ranking block and, for units formed by the 2025 mergers, the codes of
their predecessors. With a registry every registered unit appears in every output: one
without a submission is listed as not submitted ("chưa nộp": not scored, not ranked,
counted in the decision's wording); a submission for an unregistered code is an error; a
name or type that differs from the registry is an error at the submission's pointer.

The file (``registry.json`` beside the submissions folder, or ``--registry FILE``)
follows ``submissions/registry.schema.json``. Checking and building are pure: they take
the parsed file and return issues or data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import Issue, message
from .text import name_key

REGISTRY_NAME = "registry.json"
NOT_SUBMITTED = "chưa nộp"  # the status every output shows for a registered unit without a submission
# the round's dated steps a registry may give (its optional "deadlines" object), in the round's order
DEADLINE_STEPS = {
    "self_assessment": "nộp hồ sơ tự đánh giá",
    "appraisal_1": "thẩm định lần 1",
    "explanation": "giải trình",
    "appraisal_2": "thẩm định lần 2",
    "approval": "phê duyệt kết quả",
}


@dataclass(frozen=True)
class Unit:
    """One registered unit. ``block`` is the ranking block's id (from the criteria set)."""

    code: str
    name: str
    type: str
    block: str
    predecessors: tuple[str, ...] = ()
    # (code, population) of predecessors, when the registry gives them (scoring/previous.py)
    predecessor_population: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Registry:
    """The year's units, in the file's order."""

    path: str
    year: int
    units: tuple[Unit, ...]
    deadlines: tuple = ()  # ((step, datetime.date), ...) from the optional "deadlines" object (DEADLINE_STEPS)

    def unit(self, code: str) -> Unit | None:
        for unit in self.units:
            if unit.code == code:
                return unit
        return None

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(unit.code for unit in self.units)

    def missing(self, submitted) -> tuple[Unit, ...]:
        """The registered units without a submission (codes not in ``submitted``), in the file's order."""
        submitted = set(submitted)
        return tuple(unit for unit in self.units if unit.code not in submitted)


def resolve_registry(submissions_dir, registry=None) -> Path | None:
    """The registry file to use: ``registry`` when given, else registry.json beside the
    submissions folder (in its parent) when it exists, else None (no registry)."""
    if registry:
        return Path(registry)
    beside = Path(submissions_dir).parent / REGISTRY_NAME
    from .input_files import default_entry  # a FIFO or a dangling link there is refused, not ignored

    return beside if default_entry(beside) else None


def _same_text(a: str, b: str) -> bool:
    """Names compared as a reader sees them: the same letters whatever the Unicode form, the
    case, the spacing and the look-alikes of Đ (Ð U+00D0…): scoring.text.name_key."""
    return name_key(a) == name_key(b)


def with_registered_names(registry: "Registry", submissions) -> tuple:
    """The submissions with each unit's name as the registry writes it: a name typed
    "Ðăk Hà" (Ð U+00D0), "đăk hà" or with a non-breaking space is the registry's "Đăk Hà"
    (check_submissions found them the same by name_key), so every output prints one spelling."""
    from dataclasses import replace

    named = []
    for submission in submissions:
        unit = registry.unit(submission.code)
        if unit is not None and unit.name != submission.name and _same_text(unit.name, submission.name):
            submission = replace(submission, name=unit.name)
        named.append(submission)
    return tuple(named)


def check_registry(parsed, criteria) -> list[Issue]:
    """Schema, then meaning: the criteria set's year (and id, when given), no code twice, every
    unit's type ranked by the criteria set and its block the one that ranks its type.

    ``parsed`` is a ParsedFile (scoring.files.read_document); ``criteria`` a CriteriaSet or None
    (then only the schema and the codes are checked).
    """
    from .validate import schema_issues

    issues = schema_issues(parsed, "registry")
    if issues:
        return issues
    data, path = parsed.data, parsed.path
    if criteria is not None:
        if data["year"] != criteria.year:
            issues.append(Issue(path, "/year", "criteria-mismatch",
                                message("criteria-mismatch", "registry_year", found=data['year'], criteria=criteria.year)))
        if data.get("criteria_id") is not None and data["criteria_id"] != criteria.id:
            issues.append(Issue(path, "/criteria_id", "criteria-mismatch",
                                message("criteria-mismatch", "registry", found=data['criteria_id'], criteria=criteria.id)))
    issues += _deadline_issues(data.get("deadlines") or {}, path)
    first: dict[str, int] = {}
    blocks = {block.id: block for block in criteria.blocks} if criteria is not None else {}
    for index, unit in enumerate(data["units"]):
        where = f"/units/{index}"
        code = unit["code"]
        if code in first:
            issues.append(Issue(path, where + "/code", "registry-duplicate-unit",
                                message("registry-duplicate-unit", unit=code, first=first[code])))
        else:
            first[code] = index
        if code in unit.get("predecessors", ()):
            issues.append(Issue(path, where + "/predecessors", "registry-predecessor-invalid",
                                message("registry-predecessor-invalid", unit=code)))
        if criteria is None:
            continue
        ranked = criteria.block_of(unit["type"])
        if ranked is None:
            issues.append(Issue(path, where + "/type", "unit-type-unranked",
                                message("unit-type-unranked", unit_type=unit['type'])))
        elif unit.get("block") is not None and unit["block"] != ranked.id:
            issues.append(Issue(path, where + "/block", "registry-block-mismatch",
                                message("registry-block-mismatch", None if unit["block"] not in blocks else "unranked",
                                        block=unit['block'], unit_type=unit['type'], ranked=ranked.id)))
    return issues


def _deadline_issues(deadlines: dict, path: str) -> list[Issue]:
    """The round's deadlines: real dates (date-invalid), each step not before the one it
    follows (registry-deadline-order)."""
    import datetime as dt

    issues, earlier = [], None
    for step, label in DEADLINE_STEPS.items():
        if step not in deadlines:
            continue
        try:
            date = dt.date.fromisoformat(deadlines[step])
        except ValueError:
            issues.append(Issue(path, f"/deadlines/{step}", "date-invalid", message("date-invalid", value=deadlines[step])))
            continue
        if earlier is not None and date < earlier[1]:
            issues.append(Issue(path, f"/deadlines/{step}", "registry-deadline-order",
                                message("registry-deadline-order", step=label, date=date,
                                        earlier=DEADLINE_STEPS[earlier[0]], earlier_date=earlier[1])))
        earlier = (step, date)
    return issues


def build_registry(data: dict, path: str, criteria) -> Registry:
    """A checked registry document → Registry (absent blocks filled from the unit's type)."""
    units = []
    for unit in data["units"]:
        block = unit.get("block") or criteria.block_of(unit["type"]).id
        units.append(Unit(unit["code"], unit["name"], unit["type"], block, tuple(unit.get("predecessors", ())),
                          tuple(sorted((unit.get("predecessor_population") or {}).items()))))
    import datetime as dt

    deadlines = tuple((step, dt.date.fromisoformat(str(data["deadlines"][step])))
                      for step in DEADLINE_STEPS if step in (data.get("deadlines") or {}))
    return Registry(path, int(data["year"]), tuple(units), deadlines)


def check_submissions(registry: Registry, parsed_files, found=()) -> list[Issue]:
    """Every submission against the registry: a registered code (registry-unregistered), and the
    registry's name (registry-name-mismatch) and type (registry-type-mismatch), each at its pointer.

    ``parsed_files``: the submission ParsedFiles as read (unreadable ones are skipped: their
    own problems are reported already). ``found``: the issues found so far; a code, name or
    type already refused at its pointer (a control character in the name…) is not compared.
    """
    refused = {(issue.file, issue.pointer) for issue in found}
    issues = []
    for parsed in parsed_files:
        data = parsed.data
        commune = data.get("commune") if isinstance(data, dict) else None
        if not isinstance(commune, dict) or not isinstance(commune.get("code"), str) \
                or (parsed.path, "/commune/code") in refused:
            continue
        unit = registry.unit(commune["code"])
        if unit is None:
            issues.append(Issue(parsed.path, "/commune/code", "registry-unregistered",
                                message("registry-unregistered", unit=commune['code'], registry=registry.path)))
            continue
        name, unit_type = commune.get("name"), commune.get("type")
        if isinstance(name, str) and (parsed.path, "/commune/name") not in refused and not _same_text(name, unit.name):
            issues.append(Issue(parsed.path, "/commune/name", "registry-name-mismatch",
                                message("registry-name-mismatch", name=name, registered=unit.name, unit=unit.code)))
        if isinstance(unit_type, str) and (parsed.path, "/commune/type") not in refused and unit_type != unit.type:
            issues.append(Issue(parsed.path, "/commune/type", "registry-type-mismatch",
                                message("registry-type-mismatch", unit_type=unit_type, registered=unit.type, unit=unit.code)))
    return issues


def not_submitted_warnings(registry: Registry, missing: tuple[Unit, ...]) -> list[Issue]:
    """One warning per registered unit without a submission (the run goes on: exit 0)."""
    return [Issue(registry.path, f"/units/{registry.units.index(unit)}", "not-submitted",
                  message("not-submitted", unit_type=unit.type, name=unit.name, unit=unit.code))
            for unit in missing]
