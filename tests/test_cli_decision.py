"""`cli.py decision`: the draft written again from results.json with the office's details."""

import json

import docx
from click.testing import CliRunner

from cli import cli

TIME = "2024-02-01T08:00:00+07:00"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def texts(path):
    document = docx.Document(str(path))
    body = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            body += [cell.text for cell in row.cells]
    return body


def test_number_date_and_signer_go_in_their_places(tmp_path):
    out = tmp_path / "out"
    assert run("score", "--out", out, "--time", TIME).exit_code == 0
    blank = "\n".join(texts(out / "quyet-dinh.docx"))
    assert "Số:" in blank and "/QĐ-UBND" in blank and "47/QĐ-UBND" not in blank

    target = tmp_path / "qd-47.docx"
    result = run("decision", out / "results.json", "--number", "47", "--date", "2024-02-05",
                 "--signer", "Võ Trung Mạnh", "--signing-mode", "kt", "--out", target)
    assert result.exit_code == 0, result.output
    body = texts(target)
    joined = "\n".join(body)
    assert any(line.strip().startswith("Số: 47/QĐ-UBND") for line in body), joined[:500]
    assert "Tu Mơ Rông, ngày 05 tháng 02 năm 2024" in joined
    assert "Võ Trung Mạnh" in joined
    assert "KT. CHỦ TỊCH" in joined and "PHÓ CHỦ TỊCH" in joined
    assert "Kèm theo Quyết định số 47/QĐ-UBND ngày 05/02/2024" in joined or "47/QĐ-UBND ngày 05 tháng 02 năm 2024" in joined

    # the annex lists the communes of results.json in rank order, indices with a decimal comma
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    first = results["communes"][0]
    index_text = f"{first['index']:.2f}".replace(".", ",")
    assert any(first["name"] in cell for cell in body)
    assert index_text in joined


def test_a_bad_date_is_an_input_error(tmp_path):
    out = tmp_path / "out"
    assert run("score", "--out", out, "--time", TIME).exit_code == 0
    result = run("decision", out / "results.json", "--date", "2024-02-30", "--out", tmp_path / "x.docx")
    assert result.exit_code == 1
    assert "--date" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x.docx").exists()
