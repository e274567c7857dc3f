"""What the web tests share (imported by name: tests/conftest.py is also "conftest")."""

from __future__ import annotations

import datetime as dt

BLANK, OTHER, UNASSIGNED = "23533", "23503", "23506"   # Tê Xăng (blank), Đăk Hà, Đăk Tờ Kan
PASSWORD = "mat-khau-thu-nghiem"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def shift_step(round_, kind, *, opens=-1, closes=24):
    """Set a step's window relative to now (hours)."""
    from django.utils import timezone

    step = round_.steps.get(kind=kind)
    now = timezone.now()
    step.opens_at, step.closes_at, step.locked_at = now + dt.timedelta(hours=opens), now + dt.timedelta(hours=closes), None
    step.save()
    return step
