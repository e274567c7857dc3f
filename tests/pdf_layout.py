"""What a reader of a PDF sees, as data: pages, words with positions, drawings, defects.

Used by tests/test_rendered.py on the PDFs LibreOffice makes of the workbook and the decision.
Coordinates are PDF points from the top-left corner of the page. The PDF is read with
pypdfium2 (PDFium, the PDF engine of Chromium: the glyph boxes as a viewer draws them, and
~15× faster than a pure-Python parser on the workbook's dense pages).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pypdfium2 as pdfium


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float


@dataclass
class Page:
    number: int  # 1-based
    width: float
    height: float
    words: list = field(default_factory=list)
    drawings: list = field(default_factory=list)  # (x0, top, x1, bottom) of lines, rects and curves
    text: str = ""

    @property
    def flat(self) -> str:
        """The page's text with every run of white space as one space."""
        return " ".join(self.text.split())

    def has(self, phrase: str) -> bool:
        return " ".join(phrase.split()) in self.flat

    def find(self, phrase: str) -> list:
        """Words starting a run of words equal to ``phrase`` (by words, in reading order)."""
        wanted = phrase.split()
        found = []
        for index, word in enumerate(self.words):
            if [w.text for w in self.words[index:index + len(wanted)]] == wanted:
                found.append(word)
        return found


def _words(textpage, height: float) -> list[Word]:
    """Glyphs grouped into words: a word ends at white space, at a gap wider than half the
    glyph's height (tight boxes: "11" has a gap between its narrow ones), where the next glyph
    goes backwards or leaves the line."""
    count = textpage.count_chars()
    text = textpage.get_text_range(0, count) if count else ""
    words, current = [], None
    for index in range(min(count, len(text))):
        char = text[index]
        left, bottom, right, top = textpage.get_charbox(index, loose=False)
        if char.isspace() or right <= left or top <= bottom:
            current = None
            continue
        box = (left, height - top, right, height - bottom)
        if current is not None:
            middle = (box[1] + box[3]) / 2
            if left < current.x1 - 3.0 or left > current.x1 + max(1.5, 0.5 * (box[3] - box[1])) or not current.top - 1 <= middle <= current.bottom + 1:
                current = None
        if current is None:
            current = Word(char, box[0], box[2], box[1], box[3])
            words.append(current)
        else:
            current.text += char
            current.x1 = max(current.x1, box[2])
            current.top, current.bottom = min(current.top, box[1]), max(current.bottom, box[3])
    return words


def read_pdf(path) -> list[Page]:
    pages = []
    document = pdfium.PdfDocument(str(path))
    try:
        for number in range(1, len(document) + 1):
            raw = document[number - 1]
            width, height = raw.get_size()
            page = Page(number, width, height)
            textpage = raw.get_textpage()
            page.words = _words(textpage, height)
            page.text = textpage.get_text_range(0, textpage.count_chars()) if textpage.count_chars() else ""
            for item in raw.get_objects(filter=(pdfium.raw.FPDF_PAGEOBJ_PATH,), max_depth=8):
                left, bottom, right, top = item.get_bounds()
                page.drawings.append((left, height - top, right, height - bottom))
            pages.append(page)
    finally:
        document.close()
    return pages


def overlapping_words(page: Page, *, min_share: float = 0.3) -> list[tuple[Word, Word]]:
    """Pairs of words whose boxes overlap: lines printed over each other, or text cut by a cell
    edge that LibreOffice still draws under its neighbour. Two words overlap when they share
    more than 0.5 pt across (3 pt on one line, where kerned glyphs touch) and more than
    ``min_share`` of the lower one's height."""
    buckets: dict[int, list[Word]] = {}
    for word in page.words:
        for key in range(int(word.top // 10), int(word.bottom // 10) + 1):
            buckets.setdefault(key, []).append(word)
    pairs, seen = [], set()
    for words in buckets.values():
        words = sorted(words, key=lambda w: w.x0)
        for i, a in enumerate(words):
            for b in words[i + 1:]:
                if b.x0 >= a.x1 - 0.5:
                    break
                key = (id(a), id(b))
                if key in seen:
                    continue
                seen.add(key)
                across = min(a.x1, b.x1) - max(a.x0, b.x0)
                down = min(a.bottom, b.bottom) - max(a.top, b.top)
                same_line = abs((a.top + a.bottom) - (b.top + b.bottom)) / 2 < 1.5
                # kerned glyphs of one line may touch ("Ủy"): on one line only a real overlap counts
                if across > (3.0 if same_line else 0.5) and down > min_share * min(a.bottom - a.top, b.bottom - b.top):
                    pairs.append((a, b))
    return pairs


def off_page(page: Page, *, tolerance: float = 0.5) -> list:
    """Words and drawings reaching beyond the paper: text cut at the page edge, or a chart or
    table cut by a page break (LibreOffice draws the whole object and clips it per page)."""
    out = []
    for word in page.words:
        if word.x0 < -tolerance or word.top < -tolerance or word.x1 > page.width + tolerance \
                or word.bottom > page.height + tolerance:
            out.append(word)
    for x0, top, x1, bottom in page.drawings:
        if x0 < -tolerance or top < -tolerance or x1 > page.width + tolerance or bottom > page.height + tolerance:
            out.append((x0, top, x1, bottom))
    return out


def cut_by_rules(page: Page, *, inside: float = 1.0) -> list:
    """Words a ruling line (a cell border: a drawing thinner than 1.5 pt) runs through:
    text wider than its bordered cell, or taller than its row, printed across the border
    (LibreOffice draws the border over the overflowing text). A line counts when it passes
    more than ``inside`` pt inside the word's glyph box and spans the word's middle.
    [(word, "across" | "down", position)]"""
    across = [(x0, x1, (top + bottom) / 2) for x0, top, x1, bottom in page.drawings
              if bottom - top < 1.5 and x1 - x0 > 3]
    down = [(top, bottom, (x0 + x1) / 2) for x0, top, x1, bottom in page.drawings
            if x1 - x0 < 1.5 and bottom - top > 3]
    found = []
    for word in page.words:
        middle_x, middle_y = (word.x0 + word.x1) / 2, (word.top + word.bottom) / 2
        hit = next((("across", y) for x0, x1, y in across
                    if word.top + inside < y < word.bottom - inside and x0 < middle_x < x1), None)
        hit = hit or next((("down", x) for top, bottom, x in down
                           if word.x0 + inside < x < word.x1 - inside and top < middle_y < bottom), None)
        if hit:
            found.append((word, *hit))
    return found


def header_sheet(page: Page, title: str, sheets) -> str | None:
    """The workbook sheet a page belongs to, read from the page header "<title> - <sheet>"."""
    first = " ".join(page.flat.split()[:80])
    for sheet in sorted(sheets, key=len, reverse=True):
        if re.search(re.escape(f"{title} - {sheet}"), first):
            return sheet
    return None
