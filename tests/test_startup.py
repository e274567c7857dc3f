"""Issue 19: every command pays its imports at start-up; each imports only what it uses.

Each command runs as a person runs it (a process of its own, cli.py as the main module);
the modules it imported are read from sys.modules when it ends.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import atexit, json, os, runpy, sys
report = lambda: sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n")
atexit.register(report)
leave = os._exit  # validate ends the process at once (scoring.runtime.nothing_to_tear_down): no atexit
os._exit = lambda code: (report(), sys.stderr.flush(), leave(code))
sys.argv = ["cli.py", *sys.argv[1:]]
runpy.run_path("cli.py", run_name="__main__")
"""
WRITERS = {"pandas", "xlsxwriter", "openpyxl", "docxtpl", "docx", "jinja2"}


def imported(*args, cwd=ROOT) -> set:
    done = subprocess.run([sys.executable, "-c", PROBE, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    line = next(line for line in done.stderr.splitlines() if line.startswith("MODULES "))
    return {name.split(".")[0] for name in json.loads(line[len("MODULES "):])} | set(json.loads(line[len("MODULES "):]))


def test_help_imports_no_library_of_the_engine():
    found = imported("--help")
    assert not found & (WRITERS | {"numpy", "jsonschema", "msgspec", "scoring.load", "scoring.engine"})


@pytest.mark.parametrize("command", [
    ["validate"],
    ["check", "submissions/tu-mo-rong-2023/communes/23503-dak-ha.json"],
    ["explain", "23503"],
], ids=["validate", "check", "explain"])
def test_reading_commands_import_no_writer(command):
    found = imported(*command)
    # filelock: only a command writing an output folder locks it; multiprocessing and
    # concurrent.futures: only one starting processes (10 ms of start-up each otherwise)
    unused = WRITERS | {"jsonschema", "filelock", "multiprocessing", "concurrent.futures"}
    assert not found & unused, sorted(found & unused)


def test_decision_imports_neither_the_loaders_nor_numpy(tmp_path):
    results = ROOT / "submissions" / "tu-mo-rong-2022" / "results.json"
    found = imported("decision", results, "--out", tmp_path / "qd.docx")
    assert (tmp_path / "qd.docx").is_file()
    assert not found & {"numpy", "pandas", "xlsxwriter", "openpyxl", "jsonschema", "scoring.load", "scoring.engine"}


def test_the_public_api_is_unchanged():
    import scoring
    from scoring import forms

    assert set(scoring.__all__) <= set(dir(scoring))
    for name in scoring.__all__:
        assert callable(getattr(scoring, name)) or name == "__version__"
    for name in forms.__all__:
        assert getattr(forms, name) is not None


BLAS_PROBE = """
import os, runpy, sys
seen = []
class Watch:  # what OPENBLAS_NUM_THREADS says when numpy is first imported
    def find_spec(self, name, path=None, target=None):
        if name == "numpy" and not seen:
            seen.append(os.environ.get("OPENBLAS_NUM_THREADS"))
sys.meta_path.insert(0, Watch())
sys.argv = ["cli.py", "validate"]
leave = os._exit  # validate ends the process at once (scoring.runtime.nothing_to_tear_down)
os._exit = lambda code: (print(seen[0], "numpy" in sys.modules), sys.stdout.flush(), leave(code))
runpy.run_path("cli.py", run_name="__main__")
"""


@pytest.mark.parametrize("given, kept", [(None, "1"), ("3", "3")])
def test_numpy_gets_one_blas_thread_unless_told(given, kept):
    """OpenBLAS's threads, started when numpy is imported, spin: CPU-seconds of every command
    for no linear algebra worth a thread (issue 19). cli.py asks for one before numpy is
    imported; a setting of the person's own is kept."""
    import os

    env = {key: value for key, value in os.environ.items() if key != "OPENBLAS_NUM_THREADS"}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    done = subprocess.run([sys.executable, "-c", BLAS_PROBE], cwd=ROOT, capture_output=True, text=True, env=env,
                          encoding="utf-8", timeout=300)
    assert done.stdout.split()[-2:] == [kept, "True"], done.stderr[-2000:]


GC_PROBE = """
import gc, os, runpy, sys
late = []
def watch(phase, info):  # collections once the command reads its inputs (the loader imported)
    if phase == "start" and "scoring.load" in sys.modules:
        late.append(info["generation"])
gc.callbacks.append(watch)
sys.argv = ["cli.py", "validate"]
leave = os._exit  # validate ends the process at once (scoring.runtime.nothing_to_tear_down)
os._exit = lambda code: (print("LATE", len(late)), sys.stdout.flush(), leave(code))
runpy.run_path("cli.py", run_name="__main__")
"""


def test_validate_runs_no_cyclic_collection_once_it_reads():
    """validate pauses the collector for the whole command (issue 19): the modules it imports
    and the documents it reads hold no cycle worth a collection, and the process ends at once
    when it has said its piece. ~35 collections ran there before, 0.01 CPU-s of a national run."""
    done = subprocess.run([sys.executable, "-c", GC_PROBE], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", timeout=300)
    assert done.returncode == 0 and "LATE 0" in done.stdout, (done.stdout[-500:], done.stderr[-2000:])


def test_what_a_paused_block_keeps_goes_to_the_oldest_generation():
    """scoring.workers.collector_paused: what the block made and kept (a run's inputs) is not
    scanned again by the next young collection; it waits in the oldest generation."""
    import gc

    from scoring.workers import collector_paused

    with collector_paused():
        kept = [[index] for index in range(100)]
    assert gc.isenabled()
    assert any(item is kept[0] for item in gc.get_objects(generation=2))
    assert not any(item is kept[0] for item in gc.get_objects(generation=0))


def test_a_pause_leaves_what_the_host_froze_frozen():
    """A server that froze its objects before forking (copy-on-write) keeps them frozen: the
    collector comes back without the freeze and unfreeze."""
    import gc

    from scoring.workers import collector_paused

    def scanned(item) -> bool:  # in a generation the collector scans (a frozen object is in none)
        return any(other is item for other in gc.get_objects())

    frozen = [["the host's"]]
    gc.freeze()
    try:
        assert not scanned(frozen)
        with collector_paused():
            [[index] for index in range(100)]
        # still frozen; the count itself may drop meanwhile (a frozen object freed by its
        # reference count), so the object is what is looked for, not the number
        assert gc.isenabled() and gc.get_freeze_count() > 0 and not scanned(frozen)
    finally:
        gc.unfreeze()
    assert scanned(frozen)


def test_importing_cli_as_cchc_without_main_leaves_the_collector_on():
    import subprocess
    import sys

    probe = ("import gc, sys; sys.argv = ['/usr/bin/cchc']; sys.path.insert(0, sys.argv_root)\n"
             "import cli; print(gc.isenabled())")
    done = subprocess.run([sys.executable, "-c", probe.replace("sys.argv_root", repr(str(ROOT)))],
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "True", done.stderr[-1000:]


IMPORT_GC_PROBE = """
import gc, runpy, sys
import scoring.runtime as runtime
armed, started, early = [], [], []
class Watch:  # armed when cli.py imports its first library (click)
    def find_spec(self, name, path=None, target=None):
        if name == "click":
            armed.append(True)
sys.meta_path.insert(0, Watch())
guard = runtime.guard_output_streams  # the first thing main() does after putting the collector back
runtime.guard_output_streams = lambda: (started.append(True), guard())
gc.callbacks.append(lambda phase, info: phase == "start" and armed and not started and early.append(info))
sys.argv = ["cli.py", "--help"]
try:
    runpy.run_path("cli.py", run_name="__main__")
except SystemExit:
    pass
print("EARLY", len(early), "ENABLED", gc.isenabled())
"""


def test_the_libraries_load_with_no_cyclic_collection():
    """cli.py run as a program pauses the collector while it imports its libraries (22
    collections of objects that all live on, issue 19); main() puts it back."""
    done = subprocess.run([sys.executable, "-c", IMPORT_GC_PROBE], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", timeout=300)
    assert "EARLY 0 ENABLED True" in done.stdout, (done.stdout[-500:], done.stderr[-2000:])
