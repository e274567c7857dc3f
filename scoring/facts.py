"""The facts of every commune on every leaf, as arrays (communes × leaves).

The engine applies each rule to a whole column at once, so it needs the reported facts laid
out as numpy arrays rather than as one object per commune and leaf. ``extract`` builds
them in one pass over the submissions' leaf entries, converting only what the rules need
(points to hundredths, the earliest accepted evidence date), and checks on those arrays
what validation needs to know about every entry (scoring.validate.leaf_issues explains the
few it marks). The entries come as the structs scoring.quick's reader decodes them into,
or as validated JSON dicts (fact_block, fact_table: from model objects); they are not kept:
explanations read them again. Pure: data in, arrays out, nothing read or written; no
import of the loaders.
"""

from __future__ import annotations

import datetime as dt
from array import array
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from msgspec import UNSET

from .model import (
    SECTION_AREA, SECTION_SURVEY, CriteriaSet, LazyReports, LeafReport, Submission, document_type,
)
from .errors import Issue, message, pointer
from .numbers import exact_hundredths
from .text import KNOWN_DOCUMENT_TYPES


@dataclass(frozen=True)
class FactTable:
    """Arrays of shape (communes, leaves), leaves in the criteria set's order."""

    self_score: np.ndarray      # int64 hundredths (0 when absent)
    has_self: np.ndarray        # bool
    claimed_na: np.ndarray      # bool: the commune claims "không áp dụng"
    has_evidence: np.ndarray    # bool: at least one document of an accepted type
    first_day: np.ndarray       # int64 day ordinal of the earliest accepted document (0 none)
    done: np.ndarray            # bool (yes_no)
    choice: np.ndarray          # int64 option index (choice), -1 when none
    numerator: np.ndarray       # int64
    denominator: np.ndarray     # int64
    value: np.ndarray           # int64 hundredths (value_thresholds)
    violations: np.ndarray      # int64
    count: np.ndarray           # int64
    conditions: np.ndarray      # int64 bits: condition i of the leaf's rule reported true (all_of)
    period_days: np.ndarray     # int64 (communes, leaves, periods): day ordinal of each period's earliest
                                # accepted document naming it (0 none); periods: the most any leaf lists


def reports_as_json(submission: Submission) -> dict:
    """The submission's leaves as validated JSON dicts (as read, or rebuilt from model objects)."""
    leaves = submission.leaves
    if isinstance(leaves, LazyReports):
        return leaves.raw
    return {code: report.to_json() for code, report in leaves.items()}


def fact_table(criteria: CriteriaSet, submissions) -> FactTable:
    """Lay out every commune's reported facts per leaf from model objects (Submissions,
    whose leaves are LeafReports or their validated JSON); one pass, no per-rule logic.
    The same table as the loader's quick path builds (tests/test_quick_reader.py)."""
    return fact_block(criteria, [reports_as_json(submission) for submission in submissions])


def fact_block(criteria: CriteriaSet, reports) -> FactTable:
    """The fact table of a list of submissions' leaf entries (validated JSON dicts, one per commune).

    The loader builds one block per group of files it reads (possibly in another process)
    and joins them with ``concat_facts``; ``fact_table`` is the same for model objects.
    """
    codes = [leaf.code for leaf in criteria.leaves]
    return extract(criteria, [[UNSET if entry is None else _Entry(entry) for entry in map(entries.get, codes)]
                              for entries in reports]).facts


class _Facts:
    """A leaf entry's facts (a validated JSON dict) read by attribute, UNSET when absent,
    as extract reads the quick reader's structs (counts as ints, as the quick reader's
    types give them: JSON Schema's integers include 36.0)."""

    __slots__ = ("done", "choice", "numerator", "denominator", "value", "violations", "count", "conditions")

    def __init__(self, facts):
        for name in self.__slots__:
            setattr(self, name, facts.get(name, UNSET))
        for name in ("numerator", "denominator", "violations", "count"):
            if getattr(self, name) is not UNSET:
                setattr(self, name, int(getattr(self, name)))


