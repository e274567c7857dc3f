"""Running independent pieces of a national run side by side, and the collector's pauses.

Reading 3,321 submissions or writing their 330,000 leaf explanations is the same work done
on independent pieces; on a machine with several cores forked worker processes share it.
They inherit what the parent holds (the criteria set, the run's arrays) and send back only
their results, in order. Where fork is not available (Windows) one process does it all,
with the same result.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from contextlib import contextmanager


def worker_count(pieces: int, *, limit: int = 4) -> int:
    """Workers worth starting for ``pieces`` pieces of work: one per core, at most ``limit``."""
    return max(1, min(os.cpu_count() or 1, limit, pieces))


def ordered_map(function, items, workers: int, *, meanwhile=None):
    """``map(function, items)`` in ``workers`` forked processes, results in the items' order.

    ``function`` must be a module-level function; what it needs beyond its argument it
    reads from module state set before the call (the workers inherit it by fork).
    ``meanwhile()``, when given, runs here once the workers have their work (first, when
    there are none), so this process is not idle while they work.
    """
    items = list(items)
    if workers < 2 or len(items) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        if meanwhile is not None:
            meanwhile()
        yield from map(function, items)
        return
    with multiprocessing.get_context("fork").Pool(workers, initializer=ignore_interrupt) as pool:
        results = pool.imap(function, items)
        if meanwhile is not None:
            meanwhile()
        yield from results


def ignore_interrupt():
    """Worker processes leave Ctrl-C to their parent (it reaches every process of the
    terminal's group; the parent stops the pool and reports the interruption once)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


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
            outcome = RuntimeError(f"tiến trình {self._what} dừng bất thường (mã {self._process.exitcode})")
        except BaseException:
            self.cancel()
            raise
        self._process.join()
        self._reader.close()
        if outcome is not None:
            raise outcome

    def cancel(self) -> None:
        """Stop the work (another output failed, or Ctrl-C): nothing of it is kept."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._reader.close()


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

    def run():
        ignore_interrupt()
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
    process.start()
    writer.close()
    return Background(process, reader, what)
