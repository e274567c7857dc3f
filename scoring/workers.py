"""Running independent pieces of a national run side by side, and the collector's pauses.

Reading 3,321 submissions or writing their 330,000 leaf explanations is the same work done
on independent pieces; on a machine with several cores forked worker processes share it.
They inherit what the parent holds (the criteria set, the run's arrays) and send back only
their results, in order. Where fork is not available (Windows) one process does it all,
with the same result.

A child never outlives the run, and a child's death never leaves the run waiting:

- a worker killed by the system (the out-of-memory killer sends SIGKILL to the largest
  process) breaks the pool: ``concurrent.futures`` then fails every pending piece at once
  (``BrokenProcessPool``, where ``multiprocessing.Pool`` silently replaces the worker and
  waits forever for its piece); it is raised here as ChildDied;
- every child asks the kernel to kill it when its parent dies (Linux
  ``prctl(PR_SET_PDEATHSIG, SIGKILL)``), so a parent killed outright (SIGKILL) leaves no
  worker or workbook process behind; a parent that stops on a signal it can handle
  (Ctrl-C, SIGTERM) kills its children on the way out (``end_children``).
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

from .runtime import signals_held

_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_children: set = set()  # live child processes of this run (multiprocessing.Process objects)


class ChildDied(Exception):
    """A worker or the workbook process ended without finishing its work (killed by a
    signal, most often SIGKILL from the out-of-memory killer). Its work is lost; the run
    stops and no output is replaced."""

    def __init__(self, what: str, exitcode: int | None = None):
        self.what, self.exitcode = what, exitcode
        how = ""
        if exitcode is not None and exitcode < 0:
            try:
                how = f" bởi tín hiệu {signal.Signals(-exitcode).name}"
            except ValueError:
                how = f" bởi tín hiệu {-exitcode}"
            if exitcode == -signal.SIGKILL:
                how += " (thường do hệ thống hết bộ nhớ)"
        elif exitcode is not None:
            how = f" (mã {exitcode})"
        super().__init__(f"tiến trình {what} bị dừng đột ngột{how}")

    def __reduce__(self):
        return (ChildDied, (self.what, self.exitcode))


def _libc():
    """The C library's functions, looked up once in the parent (children inherit it: no
    lookup, no subprocess in a forked child). None where there is none to ask."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True)  # the process's own symbols: libc's prctl among them
    except OSError:
        return None


_LIBC = _libc()


def _die_with_parent(parent: int) -> None:
    """In a child: ask the kernel for SIGKILL when the parent dies (Linux); if it already
    died before the request was made, end now."""
    if _LIBC is not None:
        try:
            _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: end_children still covers clean exits
            pass
    if os.getppid() != parent:
        os._exit(1)


def child_started(parent: int) -> None:
    """What every child of a run does first: die with its parent, leave Ctrl-C and SIGTERM
    to it (Ctrl-C reaches every process of the terminal's group; the parent stops the
    children and reports the interruption once), and drop the parent's signal handlers."""
    _children.clear()  # the parent's children are not this one's
    if hasattr(signal, "pthread_sigmask"):  # forked while the parent held its stop signals (_forking)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM)})
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
    _die_with_parent(parent)


def end_children() -> None:
    """Kill every child process this run started that is still alive, and reap it."""
    for process in list(_children):
        try:
            if process.is_alive():
                process.kill()
            process.join(timeout=5)
        except (OSError, ValueError, AssertionError):  # already reaped or closed
            pass
        _children.discard(process)


def worker_count(pieces: int, *, limit: int = 4) -> int:
    """Workers worth starting for ``pieces`` pieces of work: one per core, at most ``limit``."""
    return max(1, min(os.cpu_count() or 1, limit, pieces))


