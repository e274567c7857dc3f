"""Writing text into xlsxwriter cells so that it stays exactly that text.

Strings from inputs (commune names, titles, reasons, explanations) must reach Excel as text,
never as a formula, number or link: workbooks are created with strings_to_formulas,
strings_to_numbers and strings_to_urls off, and text goes through :func:`write_text`, which
also covers an xlsxwriter quirk: a string that starts with "<r>" and ends with "</r>" is
copied into the sheet XML unescaped (it is taken for pre-built rich text), which corrupts
the file or, in constant_memory mode, injects a working formula. Such strings are written
as an ordinary rich string of three runs, escaped and read back as the same text.
"""

from __future__ import annotations

from scoring.vietnamese import format_count

EXCEL_STRMAX = 32767  # characters (UTF-16 code units) in one cell

SAFE_OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}


def truncate_utf16(text: str, limit: int) -> str:
    """Cut text to at most ``limit`` UTF-16 code units (Excel's measure), never mid-character."""
    if len(text) * 2 <= limit:
        return text
    units = 0
    for position, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return text[:position]
    return text


def cell_text(text) -> str:
    """``text`` (not empty) as its cell holds it: a text longer than a cell holds (32,767
    UTF-16 units) is cut, saying so."""
    text = str(text)
    cut = truncate_utf16(text, EXCEL_STRMAX)
    if cut is not text and len(cut) < len(text):  # a cell holds 32,767 units: say that it was cut, never silently
        note = f"… [cắt bớt: {format_count(len(text))} ký tự, một ô Excel chứa tối đa {format_count(EXCEL_STRMAX)}]"
        cut = truncate_utf16(text, EXCEL_STRMAX - len(note)) + note
    return cut


def write_text(ws, row: int, col: int, text, fmt=None) -> None:
    """Write ``text`` as a plain string cell, whatever it contains (empty → a blank cell)."""
    if text is None or text == "":
        if fmt is not None:
            ws.write_blank(row, col, None, fmt)
        return
    text = cell_text(text)
    if text.startswith("<r>") and text.endswith("</r>"):
        args = [text[:1], text[1:2], text[2:]]
        if fmt is not None:
            args.append(fmt)
        ws.write_rich_string(row, col, *args)
    else:
        ws.write_string(row, col, text, fmt)
