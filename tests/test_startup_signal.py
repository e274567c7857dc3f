"""A stop signal while the command is still loading its libraries (issue 20): one line and
128 + the signal, nothing written, never a traceback, both for `python cli.py` and for the
installed `cchc` command (whose script imports cli and calls main()).

The instant is made certain, not hoped for: a stand-in for click (the first library cli.py
imports after installing its start-up handler) marks that loading has begun and waits; the
test sends the signal then.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LOADING = '''
import os, time
open(os.environ["CCHC_TEST_MARK"], "w").write("loading")
time.sleep(60)
'''
# the script pip writes for `cchc = "cli:main"` (pyproject.toml [project.scripts])
ENTRY_SCRIPT = '''import sys
from cli import main
if __name__ == '__main__':
    sys.argv[0] = sys.argv[0].removesuffix('.exe')
    sys.exit(main())
'''


def _command(kind: str, tmp_path: Path) -> list:
    if kind == "cli.py":
        return [sys.executable, str(ROOT / "cli.py"), "validate"]
    script = tmp_path / "bin" / "cchc"
    script.parent.mkdir()
    script.write_text(ENTRY_SCRIPT, encoding="utf-8")
    return [sys.executable, str(script), "validate"]


@pytest.mark.parametrize("kind", ["cli.py", "cchc"])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_while_the_libraries_load_gives_one_line(kind, signum, tmp_path):
    stand_in = tmp_path / "site" / "click"
    stand_in.mkdir(parents=True)
    (stand_in / "__init__.py").write_text(LOADING, encoding="utf-8")
    mark = tmp_path / "mark"
    env = {**os.environ, "CCHC_TEST_MARK": str(mark),
           "PYTHONPATH": os.pathsep.join([str(tmp_path / "site"), str(ROOT)])}
    env.pop("CCHC_DEBUG", None)
    process = subprocess.Popen(_command(kind, tmp_path), cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        deadline = time.monotonic() + 30
        while not mark.exists():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the command never began loading its libraries"
            time.sleep(0.02)
        process.send_signal(signum)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 128 + signum, (process.returncode, err)
    assert err == "Đã dừng theo yêu cầu; không có kết quả nào bị ghi đè.\n" and out == ""
