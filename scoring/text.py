"""Text as officials type it, made one form where it enters the engine.

Commune officials produce the same visible text in several ways: composed or decomposed
Unicode (Unikey's "Unicode tổ hợp", file names unzipped from a Mac), look-alike characters
in document numbers (Ð U+00D0 for Đ, an en dash or Word's non-breaking hyphen for "-"),
old font encodings (TCVN3/ABC, VNI), "Xã" or "xã", 15/01/2024 or 15-01-2024, "1.000" for a
thousand. Everything here is pure and small; the readers (scoring.load for JSON,
scoring.forms.cells for spreadsheets, cli.py for options) call it at their boundary, so
the engine only ever sees one form:

- ``nfc`` / ``nfc_json`` / ``nfc_tree``: text in Unicode NFC (a JSON file's bytes are
  normalised before parsing; ``maybe_not_nfc`` is the quick byte test that keeps this
  nearly free for files already in NFC, nearly all of them).
- ``fold_document_number`` / ``document_type``: the type of a Vietnamese document number
  read with look-alikes folded (Decree 30/2020/NĐ-CP, Appendix III abbreviations).
- ``legacy_encoding``: text typed in a TCVN3 (ABC) or VNI font, recognised with what it
  would read as, to be refused with a message saying how to convert it.
- ``parse_date``: the dates officials write (15/01/2024, 15-01-2024, 15.01.2024, 2024-01-15).
- ``parse_count``: a whole number typed as text with the Vietnamese thousands separator.
- ``same_text`` / ``match_key``: the tolerance for case everywhere a person types ("Xã"/"xã").
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache

# ---------------------------------------------------------------- Unicode normal form


def nfc(text: str) -> str:
    """``text`` in Unicode NFC (composed): "Đa\u0306k" → "Đăk". ASCII is returned as is."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", text)


# Every character that NFC may change, or that may combine with the character before it
# (quick-check No or Maybe, or a combining class), by the bytes of its UTF-8 form.
# Generated from affecting_code_points() below (tests/test_text.py checks the tables
# against the running Python's Unicode database). NFC Vietnamese uses none of the
# two-byte leads, and of the three-byte leads E1, E2 and EF only second bytes not listed,
# so for nearly every file the test is a few byte searches that find nothing.
_LEADS = b"\xcc\xcd\xce\xd2\xd6\xd7\xd8\xd9\xdb\xdc\xdd\xdf\xe0\xe3\xea\xf0"  # any use is a closer look
_SECOND = {  # lead → the second bytes after which a character NFC may touch begins
    0xE1: b"\x80\x82\x85\x86\x87\x8d\x9c\x9f\xa2\xa4\xa8\xa9\xaa\xab\xac\xad\xae\xaf\xb0\xb3\xb7\xbd\xbe\xbf",
    0xE2: b"\x80\x83\x84\x8c\xab\xb3\xb5\xb7",
    0xEF: b"\xa4\xa5\xa6\xa7\xa8\xa9\xaa\xab\xac\xad\xb8",
}


@lru_cache(maxsize=None)
def _byte_tables(which: str) -> dict:
    """Per lead byte, a numpy table of the second bytes to look closer at (built on first
    use: a command that reads no file's text does not import numpy for it, issue 19)."""
    import numpy as np

    seconds = _SECOND if which == "nfc" else _FOREIGN_SECONDS
    tables = {}
    for lead, listed in seconds.items():
        tables[lead] = np.zeros(256, dtype=bool)
        tables[lead][list(listed)] = True
    return tables