class _Document:
    """An evidence document (a validated JSON dict) with its date as a date, as extract reads it."""

    __slots__ = ("number", "date", "title", "issuer", "file", "period")

    def __init__(self, document):
        self.number, self.title, self.issuer = document["number"], document["title"], document["issuer"]
        self.date = dt.date.fromisoformat(document["date"])
        self.file = document.get("file", UNSET)
        self.period = document.get("period", UNSET)


class _Entry:
    """A validated leaf entry (JSON dict) with the attributes of the quick reader's struct."""

    __slots__ = ("facts", "self_score", "evidence", "explanation", "not_applicable")

    def __init__(self, entry):
        facts, evidence = entry.get("facts"), entry.get("evidence")
        self.facts = UNSET if facts is None else _Facts(facts)
        self.self_score = entry.get("self_score", UNSET)
        self.evidence = UNSET if evidence is None else [_Document(d) for d in evidence]
        self.explanation = entry.get("explanation", UNSET)
        self.not_applicable = entry.get("not_applicable", UNSET)


@dataclass(frozen=True)
class Extraction:
    """A fact table and what the quick meaning check found while building it."""

    facts: FactTable
    clean: np.ndarray        # bool per commune: nothing scoring.validate.leaf_issues could object to
    files: list              # (row, path) of every evidence file named, to look for on disk
    key_counts: list         # per commune, the keys of its leaf entries as parsed (codes, fields, facts, documents)
    unknown_types: list = ()  # (row, leaf code, document index, number, type read) of documents whose type is
                              # no known one, on leaves that accept only some types: warnings


# one bit per fact a leaf entry can state: the quick meaning check compares them with what the rule needs
FACT_BITS = {"done": 1, "choice": 2, "numerator": 4, "denominator": 8, "value": 16, "violations": 32, "count": 64,
             "conditions": 128}
_NO_BOUNDS = (float("-inf"), float("inf"))
CHECKED_NUMBERS = ("self_score", "value")  # the numbers of a leaf entry, checked against their bounds below
_SET_BITS = [bin(bits).count("1") for bits in range(256)]  # facts stated, from their bits
_SEEN_LIMIT = 4096  # numbers remembered per extract (see _number_hundredths)


@dataclass(frozen=True)
class _Columns:
    """Per leaf, as rows of numbers, what the quick meaning check compares against."""

    na_allowed: np.ndarray
    survey: np.ndarray
    area: np.ndarray
    needed: np.ndarray       # FACT_BITS of the facts the rule needs
    max: np.ndarray
    floor: np.ndarray        # lowest self-score allowed (the kind's ``lowest``)
    step: np.ndarray         # the step scores must keep (the kind's ``step``; 1 elsewhere)
    stepped: np.ndarray      # the kind has a step


def _columns(criteria: CriteriaSet) -> _Columns:
    cached = criteria.__dict__.get("_fact_columns")
    if cached is not None:
        return cached
    leaves = criteria.leaves
    columns = _Columns(
        na_allowed=np.array([leaf.not_applicable is not None for leaf in leaves], dtype=bool),
        survey=np.array([leaf.section == SECTION_SURVEY for leaf in leaves], dtype=bool),
        area=np.array([leaf.section == SECTION_AREA for leaf in leaves], dtype=bool),
        needed=np.array([sum(FACT_BITS[name] for name in leaf.rule.facts) for leaf in leaves], dtype=np.int64),
        max=np.array([leaf.max for leaf in leaves], dtype=np.int64),
        floor=np.array([leaf.rule.lowest for leaf in leaves], dtype=np.int64),
        step=np.array([leaf.rule.step or 1 for leaf in leaves], dtype=np.int64),
        stepped=np.array([leaf.rule.step is not None for leaf in leaves], dtype=bool),
    )
    object.__setattr__(criteria, "_fact_columns", columns)  # a cache, not state: the set is frozen
    return columns


