"""The command line's process: signals it stops on, and output streams that cannot fail a run.

- SIGTERM (``kill``, ``timeout``, a scheduler) and SIGHUP (the terminal closed) stop a run
  the way Ctrl-C does: the exception ``Stopped`` (a KeyboardInterrupt) unwinds the run, the
  outputs being written are dropped, children are killed, the exit code is 128 + the signal
  (130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP).
- Library warnings (English, with the library's file path) never reach the terminal
  unless CCHC_DEBUG is set.
- Printing never fails a run: a closed output pipe (``score | head``, quitting ``less``)
  or a terminal that went away drops the rest of what would be printed, and the command
  ends with the exit code it would have had; a character the output's encoding cannot
  hold (the Vietnamese Windows code page cp1258, which Python uses when output is
  redirected there) is written as its letter and a combining tone mark when the code page
  holds them, else as ``?``.
"""

from __future__ import annotations

import codecs
import os
import warnings
import signal
import sys
import unicodedata
from contextlib import contextmanager


class Stopped(KeyboardInterrupt):
    """The run was asked to stop by a signal (SIGTERM, SIGHUP); handled like Ctrl-C."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


_INSTALLED_BY: list[int] = []  # the pid of the process the handlers are for


def _raise_stopped(signum, frame):
    if _INSTALLED_BY and os.getpid() != _INSTALLED_BY[0]:
        # a forked child caught before it set its own handlers (the pool stopping its
        # workers): end as the signal's default would, without a Python traceback
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Stopped(signum)


STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def install_signal_handlers() -> None:
    """SIGTERM and SIGHUP raise Stopped in the main thread, as SIGINT raises KeyboardInterrupt
    (forked children that have not yet set their own handlers end quietly instead)."""
    _INSTALLED_BY[:] = [os.getpid()]
    for signum in (signal.SIGINT, *STOP_SIGNALS):
        signal.signal(signum, _raise_stopped)


def interrupt_exit_code(error: KeyboardInterrupt) -> int:
    """The exit code of a run stopped by ``error``: 130 for Ctrl-C, 128 + signal otherwise."""
    return error.exit_code if isinstance(error, Stopped) else 130


@contextmanager
def signals_held():
    """Stop signals held back inside the block (delivered after it): a step that must happen
    together with its record (an output set swapped in, and the note that it was) is not
    cut between the two."""
    held = (signal.SIGINT, *STOP_SIGNALS)
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below


def _decompose_or_replace(error: UnicodeEncodeError, encoding: str):
    """Encoding error handler for ``encoding`` (the codec itself may only say "charmap"):
    each letter written as its letter without tone plus the combining tone mark, when the
    encoding holds both (cp1258 holds ê, ơ, ư, đ and the five combining tone marks, but not
    ế or ạ), else '?'."""
    pieces = []
    for character in error.object[error.start:error.end]:
        decomposed = unicodedata.normalize("NFD", character)
        tones = "".join(mark for mark in decomposed if mark in _TONE_MARKS)
        candidate = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS)) + tones
        try:
            candidate.encode(encoding)
        except (UnicodeEncodeError, LookupError):
            candidate = "?"
        pieces.append(candidate)
    return "".join(pieces), error.end


def encoding_errors(encoding: str) -> str:
    """The name of the error handler (registered on first use) for text written in ``encoding``."""
    try:
        encoding = codecs.lookup(encoding).name
    except LookupError:
        return "replace"
    name = f"cchc-decompose-or-replace-{encoding}"
    try:
        codecs.lookup_error(name)
    except LookupError:
        codecs.register_error(name, lambda error: _decompose_or_replace(error, encoding))
    return name


class GuardedStream:
    """A text stream whose writes never raise: once the reader has gone (closed pipe,
    vanished terminal, any OSError) everything further is dropped, and the file
    descriptor is pointed at /dev/null so that the interpreter's last flush is quiet."""

    def __init__(self, stream):
        self._stream = stream
        self.lost = False

    def _lose(self) -> None:
        self.lost = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass

    def write(self, text):
        if self.lost:
            return len(text)
        try:
            return self._stream.write(text)
        except OSError:
            self._lose()
            return len(text)

    def flush(self):
        if self.lost:
            return
        try:
            self._stream.flush()
        except OSError:
            self._lose()

    def __getattr__(self, name):
        return getattr(self._stream, name)