def affecting_code_points():
    """The code points NFC may change or combine (what the byte test above looks for).
    Slow (the whole code space): used by the test that checks the tables above."""
    second = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))  # Hangul vowels and finals
    for cp in range(0x80, 0x110000):
        if not 0xD800 <= cp < 0xE000:
            decomposition = unicodedata.decomposition(chr(cp))
            if decomposition and not decomposition.startswith("<") and len(decomposition.split()) == 2:
                second.add(int(decomposition.split()[1], 16))
    for cp in range(0x80, 0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        char = chr(cp)
        if cp in second or unicodedata.combining(char) or unicodedata.normalize("NFC", char) != char:
            yield cp


def maybe_not_nfc(raw: bytes) -> bool:
    """False when the UTF-8 bytes surely hold NFC text (no character NFC could touch);
    True when they may not (then decode and look). Byte searches, and for the leads
    Vietnamese uses (E1 for ạ…ỹ, E2 for dashes and quotes) one look at the byte after each.
    (E2 80 is looked at closer still: en dashes and quotes begin so.)"""
    for lead in _LEADS:
        if lead in raw:
            return True
    codes = None
    for lead, table in _byte_tables("nfc").items():
        if lead in raw:
            if codes is None:
                import numpy as np

                codes = np.frombuffer(raw, dtype=np.uint8)
            at = np.flatnonzero(codes[:-2] == lead)
            hits = at[table[codes[at + 1]]]
            if lead == 0xE2:  # E2 80 80 and E2 80 81 only, of the E2 80 row
                hits = hits[(codes[hits + 1] != 0x80) | (codes[hits + 2] <= 0x81)]
            if hits.size:
                return True
    return False


def nfc_pairs() -> set[tuple[int, int]]:
    """Every (byte, next byte) of UTF-8 after which ``maybe_not_nfc`` may answer True: each
    of its lead bytes with any byte after it, and each listed second byte after E1, E2, EF,
    but E2 80 (en dashes, quotes…), where the third byte decides: ``nfc_thirds_after_e2_80``.
    Text whose bytes hold none of these, and does not end on a byte from C2 up, is surely
    NFC (a one-pass test of several byte tests at once: scoring.quick)."""
    pairs = {(lead, second) for lead in _LEADS for second in range(256)}
    pairs |= {(lead, second) for lead, listed in _SECOND.items() for second in listed}
    return pairs - {(0xE2, 0x80)}


def nfc_thirds_after_e2_80() -> set[int]:
    """The bytes after E2 80 after which ``maybe_not_nfc`` may answer True (U+2000 and U+2001,
    which NFC changes; any byte up to 81, as it looks)."""
    return set(range(0x82))


def legacy_pairs() -> set[tuple[int, int]]:
    """Every (byte, next byte) after which ``may_hold_legacy`` may answer True (the UTF-8
    forms of the Latin-1 characters Vietnamese never uses)."""
    return {(lead, second) for lead, listed in _FOREIGN_SECONDS.items() for second in listed}


def nfc_json(raw: bytes) -> bytes:
    """A JSON file's bytes with its text in NFC (the same object when it already is, or
    when it is not UTF-8: the reader then reports that). Escapes (\\u0301) are not
    touched here; ``nfc_tree`` normalises the parsed strings when the file has any."""
    if raw.isascii() or not maybe_not_nfc(raw):
        return raw
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw
    if unicodedata.is_normalized("NFC", text):
        return raw
    return unicodedata.normalize("NFC", text).encode("utf-8")


def nfc_tree(value):
    """A parsed JSON value with every string (keys too) in NFC."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, dict):
        return {nfc(key): nfc_tree(item) for key, item in value.items()}
    if isinstance(value, list):
        return [nfc_tree(item) for item in value]
    return value


def match_key(text: str) -> str:
    """What two texts a person typed are compared by: NFC, case folded, spaces collapsed.
    "Xã", "xã", "XÃ " and "xa\u0303" give the same key."""
    return " ".join(nfc(text).casefold().split())


def same_text(a: str, b: str) -> bool:
    return match_key(a) == match_key(b)


# ---------------------------------------------------------------- document numbers

# Document type abbreviations of Decree 30/2020/NĐ-CP (Appendix III), upper-cased as
# document_type reads them, and the legal document types a commune cites.
KNOWN_DOCUMENT_TYPES = frozenset({
    "NQ", "QĐ", "CT", "QC", "QYĐ", "TC", "TB", "HD", "CTR", "KH", "PA", "ĐA", "DA", "BC", "BB", "TTR", "HĐ",
    "CĐ", "BGN", "BTT", "GUQ", "GM", "GGT", "GNP", "PG", "PC", "PB", "SY", "TS", "SL", "BSY",
    "NĐ", "TT", "TTLT", "L", "PL", "LCT", "CV", "UBND", "HĐND", "ĐU", "TB-UBND",
})

# look-alikes folded in document numbers: dashes and hyphens, slashes, the D with stroke
_FOLD = {
    **{code: "-" for code in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE58, 0xFE63, 0xFF0D, 0x00AD)},
    **{code: "/" for code in (0x2215, 0x2044, 0xFF0F, 0x29F8)},
    0x00D0: "Đ", 0x0189: "Đ", 0x00F0: "đ", 0x0256: "đ",
    # Cyrillic and Greek capitals that look like the Latin letters of document types
    **{ord(c): l for c, l in zip("АВСЕНКМОРТХаесорхΑΒΕΗΚΜΝΟΡΤΧ", "ABCEHKMOPTXaecopxABEHKMNOPTX")},
    0x00A0: " ", 0x202F: " ", 0x2007: " ",
}
_SPACES = re.compile(r"\s*([/-])\s*")


def fold_document_number(number: str) -> str:
    """A document number with look-alikes folded: "12/QÐ–UBND" (Ð U+00D0, en dash) →
    "12/QĐ-UBND"; fullwidth forms read as ASCII; spaces around "/" and "-" dropped."""
    folded = unicodedata.normalize("NFKC", nfc(number)).translate(_FOLD)
    return _SPACES.sub(r"\1", folded.strip())


def _raw_type(number: str) -> str:
    last = number.rsplit("/", 1)[-1]
    return last.split("-", 1)[0].strip().upper()


@lru_cache(maxsize=1 << 16)  # numbers recur across a national run's 330,000 leaves (issue 19)
def document_type(number: str, known=KNOWN_DOCUMENT_TYPES) -> str:
    """The document type in a Vietnamese document number: the last part after "/", up to
    "-", with look-alikes folded (fold_document_number).

    "12/KH-UBND" → "KH"; "45/UBND-VP" → "UBND"; legal documents carry their year
    (Decree 30): "05/2023/NQ-HĐND" → "NQ", "15/2023/QĐ-UBND" → "QĐ". A type written
    with D for Đ is read with Đ when that is unambiguous: "13/QD-UBND" → "QĐ" (QD is no
    type, QĐ is), but "DA" (dự án) and "HD" (hướng dẫn) stay, as ĐA and HĐ are other types.
    """
    kind = _raw_type(fold_document_number(number))
    if kind not in known and "D" in kind:
        stroked = kind.replace("D", "Đ")
        if stroked in known:
            return stroked
    return kind


def normalise_document_number(number: str, known=KNOWN_DOCUMENT_TYPES) -> str:
    """A document number as it should be written, for a document the office issues itself
    (decision --number): look-alikes folded (fold_document_number) and a type typed with D
    for Đ written with Đ when that is unambiguous (document_type): "47/QÐ–UBND" (Ð U+00D0,
    en dash), "47 / QD-UBND" → "47/QĐ-UBND"; typed in lower case, the type and the issuer
    in capitals as officials write them ("47/qd-ubnd" → "47/QĐ-UBND"; "12/ttr-ubnd" →
    "12/TTr-UBND"); "47" stays "47"."""
    folded = fold_document_number(number)
    if "/" not in folded:
        return folded
    head, last = folded.rsplit("/", 1)
    typed, dash, rest = last.partition("-")
    kind = document_type(folded, known)
    if typed.strip().upper() == kind or typed.strip().upper().replace("D", "Đ") == kind:
        typed = kind
    # Decree 30: the type and the issuer are written in capitals ("47/qđ-ubnd" → "47/QĐ-UBND"),
    # but for the two types the Decree writes in mixed case (Tờ trình TTr, Chương trình CTr)
    typed = _MIXED_CASE_TYPES.get(typed.upper(), typed.upper())
    return f"{head}/{typed}{dash}{rest.upper()}"


_MIXED_CASE_TYPES = {"TTR": "TTr", "CTR": "CTr"}  # Decree 30/2020/NĐ-CP, Appendix III


_NAME_FOLD = {0x00D0: "Đ", 0x0189: "Đ", 0x00F0: "đ", 0x0256: "đ", 0x00A0: " ", 0x202F: " "}


def name_key(text: str) -> str:
    """What a unit's name typed by a person is matched by: match_key with the look-alikes of
    Đ folded (Ð U+00D0, Ɖ U+0189, ð, ɖ) and non-breaking spaces read as spaces:
    "Ðăk Hà", "đăk hà", "Đa\u0306k Ha\u0300" all give the key of "Đăk Hà"."""
    return match_key(nfc(text).translate(_NAME_FOLD))


def reading_note(number: str, known=KNOWN_DOCUMENT_TYPES) -> str | None:
    """What was read from a document number written with look-alikes, for a reason or a
    warning ("12/QÐ-UBND" → "loại QĐ, số ghi bằng ký tự gần giống: Ð (U+00D0)"), or None
    when it was written plainly."""
    kind = document_type(number, known)
    plain = _raw_type(number)
    if plain == kind:
        return None
    odd = [char for char in nfc(number) if not char.isascii() and char not in "ĐđĂăÂâÊêÔôƠơƯư"
           and not char.isalpha() or char in "\u00d0\u00f0\u0189\u0256"]
    shown = ", ".join(f"{char} (U+{ord(char):04X})" for char in dict.fromkeys(odd))
    if shown:
        return f"đọc là loại {kind}; số ghi bằng ký tự gần giống: {shown}"
    return f"đọc là loại {kind} (số ghi '{plain}')"


# ---------------------------------------------------------------- legacy font encodings

# TCVN3 (ABC, fonts .VnTime, .VnArial…): the bytes 0xA1–0xFF, as Windows shows them
# (Latin-1), and the letters they stand for (TCVN 5712:1993, as iconv reads it; the
# capital fonts .VnTimeH reuse the small letters' codes, read here as small letters).
_TCVN3_FROM = "".join(chr(code) for code in range(0xA1, 0x100) if not 0xB0 <= code <= 0xB4)
_TCVN3_TO = ("ĂÂÊÔƠƯĐăâêôơưđẶ" "àảãáạẲằẳẵắẴẮẦẨẪẤỀặầẩẫấậèỂẻẽéẹềểễếệìỉỄẾỒĩíịòỔỏõóọồổỗốộờởỡớợùỖủũúụừửữứựỳỷỹýỵỐ")
_TCVN3 = dict(zip(_TCVN3_FROM, _TCVN3_TO))

# VNI (fonts VNI-Times…): a base letter followed by a mark typed as a Latin-1 letter.
_VNI_MARKS = {"ù": "\u0301", "ø": "\u0300", "û": "\u0309", "õ": "\u0303", "ï": "\u0323",
              "Ù": "\u0301", "Ø": "\u0300", "Û": "\u0309", "Õ": "\u0303", "Ï": "\u0323"}
_VNI_A_MARKS = {  # after a, e, o: the circumflex or breve with a tone
    "â": ("\u0302", ""), "á": ("\u0302", "\u0301"), "à": ("\u0302", "\u0300"), "å": ("\u0302", "\u0309"),
    "ã": ("\u0302", "\u0303"), "ä": ("\u0302", "\u0323"),
    "ê": ("\u0306", ""), "é": ("\u0306", "\u0301"), "è": ("\u0306", "\u0300"), "ú": ("\u0306", "\u0309"),
    "ü": ("\u0306", "\u0303"), "ë": ("\u0306", "\u0323"),
}
_VNI_A_MARKS |= {key.upper(): value for key, value in _VNI_A_MARKS.items()}
_VNI_SINGLE = {"ñ": "đ", "Ñ": "Đ", "ô": "ơ", "Ô": "Ơ", "ö": "ư", "Ö": "Ư", "æ": "ỉ", "Æ": "Ỉ",
               "ó": "ĩ", "Ó": "Ĩ", "ò": "ị", "Ò": "Ị", "î": "ỵ", "Î": "Ỵ"}
_VNI_PAIR = re.compile(r"([aeoAEO])([âáàåãäêéèúüëÂÁÀÅÃÄÊÉÈÚÜË])|([aeiouyAEIOUYôöÔÖ])([ùøûõïÙØÛÕÏ])")
# characters Vietnamese text in Unicode has and legacy text never has
_VIETNAMESE_ONLY = re.compile("[ăĂđĐĩĨũŨơƠưƯ\u1ea0-\u1ef9]")
_LATIN1_FOREIGN = set("¡¢£¤¥¦§¨ª¬®¯µ¶¸¹º¾¿ÄÅÆÇËÎÏÐÑÖØÛÜÞßäåæçëîïðñöøûüþÿ")


# the quick tests before a closer look: no legacy text without one of these characters
_FOREIGN_TEXT = re.compile("[" + re.escape("".join(sorted(_LATIN1_FOREIGN))) + "]")
# their UTF-8 forms are C2 xx or C3 xx: per lead, a table of the second bytes
_FOREIGN_SECONDS = {0xC2: set(), 0xC3: set()}
for _char in _LATIN1_FOREIGN:
    _lead_byte, _second_byte = _char.encode("utf-8")
    _FOREIGN_SECONDS[_lead_byte].add(_second_byte)


def may_be_legacy(text: str) -> bool:
    """False when ``text`` surely is not legacy-encoded (see legacy_encoding): it has none of
    the Latin-1 characters Vietnamese never uses. A regular-expression search."""
    return not text.isascii() and _FOREIGN_TEXT.search(text) is not None


def may_hold_legacy(raw: bytes) -> bool:
    """The same test on a file's UTF-8 bytes: False when no string in it can be legacy text,
    so the quick readers keep the files already in Unicode (nearly all) on their path."""
    if raw.isascii():
        return False
    codes = None
    for lead, table in _byte_tables("foreign").items():
        if lead in raw:
            if codes is None:
                import numpy as np

                codes = np.frombuffer(raw, dtype=np.uint8)
            at = np.flatnonzero(codes[:-1] == lead)
            if table[codes[at + 1]].any():
                return True
    return False


def _vni_to_unicode(text: str) -> str:
    def pair(match):
        if match.group(1):
            base, (shape, tone) = match.group(1), _VNI_A_MARKS[match.group(2)]
            if base in "aA" or shape == "\u0302":
                return base + shape + tone
            return match.group(0)
        base = _VNI_SINGLE.get(match.group(3), match.group(3))
        return base + _VNI_MARKS[match.group(4)]

    converted = _VNI_PAIR.sub(pair, text)
    return unicodedata.normalize("NFC", "".join(_VNI_SINGLE.get(char, char) for char in converted))


def legacy_encoding(text: str) -> tuple[str, str] | None:
    """(encoding name, what the text reads as) when ``text`` was typed in a legacy font
    encoding: "§¨k Hµ" → ("TCVN3 (ABC)", "Đăk Hà"); "Ñaêk Haø" → ("VNI", "Đăk Hà").

    Recognised when the text has none of the letters only Unicode Vietnamese has (ă đ ơ ư
    ạ ả … ỹ), holds Latin-1 characters Vietnamese never uses (§ ¨ µ ø ñ …), and read in
    the legacy encoding gives Vietnamese letters and none of those characters left.
    """
    if text.isascii() or _VIETNAMESE_ONLY.search(text):
        return None
    foreign = [char for char in text if char in _LATIN1_FOREIGN]
    if not foreign or set(foreign) <= {"Ð", "ð"}:  # Ð U+00D0 alone is the look-alike of Đ (name_key folds it)
        return None
    vni = _vni_to_unicode(text)
    if _reads_as_vietnamese(vni, text):
        return "VNI", vni
    if all(char.isascii() or "\u00a1" <= char <= "\u00ff" for char in text):
        tcvn = "".join(_TCVN3.get(char, char) for char in text)
        if _reads_as_vietnamese(tcvn, text):
            return "TCVN3 (ABC)", tcvn
    return None


# the letters of Unicode Vietnamese (with the ASCII ones): a legacy reading made only of these
_VIETNAMESE_LETTERS = frozenset("àáâãèéêìíòóôõùúýăđĩũơư" "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝĂĐĨŨƠƯ") | frozenset(
    chr(code) for code in range(0x1EA0, 0x1EFA))


def _reads_as_vietnamese(reading: str, text: str) -> bool:
    """A legacy reading is taken when it has a letter only Vietnamese has (ă đ ơ ư ạ … ỹ), or
    when it changed text that holds a symbol never typed in Vietnamese (¸ µ § …) and every
    character it has that is not ASCII is a Vietnamese letter: "B¸o c¸o.pdf" (TCVN3) reads
    "Báo cáo.pdf", whose á alone is no proof. Never when a character Vietnamese never uses is left."""
    if any(char in _LATIN1_FOREIGN for char in reading):
        return False
    if _VIETNAMESE_ONLY.search(reading):
        return True
    return (reading != text and any(char in _LATIN1_FOREIGN and not char.isalpha() for char in text)
            and all(char.isascii() or char in _VIETNAMESE_LETTERS for char in reading))


def legacy_message(text: str) -> str | None:
    """The message refusing text in a legacy encoding, or None (see legacy_encoding)."""
    found = legacy_encoding(text)
    if found is None:
        return None
    name, reads = found
    from .errors import message
    return message("text-legacy-encoding", text=text, encoding=name, reads=reads, source=name.split()[0])


# ---------------------------------------------------------------- files not in UTF-8

_VIETNAMESE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")


def encoding_hint(raw: bytes) -> str:
    """What a file that is not UTF-8 most likely is, and how to save it again, for the
    message refusing it ("" when nothing is recognised): UTF-16 (Notepad's "Unicode",
    Excel's "Unicode Text"), or Windows-1258 (Excel's "CSV (Comma delimited)" and Notepad's
    "ANSI" on a Vietnamese Windows: Vietnamese letters with tone marks as separate bytes)."""
    how = "; hãy lưu lại với mã hóa UTF-8 (Excel: \"CSV UTF-8\"; Notepad: Lưu thành → Mã hóa UTF-8)"
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(raw) > 3 and (raw[1:4:2] == b"\x00\x00" or raw[0:4:2] == b"\x00\x00")):
        return ": tệp được ghi bằng UTF-16 (Notepad: 'Unicode')" + how
    try:
        text = raw[:65536].decode("cp1258")
    except UnicodeDecodeError:
        return ""
    if any(char in _VIETNAMESE_MARKS for char in text) or _VIETNAMESE_ONLY.search(unicodedata.normalize("NFC", text)):
        return ": có lẽ tệp được ghi bằng bảng mã Windows-1258 (ANSI, tiếng Việt)" + how
    return ""


# ---------------------------------------------------------------- dates and numbers as typed

_DMY = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DATE_WORDS = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})")


def parse_date(text: str) -> dt.date | None:
    """A date as officials write it, or None when it is not one (or does not exist).

    Day first, as in Vietnam: "15/01/2024", "15-01-2024", "15.01.2024", "5/1/2024",
    "ngày 15 tháng 01 năm 2024"; or ISO "2024-01-15". Never month first.
    """
    cleaned = " ".join(nfc(str(text)).casefold().split())
    for pattern, order in ((_YMD, (0, 1, 2)), (_DMY, (2, 1, 0)), (_DATE_WORDS, (2, 1, 0))):
        found = pattern.fullmatch(cleaned)
        if found:
            parts = [int(part) for part in found.groups()]
            try:
                return dt.date(parts[order[0]], parts[order[1]], parts[order[2]])
            except ValueError:
                return None
    return None


_GROUPED = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")
_PLAIN = re.compile(r"[0-9]+")


class CountTextError(ValueError):
    """Text in a whole-number cell that cannot be read as one without guessing."""


def parse_count(text: str) -> int:
    """A whole number typed as text, in the Vietnamese convention: "1.000" → 1000,
    "12.345.678" → 12345678, "215" → 215; spaces (also non-breaking) around are ignored.

    The rule: a dot is read as the thousands separator only when every group after the
    first has exactly three digits and the first has one to three ("1.000", "12.500").
    Anything else with a dot or a comma ("1.5", "1,000", "1.000,5", "10.00") is refused
    (CountTextError): a count has no decimals, and "1,000" is a thousand in English but
    "1,000" = 1 in Vietnamese, so no guess is safe.
    """
    cleaned = nfc(str(text)).replace("\u00a0", " ").replace("\u202f", " ").strip().replace(" ", "")
    if _PLAIN.fullmatch(cleaned):
        return int(cleaned)
    if _GROUPED.fullmatch(cleaned):
        return int(cleaned.replace(".", ""))
    raise CountTextError(cleaned)
