"""One way to write an output: to a temporary file beside it, then rename.

A reader never sees a half-written file, and a run that fails midway leaves the previous
output as it was. Existing outputs are replaced only when the caller says so (--force).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable


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
            raise OutputNotWritable(parent, "không có quyền ghi")


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
            except OSError as exc:
                raise OutputNotWritable(path.parent, exc.strerror or str(exc)) from exc
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
                os.replace(tmp_path, path)
            except OSError as exc:
                raise OutputNotWritable(path, exc.strerror or str(exc)) from exc
    except BaseException:
        for running in pending:
            running.cancel()
        for tmp_path, _ in staged:
            tmp_path.unlink(missing_ok=True)
        raise
    return [path for _, path in staged]
