"""The self-assessment Excel form on the web (issue 18): a commune downloads its form, filled
with what it has saved, and uploads the filled workbook instead of typing each area's page.

The form is the engine's (scoring.forms: ``write_self_assessment_form`` writes it,
``import_file`` reads it back with every problem at its cell); the application has no
reading code of its own. An upload is refused before the engine reads it when it is too
large (settings.FORM_UPLOAD_MAX_BYTES) or its content is not an xlsx package (a renamed PDF
or .xls); the engine's reader then refuses zip bombs and oversized sheets
(scoring.input_files). A form with any problem changes nothing and its problems are listed as
``FILE.xlsx!Sheet!F12``: message [code]. A form without problems is written in one
transaction: every leaf whose row is filled replaces the saved entry, documents not yet
cited are added (as cited, without a scan: the scan is uploaded on the area page), and the
covering report's number, date and signer; each changed row's history names the user, the
time and the file (history_change_reason). Rows left wholly empty keep what is saved.

Who: the commune's own users, while its self-assessment is open (web.rounds.can_edit_self);
the file's commune code must be the commune's own. The office may download a commune's form.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from scoring import forms

from . import rounds
from .engine import submission_dict
from .evidence import clean_name
from .models import Commune, Evidence, LeafEntry, Profile
from .uploads import chosen_file, read_within, takes_uploads
from .views import _commune_for

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# codes that are no problem on the web: a scan is uploaded on the area page, never named by path
WEB_WARNINGS_DROPPED = {"evidence-file-missing"}


class FormRefused(ValueError):
    """An upload refused before the engine reads it (Vietnamese message, for the page)."""


@functools.lru_cache(maxsize=8)
def _source_cached(digest: str, text: str) -> forms.CriteriaSource:
    with tempfile.TemporaryDirectory(prefix="cchc-criteria-") as tmp:
        path = Path(tmp) / "criteria.json"
        path.write_text(text, encoding="utf-8")
        return forms.load_criteria(path)


def criteria_source(round_) -> forms.CriteriaSource:
    """The round's criteria set read and validated by the engine's form loader (a set built
    on a framework is resolved as the CLI resolves it)."""
    text = json.dumps(round_.criteria, ensure_ascii=False, sort_keys=True)
    return _source_cached(hashlib.sha256(text.encode()).hexdigest(), text)


def form_name(commune: Commune) -> str:
    return f"phieu-tu-danh-gia-{commune.code}.xlsx"


def check_package(data: bytes) -> None:
    """Refuse what is not an xlsx package, from the content (never the name or the browser's
    claim): a zip whose parts include the workbook and its content types. Raises FormRefused."""
    if not data:
        raise FormRefused("Tệp rỗng.")
    if not data.startswith(b"PK\x03\x04"):
        if data.startswith(b"\xd0\xcf\x11\xe0"):
            raise FormRefused("Tệp là bảng tính Excel 97-2003 (.xls): mở bằng Excel và lưu lại dạng .xlsx.")
        raise FormRefused("Nội dung tệp không phải bảng tính Excel (.xlsx): chỉ nhận phiếu tự đánh giá tải về từ trang này.")
    try:
        import io

        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise FormRefused("Tệp .xlsx bị hỏng (không đọc được gói nén).")
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise FormRefused("Nội dung tệp không phải bảng tính Excel (.xlsx) (có thể là tệp .ods hoặc .docx đổi tên).")


def read_upload(upload, source: forms.CriteriaSource) -> tuple[str, dict | None, list[tuple[str, str, str]]]:
    """(the file's name, the submission read from it or None, problems as (where, message, code)).

    The size and the package are checked here; everything else is the engine's form reader
    (scoring.forms.import_file, kind "self"), which also refuses zip bombs."""
    name = clean_name(upload.name)
    if not name.lower().endswith(".xlsx"):
        name = name.rsplit(".", 1)[0] + ".xlsx" if "." in name else name + ".xlsx"
    data = read_within(upload, settings.FORM_UPLOAD_MAX_BYTES, FormRefused)
    check_package(data)
    with tempfile.TemporaryDirectory(prefix="cchc-form-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            result = forms.import_file(path, source, kind=forms.KIND_SELF, base_dir=Path(tmp), blank_rows=[])
        except forms.FormError as error:
            return name, None, [(_where(name, issue), issue.message, issue.code) for issue in error.issues]
    return name, result.data, []


def _where(name: str, issue) -> str:
    return f"{name}!{issue.pointer}" if issue.pointer else name


def _number(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def _plain(value):
    """A fact as the application stores it (web.views._parse_fact): a Decimal read from a cell
    as int when whole, else float (its exact short text); dicts (conditions) value by value."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _same(a, b) -> bool:
    return json.dumps(a, default=str, sort_keys=True) == json.dumps(b, default=str, sort_keys=True)


def apply_submission(commune: Commune, data: dict, reason: str) -> dict:
    """Write a submission read from the form into the commune's draft, in one transaction;
    return counts {"leaves": entries changed, "documents": documents added, "kept": saved
    entries whose row was left empty}. Each row written carries ``reason`` in its history."""
    counts = {"leaves": 0, "documents": 0, "kept": 0}
    form_leaves = data.get("leaves", {})
    with transaction.atomic():
        commune = Commune.objects.select_for_update().get(pk=commune.pk)
        entries = {entry.leaf: entry for entry in commune.entries.all()}
        for code, raw in form_leaves.items():
            wanted = (_plain(raw.get("facts") or {}), _number(raw.get("self_score")), bool(raw.get("not_applicable")),
                      raw.get("explanation") or "")
            entry = entries.get(code) or LeafEntry(commune=commune, leaf=code)
            if not entry.pk or not _same((entry.facts, _number(entry.self_score), entry.not_applicable,
                                          entry.explanation), wanted):
                entry.facts, entry.self_score, entry.not_applicable, entry.explanation = wanted
                entry._change_reason = reason
                entry.save()
                counts["leaves"] += 1
            cited = {(e.number, e.date) for e in commune.evidence.filter(leaf=code, stage=Evidence.SELF)}
            for document in raw.get("evidence") or ():
                key = (document["number"][:100], dt.date.fromisoformat(document["date"]))
                if key in cited:
                    continue
                cited.add(key)
                evidence = Evidence(commune=commune, leaf=code, stage=Evidence.SELF, number=key[0], date=key[1],
                                    title=document["title"][:500], issuer=document["issuer"][:300],
                                    sha256="", filename="", content_type="", size=0)
                evidence._change_reason = reason
                evidence.save()
                counts["documents"] += 1
        counts["kept"] = len(set(entries) - set(form_leaves))
        report = data.get("report") or {}
        before = (commune.report_number, commune.report_date, commune.report_signer, commune.state)
        commune.report_number = (report.get("number") or commune.report_number)[:100]
        if report.get("date"):
            commune.report_date = dt.date.fromisoformat(report["date"])
        commune.report_signer = (report.get("signer") or commune.report_signer)[:200]
        if commune.state == Commune.NOT_STARTED:
            commune.state = Commune.DRAFT
        if (commune.report_number, commune.report_date, commune.report_signer, commune.state) != before:
            commune._change_reason = reason
            commune.save()
    return counts


def _form_bytes(commune: Commune) -> bytes:
    """The commune's form, filled with what it has saved (its documents named by the uploaded file name)."""
    source = criteria_source(commune.round)
    draft = submission_dict(commune, lambda evidence: evidence.filename or None)
    for leaf in draft["leaves"].values():   # a document cited without a scan has no file
        for document in leaf.get("evidence", ()):
            if not document.get("file"):
                document.pop("file", None)
    data, _warnings = forms.write_self_assessment_form(
        source, {"code": commune.code, "name": commune.name, "type": commune.type}, draft)
    return data


def _form_commune(request, pk):
    """The commune whose form is asked for: only its own users and the office see it (404 otherwise)."""
    commune = _commune_for(request, pk)
    if rounds.role(request.user) not in (Profile.COMMUNE, Profile.OFFICE):
        raise Http404
    return commune


@login_required
def form_download(request, pk):
    """The commune's self-assessment form (.xlsx): its own users and the office."""
    commune = _form_commune(request, pk)
    response = HttpResponse(_form_bytes(commune), content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{form_name(commune)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@takes_uploads("FORM_UPLOAD_MAX_BYTES")
@login_required
def form_page(request, pk):
    """GET: how to use the form, the download and the upload field. POST: an upload."""
    commune = _form_commune(request, pk)
    can_edit = rounds.can_edit_self(request.user, commune)
    problems: list[tuple[str, str, str]] = []
    refused = None
    if request.method == "POST":
        if rounds.role(request.user) != Profile.COMMUNE:
            raise Http404
        if not can_edit:
            messages.error(request, "Hồ sơ đã khóa, đã nộp hoặc ngoài thời hạn tự đánh giá: không nhận phiếu.")
            return redirect("excel_form", pk=pk)
        try:
            upload = chosen_file(request, "file", FormRefused)
            if upload is None:
                raise FormRefused("Chưa chọn tệp phiếu tự đánh giá (.xlsx).")
            name, data, problems = read_upload(upload, criteria_source(commune.round))
            if data is not None and data["commune"]["code"] != commune.code:
                raise FormRefused(f"Phiếu là của đơn vị mã {data['commune']['code']}, không phải của "
                                  f"{commune.type} {commune.name} ({commune.code}): không nhận.")
        except FormRefused as error:
            refused = str(error)
        else:
            if not problems:
                counts = apply_submission(commune, data, f"Nhập phiếu Excel {name}"[:100])
                messages.success(request, f"Đã nhập phiếu {name}: {counts['leaves']} tiêu chí thay đổi, "
                                          f"{counts['documents']} tài liệu mới được ghi (chưa có tệp: tải tệp ở trang "
                                          f"lĩnh vực); {counts['kept']} tiêu chí để trống trong phiếu giữ nguyên.")
                return redirect("commune", pk=pk)
    return render(request, "web/excel_form.html", {
        "commune": commune, "can_edit": can_edit, "is_commune": rounds.role(request.user) == Profile.COMMUNE,
        "problems": problems, "refused": refused, "file_name": form_name(commune),
        "limit_mb": settings.FORM_UPLOAD_MAX_BYTES // (1024 * 1024)},
        status=400 if (problems or refused) else 200)
