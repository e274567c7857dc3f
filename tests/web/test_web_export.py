"""manage.py export_round writes the project's file formats; `cli.py score` on the export
gives the application's results (same --time), and the bundled example imported and
exported scores as the bundled example itself."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

from web.engine import score_round

ROOT = Path(__file__).resolve().parents[2]
TIME = "2024-02-01T08:00:00"


def _cli_score(folder: Path, out: Path) -> dict:
    subprocess.run([sys.executable, "cli.py", "score", "--criteria", str(folder / "criteria.json"),
                    "--submissions", str(folder / "communes"), "--out", str(out), "--time", TIME],
                   cwd=ROOT, check=True, capture_output=True)
    return json.loads((out / "results.json").read_text(encoding="utf-8"))


def _without_paths(results: dict) -> dict:
    """results.json less the places it names its input files (both read the same bytes:
    the sha256 of every input is kept and compared)."""
    results = json.loads(json.dumps(results))
    for item in results["inputs"]:
        item.pop("path")
    for commune in results["communes"]:
        commune.pop("file", None)
    return results


def test_export_scored_by_the_cli_equals_the_application(demo, tmp_path):
    call_command("export_round", str(demo["round"].pk), str(tmp_path / "export"))
    cli = _cli_score(tmp_path / "export", tmp_path / "out")
    app = json.loads((score_round(demo["round"], TIME) / "results.json").read_text(encoding="utf-8"))
    assert _without_paths(app) == _without_paths(cli)
    assert [c["code"] for c in app["not_submitted"]] == ["23533"]     # the blank commune: listed, not dropped


def test_bundled_example_round_trips(db, tmp_path):
    """The whole bundled example imported into the application and exported scores exactly
    as the bundled files do (every commune, leaf, reason, rank)."""
    from web.management.commands._paths import EXAMPLE
    from web.rounds import import_round

    round_ = import_round(EXAMPLE["criteria"], EXAMPLE["submissions"], appraisal_path=EXAMPLE["appraisal"],
                          survey_path=EXAMPLE["survey"], registry_path=EXAMPLE["registry"])
    call_command("export_round", str(round_.pk), str(tmp_path / "export"))
    exported = _cli_score(tmp_path / "export", tmp_path / "out1")
    bundled = json.loads(subprocess.run([sys.executable, "cli.py", "score", "--out", str(tmp_path / "out2"),
                                         "--time", TIME], cwd=ROOT, check=True, capture_output=True) and
                         (tmp_path / "out2" / "results.json").read_text(encoding="utf-8"))
    strip = lambda r: [{k: v for k, v in c.items() if k != "file"} for c in r["communes"]]  # noqa: E731
    assert strip(exported) == strip(bundled)
    assert exported["summary"] == bundled["summary"]
