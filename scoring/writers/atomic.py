"""One way to write an output: to a temporary file beside it, then rename.

A reader never sees a half-written file, and a run that fails midway leaves the previous
output as it was. Existing outputs are replaced only when the caller says so (--force).
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

from .. import runtime


class OutputExists(Exception):
    """The output file already exists and replacing it was not allowed."""

    def __init__(self, path: Path):
        super().__init__(str(path))
        self.path = path


class OutputNotWritable(Exception):
    """The output folder cannot be created or written."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def check_writable(paths, *, force: bool) -> None:
    """Refuse before any work is done: an existing output without force, or a folder we cannot use."""
    for path in map(Path, paths):
        if path.is_dir():
            raise OutputNotWritable(path, "là một thư mục, không phải tệp")
        if path.exists() and not force:
            raise OutputExists(path)
        parent = path.parent
        if parent.exists() and not parent.is_dir():
            raise OutputNotWritable(parent, "không phải là thư mục")
        if parent.exists() and not os.access(parent, os.W_OK):
            raise OutputNotWritable(parent, "ổ đĩa chỉ cho đọc" if _read_only(parent) else "không có quyền ghi")


def _read_only(folder: Path) -> bool:
    """Whether ``folder`` is on a file system mounted read-only (said so, rather than "no
    permission", which would send the person after the wrong problem)."""
    try:
        return bool(os.statvfs(folder).f_flag & getattr(os, "ST_RDONLY", 1))
    except (OSError, AttributeError):
        return False


def write_atomic(path, produce: Callable[[Path], None], *, force: bool) -> Path:
    """Write ``path`` by calling ``produce(tmp_path)`` then renaming tmp_path over path.

    The temporary file lives in the same folder (so the rename is atomic) and is removed if
    produce fails. Without force an existing path is never replaced.
    """
    return write_all_atomic([(path, produce)], force=force)[0]


def write_bytes_atomic(path, data: bytes, *, force: bool) -> Path:
    """write_atomic for content already in memory."""
    return write_atomic(path, lambda tmp: tmp.write_bytes(data), force=force)


def remove_stale_temporaries(path: Path) -> None:
    """Delete temporary files that a killed earlier run left beside ``path`` (.name.*.tmp)."""
    if path.parent.is_dir():
        for stale in path.parent.glob(f".{path.name}.*.tmp"):
            try:
                stale.unlink()
            except OSError:
                pass


def write_all_atomic(outputs, *, force: bool) -> list[Path]:
    """Write several outputs as one step: all are produced to temporary files first, and
    only when every one succeeded are they renamed into place.

    ``outputs`` is a list of (path, produce). A failure while producing leaves every
    previous output untouched and no temporary file behind.

    ``produce`` may hand its work to another process and return at once an object with
    ``wait()`` (block until done; raise its failure) and ``cancel()``: every such output
    is waited for once all are started, and cancelled if another one fails.
    """
    outputs = [(Path(path), produce) for path, produce in outputs]
    check_writable([path for path, _ in outputs], force=force)
    for path, _ in outputs:
        remove_stale_temporaries(path)
    staged: list[tuple[Path, Path]] = []
    pending = []  # outputs produced by another process, still running
    try:
        for path, produce in outputs:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                handle, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            except OSError as exc:  # no inode left is the disk full too (exit 2, said in Vietnamese)
                raise as_output_fault(exc, path.parent) or OutputNotWritable(path.parent, exc.strerror or str(exc)) from exc
            os.close(handle)
            tmp_path = Path(tmp_name)
            staged.append((tmp_path, path))
            running = produce(tmp_path)
            if hasattr(running, "wait") and hasattr(running, "cancel"):  # produced elsewhere, still running
                pending.append(running)
        while pending:
            pending[0].wait()
            pending.pop(0)
        for tmp_path, _ in staged:
            with open(tmp_path, "rb") as written:
                os.fsync(written.fileno())
            os.chmod(tmp_path, 0o644)
        for tmp_path, path in staged:
            try:
                with runtime.signals_held():
                    os.replace(tmp_path, path)
                    COMMITTED.append(path)
            except OSError as exc:
                raise OutputNotWritable(path, exc.strerror or str(exc)) from exc
    except BaseException as exc:
        for running in pending:
            running.cancel()
        written = sum(_file_size(tmp_path) for tmp_path, _ in staged)
        for tmp_path, _ in staged:
            tmp_path.unlink(missing_ok=True)
        if isinstance(exc, Exception) and not isinstance(exc, (OutputNotWritable, OutputExists, OutputFault)):
            # the disk full while a form, a decision, an import… is written: the machine's
            # problem (exit 2, naming the folder), not the program's
            fault = as_output_fault(exc, outputs[0][0].parent, written=written)
            if fault is not None:
                raise fault from exc
        raise
    return [path for _, path in staged]


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


