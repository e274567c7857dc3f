"""What may be read as an input file: a regular file of a sane size, checked before opening.

A path a person names (``--criteria``, ``--appraisal``, ``--survey``, ``--details``,
``--template``, a form to ``check`` or ``import``) may be a FIFO (opening it for reading
waits forever for a writer), a link to ``/dev/zero`` (read until memory runs out), a device,
a folder, or simply far too large. Each is refused at once, naming the path, from ``stat``
alone: nothing is opened. Entries of the submissions folder that look like submissions but
are not regular files are reported as warnings (``folder_warnings``).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import Issue, message
from .vietnamese import format_count

# far above any real input (a national appraisal.json of 3,321 communes × 100 leaves is
# ~50 MB, a national appraisal form ~30 MB), far below what would exhaust the machine
MAX_INPUT_BYTES = 512 * 1024 * 1024

_KINDS = ((stat.S_ISFIFO, "một ống dẫn có tên (FIFO)"), (stat.S_ISCHR, "một thiết bị ký tự (như /dev/zero)"),
          (stat.S_ISBLK, "một thiết bị khối"), (stat.S_ISSOCK, "một socket"), (stat.S_ISDIR, "một thư mục"))


def _kind(mode: int) -> str:
    return next((said for test, said in _KINDS if test(mode)), "không phải tệp thông thường")


def _size(count: int) -> str:
    return f"{count / (1024 * 1024):,.0f} MB".replace(",", ".")


def input_file_issue(path, shown: str, *, limit: int = MAX_INPUT_BYTES) -> Issue | None:
    """The problem with reading ``path`` as an input file, from ``stat`` only (links
    followed), or None: ``file-not-regular`` for a FIFO, device, socket or folder,
    ``file-too-large`` beyond ``limit`` bytes. A path that does not exist or cannot be
    examined gives None: the reader then says why (file-missing, file-unreadable)."""
    try:
        status = os.stat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(status.st_mode):
        return Issue(shown, "", "file-not-regular", message("file-not-regular", kind=_kind(status.st_mode)))
    if status.st_size > limit:
        return Issue(shown, "", "file-too-large", message("file-too-large", size=_size(status.st_size), limit=_size(limit)))
    return None


def default_entry(path) -> bool:
    """Whether ``path`` (a file read by default when present: appraisal.json, survey.json,
    registry.json beside the submissions folder) is there to be read: a regular file, and also
    anything else by that name that is not a folder (a FIFO, a link to a device, a dangling
    link), so that its reader refuses it, naming it, instead of the run silently going on as if
    there were none (scored without the appraisal)."""
    return os.path.lexists(path) and not os.path.isdir(path)


def _plainly_a_file(entry: os.DirEntry) -> bool:
    """A regular file and not a symbolic link, as the folder's listing says (no system call
    on Linux): a national folder's 3,321 submissions need no os.stat each."""
    try:
        return entry.is_file(follow_symlinks=False)
    except OSError:
        return False


def folder_warnings(folder: Path, shown: str, suffix: str = ".json", *, appraisal: bool = False) -> list[Issue]:
    """Entries of ``folder`` named like inputs (``*.json`` in any case) that are not regular
    files (or links to one): a FIFO, a link to a device, a folder named ``x.json``, a
    dangling link. They are left out of the run, and said so (code ``entry-skipped``;
    ``appraisal`` for a folder of appraisal files)."""
    found = []
    try:
        with os.scandir(folder) as entries:  # a regular file that is no link needs no closer look (the listing says so)
            named = sorted((entry.name, entry.path) for entry in entries
                           if entry.name.lower().endswith(suffix) and not _plainly_a_file(entry))
    except OSError:
        return []
    for name, full in named:
        try:
            mode = os.stat(full).st_mode
        except OSError as error:
            found.append(Issue(os.path.join(shown, name), "", "entry-skipped",
                               message("entry-skipped", "unopened", name=name, reason=error.strerror or error)))
            continue
        if not stat.S_ISREG(mode):
            said = message("entry-skipped", "appraisal", name=name, kind=_kind(mode)) if appraisal else \
                message("entry-skipped", name=name, kind=_kind(mode))
            found.append(Issue(os.path.join(shown, name), "", "entry-skipped", said))
    return found