def guard_output_streams() -> None:
    """Make sys.stdout and sys.stderr unable to fail the run (see GuardedStream and the
    encoding error handler)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None or isinstance(stream, GuardedStream):
            continue
        try:
            stream.reconfigure(errors=encoding_errors(stream.encoding))
        except (AttributeError, ValueError, OSError):
            pass
        setattr(sys, name, GuardedStream(stream))


def quiet_library_warnings() -> None:
    """Libraries' warnings (openpyxl's "Data Validation extension is not supported", a
    docx or zip note…) carry the library's file path and line, in English: not for the
    person at the terminal. They are dropped unless CCHC_DEBUG is set; everything the person
    must know is said by the program itself, in Vietnamese."""
    if not os.environ.get("CCHC_DEBUG"):
        warnings.simplefilter("ignore")


def one_blas_thread() -> None:
    """numpy's OpenBLAS starts a thread per core when numpy is imported, and they spin a
    while: 0.06 CPU-seconds of the program's ~1 (issue 19 measures commands in CPU-seconds
    of all their threads and processes). The engine does no linear algebra worth a thread
    (a survey's counts × shares is a few thousand products): one thread, unless the person
    running it said otherwise (OPENBLAS_NUM_THREADS set). Called before numpy is imported."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def leave_at_once(code: int) -> None:
    """End the process now with ``code``, after flushing what was printed, without the
    interpreter's exit handlers: a run stopped by a signal, or whose worker was killed, has
    already cleaned up (temporaries removed, children killed), and the handlers of
    ``concurrent.futures`` and ``multiprocessing`` would join the threads and queues of a pool
    whose processes were killed, which may wait forever (a run still there long after SIGTERM)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # a stream that cannot take it any more: nothing more to say
            pass
    os._exit(code if isinstance(code, int) else 1)


_NOTHING_TO_TEAR_DOWN: list = []


def nothing_to_tear_down(said: bool = True) -> None:
    """Said by a command that, once it returns, has printed all it has to say and left
    nothing to clean up (validate: it writes no file and starts no process): the process
    then ends at once (``ends_at_once``) rather than through the interpreter's teardown,
    which would free, one by one, every object the run still holds (0.02-0.03 CPU-s of a
    national validate; issue 19 judges it on CPU-seconds). ``said=False``: not (yet) said, as
    when the command line starts."""
    _NOTHING_TO_TEAR_DOWN[:] = [True] if said else []


def ends_at_once(code) -> bool:
    """Whether a command ending with exit code ``code`` (0, None or 1: done, or the inputs'
    problems listed) ends the process at once (see nothing_to_tear_down)."""
    return bool(_NOTHING_TO_TEAR_DOWN) and code in (None, 0, 1)


def hold_stop_signals() -> None:
    """Block Ctrl-C, SIGTERM and SIGHUP for the rest of the process (its exit after a completed
    command): arriving then, they would end it by the signal with no word, exit code 130 or 143
    for a run whose outputs were all written.

    Blocking is per thread: a signal may still be taken by another thread of the process (the
    pools' helper threads), and the interpreter's finalisation puts back the default action of
    every signal with a Python handler, so such a signal would then end the process with no
    word. Ignoring them (SIG_IGN) is process-wide and the finalisation leaves it in place."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, *STOP_SIGNALS})
    for signum in (signal.SIGINT, *STOP_SIGNALS):
        try:
            signal.signal(signum, signal.SIG_IGN)
        except (ValueError, OSError):  # not the main thread, or a platform without it
            pass
