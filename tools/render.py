#!/usr/bin/env python3
"""Render the outputs as a person sees them: PDF through LibreOffice, PNG pages through poppler.

    .venv/bin/python tools/render.py --out render        # what `make render` runs

Scores the bundled example (Tu Mơ Rông 2023, fixed --time) and a generated province example
(``bench/generate.py``: 36 communes in three ranking blocks, issuer level "province"), writes
their workbooks and decisions, converts them to PDF with LibreOffice headless and every PDF
page to PNG with ``pdftoppm``, into ``--out``:

    OUT/huyen/ket-qua.xlsx, quyet-dinh.docx, ket-qua.pdf, quyet-dinh.pdf, png/ket-qua-01.png …
    OUT/tinh/…

The same functions are used by the test suite (tests/test_rendered.py), which checks the
PDFs. LibreOffice runs with a profile of its own in a temporary folder
(``-env:UserInstallation``) so that parallel runs do not share or lock one profile.
Needs ``soffice`` (packages libreoffice-calc, libreoffice-writer) and ``pdftoppm``
(poppler-utils): ``make render`` and ``make test`` install them when missing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RUN_TIME = "2024-02-01T08:00:00"
PROVINCE_COMMUNES = 36
PROVINCE_LEAVES = 40
CONVERT_TIMEOUT = 600


class RenderError(RuntimeError):
    """LibreOffice or poppler is missing or failed."""


def soffice() -> str:
    """The LibreOffice executable; RenderError when it is not installed."""
    for name in ("soffice", "libreoffice"):
        path = shutil.which(name)
        if path:
            return path
    raise RenderError("soffice (LibreOffice) không có trên máy: chạy `make test` hoặc `make render` để cài "
                      "(apt-get install libreoffice-calc libreoffice-writer fonts-liberation poppler-utils)")


def to_pdf(files, outdir) -> list[Path]:
    """Convert office files to PDF in ``outdir`` with one LibreOffice process; the PDF paths.

    A private profile folder (removed afterwards) keeps parallel conversions apart.
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    files = [Path(f) for f in files]
    with tempfile.TemporaryDirectory(prefix="cchc-lo-") as profile:
        command = [soffice(), f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
                   "--convert-to", "pdf", "--outdir", str(outdir), *map(str, files)]
        env = {**os.environ, "HOME": profile}
        done = subprocess.run(command, capture_output=True, text=True, timeout=CONVERT_TIMEOUT, env=env)
    pdfs = [outdir / (f.stem + ".pdf") for f in files]
    missing = [p for p in pdfs if not p.is_file()]
    if done.returncode != 0 or missing:
        raise RenderError(f"LibreOffice không chuyển được {', '.join(map(str, missing)) or 'tệp'} sang PDF "
                          f"(mã {done.returncode}): {done.stderr.strip()[-800:]}")
    return pdfs


def to_png(pdf, outdir, *, dpi: int = 80) -> list[Path]:
    """Every page of ``pdf`` as OUTDIR/<stem>-NN.png (pdftoppm); the PNG paths in page order."""
    tool = shutil.which("pdftoppm")
    if not tool:
        raise RenderError("pdftoppm (poppler-utils) không có trên máy")
    pdf, outdir = Path(pdf), Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run([tool, "-r", str(dpi), "-png", str(pdf), str(outdir / pdf.stem)], check=True,
                   capture_output=True, timeout=CONVERT_TIMEOUT)
    return sorted(outdir.glob(f"{pdf.stem}-*.png"))


def _score(out: Path, *inputs: str) -> None:
    command = [sys.executable, str(ROOT / "cli.py"), "score", *inputs, "--out", str(out), "--time", RUN_TIME, "--force"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise RenderError(f"chấm điểm không thành công ({' '.join(command)}): {done.stderr[-800:]}")


def bundled_outputs(out) -> Path:
    """Score the bundled example into ``out``; the folder holding ket-qua.xlsx and quyet-dinh.docx."""
    out = Path(out)
    _score(out)
    return out


def previous_outputs(out) -> Path:
    """The bundled example scored against last year's results (``--previous``): the workbook
    then has the sheet "So sánh năm trước" (scoring/writers/comparison_sheet.py)."""
    out = Path(out)
    _score(out, "--previous", str(ROOT / "submissions" / "tu-mo-rong-2022" / "results.json"))
    return out


def province_outputs(out) -> Path:
    """A generated province year (issuer level "province", three ranking blocks) scored into ``out``."""
    from bench.generate import generate  # the benchmark's generator: every rule kind, real pipeline

    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="cchc-province-") as work:
        work = Path(work)
        folder = generate(work, PROVINCE_COMMUNES, PROVINCE_LEAVES, seed=2025, scans=0.0)
        _score(out, "--criteria", str(work / "criteria.json"), "--submissions", str(folder),
               "--appraisal", str(work / "appraisal.json"), "--survey", str(work / "survey.json"))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "render", help="folder for the PDFs and PNGs (default render/)")
    parser.add_argument("--dpi", type=int, default=80)
    args = parser.parse_args(argv)
    for name, make in (("huyen", bundled_outputs), ("tinh", province_outputs), ("huyen-so-sanh", previous_outputs)):
        folder = args.out / name
        if folder.exists():
            shutil.rmtree(folder)
        make(folder)
        pdfs = to_pdf([folder / "ket-qua.xlsx"] + ([folder / "quyet-dinh.docx"] if name != "huyen-so-sanh" else []),
                      folder)
        for pdf in pdfs:
            pages = to_png(pdf, folder / "png", dpi=args.dpi)
            print(f"{pdf}: {len(pages)} trang → {folder / 'png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
