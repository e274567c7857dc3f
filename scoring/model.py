"""Plain data: what the loader produces and the engine consumes.

Points are integers of hundredths (see scoring.numbers). Every object is frozen; mappings
are read-only views. Nothing here reads files or knows about the CLI.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING

from . import text
from .numbers import to_hundredths

if TYPE_CHECKING:
    from .rules.base import RuleKind

SECTION_AREA = "area"
SECTION_SURVEY = "survey"
SECTION_BONUS = "bonus"
SECTION_PENALTY = "penalty"

NA_EXCLUDE = "exclude"
NA_FULL = "full"


def frozen_mapping(mapping) -> Mapping:
    """A read-only view of a dict (so frozen dataclasses stay frozen all the way down)."""
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Leaf:
    """A scored leaf (sub-criterion, or a criterion without children, or a bonus/penalty item)."""

    code: str
    title: str
    max: int
    section: str
    area: str | None
    rule: "RuleKind"  # the kind's parameters (scoring.rules): it scores, checks and explains the leaf
    evidence_required: bool = False
    evidence_types: tuple[str, ...] = ()
    evidence_description: str = ""
    not_applicable: str | None = None
    legal_ref: str | None = None
    pointer: str = ""

    @property
    def self_assessed(self) -> bool:
        """Leaves the commune reports on (everything but the survey)."""
        return self.section != SECTION_SURVEY


@dataclass(frozen=True)
class Node:
    """A node of the criteria tree below an area: a criterion or sub-criterion with
    ``children``, or a leaf (``leaf`` set, no children). ``max`` in hundredths."""

    code: str
    title: str
    max: int
    children: tuple["Node", ...] = ()
    leaf: Leaf | None = None

    def leaves(self):
        """The leaves under this node (itself when it is one), in order."""
        if self.leaf is not None:
            yield self.leaf
        for child in self.children:
            yield from child.leaves()


@dataclass(frozen=True)
class Area:
    """A scored area (lĩnh vực): the root of its part of the tree (area → criterion →
    sub-criterion → leaf), ``criteria`` its children."""

    code: str
    title: str
    max: int
    source: str  # "self_assessment" or "survey"
    criteria: tuple[Node, ...] = ()


@dataclass(frozen=True)
class Band:
    name: str
    min_index: int  # hundredths of a percent
    color: str | None


@dataclass(frozen=True)
class Block:
    id: str
    name: str
    unit_types: tuple[str, ...]
    ranked: bool = True  # False: scored and banded, but left out of the ranking (rank empty)


@dataclass(frozen=True)
class CriteriaSet:
    id: str
    year: int
    title: str
    issuer: Mapping
    legal_source: Mapping
    total_points: int
    index_cap: int | None
    evidence_window: tuple[dt.date, dt.date] | None
    areas: tuple[Area, ...]
    leaves: tuple[Leaf, ...]
    bonus_title: str | None
    bonus_cap: int
    penalty_title: str | None
    penalty_cap: int
    bands: tuple[Band, ...]
    blocks: tuple[Block, ...]
    tie_break: tuple[str, ...]
    path: str = ""
    # how an incomplete round is scored (criteria "provisional"; see scoring/provisional.py)
    survey_missing: str = "exclude"
    awaiting_appraisal: str = "self_score"
    # False: the survey is held "where one is held" (Hà Nội): a commune without tallies has its
    # survey leaves left out of its maximum, and the rest rescaled to 100 (issue 13)
    survey_required: bool = True
    # the bonus and penalty sections' items, as trees like the areas' criteria
    bonus_items: tuple[Node, ...] = ()
    penalty_items: tuple[Node, ...] = ()
    # year over year (criteria "comparison"; see scoring/previous.py): plain data, None when absent
    comparison: Mapping | None = None
    # the framework this set extends (scoring/extends.py, issue 13): id, year, title, issuer,
    # legal_source, path, sha256 (and ``extends`` for a chain); None for a set of its own
    framework: Mapping | None = None

    def leaf(self, code: str) -> Leaf | None:
        return self._by_code.get(code)

    @property
    def _by_code(self) -> Mapping[str, Leaf]:
        cached = self.__dict__.get("_leaf_index")
        if cached is None:
            cached = {leaf.code: leaf for leaf in self.leaves}
            object.__setattr__(self, "_leaf_index", cached)
        return cached

    def block_of(self, unit_type: str) -> Block | None:
        for block in self.blocks:
            if unit_type in block.unit_types:
                return block
        return None


@dataclass(frozen=True)
class Document:
    """An evidence document (tài liệu kiểm chứng)."""

    number: str
    date: dt.date
    title: str
    issuer: str
    file: str | None = None
    period: str | None = None  # the period it reports on, for rules that list periods (issue 13)

    @property
    def doc_type(self) -> str:
        """The type read from the number: "12/KH-UBND" → "KH", "45/UBND-VP" → "UBND"."""
        return document_type(self.number)


def is_real_date(text: str) -> bool:
    """An ISO date (YYYY-MM-DD) that exists in the calendar: not 2023-02-29, not year 0."""
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def document_type(number: str) -> str:
    """The document type in a Vietnamese document number: the last part after "/", up to "-".

    "12/KH-UBND" → "KH"; "45/UBND-VP" → "UBND"; legal documents carry their year
    (Decree 30): "05/2023/NQ-HĐND" → "NQ", "15/2023/QĐ-UBND" → "QĐ". Look-alikes are
    folded (scoring.text.document_type): "12/QÐ–UBND" (Ð U+00D0, en dash) → "QĐ".
    """
    return text.document_type(number)


@dataclass(frozen=True)
class LeafReport:
    """What a commune reports for one leaf."""

    facts: Mapping = field(default_factory=lambda: frozen_mapping({}))
    self_score: int | None = None
    evidence: tuple[Document, ...] = ()
    explanation: str | None = None
    not_applicable: bool = False

    @property
    def evidence_numbers(self) -> list[str]:
        return [document.number for document in self.evidence]

    @classmethod
    def from_json(cls, raw: Mapping) -> "LeafReport":
        """A validated leaf entry of a submission → LeafReport (exact points, real dates)."""
        facts = {name: int(value) if name in INTEGER_FACTS else value for name, value in (raw.get("facts") or {}).items()}
        score = raw.get("self_score")
        return cls(
            facts=frozen_mapping(facts),
            self_score=None if score is None else to_hundredths(score),
            evidence=tuple(Document(d["number"], dt.date.fromisoformat(d["date"]), d["title"], d["issuer"], d.get("file"),
                                    d.get("period"))
                           for d in raw.get("evidence") or ()),
            explanation=raw.get("explanation"),
            not_applicable=bool(raw.get("not_applicable", False)),
        )

    def to_json(self) -> dict:
        """Back to the submission format (used when inputs were built as objects, not read)."""
        raw: dict = {}
        if self.facts:
            raw["facts"] = dict(self.facts)
        if self.self_score is not None:
            raw["self_score"] = Decimal(self.self_score).scaleb(-2)
        if self.evidence:
            raw["evidence"] = [{"number": d.number, "date": d.date.isoformat(), "title": d.title, "issuer": d.issuer,
                                **({"file": d.file} if d.file else {}), **({"period": d.period} if d.period else {})}
                               for d in self.evidence]
        if self.explanation is not None:
            raw["explanation"] = self.explanation
        if self.not_applicable:
            raw["not_applicable"] = True
        return raw


# JSON Schema counts 36.0 as an integer; these facts are kept as Python ints
INTEGER_FACTS = frozenset({"numerator", "denominator", "violations", "count"})


class LazyReports(Mapping):
    """A submission's leaf reports, kept as the validated JSON and converted on first access.

    A national run reads 330,000 leaf entries; the engine lays their facts out as arrays
    straight from the JSON (scoring.facts), and only the explanations need LeafReports.
    The loader does not keep the parsed JSON: as Python objects a national run's entries
    take gigabytes. It gives ``source`` (where to find the file again, and its hash) and
    ``parse`` (reads the entries from it), called only when an explanation is written.
    """

    __slots__ = ("_raw", "_source", "_parse")

    def __init__(self, raw: Mapping | None = None, *, source=None, parse=None):
        if (raw is None) == (source is None):
            raise ValueError("LazyReports needs either the parsed entries or where to read them")
        self._raw, self._source, self._parse = raw, source, parse

    @property
    def raw(self) -> Mapping:
        """The leaf entries as validated JSON (read again through ``parse`` when not kept)."""
        if self._raw is not None:
            return self._raw
        return self._parse(self._source)

    def __getitem__(self, code: str) -> LeafReport:
        # converted on every access and not kept: a national run would otherwise hold a
        # million LeafReports next to the JSON they came from
        return LeafReport.from_json(self.raw[code])

    def __iter__(self):
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)

    def __eq__(self, other):
        if isinstance(other, LazyReports):
            return self.raw == other.raw
        return super().__eq__(other)

    __hash__ = None


@dataclass(frozen=True)
class Submission:
    path: str
    criteria_id: str
    year: int
    code: str
    name: str
    type: str
    leaves: Mapping[str, LeafReport]
    report: Mapping = field(default_factory=lambda: frozen_mapping({}))


@dataclass(frozen=True)
class AppraisalEntry:
    commune: str
    leaf: str
    stage: int
    score: int
    reason: str
    date: dt.date | None = None
    appraiser: str | None = None  # who appraised (the entry's or its file's appraiser, else the council)
    source: str = ""  # the file it came from
    explanation_requested: bool = False  # đề nghị giải trình (stage 1): the commune is asked to explain


@dataclass(frozen=True)
class Appraisal:
    path: str
    council: str
    entries: tuple[AppraisalEntry, ...]

    def latest(self) -> Mapping[tuple[str, str], AppraisalEntry]:
        """The latest stage per (commune, leaf): stage 2 (after explanations) beats stage 1."""
        latest: dict[tuple[str, str], AppraisalEntry] = {}
        for entry in self.entries:
            key = (entry.commune, entry.leaf)
            if key not in latest or entry.stage >= latest[key].stage:
                latest[key] = entry
        return latest


@dataclass(frozen=True)
class Survey:
    path: str
    conducted_by: str
    tallies: Mapping[str, Mapping[str, Mapping[str, int]]]


@dataclass(frozen=True)
class InputFile:
    role: str
    path: str
    sha256: str


@dataclass(frozen=True)
class Inputs:
    """Everything a scoring run needs, loaded and validated."""

    criteria: CriteriaSet
    submissions: tuple[Submission, ...]
    appraisal: Appraisal | None
    survey: Survey | None
    files: tuple[InputFile, ...] = ()
    facts: object = None  # scoring.facts.FactTable of the submissions, when the loader built it
    registry: object = None  # scoring.registry.Registry: the year's units, when one was given or found
    warnings: tuple = ()  # Issues that do not stop the run (a registered unit without a submission…)
    check_only: bool = False  # loaded only to be checked (scoring.load.load_inputs): not to be scored