# ---------------------------------------------------------------- environment faults

# errors of the machine, not of the program: the disk or quota full, a file too large for
# the file system or the process's limit, a read-only or failing device, no permission
ENVIRONMENT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS, errno.EACCES,
                      errno.EPERM, errno.ENOMEM, errno.EMFILE, errno.ENFILE, errno.ENXIO, errno.ENODEV}


class OutputFault(Exception):
    """The outputs could not be written because of the machine (disk full, I/O error…):
    ``folder`` is where, ``reason`` why (Vietnamese); the previous outputs are intact."""

    def __init__(self, folder: Path, reason: str, *, written: int | None = None, free: int | None = None):
        self.folder, self.reason, self.written, self.free = Path(folder), reason, written, free
        super().__init__(self.message())

    def message(self) -> str:
        parts = [f"Không ghi được kết quả vào thư mục {self.folder}: {self.reason}"]
        if self.written:
            parts.append(f"đã ghi được {human_size(self.written)} trước khi dừng")
        if self.free is not None:
            parts.append(f"ổ đĩa còn trống {human_size(self.free)}")
        return "; ".join(parts) + ". Các kết quả trước đó vẫn giữ nguyên; hãy khắc phục rồi chạy lại."


def human_size(count: int) -> str:
    """Bytes for a person: 12,3 MB (decimal comma, as the outputs write numbers)."""
    value = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            break
        value /= 1000
    text = f"{value:.0f}" if unit == "B" else f"{value:.1f}"
    return f"{text.replace('.', ',')} {unit}"


