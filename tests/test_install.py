"""Packaging: `pip install .` into a fresh virtual environment, outside the checkout, gives a
working engine and a `cchc` command equal to `python cli.py`. Slow (a wheel is built and
installed with its pinned dependencies, from pip's cache when warm): marked, and run by
`make test`."""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TIME = "2024-02-01T08:00:00+07:00"

pytestmark = pytest.mark.slow


def run(*args, cwd, env=None):
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=1800)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh venv with the package installed from a copy of the checkout (so nothing of the
    working tree, its .venv or its egg-info is used), and a folder outside both to run in."""
    base = tmp_path_factory.mktemp("install")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".venv", ".git", "out", "*.egg-info", "__pycache__",
                                                                ".pytest_cache", ".hypothesis", "build"))
    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    done = run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(source), cwd=base)
    assert done.returncode == 0, done.stderr[-3000:]
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    return python, env_dir / "bin" / "cchc", elsewhere


def test_the_installed_package_carries_the_schemas_and_the_example(installed):
    python, _, elsewhere = installed
    done = run(python, "-c", "import json, scoring, scoring.files as f, scoring.validate as v; "
               "print(json.dumps({'data': str(f.DATA), 'schemas': {k: str(p) for k, p in v.SCHEMAS.items()}, "
               "'file': scoring.__file__}))", cwd=elsewhere)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert "site-packages" in found["file"] and found["data"].endswith("scoring/data")
    for name, path in found["schemas"].items():  # the packaged copies are the committed schemas
        committed = {"criteria": ROOT / "criteria", "extension": ROOT / "criteria", "results": ROOT / "scoring"}.get(name, ROOT / "submissions")
        assert filecmp.cmp(path, committed / Path(path).name, shallow=False), name


def test_cchc_is_python_cli_py(installed, tmp_path):
    python, cchc, elsewhere = installed
    packaged = run(cchc, "score", "--out", tmp_path / "installed", "--time", TIME, cwd=elsewhere)
    assert packaged.returncode == 0, packaged.stderr
    checkout = run(sys.executable, ROOT / "cli.py", "score", "--out", tmp_path / "checkout", "--time", TIME, cwd=ROOT)
    assert checkout.returncode == 0, checkout.stderr
    # the same scores and reasons; the input paths differ (the installed example lives in the package)
    a = json.loads((tmp_path / "installed" / "results.json").read_text(encoding="utf-8"))
    b = json.loads((tmp_path / "checkout" / "results.json").read_text(encoding="utf-8"))
    for document in (a, b):
        for entry in document["inputs"]:
            entry["path"] = Path(entry["path"]).name
        for commune in document["communes"]:
            commune["file"] = Path(commune["file"]).name
    assert a == b
    assert packaged.stdout.splitlines()[:14] == checkout.stdout.splitlines()[:14]  # the ranking table
    for command in (["validate"], ["explain", "23533"], ["--help"]):
        mine, theirs = run(cchc, *command, cwd=elsewhere), run(sys.executable, ROOT / "cli.py", *command, cwd=ROOT)
        assert (mine.returncode, mine.stdout) == (theirs.returncode, theirs.stdout), command


def test_the_library_works_installed(installed):
    python, _, elsewhere = installed
    done = run(python, "-c", "import scoring; r = scoring.score(scoring.load()); "
               "print(r.commune('23533')['index'], sorted(r.to_frames()))", cwd=elsewhere)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "58.18 ['areas', 'communes', 'criteria', 'leaves']"