def _number_hundredths(number, bounds, seen: dict) -> int | None:
    """Hundredths of a number as the reader gives it (int, float exact to the hundredth,
    Decimal), or None when it is not a number, not exact, or outside the schema's bounds.

    An int or float within the bounds is remembered in ``seen`` (number → hundredths),
    which extract looks in first: a national folder holds 300,000 scores but a few distinct
    values, and a look-up costs a third of the type, bounds and rounding. Only ints and
    floats go in (True == 1 and Decimal("0.5") == 0.5 would find their entries)."""
    kind = type(number)
    if kind is not int and kind is not float and kind is not Decimal:
        return None  # a bool, a string, null: the schema refuses it
    if not bounds[0] <= number <= bounds[1]:
        return None
    hundredths = exact_hundredths(number)
    if kind is not Decimal and len(seen) < _SEEN_LIMIT:
        seen[number] = hundredths
    return hundredths


def extract(criteria: CriteriaSet, reports, number_bounds=None) -> Extraction:
    """Lay out the facts of leaf entries (structs as scoring.quick's reader decodes
    them; per commune a sequence of them in the criteria set's order, UNSET where the
    commune has no entry) in one pass; mark the communes whose entries the full check
    (schema and scoring.validate.leaf_issues) must look at.

    A commune is clean when every one of its entries passes the checks below, done on the
    arrays; anything they cannot decide (a number of the wrong type, out of the schema's
    ``number_bounds`` or with more than two decimals) marks it too. Marking
    is cheap and only costs a closer look, so the marks cover every problem leaf_issues can
    find, except evidence files on disk: those are listed for the loader to look for.
    """
    leaves = criteria.leaves
    width, size = len(leaves), len(reports)
    cells = size * width
    codes = [leaf.code for leaf in leaves]
    accepted = [frozenset(leaf.evidence_types) if leaf.evidence_types else None for leaf in leaves]
    options = [{value: i for i, value in enumerate(leaf.rule.fact_options("choice") or ())} for leaf in leaves]
    # named conditions (bit per id) and periods (slot per id) of the rules that have them (issue 13)
    condition_bits = [{c.id: 1 << i for i, c in enumerate(leaf.rule.named_conditions())} for leaf in leaves]
    period_slots = [{p.id: i for i, p in enumerate(leaf.rule.due_periods())} for leaf in leaves]
    slots = max((len(p) for p in period_slots), default=0)
    any_document = [types is None and not periods for types, periods in zip(accepted, period_slots)]
    window = criteria.evidence_window
    first_allowed, last_allowed = window if window else (dt.date.min, dt.date.max)
    first_ordinal, last_ordinal = first_allowed.toordinal(), last_allowed.toordinal()
    bounds = number_bounds or {}
    score_bounds, value_bounds = bounds.get("self_score", _NO_BOUNDS), bounds.get("value", _NO_BOUNDS)
    score_hundredths, value_hundredths = {}, {}  # see _number_hundredths

    # Filled cell by cell, then viewed as arrays without a copy: bytearrays for the flags,
    # array('q') for the numbers (building numpy arrays from Python lists cost as much as
    # the loop itself).
    self_score, first_day, fact_bits = _int_cells(cells), _int_cells(cells), _int_cells(cells)
    numerator, denominator, value = _int_cells(cells), _int_cells(cells), _int_cells(cells)
    violations, count, choice = _int_cells(cells), _int_cells(cells), _int_cells(cells, -1)
    conditions, period_days = _int_cells(cells), _int_cells(cells * slots)
    # present: 1 for an entry, 2 for an entry with its self-score read (has_self), one write per
    # entry where two flags took two; has_evidence is where first_day holds a day
    present, claimed_na, done = bytearray(cells), bytearray(cells), bytearray(cells)
    marked = [False] * size
    key_counts = [0] * size
    files = []
    type_of: dict[str, str] = {}  # document number → type (numbers repeat across communes)
    recognised = recognised_types(criteria)
    unknown_types = []

    unset = UNSET  # read as a local: ~20 times per entry, 300,000 entries in a national run
    for row, entries in enumerate(reports):
        base = row * width
        keys = 0
        for column, entry in enumerate(entries):
            if entry is unset:
                continue
            keys += 1  # its code
            cell = base + column
            score, facts, documents = entry.self_score, entry.facts, entry.evidence
            # its keys: each field given (an empty evidence list is one), counted where it is read
            if entry.explanation is not unset:
                keys += 1
            if score is not unset:
                keys += 1
                kind = type(score)  # floats and ints by the numbers seen: nearly all of them, and a few values
                hundredths = score_hundredths.get(score) if kind is float or kind is int else None
                if hundredths is None:
                    hundredths = _number_hundredths(score, score_bounds, score_hundredths)
                if hundredths is None:
                    marked[row] = True
                    present[cell] = 1
                else:
                    self_score[cell] = hundredths
                    present[cell] = 2
            else:
                present[cell] = 1
            not_applicable = entry.not_applicable
            if not_applicable is not unset:
                keys += 1
                if not_applicable is True:
                    claimed_na[cell] = 1
            if facts is not unset:
                keys += 1
                # one block per fact, written out: this runs for every entry of a national run
                # (300,000 of them), where a loop over the names with getattr costs more
                bits = 0
                fact = facts.done
                if fact is not unset:
                    done[cell] = 1 if fact else 0
                    bits = 1
                fact = facts.choice
                if fact is not unset:
                    index = options[column].get(fact)
                    if index is None:
                        marked[row] = True
                    else:
                        choice[cell] = index
                    bits |= 2
                fact = facts.numerator
                if fact is not unset:
                    numerator[cell] = fact  # an int: the quick reader's type, and _Facts's
                    bits |= 4
                fact = facts.denominator
                if fact is not unset:
                    denominator[cell] = fact
                    bits |= 8
                fact = facts.value
                if fact is not unset:
                    kind = type(fact)
                    hundredths = value_hundredths.get(fact) if kind is float or kind is int else None
                    if hundredths is None:
                        hundredths = _number_hundredths(fact, value_bounds, value_hundredths)
                    if hundredths is None:
                        marked[row] = True
                    else:
                        value[cell] = hundredths
                    bits |= 16
                fact = facts.violations
                if fact is not unset:
                    violations[cell] = fact
                    bits |= 32
                fact = facts.count
                if fact is not unset:
                    count[cell] = fact
                    bits |= 64
                fact = facts.conditions
                if fact is not unset:
                    named, held = condition_bits[column], 0
                    if len(fact) != len(named) or not all(key in named for key in fact):
                        marked[row] = True  # a condition missing or unknown: leaf_issues names it
                    for key, holds in fact.items():
                        if holds is True and key in named:
                            held |= named[key]
                    conditions[cell] = held
                    keys += len(fact)
                    bits |= 128
                fact_bits[cell] = bits
                keys += _SET_BITS[bits]
            if documents:  # unset is false, like an empty list
                keys += 1 + 4 * len(documents)  # "evidence"; each document's number, date, title, issuer: required
                if any_document[column]:
                    # nearly every leaf: any document counts and none may name a period (the loop
                    # below, with what it would skip left out); days as ordinals, which the table
                    # holds and which compare faster than dates
                    earliest = 0
                    for document in documents:
                        day = document.date.toordinal()
                        if day < first_ordinal or day > last_ordinal:
                            marked[row] = True  # outside the year
                        if document.file is not unset:
                            files.append((row, document.file))
                            keys += 1
                        if document.period is not unset:
                            keys += 1
                            marked[row] = True  # evidence-period-unknown
                        if not earliest or day < earliest:
                            earliest = day
                    first_day[cell] = earliest
                    continue
                types = accepted[column]
                periods = period_slots[column]
                earliest = None
                for index, document in enumerate(documents):
                    day = document.date
                    if day < first_allowed or day > last_allowed:
                        marked[row] = True  # outside the year
                    if document.file is not unset:
                        files.append((row, document.file))
                        keys += 1
                    period = document.period
                    if period is not unset:
                        keys += 1
                        if period not in periods:
                            marked[row] = True  # evidence-period-unknown
                    elif periods:
                        marked[row] = True  # evidence-period-missing (if of an accepted type: leaf_issues decides)
                    if types is not None:
                        number = document.number
                        doc_type = type_of.get(number)
                        if doc_type is None:
                            doc_type = type_of[number] = document_type(number)
                        if doc_type not in types:
                            if doc_type not in recognised:  # never a silent zero: a warning names it
                                unknown_types.append((row, codes[column], index, number, doc_type))
                            continue
                    if periods and period is not unset and period in periods:
                        slot = cell * slots + periods[period]
                        if not period_days[slot] or day.toordinal() < period_days[slot]:
                            period_days[slot] = day.toordinal()
                    if earliest is not None and day >= earliest:
                        continue
                    earliest = day
                if earliest is not None:
                    first_day[cell] = earliest.toordinal()
            elif documents is not unset:
                keys += 1  # "evidence": []
        key_counts[row] = keys

    def matrix(buffer, dtype):
        return np.frombuffer(buffer, dtype=dtype).reshape(size, width)

    entered, first_days = matrix(present, np.uint8), matrix(first_day, np.int64)
    table = FactTable(
        self_score=matrix(self_score, np.int64), has_self=entered == 2,
        claimed_na=matrix(claimed_na, bool), has_evidence=first_days != 0,  # a day's ordinal is never 0
        first_day=first_days,
        done=matrix(done, bool), choice=matrix(choice, np.int64),
        numerator=matrix(numerator, np.int64), denominator=matrix(denominator, np.int64),
        value=matrix(value, np.int64), violations=matrix(violations, np.int64), count=matrix(count, np.int64),
        conditions=matrix(conditions, np.int64),
        period_days=np.frombuffer(period_days, dtype=np.int64).reshape(size, width, slots),
    )
    return Extraction(table, _clean_rows(criteria, table, entered != 0, matrix(fact_bits, np.int64),
                                         np.array(marked, dtype=bool)), files, key_counts, unknown_types)


