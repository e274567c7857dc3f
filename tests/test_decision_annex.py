"""The decision's annex rows written as XML text (scoring/writers/decision_annex.py, issue 19)
give the very bytes docxtpl gives when it renders the whole document.

``render_decision(results)`` takes the fast path (the bundled template); naming the same
template file explicitly, ``render_decision(results, template=BUNDLED_TEMPLATE)``, renders
everything with docxtpl as an office's own template is rendered: the two must be equal,
byte for byte, whatever the rows hold.
"""

from __future__ import annotations

import copy
import io
import json
import zipfile
from pathlib import Path

import docx
import pytest

from scoring.writers import decision as decision_module
from scoring.writers import decision_annex
from scoring.writers.decision import BUNDLED_TEMPLATE, DecisionDetails, render_decision

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "tests" / "fixtures" / "results"

HOSTILE = [
    "{{ 7*7 }}", "{% for x in rows %}x{% endfor %}", "{%tr endfor %}", "<w:t>x</w:t>", "&amp; & < > \" '",
    "]]>", "<!--CCHCROWS-->", "CCHCROW0000000000000000NAMEX", "Đăk Hà 😀", "a\tb\nc\x07d", "\ufffe\ud800",
    "x" * 3000,
]


def documents() -> dict:
    found = {name: json.loads((RESULTS / f"{name}.json").read_text(encoding="utf-8"))
             for name in ("small", "decision-district", "decision-province")}
    hostile = copy.deepcopy(found["decision-province"])
    for position, commune in enumerate(hostile["communes"]):
        commune["name"] = HOSTILE[position % len(HOSTILE)]
        commune["band"] = HOSTILE[(position + 3) % len(HOSTILE)]
    for block in hostile["criteria"]["blocks"]:
        block["name"] = "{{ rows }} <b>&" + block["name"]
    found["hostile"] = hostile
    provisional = copy.deepcopy(found["decision-district"])
    provisional["provisional"] = True
    provisional["provisional_reasons"] = [{"code": "survey-missing", "message": "chưa có kết quả điều tra xã hội học"}]
    found["provisional"] = provisional
    empty = copy.deepcopy(found["decision-district"])
    empty["communes"] = []
    found["no communes"] = empty
    many = copy.deepcopy(found["decision-province"])
    many["communes"] = [dict(commune, code=f"{10000 + n}", rank=n + 1)
                        for n, commune in enumerate(many["communes"] * 50)]
    found["300 communes"] = many
    return found


DOCUMENTS = documents()


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_the_fast_annex_gives_docxtpls_bytes(name, monkeypatch):
    results = DOCUMENTS[name]
    taken = []
    real = decision_module.insert_rows
    monkeypatch.setattr(decision_module, "insert_rows", lambda *args: taken.append(real(*args)) or taken[-1])
    fast = render_decision(results)
    assert taken and taken[0] is not None  # the fast path was taken, not the fallback
    whole = render_decision(results, template=BUNDLED_TEMPLATE)
    assert fast == whole
    # and as a person sees it: every row's text in the annex table
    rows = [[cell.text for cell in row.cells] for row in docx.Document(io.BytesIO(fast)).tables[-1].rows]
    names = [row[1] for row in rows if row[0].isdigit()]
    assert len(names) == len(results["communes"]) + len(results.get("not_submitted") or [])


def test_details_and_signing_mode_change_nothing_in_the_equality():
    results = DOCUMENTS["decision-province"]
    details = DecisionDetails(number="47", signer="Võ Trung Mạnh", signing_mode="kt",
                              recipients=("Như Điều 3", "{{ x }}"), proposer="<Trưởng phòng>")
    assert render_decision(results, details) == render_decision(results, details, template=BUNDLED_TEMPLATE)


def test_the_bundled_example_decision_is_unchanged(tmp_path):
    """cli.py score's quyet-dinh.docx for the bundled example: document.xml as before."""
    from click.testing import CliRunner

    from cli import cli

    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["score", "--criteria", str(ROOT / "criteria" / "tu-mo-rong-2023.json"),
                                      "--submissions", str(ROOT / "submissions" / "tu-mo-rong-2023" / "communes"),
                                      "--out", str(out), "--time", "2024-02-01T08:00:00"])
    assert result.exit_code == 0, result.output
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    fast = (out / "quyet-dinh.docx").read_bytes()
    assert fast == render_decision(results, template=BUNDLED_TEMPLATE)
    with zipfile.ZipFile(io.BytesIO(fast)) as package:
        assert b"CCHCROW" not in package.read("word/document.xml")


def test_input_text_never_becomes_template_code():
    results = copy.deepcopy(DOCUMENTS["decision-district"])
    results["communes"][0]["name"] = "{{ 7*7 }}{% if true %}X{% endif %}"
    text = [cell.text for row in docx.Document(io.BytesIO(render_decision(results))).tables[-1].rows
            for cell in row.cells]
    assert any("{{ 7*7 }}{% if true %}X{% endif %}" in cell for cell in text)
    assert not any(cell.strip() == "49" for cell in text)


def test_unexpected_specimen_rows_fall_back_to_docxtpl(monkeypatch):
    """Should the rendered specimen not be found (a changed template), docxtpl renders it all."""
    results = DOCUMENTS["decision-province"]
    monkeypatch.setattr(decision_module, "specimen_rows", lambda nonce: [])
    assert render_decision(results) == render_decision(results, template=BUNDLED_TEMPLATE)


def test_splice_refuses_a_missing_or_doubled_marker():
    with pytest.raises(ValueError):
        decision_annex.splice(b"<x/>", (b"<!--m-->", b"<y/>"))
    with pytest.raises(ValueError):
        decision_annex.splice(b"<!--m--><!--m-->", (b"<!--m-->", b"<y/>"))
    assert decision_annex.splice(b"<a><!--m--></a>", (b"<!--m-->", b"<y/>")) == b"<a><y/></a>"
