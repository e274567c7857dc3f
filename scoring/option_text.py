"""Text typed on the command line, read as the files' text is (issue 16).

An official copies a commune code from a Word table or a chat message ("23503" with a
zero-width space, a non-breaking space, full-width digits "２３５０３" from a Japanese or
Chinese input method), types a team's name with Unikey in "Unicode tổ hợp" (NFD) or in an
old font encoding. cli.py reads every such option through here:

- ``option_code`` / ``option_codes``: a code (or a comma-separated list) with look-alikes
  folded: NFKC (full-width digits and commas), zero-width characters dropped, spaces dropped.
- ``option_text``: free text (``--appraiser``) in NFC, non-breaking spaces as spaces,
  zero-width and control characters dropped, trimmed; text in TCVN3/VNI refused as in a
  file (``text-legacy-encoding`` at ``dòng lệnh:--appraiser``, exit 1).
"""

from __future__ import annotations

import re
import unicodedata

from .errors import InputError, Issue, message
from .text import legacy_message, nfc

COMMAND_LINE = "dòng lệnh"  # the "file" of a problem in an option (as decision's options say)

# characters that show nothing: zero-width spaces and joiners, word joiner, BOM, soft hyphen
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_SPACES = {code: " " for code in (0x00A0, 0x202F, 0x2007, 0x3000)}


def option_code(value: str) -> str:
    """A code typed on the command line as the code it shows: "２３５０３", "23\u200b503",
    " 23503\u00a0" → "23503"."""
    folded = unicodedata.normalize("NFKC", str(value)).translate(_INVISIBLE)
    return "".join(folded.split())


def option_codes(value: str | None) -> list[str] | None:
    """A comma-separated list of codes (None when absent): "23503, 23506", "23503，23506"
    (full-width comma), "23503;23506" → ["23503", "23506"]."""
    if not value:
        return None
    folded = unicodedata.normalize("NFKC", value).translate(_INVISIBLE)
    return [option_code(part) for part in re.split(r"[,;]", folded) if option_code(part)]


def option_text(value: str | None, option: str, what: str) -> str | None:
    """Free text given as ``option`` in NFC, trimmed, its invisible and control characters
    dropped and its non-breaking spaces read as spaces; None when absent or blank.

    Raises InputError (text-legacy-encoding at ``dòng lệnh:<option>``) for text typed in an
    old font encoding (TCVN3/ABC, VNI), saying what it would read as and how to convert it.
    """
    if value is None:
        return None
    text = nfc(str(value)).translate(_INVISIBLE).translate(_SPACES)
    text = "".join(" " if unicodedata.category(char) == "Cc" else char for char in text).strip()
    if not text:
        return None
    legacy = legacy_message(text)
    if legacy:
        raise InputError([Issue(COMMAND_LINE, option, "text-legacy-encoding",
                                message("text-legacy-encoding", "option", what=what, reason=legacy))])
    return text
