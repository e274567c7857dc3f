"""The council's appraisal in several files: split by commune or area, merged for scoring.

A province appraises with teams (internal officers, an external council, each area by the
agency that owns it), so ``score --appraisal`` takes several files, or a folder of them.
Each file is checked on its own (scoring.validate.check_appraisal); across files, two
entries for the same commune, leaf and stage must agree: if their scores, reasons or
dates differ it is an error (appraisal-conflict) naming both files and entries. Entries
that agree are kept once. Who appraised each entry (the entry's ``appraiser``, else its
file's ``appraiser``, else the file's council) is kept on the entry and shown per leaf in
results.json (``appraised_by``).
"""

from __future__ import annotations

from pathlib import Path

from .errors import Issue, message
from .model import Appraisal


def appraisal_paths(spec) -> list[Path]:
    """The appraisal files: ``spec`` is None, a path, or a list of paths; a folder stands for
    every *.json directly in it (name order). A path that is neither is kept (its reading
    says file-missing)."""
    if spec is None:
        return []
    items = list(spec) if isinstance(spec, (list, tuple)) else [spec]
    paths: list[Path] = []
    for item in items:
        item = Path(item)
        if item.is_dir():
            # X.JSON too; entries so named that are not files are warned of (appraisal_folder_warnings)
            paths += sorted(p for p in item.iterdir() if p.suffix.lower() == ".json" and _is_file(p))
        else:
            paths.append(item)
    return list(dict.fromkeys(paths))


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a link loop
        return False


def appraisal_folder_warnings(spec) -> list:
    """``entry-skipped`` warnings for the entries of appraisal folders named ``*.json`` (any
    case) that are not regular files (a FIFO, a link to a device, a dangling link): left out,
    and said so."""
    from .files import display_path
    from .input_files import folder_warnings

    items = list(spec) if isinstance(spec, (list, tuple)) else [spec] if spec is not None else []
    return [issue for item in items if isinstance(item, (str, Path)) and Path(item).is_dir()
            for issue in folder_warnings(Path(item), display_path(Path(item)), appraisal=True)]


def _key(entry: dict):
    return entry.get("commune"), entry.get("leaf"), entry.get("stage")


def _same(a: dict, b: dict) -> bool:
    from .numbers import to_hundredths

    return (to_hundredths(a["score"]) == to_hundredths(b["score"]) and a.get("reason") == b.get("reason")
            and a.get("date") == b.get("date")
            and bool(a.get("explanation_requested")) == bool(b.get("explanation_requested")))


def conflict_issues(parsed_files) -> list[Issue]:
    """Entries for the same commune, leaf and stage in two files that disagree, each reported
    at the later entry, naming the earlier file and entry. ``parsed_files``: the appraisal
    ParsedFiles, each already valid on its own."""
    issues, first = [], {}
    for parsed in parsed_files:
        for index, entry in enumerate(parsed.data["entries"]):
            key = _key(entry)
            if key not in first:
                first[key] = (parsed, index)
                continue
            other, other_index = first[key]
            if other is parsed:
                continue  # within one file: duplicate-entry, reported by check_appraisal
            if not _same(entry, other.data["entries"][other_index]):
                issues.append(Issue(parsed.path, f"/entries/{index}", "appraisal-conflict",
                                    message("appraisal-conflict", commune=key[0], leaf=key[1], stage=key[2],
                                            other=f"{other.path}:/entries/{other_index}")))
    return issues


def merge(built: list[Appraisal]) -> Appraisal | None:
    """The appraisals of several files as one (entries that agree kept once, in file order);
    None without any. The council is the first file's."""
    if not built:
        return None
    if len(built) == 1:
        return built[0]
    seen, entries = set(), []
    for appraisal in built:
        for entry in appraisal.entries:
            key = (entry.commune, entry.leaf, entry.stage)
            if key not in seen:
                seen.add(key)
                entries.append(entry)
    return Appraisal(built[0].path, built[0].council, tuple(entries))
