"""Running independent pieces of a national run side by side, and the collector's pauses.

Reading 3,321 submissions or writing their 330,000 leaf explanations is the same work done
on independent pieces; on a machine with several cores forked worker processes share it.
They inherit what the parent holds (the criteria set, the run's arrays) and send back only
their results, in order. Where fork is not available (Windows) one process does it all,
with the same result.

A child never outlives the run, and a child's death never leaves the run waiting:

- a worker killed by the system (the out-of-memory killer sends SIGKILL to the largest
  process) closes its pipe: the end of its results comes before the results, which is
  raised as ChildDied (``multiprocessing.Pool`` silently replaced such a worker and waited
  forever for its piece; ``concurrent.futures``' pool, used next, deadlocked now and then);
- every child asks the kernel to kill it when its parent dies (Linux
  ``prctl(PR_SET_PDEATHSIG, SIGKILL)``), so a parent killed outright (SIGKILL) leaves no
  worker or workbook process behind; a parent that stops on a signal it can handle
  (Ctrl-C, SIGTERM) kills its children on the way out (``end_children``).
"""

from __future__ import annotations

import gc
import os
import signal
import sys
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


_LIBC: list = []  # [the C library's functions or None], once looked up (see _fork_ready)


def _libc():
    """The C library's functions, looked up once in the parent (children inherit it: no
    lookup, no subprocess in a forked child). None where there is none to ask."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True)  # the process's own symbols: libc's prctl among them
    except OSError:
        return None


def __getattr__(name: str):
    """``multiprocessing``, imported when first asked for: a run that starts no process
    (validate, check, explain) pays neither it nor ctypes at start-up (~8 ms of importing).
    A module attribute all the same (``workers.multiprocessing``), which tests may replace."""
    if name != "multiprocessing":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import multiprocessing

    globals()[name] = multiprocessing
    return multiprocessing


def _fork_ready():
    """multiprocessing, imported, and the C library looked up in the parent, before the first
    fork (children inherit both: no lookup in a forked child)."""
    if not _LIBC:
        _LIBC.append(_libc())
    return globals().get("multiprocessing") or __getattr__("multiprocessing")


def _die_with_parent(parent: int) -> None:
    """In a child: ask the kernel for SIGKILL when the parent dies (Linux); if it already
    died before the request was made, end now."""
    libc = _LIBC[0] if _LIBC else None
    if libc is not None:
        try:
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
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

    ``function`` is any callable, ``functools.partial`` of a module function with what it needs
    beyond the item: the workers are forked, so nothing is pickled to reach them. Never module
    state set before the call: two maps at once in one process (a threaded web server scoring
    two rounds) would read each other's.
    ``meanwhile()``, when given, runs here once the workers have their work (first, when
    there are none), so this process is not idle while they work.

    Worker k takes items k, k + workers, k + 2·workers… (inherited by fork: nothing is sent
    to it) and sends each result back on a pipe of its own, in order; this process reads
    the pipes in turn, so results come in the items' order and a worker waits (its pipe
    full) rather than piling results up in memory. No pool, queue, lock or thread: a worker
    that dies closes its pipe, which is read here as the end of its results. (The
    ProcessPoolExecutor used before hung, rarely, when a worker was killed: its threads
    deadlock at shutdown, CPython gh-94777 / gh-125451, not mended in 3.11.)

    Raises ChildDied when a worker dies (killed) before all pieces are done; every other
    worker is then stopped. An exception raised by ``function`` in a worker is raised here.
    """
    items = list(items)
    workers = min(workers, len(items))
    if workers < 2 or "fork" not in _fork_ready().get_all_start_methods():
        if meanwhile is not None:
            meanwhile()
        yield from map(function, items)
        return
    context = _fork_ready().get_context("fork")
    parent = os.getpid()
    processes, readers = [], []
    try:
        for k in range(workers):
            reader, writer = context.Pipe(duplex=False)
            process = context.Process(target=_work, args=(function, items[k::workers], writer, parent),
                                      name="cchc worker", daemon=False)
            with signals_held():  # Ctrl-C or SIGTERM during the fork: see in_background
                process.start()
                _children.add(process)
            writer.close()  # this process keeps only the reading end: EOF when the worker ends
            processes.append(process)
            readers.append(reader)
        if meanwhile is not None:
            meanwhile()
        for index in range(len(items)):
            k = index % workers
            try:
                kind, value = readers[k].recv()
            except (EOFError, OSError):  # the worker ended before sending this result (killed; killed
                # while sending it, the pipe ends inside the message: "got end of file during message")
                processes[k].join(timeout=5)  # dead, or ending: its exit code names the signal
                raise ChildDied("đọc/ghi song song", processes[k].exitcode) from None
            if kind == "error":
                raise value
            yield value
            value = None  # let go once yielded (a national results.json comes back as 200 MB of text)
        for process in processes:
            process.join()
    finally:  # done, failed, interrupted or abandoned: no worker outlives the map
        for process in processes:
            if process.is_alive():
                process.kill()
            process.join()
            _children.discard(process)
        for reader in readers:
            reader.close()


