"""Pages that update in place (issue 18: "htmx where a page needs to update in place; no
JavaScript build step"), and the one vendored script they use.

htmx (web/static/web/, version and licence in its README) is served as a plain file by
``vendored``. Every page of a signed-in user carries the CSRF token in ``hx-headers``
(web/base.html), so an htmx request passes Django's CSRF check like a form does.

Saving one leaf of an area form (``save_leaf``): with htmx the leaf's block is replaced by
the server's answer (saved, or its problems with what was typed kept) and the area's progress
is updated out of band; without JavaScript the same button posts the whole form to the same
URL (``formaction``), the leaf is saved and the area page comes back. The checks are the area
page's (web.views.parse_leaf / save_leaf_entry): one code for both.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from . import rounds
from .engine import check_commune
from .models import Profile
from .views import _commune_for, _leaf, _leaves, area_progress, leaf_row, parse_leaf, save_leaf_entry

STATIC = Path(__file__).resolve().parent / "static" / "web"
HTMX = "htmx-2.0.11.min.js"
VENDORED = {HTMX: "text/javascript; charset=utf-8"}


@require_GET
def vendored(request, name):
    """A vendored browser file, by its versioned name only (never a path from the request)."""
    if name not in VENDORED:
        raise Http404
    response = FileResponse((STATIC / name).open("rb"), content_type=VENDORED[name])
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
@require_POST
def save_leaf(request, pk, leaf):
    """Save one leaf of the commune's self-assessment (its own users, while it is open)."""
    commune = _commune_for(request, pk)
    leaf_obj = _leaf(commune.round, leaf)
    if rounds.role(request.user) != Profile.COMMUNE:
        raise Http404
    errors: list[str] = []
    refused = None
    saved = False
    if not rounds.can_edit_self(request.user, commune):
        refused = "Hồ sơ đã khóa, đã nộp hoặc ngoài thời hạn tự đánh giá: không lưu được."
    else:
        errors, values = parse_leaf(request.POST, leaf_obj)
        if not errors:
            with transaction.atomic():
                save_leaf_entry(commune, {e.leaf: e for e in commune.entries.filter(leaf=leaf_obj.code)},
                                leaf_obj.code, values)
            saved = True
    if not is_htmx(request):
        if saved:
            messages.success(request, f"Đã lưu tiêu chí {leaf_obj.code}.")
        else:
            messages.error(request, refused or f"Chưa lưu tiêu chí {leaf_obj.code}: " + "; ".join(errors))
        return redirect("area", pk=pk, area=leaf_obj.area)
    area, leaves = next(item for item in _leaves(commune.round) if item[0].code == leaf_obj.area)
    entries = {e.leaf: e for e in commune.entries.filter(leaf__in=[item.code for item in leaves])}
    problems, result = check_commune(commune)
    row = leaf_row(leaf_obj, entries.get(leaf_obj.code), commune.evidence.filter(leaf=leaf_obj.code), errors, problems,
                   posted=request.POST if (errors or refused) else None)
    return render(request, "web/_leaf_saved.html", {
        "r": row, "commune": commune, "can_edit": refused is None, "saved": saved, "refused": refused,
        "progress": area_progress(commune, area, leaves, entries, result), "oob": True})