def ordered_map(function, items, workers: int, *, meanwhile=None):
    """``map(function, items)`` in ``workers`` forked processes, results in the items' order.

    ``function`` must be a module-level function; what it needs beyond its argument it
    reads from module state set before the call (the workers inherit it by fork).
    ``meanwhile()``, when given, runs here once the workers have their work (first, when
    there are none), so this process is not idle while they work.

    Raises ChildDied when a worker dies (killed) before all pieces are done; every other
    worker is then stopped. An exception raised by ``function`` in a worker is raised here.
    """
    items = list(items)
    if workers < 2 or len(items) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        if meanwhile is not None:
            meanwhile()
        yield from map(function, items)
        return
    executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=child_started, initargs=(os.getpid(),))
    processes = []
    finished = False
    try:
        try:
            # each result let go once yielded (a national results.json comes back as 200 MB of text)
            futures = deque()
            for item in items:  # a worker may die while the pieces are still being handed out
                if processes:
                    futures.append(executor.submit(function, item))
                    continue
                with signals_held():  # the first submit forks the workers: see in_background
                    futures.append(executor.submit(function, item))
                if not processes:
                    processes = list((getattr(executor, "_processes", None) or {}).values())
                    _children.update(processes)
            if meanwhile is not None:
                meanwhile()
            while futures:
                result = futures.popleft().result()
                yield result
        except BrokenProcessPool:
            processes = processes or list((getattr(executor, "_processes", None) or {}).values())
            # the pool's own thread reaps the workers too: a join here racing its waitpid can
            # see no exit code (ECHILD) for the worker that died; once that thread is done
            # (shutdown waits for it) every code is known
            executor.shutdown(wait=True, cancel_futures=True)
            for process in processes:  # the pool stops the others (SIGTERM): the first death is the cause
                process.join(timeout=5)
            codes = [p.exitcode for p in processes if p.exitcode not in (None, 0)]
            cause = [code for code in codes if code != -signal.SIGTERM] or codes
            raise ChildDied("đọc/ghi song song", cause[0] if cause else None) from None
        finished = True
    finally:
        if not finished:  # failed, interrupted or abandoned: the workers' work is not wanted
            for process in processes:
                if process.is_alive():
                    process.kill()
        executor.shutdown(wait=True, cancel_futures=True)
        _children.difference_update(processes)


@contextmanager
def collector_paused():
    """No cyclic garbage collection inside the block.

    Parsed JSON, leaf entries and their explanations hold no reference cycles, and a
    national run makes millions of them: the collector would scan the growing heap again
    and again (measured: loading 3,321 submissions took 3× the parse) and find nothing.
    Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Background:
    """``function(*args)`` running in a forked process (see in_background)."""

    def __init__(self, process, reader, what: str):
        self._process, self._reader, self._what = process, reader, what

    def wait(self) -> None:
        """Block until the work is done; raise its failure here, as the parent's own."""
        try:
            outcome = self._reader.recv()
        except EOFError:  # the process ended without a word: killed, or out of memory
            self._process.join()
            outcome = ChildDied(self._what, self._process.exitcode)
        except BaseException:
            self.cancel()
            raise
        self._process.join()
        self._reader.close()
        _children.discard(self._process)
        if outcome is not None:
            raise outcome

    def cancel(self) -> None:
        """Stop the work (another output failed, or Ctrl-C): nothing of it is kept."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._reader.close()
        _children.discard(self._process)


def in_background(what: str, function, *args) -> Background | None:
    """Start ``function(*args)`` in a forked process and return at once; None when this
    machine cannot fork or has a single core (the caller then does the work itself).

    The process inherits everything the parent holds; only its outcome comes back (None,
    or the exception it raised, re-raised by ``wait``).
    """
    if (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    parent = os.getpid()

    def run():
        child_started(parent)
        reader.close()
        try:
            function(*args)
            outcome = None
        except BaseException as exc:  # sent back whole when it can be, else as its message
            outcome = exc
        try:
            writer.send(outcome)
        except Exception:
            writer.send(RuntimeError(f"{type(outcome).__name__}: {outcome}"))
        writer.close()

    process = context.Process(target=run, name=f"cchc-{what}", daemon=False)
    # Ctrl-C or SIGTERM during the fork would be raised inside the fork's own callbacks
    # (logging's lock release), where Python ignores exceptions: the stop was lost and the run
    # went on. Held back, it is raised just after, here.
    with signals_held():
        process.start()
        _children.add(process)
    writer.close()
    return Background(process, reader, what)
