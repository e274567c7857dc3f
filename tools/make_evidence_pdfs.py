"""Create the placeholder evidence PDFs of the bundled example.

Every evidence document of a submission names a scanned file ("file", relative to the
submissions folder). The bundled example ships a tiny one-page PDF for each, showing the
document's number, date, issuer and title (transliterated to ASCII, since the PDF uses a
standard font). This script reads the submissions and writes the PDFs that are missing, so
the files can be regenerated after the example data change.

    python tools/make_evidence_pdfs.py                 # the bundled example
    python tools/make_evidence_pdfs.py DIR [--all]     # another submissions folder; --all rewrites every file

The output is deterministic: the same document always gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
import unicodedata
from pathlib import Path

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "submissions" / "tu-mo-rong-2023" / "communes"


def ascii_text(text: str) -> str:
    """Vietnamese text without diacritics: 'Kế hoạch' → 'Ke hoach', 'Đăk' → 'Dak'."""
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.encode("ascii", "replace").decode("ascii")


def pdf_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def make_pdf(lines: list[str]) -> bytes:
    """A minimal valid one-page A4 PDF with the given lines in Helvetica."""
    ops = ["BT", "/F1 11 Tf", "14 TL", "56 780 Td"]
    for i, line in enumerate(lines):
        ops.append(pdf_string(line) + (" Tj" if i == 0 else " '"))
    ops.append("ET")
    content = "\n".join(ops).encode("ascii")
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
        b"<</Length " + str(len(content)).encode() + b">>stream\n" + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode()
    out += b"0000000000 65535 f \n"
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<</Size {len(objects) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def document_lines(doc: dict) -> list[str]:
    lines = [ascii_text(doc["issuer"]).upper(), "So: " + ascii_text(doc["number"]), "Ngay: " + doc["date"], ""]
    lines += textwrap.wrap(ascii_text(doc["title"]), 80)[:4]
    lines += ["", "Tai lieu kiem chung mau (example evidence document)."]
    return lines


def evidence_documents(folder: Path):
    """(path, document) for every evidence document with a file, in file order."""
    for sub_path in sorted(folder.glob("*.json")):
        data = json.loads(sub_path.read_text(encoding="utf-8-sig"))
        for leaf in (data.get("leaves") or {}).values():
            for doc in leaf.get("evidence") or []:
                if doc.get("file"):
                    yield folder / doc["file"], doc


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_DIR, help="submissions folder (communes/)")
    parser.add_argument("--all", action="store_true", help="rewrite existing files too")
    args = parser.parse_args(argv)
    folder = args.folder.resolve()
    written = seen = 0
    done = set()
    for path, doc in evidence_documents(folder):
        path = path.resolve()
        if path in done:
            continue
        done.add(path)
        seen += 1
        if folder not in path.parents:
            print(f"skipped (outside {folder}): {doc['file']}", file=sys.stderr)
            continue
        if path.exists() and not args.all:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(make_pdf(document_lines(doc)))
        written += 1
    print(f"{seen} evidence files referenced, {written} written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