def environment_error(error: BaseException) -> OSError | None:
    """The OSError of the machine behind ``error`` (itself, its cause or context, or its first
    argument, as libraries such as xlsxwriter wrap it), or None when it is not one."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OSError) and error.errno in ENVIRONMENT_ERRNOS:
            return error
        wrapped = error.args[0] if error.args and isinstance(error.args[0], BaseException) else None
        error = wrapped or error.__cause__ or error.__context__
    return None


def _reason(error: OSError) -> str:
    reasons = {errno.ENOSPC: "ổ đĩa đã đầy", errno.EDQUOT: "đã hết hạn mức dung lượng (quota)",
               errno.EFBIG: "tệp vượt kích thước tối đa cho phép", errno.EIO: "lỗi đọc/ghi của thiết bị",
               errno.EROFS: "ổ đĩa chỉ cho đọc", errno.EACCES: "không có quyền ghi",
               errno.EPERM: "không được phép ghi", errno.ENOMEM: "hết bộ nhớ"}
    said = reasons.get(error.errno, "lỗi của hệ thống")
    return f"{said} ({error.strerror or error})" if error.strerror else said


def as_output_fault(error: BaseException, folder: Path, written: int | None = None) -> OutputFault | None:
    """``error`` as an OutputFault when the machine is to blame, else None."""
    found = environment_error(error)
    if found is None:
        return None
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        free = None
    return OutputFault(folder, _reason(found), written=written, free=free)


# ---------------------------------------------------------------- one run at a time

LOCK_TIMEOUT = 0  # seconds a second run waits for the first: none, it is refused at once


class OutputBusy(Exception):
    """Another run is writing into the same output folder."""

    def __init__(self, folder: Path, owner: str):
        self.folder, self.owner = Path(folder), owner
        super().__init__(f"{folder}: {owner}")


_held: dict[str, list] = {}  # folder → [lock, depth]: a process re-entering its own lock


@contextmanager
def output_lock(folder):
    """Hold the output folder's lock (``folder/.cchc/lock``, a ``filelock`` lock: flock on
    POSIX, released by the system when the process dies, even by SIGKILL) for the block.

    Raises OutputBusy at once when another process holds it, naming it (its pid and command,
    from ``.cchc/owner``, there while the lock is held). Re-entrant within one process.
    """
    folder = Path(folder)
    key = os.path.realpath(folder)
    if key in _held:
        _held[key][1] += 1
        try:
            yield
        finally:
            _held[key][1] -= 1
        return
    hidden = folder / HIDDEN
    try:
        hidden.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise as_output_fault(exc, folder) or OutputNotWritable(folder, exc.strerror or str(exc)) from exc
    import filelock  # here, not at the top: validate, check and explain lock nothing (10 ms of their start-up)

    lock = filelock.FileLock(hidden / "lock", timeout=LOCK_TIMEOUT)
    try:
        lock.acquire()
    except filelock.Timeout:
        try:
            owner = (hidden / "owner").read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            owner = ""
        raise OutputBusy(folder, owner) from None
    _held[key] = [lock, 1]
    try:
        try:
            (hidden / "owner").write_text(f"tiến trình {os.getpid()}", encoding="utf-8")
        except OSError:
            pass
        yield
    finally:
        del _held[key]
        try:
            (hidden / "owner").unlink()
        except OSError:
            pass
        lock.release()


# ---------------------------------------------------------------- the outputs as one set

HIDDEN = ".cchc"        # out/.cchc/: the output sets, the pointer to the current one, the lock
CURRENT = "current"     # out/.cchc/current → set-XXXX (a relative symbolic link)
SET_PREFIX = "set-"
COMMITTED: list[Path] = []  # outputs this process has put in place (what a message may claim)


def sets_supported() -> bool:
    """Symbolic links and atomic rename over them (POSIX)."""
    return os.name == "posix" and hasattr(os, "symlink")


def write_output_set(folder, outputs, *, force: bool, retire=()) -> list[Path]:
    """Write ``outputs`` (a list of (name, produce)) into ``folder`` so that they change as one
    set: a reader of ``folder`` sees every old file or every new one, never a mix, whatever
    instant the run dies.

    How: each output in ``folder`` is a relative symbolic link ``name → .cchc/current/name``;
    ``.cchc/current`` is itself a link to the folder of the current set (``.cchc/set-XXXX/``).
    A run writes its set into a fresh hidden folder, syncs it, then swaps the one link
    ``current`` with a single rename (atomic on POSIX): before it the old set is seen, after it
    the new one. Outputs that are still plain files (an earlier version, a copy, a file
    written by ``decision --force``) are first moved under the scheme without any visible
    change (hard links, else copies, of what is there now form the "old" set). Folders of
    sets that are not current (earlier sets, a killed run's half set) are removed by the next
    run. ``produce(tmp_path)`` is as for write_all_atomic. One run at a time (output_lock).
    ``retire``: names an earlier set may have had and this one has not (a national run's
    companion CSVs): their links, dangling once the new set is current, are removed after
    the swap (a plain file of that name, not ours, is left alone).

    Raises OutputExists (without force), OutputNotWritable, OutputBusy, OutputFault (disk
    full, I/O error: the previous set stays current), or what ``produce`` raised.
    """
    folder = Path(folder)
    paths = [folder / name for name, _ in outputs]
    if not sets_supported():
        return write_all_atomic(list(zip(paths, (produce for _, produce in outputs))), force=force)
    check_writable(paths, force=force)
    with output_lock(folder):
        check_writable(paths, force=force)  # what the previous holder of the lock wrote
        hidden = folder / HIDDEN
        names = [name for name, _ in outputs]
        current = _current_set(hidden)
        _remove_stale(folder, hidden, names, keep=current)
        try:
            staging = Path(tempfile.mkdtemp(prefix=SET_PREFIX, dir=hidden))
            os.chmod(staging, 0o755)  # readable by whoever may read the folder
        except OSError as exc:
            raise as_output_fault(exc, folder) or OutputNotWritable(folder, exc.strerror or str(exc)) from exc
        pending = []
        try:
            for name, produce in outputs:
                running = produce(staging / name)
                if hasattr(running, "wait") and hasattr(running, "cancel"):
                    pending.append(running)
            while pending:
                pending[0].wait()
                pending.pop(0)
            for name in names:
                _sync(staging / name)
                os.chmod(staging / name, 0o644)
            _sync(staging)
            _adopt(folder, hidden, names)  # plain files become links, nothing visible changes
            with runtime.signals_held():
                _point(hidden, staging.name)
                COMMITTED.extend(paths)
        except BaseException as exc:
            for running in pending:
                running.cancel()
            written = _size(staging)
            shutil.rmtree(staging, ignore_errors=True)
            if isinstance(exc, Exception):
                fault = as_output_fault(exc, folder, written=written)
                if fault is not None:
                    raise fault from exc
            raise
        _sync(hidden)
        for name in retire:
            if name not in names and _linked(folder, name) and not (folder / name).exists():
                (folder / name).unlink(missing_ok=True)
        _remove_stale(folder, hidden, names, keep=staging.name)
    return paths


def _size(folder: Path) -> int:
    try:
        return sum(entry.stat().st_size for entry in os.scandir(folder) if entry.is_file())
    except OSError:
        return 0


def _sync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _current_set(hidden: Path) -> str | None:
    """The name of the current set's folder, or None (no set yet, or ``current`` not a link
    into ``hidden``: a copy of an out/ folder, a hand edit)."""
    try:
        target = os.readlink(hidden / CURRENT)
    except OSError:
        return None
    return target if target.startswith(SET_PREFIX) and "/" not in target and (hidden / target).is_dir() else None


def _point(hidden: Path, set_name: str) -> None:
    """Make ``current`` point at ``set_name`` in one rename (the atomic step)."""
    link = hidden / f".{CURRENT}.{os.getpid()}.new"
    link.unlink(missing_ok=True)
    os.symlink(set_name, link)
    current = hidden / CURRENT
    if current.is_dir() and not current.is_symlink():  # a copied folder in the link's place
        os.rename(current, hidden / f"{SET_PREFIX}copied-{os.getpid()}")
    os.replace(link, current)


def _linked(folder: Path, name: str) -> bool:
    try:
        return os.readlink(folder / name) == f"{HIDDEN}/{CURRENT}/{name}"
    except OSError:
        return False


def _adopt(folder: Path, hidden: Path, names) -> None:
    """Turn every output name in ``folder`` into the link ``name → .cchc/current/name``
    without changing what a reader sees: when one is not such a link yet, the current set
    becomes a new folder holding exactly what is visible now (hard links, else copies), and
    only then are the names replaced by links, one by one, each showing the same content."""
    if all(_linked(folder, name) for name in names):
        return
    seen = Path(tempfile.mkdtemp(prefix=SET_PREFIX, dir=hidden))
    os.chmod(seen, 0o755)
    for name in names:
        visible = folder / name
        if not visible.is_file():  # absent (or a dangling link): absent in the old set too
            continue
        try:
            os.link(visible, seen / name)  # follows a link: the file a reader sees
        except OSError:
            shutil.copy2(visible, seen / name)
    _sync(seen)
    _point(hidden, seen.name)
    for name in names:
        if _linked(folder, name):
            continue
        link = folder / f".{name}.{os.getpid()}.link"
        link.unlink(missing_ok=True)
        os.symlink(f"{HIDDEN}/{CURRENT}/{name}", link)
        os.replace(link, folder / name)
    _sync(folder)


def _remove_stale(folder: Path, hidden: Path, names, keep: str | None) -> None:
    """Remove what earlier runs left: set folders other than ``keep``, half-made links, and
    the temporaries of the earlier one-file-at-a-time scheme (.name.*.tmp)."""
    for name in names:
        remove_stale_temporaries(folder / name)
        for stale in folder.glob(f".{name}.*.link"):
            stale.unlink(missing_ok=True)
    try:
        entries = list(os.scandir(hidden))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(SET_PREFIX) and entry.name != keep:
            shutil.rmtree(entry.path, ignore_errors=True)
        elif entry.name.startswith(f".{CURRENT}.") and entry.name.endswith(".new"):
            os.unlink(entry.path)