def recognised_types(criteria: CriteriaSet) -> frozenset:
    """Document types read as such: Decree 30's and every type the criteria set accepts."""
    cached = criteria.__dict__.get("_recognised_types")
    if cached is None:
        cached = KNOWN_DOCUMENT_TYPES | {kind for leaf in criteria.leaves for kind in leaf.evidence_types}
        object.__setattr__(criteria, "_recognised_types", cached)  # a cache, not state: the set is frozen
    return cached


def unknown_type_warning(file: str, code: str, index: int, number: str, doc_type: str, leaf) -> Issue:
    """The warning for an evidence document whose type cannot be read from its number."""
    return Issue(file, pointer("leaves", code, "evidence", index, "number"), "evidence-type-unknown",
                 message("evidence-type-unknown", number=number, read=doc_type, leaf=code,
                         types=", ".join(leaf.evidence_types)))


def evidence_warnings(parsed, criteria: CriteriaSet) -> list[Issue]:
    """Warnings of a validated submission (JSON dicts): evidence documents of no known type
    on leaves that accept only some types (what extract finds on the quick path)."""
    warnings = []
    recognised = recognised_types(criteria)
    for code, entry in (parsed.data.get("leaves") or {}).items():
        leaf = criteria.leaf(code)
        if leaf is None or not leaf.evidence_types:
            continue
        for index, document in enumerate(entry.get("evidence") or ()):
            doc_type = document_type(document["number"])
            if doc_type not in leaf.evidence_types and doc_type not in recognised:
                warnings.append(unknown_type_warning(parsed.path, code, index, document["number"], doc_type, leaf))
    return warnings


