"""The load test's own machinery, on a tiny run (the figures are bench/web_load.py's, run by
``make bench-web``, never timed here): three communes save and upload against gunicorn for a
few seconds, with no error and every acknowledged save found in the database afterwards."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from web_load import form_fields  # noqa: E402


def test_form_fields_are_what_a_browser_posts():
    page = """<form id="other"><input name="x" value="1"></form>
    <form method="post" id="area-form"><input type="hidden" name="csrfmiddlewaretoken" value="t">
    <input type="text" name="s-1.1" value="0,75"><input type="checkbox" name="na-1.1" checked>
    <input type="checkbox" name="na-1.2"><select name="f-1.2-done"><option value="">—</option>
    <option value="true" selected>Có</option></select><textarea name="x-1.1">a &amp; b</textarea></form>"""
    assert form_fields(page, "area-form") == {"csrfmiddlewaretoken": "t", "s-1.1": "0,75", "na-1.1": "on",
                                              "f-1.2-done": "true", "x-1.1": "a & b"}


def test_a_tiny_load_run_loses_nothing(tmp_path):
    report = tmp_path / "report.txt"
    done = subprocess.run([sys.executable, "bench/web_load.py", "--communes", "3", "--duration", "6",
                           "--think", "0.2", "0.5", "--spawn-rate", "10", "--pdf-kb", "20", "--workers", "1",
                           "--threads", "2", "--out", str(report)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    text = report.read_text(encoding="utf-8")
    assert "errors: 0; lost saves: 0" in text
    saves = int(text.split("saves acknowledged ")[1].split(",")[0])
    assert saves > 0, text
