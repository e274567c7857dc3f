"""Click's own words in Vietnamese ("Cách dùng:", "Lỗi:", "Hiện hướng dẫn này rồi thoát.").

Click writes its messages through gettext (``from gettext import gettext as _``, default
domain "messages"); nothing of click is rewritten. ``install`` binds that domain to the
catalogue shipped in scoring/locale/vi/LC_MESSAGES (messages.po, compiled to messages.mo)
and puts Vietnamese first in the languages gettext tries (LANGUAGE=vi:…, keeping what was
there after it). ``python -m scoring.i18n`` compiles the .po into the .mo; a test checks the
.mo is the .po's and that the .po holds every message click can print.
"""

from __future__ import annotations

import ast
import gettext
import os
import struct
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"  # gettext's default domain: the one click's messages go through
PO_FILE = LOCALE_DIR / "vi" / "LC_MESSAGES" / f"{DOMAIN}.po"
MO_FILE = PO_FILE.with_suffix(".mo")


def install() -> None:
    """Make click (and gettext's default domain) speak Vietnamese in this process."""
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    languages = [part for part in os.environ.get("LANGUAGE", "").split(":") if part and part != "vi"]
    os.environ["LANGUAGE"] = ":".join(["vi", *languages])


def parse_po(text: str) -> dict[str, str]:
    """A .po file's entries: msgid → msgstr; a plural entry is "singular\\0plural" → its
    forms joined by \\0 (as a .mo stores them). Fuzzy and untranslated entries are left out."""
    entries: dict[str, str] = {}
    fields: dict[str, str] = {}
    current = None
    fuzzy = False

    def flush():
        nonlocal fields, fuzzy
        if "msgid" in fields:
            key = fields["msgid"] + ("\0" + fields["msgid_plural"] if "msgid_plural" in fields else "")
            forms = [fields[name] for name in sorted(f for f in fields if f.startswith("msgstr"))]
            if forms and all(forms) and not fuzzy or key == "":
                entries[key] = "\0".join(forms)
        fields, fuzzy = {}, False

    for line in text.splitlines():
        line = line.strip()
        if not line:
            flush()
            current = None
        elif line.startswith("#"):
            fuzzy = fuzzy or (line.startswith("#,") and "fuzzy" in line)
        elif line.startswith('"'):
            fields[current] += ast.literal_eval(line)
        else:
            keyword, _, value = line.partition(" ")
            if keyword == "msgid" and "msgid" in fields:
                flush()
            current = keyword.replace("[", "_").replace("]", "") if keyword.startswith("msgstr[") else keyword
            fields[current] = ast.literal_eval(value)
    flush()
    return entries


def compile_mo(entries: dict[str, str]) -> bytes:
    """The GNU .mo bytes of a catalogue (little-endian, no hash table), keys in order."""
    keys = sorted(entries)
    ids = [key.encode("utf-8") for key in keys]
    strs = [entries[key].encode("utf-8") for key in keys]
    count = len(keys)
    start_ids = 7 * 4
    start_strs = start_ids + count * 8
    data_start = start_strs + count * 8
    id_table, str_table, data = [], [], b""
    for encoded in ids:
        id_table.append((len(encoded), data_start + len(data)))
        data += encoded + b"\0"
    for encoded in strs:
        str_table.append((len(encoded), data_start + len(data)))
        data += encoded + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, count, start_ids, start_strs, 0, data_start)
    tables = b"".join(struct.pack("<2I", *pair) for pair in id_table + str_table)
    return header + tables + data


def compiled() -> bytes:
    return compile_mo(parse_po(PO_FILE.read_text(encoding="utf-8")))


if __name__ == "__main__":  # python -m scoring.i18n: compile the catalogue
    MO_FILE.write_bytes(compiled())
    print(f"Đã ghi {MO_FILE}")