def _int_cells(cells: int, fill: int = 0) -> array:
    """``cells`` signed 64-bit integers set to ``fill``, to be viewed as a numpy array."""
    return array("q", [fill]) * cells


def _clean_rows(criteria, table: FactTable, present, fact_bits, marked) -> np.ndarray:
    """Communes none of whose entries breaks a rule leaf_issues checks (the checks as arrays)."""
    c = _columns(criteria)
    claimed = table.claimed_na
    stated = lambda name: (fact_bits & FACT_BITS[name]) != 0  # noqa: E731
    has_numerator, has_denominator = stated("numerator"), stated("denominator")
    score = table.self_score
    suspicious = (
        (claimed & ~c.na_allowed)                                   # na-not-allowed
        | (present & c.survey)                                      # survey-leaf-in-submission
        | (~present & c.area)                                       # leaf-missing
        | ((fact_bits & ~c.needed) != 0)                            # fact-unexpected
        | (present & ~claimed & ((fact_bits & c.needed) != c.needed))  # fact-missing
        | (has_numerator & has_denominator & (table.numerator > table.denominator))
        | (has_denominator & (table.denominator == 0) & ~claimed & ~c.na_allowed)  # zero-denominator
        | (table.has_self & ((score > c.max) | (score < c.floor) | (c.stepped & (score % c.step != 0))))
    )
    return ~(suspicious.any(axis=1) | marked)