# Limits on what a package (xlsx form, docx template) may expand to, checked on the zip's own
# directory before any part is read (a 1-3 MB file can declare gigabytes: one huge shared
# string, gigabytes of blank cells). Real files are far below: the bundled example's
# self-assessment form expands to ~0.5 MB, a province's appraisal form (170 communes × 100
# leaves) to ~40 MB, the decision template to ~0.1 MB.
ZIP_MAX_ENTRIES = 10_000
ZIP_MAX_PART = 256 * 1024 * 1024         # bytes, one part (a sheet, the shared strings)
ZIP_MAX_TOTAL = 512 * 1024 * 1024        # bytes, every part together
ZIP_MAX_RATIO = 200                      # expanded ÷ compressed, for parts above ZIP_RATIO_FROM
ZIP_RATIO_FROM = 4 * 1024 * 1024
SHEET_MAX_COLUMNS = 1_000                # our forms use ~20; Excel allows 16,384
SHEET_MAX_CELLS = 30_000_000


def zip_bomb_message(path) -> str | None:
    """Why the zip package at ``path`` declares more than a form or template can hold
    (Vietnamese), or None (also when it is not a zip: its reader says so). Only the zip's
    central directory is read: no part is expanded (and zipfile never expands a part beyond
    the size it declares)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as package:
            parts = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    if len(parts) > ZIP_MAX_ENTRIES:
        return f"tệp nén có {format_count(len(parts))} phần (tối đa {format_count(ZIP_MAX_ENTRIES)})"
    total = 0
    for part in parts:
        total += part.file_size
        if part.file_size > ZIP_MAX_PART:
            return f"phần '{part.filename[:80]}' giải nén ra {_size(part.file_size)} (tối đa {_size(ZIP_MAX_PART)})"
        if part.file_size > ZIP_RATIO_FROM and part.file_size > ZIP_MAX_RATIO * max(part.compress_size, 1):
            ratio = part.file_size // max(part.compress_size, 1)
            return (f"phần '{part.filename[:80]}' nén {ratio:,} lần".replace(",", ".")  # 1.028: thousands
                    + f" (giải nén ra {_size(part.file_size)}, tối đa {ZIP_MAX_RATIO} lần)")
    if total > ZIP_MAX_TOTAL:
        return f"giải nén ra {_size(total)} (tối đa {_size(ZIP_MAX_TOTAL)})"
    return _sheet_rows_message(path, parts)


EXCEL_MAX_ROWS = 1_048_576


def _sheet_rows_message(path, parts) -> str | None:
    """Why a worksheet of the package declares more rows than Excel can hold (a few MB of
    ``<row r="…"/>`` elements, blank, that would take minutes to walk through), or None. Each
    worksheet part is read as a stream (at most ZIP_MAX_PART bytes, already checked) and its
    row elements counted: nothing is kept."""
    import re
    import zipfile

    numbered = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')
    try:
        with zipfile.ZipFile(path) as package:
            for part in parts:
                if not (part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml")):
                    continue
                rows, highest, carry = 0, 0, b""
                with package.open(part) as stream:
                    while chunk := stream.read(1 << 20):
                        text = carry + chunk
                        cut = max(text.rfind(b"<"), len(text) - 256)  # an element cut by the chunk is read next time
                        done, carry = text[:cut], text[cut:]
                        rows += len(re.findall(rb"<(?:\w+:)?row[\s/>]", done))
                        found = numbered.findall(done)
                        if found:
                            highest = max(highest, max(map(int, found)))
                        if rows > EXCEL_MAX_ROWS or highest > EXCEL_MAX_ROWS:
                            limit = f"{EXCEL_MAX_ROWS:,}".replace(",", ".")  # 1.048.576: thousands only
                            return f"trang tính '{part.filename[:80]}' có hơn {limit} dòng, nhiều hơn Excel cho phép"
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
        return None  # its reader says what is wrong with it
    return None