def _work(function, items, writer, parent: int) -> None:
    """A worker of ordered_map: each result (or the first exception) sent back in order.

    Only an Exception is sent back (a SystemExit or KeyboardInterrupt ends the worker, which
    the parent reads as a child's death, never as its own exit). It carries the worker's
    traceback as a note (CCHC_DEBUG=1 shows it), and is sent as a RuntimeError naming it when
    it could not be rebuilt on the other side."""
    child_started(parent)
    try:
        for item in items:
            try:
                message = ("ok", function(item))
            except Exception as exc:
                import traceback  # here: only a failing worker needs it (validate, which forks none, imports neither)

                message = ("error", _portable(exc, traceback.format_exc()))
            try:
                writer.send(message)
            except (BrokenPipeError, OSError):  # the parent stopped reading: nothing is wanted
                return
            except Exception as exc:  # a result pickle cannot send: said, and this worker's work ends there
                writer.send(("error", RuntimeError(f"tiến trình con không gửi được kết quả của "
                                                   f"{getattr(getattr(function, 'func', function), '__name__', function)} về "
                                                   f"({type(exc).__name__}: {exc})")))
                return
            if message[0] == "error":
                return
    finally:
        writer.close()


def _portable(exc: Exception, remote: str) -> Exception:
    """``exc`` with the worker's traceback ``remote`` as a note, as the parent will rebuild it:
    itself when it survives pickling, else a RuntimeError naming it (an exception class whose
    constructor takes other arguments than its args cannot be rebuilt)."""
    import pickle

    exc.add_note("Trong tiến trình con:\n" + remote.rstrip())
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        substitute = RuntimeError(f"{type(exc).__name__}: {exc}")
        substitute.add_note("Trong tiến trình con:\n" + remote.rstrip())
        return substitute


@contextmanager
def collector_paused():
    """No cyclic garbage collection inside the block.

    Parsed JSON, leaf entries and their explanations hold no reference cycles, and a
    national run makes millions of them: the collector would scan the growing heap again
    and again (measured: loading 3,321 submissions took 3× the parse) and find nothing.
    Reference counting still frees everything as usual.

    What the block leaves behind (a run's inputs, the modules it imported) goes to the
    oldest generation when the collector is back (collector_back).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            collector_back()


def collector_back() -> None:
    """The cyclic collector on again after a pause, what was made meanwhile moved to the
    oldest generation (freeze, then unfreeze): left young, it was all scanned by the very
    next collection (0.007 CPU-s of a national validate), for nothing again. Not when
    something in this process froze objects itself (a server before it forks its workers):
    unfreezing would hand them back to the collector."""
    if gc.get_freeze_count():
        gc.enable()
        return
    gc.freeze()
    gc.enable()
    gc.unfreeze()


class Background:
    """``function(*args)`` running in a forked process (see in_background)."""

    def __init__(self, process, reader, what: str):
        self._process, self._reader, self._what = process, reader, what

    def wait(self) -> None:
        """Block until the work is done; raise its failure here, as the parent's own."""
        try:
            outcome = self._reader.recv()
        except (EOFError, OSError):  # the process ended without a word (killed, or out of memory), or
            # in the middle of it (the pipe ends inside the message), as ordered_map reads it
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
    if (os.cpu_count() or 1) < 2 or "fork" not in _fork_ready().get_all_start_methods():
        return None
    context = _fork_ready().get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    parent = os.getpid()

    def run():
        child_started(parent)
        reader.close()
        try:
            function(*args)
            outcome = None
        except BaseException as exc:  # sent back (a stop signal too: the parent stops as asked)
            import traceback

            outcome = _portable(exc, traceback.format_exc()) if isinstance(exc, Exception) else exc
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
