"""Evidence uploads: the type from the content (never the name or the browser's claim),
a size limit, and storage by sha256 outside any served folder (one copy per content)."""

from __future__ import annotations

import unicodedata

import filetype
from django.conf import settings

from .uploads import read_within

ALLOWED = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}


class UploadRefused(ValueError):
    """An upload that is not kept; the message is Vietnamese, for the page."""


def sniff(data: bytes) -> str | None:
    """The MIME type read from the file's first bytes (filetype), or None."""
    kind = filetype.guess(data[:8192])
    return kind.mime if kind else None


def clean_name(name: str) -> str:
    """The uploaded file name as shown and exported: its last path part only (a name like
    ``../../x.pdf`` or ``C:\\x.pdf`` cannot escape a folder), NFC, no control characters."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    return name[:200] or "tai-lieu"


def check_upload(upload) -> tuple[bytes, str]:
    """(the bytes, their MIME type) of an accepted upload; raises UploadRefused."""
    data = read_within(upload, settings.EVIDENCE_MAX_BYTES, UploadRefused)
    if not data:
        raise UploadRefused("Tệp rỗng.")
    mime = sniff(data)
    if mime not in ALLOWED:
        raise UploadRefused("Chỉ nhận tệp PDF hoặc ảnh (JPEG, PNG); nội dung tệp này không phải các loại đó.")
    return data, mime
