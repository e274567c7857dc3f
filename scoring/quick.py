"""The speed paths of loading submissions: each proven equal to the plain path.

- the quick reader: a submission parsed and schema-checked in one pass by msgspec Structs
  translated from the committed schema (scoring.quick_schema), its facts laid out and
  checked on arrays (scoring.facts.extract);
- raw-byte scans: duplicated keys found by counting colons (``_QuickRead.keys_all_kept``,
  scoring.files.same_colons), text patterns checked by byte searches (quick_schema);
- evidence files found in one listing per folder (``EvidenceFiles``);
- worker groups: above PARALLEL_FROM files, forked workers read groups of GROUP files and
  send back each file's header and the group's block of the fact table.

A file the quick way cannot vouch for is read and checked the thorough way
(scoring.files.read_document, scoring.validate.check_submission), so every message is the
plain path's. tests/test_quick_reader.py proves both give the same issues, verdict and
facts; bench/run.py measures them.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache, partial
from pathlib import Path

import msgspec
import numpy as np
from msgspec import UNSET
from msgspec.structs import astuple

from .errors import Issue
from .facts import (
    CHECKED_NUMBERS, FactRows, FactTable, concat_facts, evidence_warnings, extract, fact_block, unknown_type_warning,
)
from .files import ParsedFile, display_path, read_document, same_colons
from .model import CriteriaSet
from .quick_schema import QuickReader, Untranslatable, reader_for
from .text import legacy_pairs, may_hold_legacy, nfc_json, nfc_pairs, nfc_thirds_after_e2_80
from .workers import collector_paused, ordered_map, worker_count

def _float_or_decimal(literal: str):
    """A decimal literal as a float when that is exact to the hundredth, else as Decimal.

    "0.75" or "87.5" (at most two decimals, no exponent, under 15 characters) becomes a
    float: every value with at most 13 digits before the point and 2 after is exactly
    ×100-and-round-able (scoring.numbers.exact_hundredths), and floats are much cheaper
    to check and validate. Anything else stays a Decimal, so "0.125" is still refused as
    written.
    """
    point = literal.find(".")
    if len(literal) < 15 and (point < 0 or len(literal) - point <= 3) and "e" not in literal and "E" not in literal:
        return float(literal)
    return Decimal(literal)


class _Literals(dict):
    """_float_or_decimal of each literal, remembered: the same few (0.25, 0.75, 1) come back
    thousands of times. The decoder's float_hook is this dict's own ``__getitem__``: a call
    msgspec makes in C for a literal seen before (an lru_cache cost 0.05 CPU-s more over a
    national folder's 300,000 numbers). At most LIMIT literals are kept."""

    LIMIT = 4096

    def __missing__(self, literal: str):
        if len(self) >= self.LIMIT:
            self.clear()
        value = self[literal] = _float_or_decimal(literal)
        return value


@dataclass(frozen=True)
class CheckedSubmission:
    """One submission file read and checked (schema, then meaning).

    ``file.data`` is the document without its leaf entries (the header the rest of loading
    reads), and ``file.source`` is dropped: the entries live on as a row of the fact table
    built beside it, and in the file itself, read again (and its hash checked) when an
    explanation needs them.
    """

    file: ParsedFile
    issues: tuple[Issue, ...]  # schema and meaning problems (reading problems are in file.issues)
    valid: bool
    location: str  # the file's path, to read it again
    warnings: tuple[Issue, ...] = ()  # what does not stop scoring but may cost points (a document of no known type)
    entries: object = None  # when kept (keep_entries): the leaf entries as validated JSON, or the file's text
                            # in NFC to read them from (scoring.files.leaves_from_text); None: read the file again


# Above this many files, submissions are read and checked by forked worker processes, one
# group of files each at a time: reading, validating and laying out the facts of a file
# does not depend on any other file, and the fact table comes back as arrays.
PARALLEL_FROM = 200
GROUP = 100


def check_group(paths, criteria: CriteriaSet | None, base_dir: Path, keep_entries: bool = False, hashed: bool = True,
                evidence: EvidenceFiles | None = None, links: frozenset | None = None
                ) -> tuple[list[CheckedSubmission], FactTable | None]:
    """Read and check a group of submission files; the fact table of the valid ones, in order.

    The common path: parse and check the schema in one pass (the quick reader), check the
    header, lay out the facts of the whole group at once and check them on the arrays
    (scoring.facts.extract), and look for the evidence files named in the folders' listings.
    A file the quick reader cannot vouch for (refused, a duplicated key, anything marked on
    the arrays, an evidence file not plainly there) is read again and checked the thorough
    way (the JSON Schema, then scoring.validate.leaf_issues), which names every problem.
    Only the header of each document is kept (see CheckedSubmission), and with
    ``keep_entries`` the leaf entries of each valid one (the text the quick reader read).
    ``hashed=False``: the files the quick reader reads are not hashed (their sha256 left empty).
    ``evidence``: the EvidenceFiles of ``base_dir`` to look in, shared by the groups of one
    load (each folder listed once); a new one by default. ``links``: the names in ``base_dir``
    that are symbolic links, when listed already (links_in); by default each file is asked.
    """
    from . import validate

    results: list = [None] * len(paths)  # (parsed, issues) per file
    quick = []  # (position, _QuickRead, header issues) of files the quick reader read
    folder, base = display_path(base_dir), os.fspath(base_dir)
    # a file directly in the folder shows as the folder's name joined with its own (resolving
    # every path to show it relative to the working folder costs more than reading it); told
    # apart as strings, which costs a third of Path's parent and is_symlink
    linked = os.path.islink if links is None else (lambda path: os.path.basename(path) in links)
    shown = [os.path.join(folder, os.path.basename(path)) if (os.path.dirname(path) or ".") == base
             and not linked(path) else None for path in map(os.fspath, paths)]
    reader = submission_reader(leaf_codes(criteria))
    working = os.getcwd()  # each file's absolute path, to read it again (join keeps an absolute path as is)
    with collector_paused():
        for position, path in enumerate(paths):
            read = _read_quickly(path, shown[position] or display_path(path), reader, hashed) if criteria is not None else None
            if read is None:
                results[position] = _check_exactly(path, criteria, base_dir, shown[position])
            else:
                quick.append((position, read, validate.header_issues(read.parsed, criteria, read_quickly=True)))
        extraction = extract(criteria, [astuple(read.document.leaves) for _, read, _ in quick], reader.number_bounds) \
            if quick else None
        clean = extraction.clean.tolist() if quick else []
        warned: dict = {}  # quick row → its documents of no known type
        for row, code, index, number, doc_type in (extraction.unknown_types if quick else ()):
            warned.setdefault(row, []).append((code, index, number, doc_type))
        for row, documents in warned.items():
            if len({code for code, *_ in documents}) > 1:
                # warned on two leaves or more: their warnings go in the order of the file's
                # leaves, which the thorough way keeps (the quick reader's in the criteria set's)
                clean[row] = False
        if quick and extraction.files:
            (evidence or EvidenceFiles(base_dir)).mark_missing(extraction.files, clean)
        fast_rows = {}
        for row, (position, read, found) in enumerate(quick):
            if clean[row] and read.keys_all_kept(extraction.key_counts[row]):
                results[position] = (read.parsed, found)
                fast_rows[position] = row
            else:
                results[position] = _check_exactly(paths[position], criteria, base_dir, shown[position])

        checked, order, slow_reports = [], [], []
        for position, (parsed, found) in enumerate(results):
            valid = not parsed.issues and not found and criteria is not None
            data = parsed.data
            warnings = ()
            if valid:
                if position in fast_rows:
                    order.append(fast_rows[position])
                    warnings = tuple(unknown_type_warning(parsed.path, code, index, number, doc_type, criteria.leaf(code))
                                     for code, index, number, doc_type in warned.get(fast_rows[position], ()))
                else:  # valid after an exact reading: its facts are laid out below
                    order.append(len(quick) + len(slow_reports))
                    slow_reports.append(data["leaves"])
                    warnings = tuple(evidence_warnings(parsed, criteria))
            entries = None
            if valid and keep_entries:
                entries = quick[fast_rows[position]][1].raw if position in fast_rows else data["leaves"]
            if isinstance(data, dict) and "leaves" in data:
                data = {key: value for key, value in data.items() if key != "leaves"}
            if data is not parsed.data or parsed.source is not None:
                parsed = replace(parsed, data=data, source=None)
            checked.append(CheckedSubmission(parsed, tuple(found), valid, os.path.join(working, paths[position]), warnings,
                                             entries))
        facts = None
        if criteria is not None:
            blocks = [b for b in (extraction.facts if extraction else None,
                                  fact_block(criteria, slow_reports) if slow_reports else None) if b is not None]
            facts = concat_facts(criteria, blocks)
            if order != list(range(len(order))) or len(order) != facts.self_score.shape[0]:
                facts = FactTable(**{name: getattr(facts, name)[order] for name in FactTable.__dataclass_fields__})
        # let the parsed documents go while the collector still sleeps: it would otherwise
        # wake up to scan them all once before they are freed
        del results, quick, slow_reports, extraction
    return checked, facts


@lru_cache(maxsize=8)  # a reader per criteria set: a long-running web process sees a few a year
def submission_reader(codes: tuple = ()) -> QuickReader:
    """The submission schema as msgspec types (scoring.quick_schema), numbers read as the
    literals exact to the hundredth as floats, others as Decimal (see _float_or_decimal).

    With ``codes`` (a criteria set's leaf codes, leaf_codes), the leaf entries are read into
    a Struct with a field per code, in the set's order, instead of a dict (a national
    folder: decoded in 0.230 CPU-s instead of 0.258, and laid out by column without a look-up
    per entry, scoring.facts.extract); a file naming another code is refused, and the
    thorough way names it. The codes are valid keys: the criteria schema holds them to the
    submission schema's pattern (tests/test_quick_reader.py)."""
    from .validate import SCHEMAS

    schema = json.loads(SCHEMAS["submission"].read_text(encoding="utf-8"))
    reader = reader_for(schema, name="Submission", float_hook=_Literals().__getitem__,
                        keys={"leaves": codes} if codes else None)
    unchecked = set(reader.number_bounds) - set(CHECKED_NUMBERS)
    if unchecked:  # the quick decoder leaves numbers to extract, which checks only these
        raise Untranslatable(f"numbers that scoring.facts.extract does not check: {sorted(unchecked)}")
    return reader


def leaf_codes(criteria: CriteriaSet | None) -> tuple:
    """The criteria set's leaf codes in its order (the quick reader's fields, the fact table's columns)."""
    return tuple(leaf.code for leaf in criteria.leaves) if criteria is not None else ()


@dataclass
class _QuickRead:
    """A submission as the quick reader read it (see _read_quickly)."""

    parsed: ParsedFile    # the header (criteria set, year, commune, report) and the file's hash
    document: object      # the whole document as structs
    raw: bytes            # the file's text, for the duplicated-key check
    header_keys: int      # keys of the document outside its leaf entries
    colons: int | None = None  # the colons of ``raw``, when counted already

    def keys_all_kept(self, entry_keys: int) -> bool:
        """No key was dropped for appearing twice in an object (a reader keeps the last).

        Outside strings a colon only ever follows a key, so the raw text holds at least as
        many colons as keys: as many as the keys parsed proves it (nearly always: no colon
        inside a text). Otherwise the document written back, which holds each key parsed
        and each text kept, must hold as many colons as the raw text (a colon escaped as
        \\u003a would upset that count: such a file is read the thorough way).
        """
        colons = self.raw.count(b":") if self.colons is None else self.colons
        return colons == self.header_keys + entry_keys or same_colons(self.raw, self.document)


def _file_bytes(path) -> bytes:
    """A file's bytes read with the system's calls: Path.read_bytes builds a buffered file
    object first, which costs more than reading a 23 KB submission (0.2 against 0.07
    CPU-s for a national folder's 3,321 files). Read to the end, whatever the size said."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        data = os.read(descriptor, os.fstat(descriptor).st_size + 1)
        while True:
            more = os.read(descriptor, 1 << 20)
            if not more:
                return data
            data += more
    finally:
        os.close(descriptor)


def _read_quickly(path: Path, shown: str, reader: QuickReader, hashed: bool = True) -> _QuickRead | None:
    """A submission the quick reader accepts whole (its leaf entries as structs), or None:
    the file then goes the thorough way, which says what is wrong."""
    try:
        raw = _file_bytes(path)
    except OSError:
        return None
    text = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    scanned = _scan(text, reader)
    if scanned is None:  # the byte tests one by one
        text = nfc_json(text)
        if b"\\u" in text:  # a string written with escapes may not be NFC once read: the thorough way normalises it
            return None
        if may_hold_legacy(text):  # a string may be typed in TCVN3/VNI: the thorough way names it
            return None
        checked, colons = reader.needs_checked(text), None
    else:
        checked, colons = scanned
    try:
        document = (reader.checked if checked else reader.quick).decode(text)
    except (msgspec.DecodeError, ValueError, ArithmeticError, RecursionError):  # ValidationError is a DecodeError
        return None
    header = {"criteria_id": document.criteria_id, "year": document.year,
              "commune": msgspec.to_builtins(document.commune)}
    # the document's own keys ("$schema" among them when given), the commune's and the report's
    header_keys = len(document.__struct_fields__) - astuple(document).count(UNSET) + len(header["commune"])
    if document.report is not UNSET:
        header["report"] = msgspec.to_builtins(document.report)
        header_keys += len(header["report"])
    digest = hashlib.sha256(raw).hexdigest() if hashed else ""
    return _QuickRead(ParsedFile(shown, header, digest, ()), document, text, header_keys, colons)


# what a (byte, next byte) pair of a submission's text asks of _scan
_LOOK_CLOSER, _ESCAPE, _ESCAPE_U, _THIRD = 1, 2, 4, 8
_E2_80 = 0xE2 << 8 | 0x80  # the row of en dashes, quotes, ellipses: the third byte decides


def _scan_table(reader: QuickReader) -> tuple[np.ndarray, np.ndarray, bytes]:
    """Per (byte, next byte) of a text, indexed by byte × 256 + next byte: _LOOK_CLOSER after
    the pairs after which one of the byte tests of _read_quickly may answer otherwise than
    for plain text (nfc_json, may_hold_legacy, the excluded characters of needs_checked);
    _THIRD for E2 80, and per third byte whether it is such a one; _ESCAPE after a backslash
    followed by anything but a quote, a backslash or a slash (the escapes _OTHER_ESCAPE
    finds), _ESCAPE_U for \\u. And the single bytes needs_checked looks for."""
    cached = reader.__dict__.get("_scan_table")
    if cached is None:
        singles, excluded = reader.excluded_bytes()
        table = np.zeros(1 << 16, dtype=np.uint8)
        thirds = np.zeros(256, dtype=bool)
        thirds[list(nfc_thirds_after_e2_80())] = True
        for encoded in excluded:
            if encoded[:2] == b"\xe2\x80":
                thirds[encoded[2]] = True
            else:
                table[encoded[0] << 8 | encoded[1]] = _LOOK_CLOSER
        for lead, second in nfc_pairs() | legacy_pairs():
            table[lead << 8 | second] = _LOOK_CLOSER
        table[_E2_80] = _THIRD
        for second in set(range(256)) - set(b'"\\/'):
            table[0x5C << 8 | second] = _ESCAPE
        table[0x5C << 8 | ord("u")] = _ESCAPE_U
        cached = (table, thirds, singles)
        object.__setattr__(reader, "_scan_table", cached)  # a cache, not state: the reader is frozen
    return cached


def _scan(text: bytes, reader: QuickReader) -> tuple[bool, int] | None:
    """The byte tests of _read_quickly in one pass, for the text nearly every file holds:
    (whether the checked decoder must run, the colons of the text), or None when some byte
    needs the tests one by one (they then decide, with their own answers).

    Every character from U+0080 up begins with a byte from C2 up, and the byte after it
    (after E2 80, the third) tells whether NFC may touch it, whether it is a Latin-1
    character of legacy text, whether it is excluded; a backslash and the byte after it,
    what escape it is. None when the text holds a pair or a third byte to look closer at
    (_scan_table), an escape \\u, ends on a byte from C2 up or holds one of the excluded
    single bytes. Otherwise the text is NFC, holds no legacy text and no excluded
    character, and the checked decoder is needed only for an escape its property does not
    let through (needs_checked's answer, from the same escapes). Numpy over the whole
    text: a few passes in C where the tests one by one made seven (tests/test_quick_reader.py
    checks both give the same answers).
    """
    if len(text) < 2:
        return None
    table, thirds, singles = _scan_table(reader)
    codes = np.frombuffer(text, dtype=np.uint8)
    head = codes[:-1]
    at = ((head >= 0xC2) | (head == 0x5C)).nonzero()[0]
    pairs = codes[at].astype(np.intp)  # numpy's index type: no conversion when the table is indexed
    pairs <<= 8
    pairs |= codes[1:][at]
    flags = table.take(pairs)
    if codes[-1] >= 0xC2 or any(byte in text for byte in singles):
        return None
    checked = False
    found = int(np.bitwise_or.reduce(flags))  # 0 when empty; nearly every file has some (its \n escapes)
    if found:
        if found & (_LOOK_CLOSER | _ESCAPE_U):
            return None
        if found & _THIRD:
            third = at[flags == _THIRD] + 2
            if third[-1] >= codes.size or thirds[codes[third]].any():
                return None
        if found & _ESCAPE:
            checked = reader.escapes_need_checked(text, at[flags == _ESCAPE].tolist())
    return checked, int(np.count_nonzero(codes == 0x3A))


class EvidenceFiles:
    """A quick yes for the evidence files submissions name: each folder is listed once.

    A reference is plainly there when it is a relative path without ".", ".." or empty
    parts, every folder on its way is a real folder (not a symbolic link) inside the
    submissions folder, and the last one holds a regular file of that name. Anything else
    gets no quick yes and goes to the full check (scoring.validate), which judges it and
    names the problem. Only the folders on the way are listed: a folder is known real from
    its parent's listing (one listing of "evidence" for a national folder's 3,319 commune
    folders, where a look at each cost a system call), and the files of the last one from
    its own.
    """

    def __init__(self, base_dir: Path):
        self._base = os.path.join(base_dir, "")  # with its separator at the end: the folders are added to it
        self._listings: dict[str, frozenset] = {}  # folder → the regular files in it
        self._folders: dict[str, frozenset] = {}   # real folder → its subfolders that are real folders (no links)

    def plainly_there(self, reference: str) -> bool:
        clean = [True]
        self.mark_missing([(0, reference)], clean)
        return clean[0]

    def mark_missing(self, files, clean: list) -> None:
        """``clean[row] = False`` for each (row, reference) of ``files`` not plainly there (in
        one loop: a national folder names 28,000 files)."""
        listings, slashes = self._listings, ("/", "\\")
        for row, reference in files:
            if not clean[row]:
                continue
            if reference[:1] in slashes or reference[1:2] == ":" or "\x00" in reference:
                clean[row] = False  # absolute, or a drive: the full check refuses it
                continue
            folder, _, name = reference.rpartition("/")
            listing = listings.get(folder)
            if listing is None:
                listing = listings[folder] = self._listing(folder) if self._real_folder(folder) else frozenset()
            if name not in listing:
                clean[row] = False

    def _real_folder(self, folder: str) -> bool:
        """A real folder (not a link), reached from the submissions folder through real folders."""
        if not folder:
            return True
        parent, _, name = folder.rpartition("/")
        if name in ("", ".", ".."):
            return False
        return self._real_folder(parent) and name in self._subfolders(parent)

    def _subfolders(self, folder: str) -> frozenset:
        known = self._folders.get(folder)
        if known is None:
            try:
                with os.scandir(self._base + folder) as found:
                    # from the listing itself (a link is not a folder: follow_symlinks=False)
                    known = frozenset(entry.name for entry in found if entry.is_dir(follow_symlinks=False))
            except OSError:
                known = frozenset()
            self._folders[folder] = known
        return known

    def _listing(self, folder: str) -> frozenset:
        """The regular files in a real folder (none when it cannot be read, or entered)."""
        path = self._base + folder
        try:
            with os.scandir(path) as found:
                names = [entry.name for entry in found if entry.is_file(follow_symlinks=False)]
            if names:  # a folder that may be listed but not entered (no x): its files cannot be checked
                os.stat(path + os.sep + names[0], follow_symlinks=False)
        except OSError:
            return frozenset()
        # the names as they are on disk: a reference (NFC, as the submissions' text is read)
        # gets a quick yes only when it is one of them byte for byte. A name written otherwise
        # (NFD from a Mac's archive) goes the thorough way, which judges what else the folder
        # holds under the same NFC name (a folder, a link leading outside, a second spelling)
        return frozenset(names)


def links_in(folder) -> frozenset | None:
    """The names in ``folder`` that are symbolic links, from one listing (None when it cannot
    be listed): how check_group tells a submission shown by its folder and name from one shown
    by its real path, where asking each file cost a system call (3,321 in a national folder)."""
    try:
        with os.scandir(folder) as entries:
            return frozenset(entry.name for entry in entries if entry.is_symlink())
    except OSError:
        return None


def _check_exactly(path, criteria, base_dir, shown=None):
    """A submission read and checked the thorough way: (parsed file, schema and meaning issues)."""
    from . import validate

    parsed = read_document(path, shown)
    return parsed, (validate.check_submission(parsed, criteria, base_dir) if parsed.data is not None else [])


@dataclass(frozen=True)
class _Load:
    """What every group of one load is checked with (check_group's other arguments). Given to
    each call, never kept in module state: two loads at once in one process (a threaded web
    server scoring two rounds) must not see each other's folder or listings."""

    criteria: CriteriaSet | None
    base_dir: Path
    keep_entries: bool
    hashed: bool
    evidence: EvidenceFiles  # one for the whole load: each folder listed once (a forked worker fills its own copy)
    links: frozenset | None


def _check_shared_group(paths, load: _Load):
    """A group checked in a worker: its fact table narrowed to be sent back (see _narrowed)."""
    checked, facts = _check_group_here(paths, load)
    return checked, _narrowed(facts)


def _check_group_here(paths, load: _Load):
    return check_group(paths, load.criteria, load.base_dir, load.keep_entries, load.hashed, load.evidence, load.links)


def _narrowed(facts: FactTable | None) -> FactTable | None:
    """The fact table in the narrowest integer types that hold its values, to send it from a
    worker: most columns are small counts or zeros, and a smaller message is taken in sooner."""
    if facts is None:
        return None
    arrays = {}
    for name in FactTable.__dataclass_fields__:
        array = getattr(facts, name)
        if array.dtype == np.int64 and array.size:
            low, high = int(array.min()), int(array.max())
            narrow = next(t for t in (np.int8, np.int16, np.int32, np.int64) if np.iinfo(t).min <= low and high <= np.iinfo(t).max)
            array = array.astype(narrow)
        arrays[name] = array
    return FactTable(**arrays)


def _widened(facts: FactTable) -> FactTable:
    """A fact table received from a worker, back in the engine's int64 (see _narrowed)."""
    return FactTable(**{name: array.astype(np.int64) if array.dtype != bool and array.dtype != np.int64 else array
                        for name, array in ((name, getattr(facts, name)) for name in FactTable.__dataclass_fields__)})


def check_submission_files(paths, criteria: CriteriaSet | None, base_dir: Path, *, progress=None, keep_entries=False,
                           workers: int | None = None, meanwhile=None, hashed: bool = True,
                           fact_columns: tuple | None = None) -> tuple[list[CheckedSubmission], FactTable | dict | None]:
    """Every submission file read and checked, in order, and the fact table of the valid ones.

    ``workers`` forked processes share the files (default: one per core, up to 4, from
    PARALLEL_FROM files on; 1 reads them all here). The result is the same either way.
    ``meanwhile()`` is called once the workers are started (or first, without workers).
    ``hashed=False``: see check_group. ``fact_columns``: only these columns of the fact
    table are kept, as a dict name → array (see scoring.facts.FactRows); None: all of them,
    as a FactTable.
    """
    groups = [paths[start:start + GROUP] for start in range(0, len(paths), GROUP)]
    if workers is None:
        workers = worker_count(len(groups)) if len(paths) >= PARALLEL_FROM else 1
    checked: list[CheckedSubmission] = []
    rows = FactRows(criteria, len(paths), fact_columns) if criteria is not None else None  # at most a row per file
    load = _Load(criteria, base_dir, keep_entries, hashed, EvidenceFiles(base_dir),
                 links_in(base_dir) if len(paths) > GROUP else None)
    submission_reader(leaf_codes(criteria))  # built once here: forked workers inherit it
    check = partial(_check_shared_group if workers > 1 else _check_group_here, load=load)
    for group_checked, block in ordered_map(check, groups, workers, meanwhile=meanwhile):
        checked.extend(group_checked)
        if block is not None:
            rows.add(_widened(block))
        if progress is not None:
            progress(len(checked), len(paths))
    if rows is None:
        return checked, None
    return checked, rows.table() if fact_columns is None else rows.columns()

