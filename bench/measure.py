"""Measuring a command as a person runs it: wall seconds, CPU-seconds of the process and of
every process it started, the peak of its largest process (RSS) and of the whole tree
(proportional set size, so pages a forked worker shares with its parent count once).

Used by bench/run.py (the commands, the cliff check) and bench/anchor.py (LibreOffice).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class TreeMemory:
    """The memory a process tree holds, sampled every ``interval`` seconds as the sum of its
    processes' proportional set sizes (Linux /proc; 0 elsewhere). ``root`` is a pid, or a
    callable returning it (None: this process); ``skip_root`` leaves the root itself out
    (a launcher waiting for the command measured)."""

    def __init__(self, root=None, interval: float = 0.5, skip_root: bool = False):
        self.peak_kb = 0
        self._skip_root = skip_root
        self._root = root
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        if Path("/proc/self/smaps_rollup").exists():
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    @property
    def peak_mb(self) -> float:
        return self.peak_kb / 1024

    def _run(self):
        while True:
            root = self._root() if callable(self._root) else self._root
            if root is not None or self._root is None:
                tree = self.tree(root if root is not None else os.getpid())
                if self._skip_root and root is not None:
                    tree.remove(root)
                self.peak_kb = max(self.peak_kb, sum(self.pss(pid) for pid in tree))
            if self._stop.wait(self._interval):
                return

    @staticmethod
    def tree(root: int) -> list[int]:
        """``root`` and every process descending from it (from /proc/*/stat)."""
        parents = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                parents[int(entry.name)] = int(fields[1])
        tree, found = {root}, True
        while found:
            found = False
            for pid, parent in parents.items():
                if parent in tree and pid not in tree:
                    tree.add(pid)
                    found = True
        return sorted(tree)

    @staticmethod
    def pss(pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0


# The command is started by a small Python process, which waits for it and writes its figures:
# a child forked by a large process starts with that process's memory counted in its peak RSS
# (ru_maxrss survives fork and exec), so the bench, holding hundreds of MB, must not be the
# one that forks it.
LAUNCHER = """import json, os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
seconds = time.perf_counter() - started
with open(sys.argv[1], "w") as out:
    json.dump({"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024,
               "returncode": os.waitstatus_to_exitcode(status)}, out)
"""


def run_command(args: list, cwd=None, *, env=None, interval: float = 0.2) -> dict:
    """Run a command in a child process; return its wall ``seconds``, ``cpu`` (user + system
    CPU-seconds of it and of the processes it waited for, from wait4), ``peak_mb`` (the
    largest single process's peak RSS, MB) and ``tree_mb`` (the peak of the whole process
    tree's proportional set sizes, sampled every ``interval`` s: a short peak may be missed).
    Raises RuntimeError, with the end of its stderr, when the command fails."""
    import json
    import sys

    with tempfile.TemporaryFile() as err, tempfile.TemporaryDirectory() as folder:
        figures = Path(folder) / "figures.json"
        pid = {}
        with TreeMemory(lambda: pid.get("pid"), interval, skip_root=True) as memory:
            launcher = subprocess.Popen([sys.executable, "-c", LAUNCHER, str(figures), *map(str, args)],
                                        cwd=cwd or ROOT, stdout=subprocess.DEVNULL, stderr=err, env=env)
            pid["pid"] = launcher.pid
            launcher.wait()
        found = json.loads(figures.read_text()) if figures.exists() else {"returncode": launcher.returncode}
        if launcher.returncode or found["returncode"]:
            err.seek(0)
            raise RuntimeError(f"{args} failed: {err.read().decode(errors='replace')[-2000:]}")
    return {"seconds": found["seconds"], "cpu": found["cpu"], "peak_mb": found["peak_mb"], "tree_mb": memory.peak_mb}