def concat_facts(criteria: CriteriaSet, blocks) -> FactTable:
    """Fact tables of consecutive groups of communes, stacked in order (rows follow the blocks)."""
    blocks = list(blocks)
    if not blocks:
        return fact_block(criteria, [])
    if len(blocks) == 1:
        return blocks[0]
    return FactTable(**{name: np.concatenate([getattr(block, name) for block in blocks])
                        for name in FactTable.__dataclass_fields__})


class FactRows:
    """A fact table filled block by block (consecutive groups of communes, in order): the
    table concat_facts makes of the same blocks, copied as they come into one table made
    for at most ``rows`` communes, so that the blocks and the joined table are never all
    held at once (a national run: 25 MB less at the peak, and as many fewer new pages for
    the system to hand over). Rows not filled are never touched.

    ``names``: the only columns kept (what a check reads, ``columns()``); the others are
    never copied (``validate`` at 3,321 communes: 30 MB and 7,500 page faults less)."""

    def __init__(self, criteria: CriteriaSet, rows: int, names: tuple | None = None):
        self._criteria, self._rows, self._used = criteria, rows, 0
        self._names = tuple(FactTable.__dataclass_fields__) if names is None else tuple(names)
        unknown = set(self._names) - set(FactTable.__dataclass_fields__)
        if unknown:
            raise ValueError(f"no such column of the fact table: {sorted(unknown)}")
        self._arrays: dict | None = None

    def add(self, block: FactTable) -> None:
        count = block.self_score.shape[0]
        if self._arrays is None:
            self._arrays = {name: np.empty((self._rows, *getattr(block, name).shape[1:]), dtype=getattr(block, name).dtype)
                            for name in self._names}
        for name, kept in self._arrays.items():
            kept[self._used:self._used + count] = getattr(block, name)
        self._used += count

    def columns(self) -> dict:
        """The columns kept (``names``), name → array of the rows filled."""
        if self._arrays is None:
            empty = fact_block(self._criteria, [])
            return {name: getattr(empty, name) for name in self._names}
        return {name: kept[:self._used] for name, kept in self._arrays.items()}

    def table(self) -> FactTable:
        """The whole fact table (every column kept: ``names`` not given)."""
        if len(self._names) != len(FactTable.__dataclass_fields__):
            raise ValueError("a FactRows keeping some columns has no whole table: see columns()")
        return FactTable(**self.columns())


def accepted_documents(leaf, report: LeafReport | None):
    """Evidence documents of a type the leaf accepts (any type when it names none)."""
    if report is None:
        return []
    if not leaf.evidence_types:
        return list(report.evidence)
    return [d for d in report.evidence if d.doc_type in leaf.evidence_types]


def first_document(leaf, report: LeafReport | None):
    """The earliest accepted document (the one a deadline rule reads), or None."""
    return earliest(accepted_documents(leaf, report))


def earliest(documents):
    """The earliest of ``documents`` (by date, then number), or None when there are none."""
    return min(documents, key=lambda d: (d.date, d.number)) if documents else None
