"""The pages. Every view that names a commune, a leaf or a file asks web.rounds whether the
user may; when not, it answers 404 (nothing is told about other communes). The commune is
always the one in the URL, checked; no form field chooses it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

import scoring
from scoring.forms.texts import evidence_text, rule_text
from scoring.numbers import format_points

from . import rounds, throttle
from .engine import check_commune, criteria_model, score_round, stored_results
from .evidence import UploadRefused, check_upload, clean_name
from .models import AppraisalEntry, Commune, Evidence, LeafEntry, Profile, Round, Step
from .uploads import chosen_file, read_within, takes_uploads

CENT = Decimal("0.01")
OUTPUTS = {"results.json": "application/json",
           "ket-qua.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "quyet-dinh.docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


# ---------------------------------------------------------------- helpers

def _office(request):
    if rounds.role(request.user) != Profile.OFFICE:
        raise Http404
    return request.user


def _commune_for(request, pk) -> Commune:
    commune = get_object_or_404(Commune.objects.select_related("round"), pk=pk)
    if not rounds.can_view_commune(request.user, commune):
        raise Http404
    return commune


def _leaves(round_):
    """(area, [leaf…]) of the self-assessed areas, in the criteria set's order."""
    criteria = criteria_model(round_)
    by_area: dict[str, list] = {}
    for leaf in criteria.leaves:
        if leaf.self_assessed and leaf.area:
            by_area.setdefault(leaf.area, []).append(leaf)
    return [(area, by_area[area.code]) for area in criteria.areas if area.code in by_area]


def _leaf(round_, code):
    for leaf in criteria_model(round_).leaves:
        if leaf.code == code and leaf.self_assessed:
            return leaf
    raise Http404


def _pts(hundredths) -> str:
    return format_points(hundredths)


def parse_points(text: str, leaf, what: str) -> tuple[Decimal | None, str | None]:
    """A score typed on a page ("0,75" or "0.75") checked against the leaf's range and
    step, as the forms check it: (value, None) or (None, the Vietnamese message)."""
    text = (text or "").strip().replace(",", ".")
    if not text:
        return None, None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None, f"{what} phải là một số (ví dụ 0,75)."
    if not value.is_finite() or value != value.quantize(CENT):
        return None, f"{what} chỉ có tối đa hai chữ số thập phân."
    hundredths = int(value * 100)
    lowest, step = leaf.rule.lowest, leaf.rule.step
    if hundredths < lowest or hundredths > leaf.max:
        return None, f"{what} phải từ {_pts(lowest)} đến {_pts(leaf.max)} điểm."
    if step and (hundredths - lowest) % step:
        return None, f"{what} phải là bội số của {_pts(step)} điểm."
    return value, None


def _fact_fields(leaf):
    """The facts the leaf's rule reads, as (name, label, kind, options)."""
    fields = []
    for name in leaf.rule.facts:
        if name == "conditions":  # issue 13: one Có/Không per named condition ("conditions.<id>"), see _fold_conditions
            fields.extend((f"conditions.{c.id}", c.label, "bool", (("true", "Có"), ("false", "Không")))
                          for c in leaf.rule.named_conditions())
            continue
        label = leaf.rule.fact_label(name) or {"numerator": "Tử số", "denominator": "Mẫu số", "value": "Giá trị",
                                               "violations": "Số lần vi phạm", "count": "Số lượng",
                                               "done": "Đã thực hiện", "choice": "Lựa chọn"}.get(name, name)
        if name == "done":
            fields.append((name, label, "bool", (("true", "Có"), ("false", "Không"))))
        elif name == "choice":
            fields.append((name, label, "choice", tuple((o.value, o.label) for o in leaf.rule.choices)))
        elif name == "value":
            fields.append((name, label, "number", ()))
        else:
            fields.append((name, label, "int", ()))
    return fields


def _fold_conditions(facts: dict) -> dict:
    """The per-condition fields ("conditions.<id>") as the one fact the rule reads: {"conditions": {id: bool}}."""
    stated = {name.split(".", 1)[1]: facts.pop(name) for name in list(facts) if name.startswith("conditions.")}
    if stated:
        facts["conditions"] = stated
    return facts


def _stated_fact(entry, name):
    """What an entry holds for a form field (a per-condition field reads inside "conditions")."""
    if entry is None:
        return None
    if name.startswith("conditions."):
        return (entry.facts.get("conditions") or {}).get(name.split(".", 1)[1])
    return entry.facts.get(name)


def _parse_fact(kind, text, options):
    text = (text or "").strip()
    if not text:
        return None, None
    if kind == "bool":
        return (text == "true"), None if text in ("true", "false") else "Chọn Có hoặc Không."
    if kind == "choice":
        return (text, None) if text in [value for value, _ in options] else (None, "Lựa chọn không có trong danh sách.")
    if kind == "int":
        if not text.isdigit():
            return None, "Phải là số nguyên không âm."
        return int(text), None
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None, "Phải là một số."
    return (int(value) if value == value.to_integral_value() else float(value)), None


# ---------------------------------------------------------------- login, home, public

class LoginView(auth_views.LoginView):
    """Django's login with attempts throttled per user name (settings.LOGIN_FAILURES_MAX
    failures within LOGIN_FAILURE_WINDOW seconds), counted in the database so that every
    server process counts the same attempts (web.throttle)."""

    template_name = "web/login.html"

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username")
        if not throttle.reserve(username):
            throttle.release(username)   # refused unchecked: not a failure
            form = self.get_form()
            form.errors.clear()
            minutes = max(1, -(-settings.LOGIN_FAILURE_WINDOW // 60))  # the window, rounded up to a minute
            form.add_error(None, f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút.")
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)   # form_invalid keeps the attempt counted

    def form_valid(self, form):
        throttle.release(self.request.POST.get("username"))
        return super().form_valid(form)


def admin_login(request):
    """Django's admin sign-in page (/quan-tri/login/) sends to the application's own, which
    counts failed attempts (web.throttle): the admin's page checked passwords without any
    limit, for the most powerful accounts. The page asked for (``next``) is kept when it is
    one of this site's."""
    from django.urls import reverse
    from django.utils.http import url_has_allowed_host_and_scheme, urlencode

    if request.user.is_authenticated and not request.user.is_staff:
        # signed in without the admin's rights: signing in again would only come back here (a
        # loop); refused as every page of another role is, 404, whose page says why it may be
        raise Http404
    wanted = request.GET.get("next") or "/quan-tri/"
    if not url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        wanted = "/quan-tri/"
    return redirect(f"{reverse('login')}?{urlencode({'next': wanted})}")


def home(request):
    who = rounds.role(request.user)
    if who == Profile.COMMUNE:
        return redirect("commune", pk=request.user.profile.commune_id)
    if who == Profile.APPRAISER:
        return redirect("queue")
    if who == Profile.OFFICE:
        latest = Round.objects.order_by("-pk").first()
        return redirect("board", pk=latest.pk) if latest else render(request, "web/empty.html")
    return redirect("public")


def public(request):
    published = []
    for round_ in Round.objects.filter(published=True).order_by("-year", "-pk"):
        results = stored_results(round_)
        if results:
            ids = dict(round_.communes.values_list("code", "pk"))
            rows = [dict(c, pk=ids.get(c["code"])) for c in results["communes"]]
            published.append((round_, results, rows))
    return render(request, "web/public.html", {"published": published})


def public_commune(request, pk):
    commune = get_object_or_404(Commune.objects.select_related("round"), pk=pk, round__published=True)
    results = stored_results(commune.round)
    entry = next((c for c in (results or {}).get("communes", ()) if c["code"] == commune.code), None)
    if entry is None:
        raise Http404
    return render(request, "web/public_commune.html", {"commune": commune, "result": entry, "results": results})


# ---------------------------------------------------------------- commune pages

@login_required
def commune_page(request, pk):
    commune = _commune_for(request, pk)
    entries = {e.leaf: e for e in commune.entries.all()}
    problems, result = check_commune(commune)
    areas = []
    for area, leaves in _leaves(commune.round):
        done = sum(1 for leaf in leaves if leaf.code in entries)
        areas.append({"area": area, "done": done, "total": len(leaves),
                      "points": next((a for a in (result or {}).get("areas", ()) if a["code"] == area.code), None)})
    requested = AppraisalEntry.objects.filter(commune=commune, stage=1, explanation_requested=True).exists()
    return render(request, "web/commune.html", {
        "commune": commune, "areas": areas, "result": result, "problems": problems.get("", []),
        "can_edit": rounds.can_edit_self(request.user, commune), "can_explain": rounds.can_explain(request.user, commune),
        "self_step": rounds.step(commune.round, Step.SELF), "now": timezone.now(), "requested": requested,
        "appraisals": commune.appraisals.order_by("leaf", "stage") if commune.state not in rounds.SELF_EDITABLE else (),
        "is_office": rounds.role(request.user) == Profile.OFFICE})


@login_required
def area_page(request, pk, area):
    commune = _commune_for(request, pk)
    found = [item for item in _leaves(commune.round) if item[0].code == area]
    if not found:
        raise Http404
    area_obj, leaves = found[0]
    can_edit = rounds.can_edit_self(request.user, commune)
    entries = {e.leaf: e for e in commune.entries.filter(leaf__in=[leaf.code for leaf in leaves])}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not can_edit:
            messages.error(request, "Hồ sơ đã khóa hoặc đã nộp: không thể sửa.")
            return redirect("area", pk=pk, area=area)
        parsed = {}
        for leaf in leaves:
            errors[leaf.code], parsed[leaf.code] = parse_leaf(request.POST, leaf)
        if not any(errors.values()):
            with transaction.atomic():
                for code, values in parsed.items():
                    save_leaf_entry(commune, entries, code, values)
            messages.success(request, "Đã lưu.")
            return redirect("area", pk=pk, area=area)
        messages.error(request, "Chưa lưu: có lỗi ở các tiêu chí được đánh dấu.")
    problems, _result = check_commune(commune)
    documents: dict[str, list] = {}
    for document in commune.evidence.filter(leaf__in=[leaf.code for leaf in leaves]):
        documents.setdefault(document.leaf, []).append(document)
    rows = [leaf_row(leaf, entries.get(leaf.code), documents.get(leaf.code, ()), errors.get(leaf.code, []), problems)
            for leaf in leaves]
    return render(request, "web/area.html", {"commune": commune, "area": area_obj, "rows": rows, "can_edit": can_edit,
                                             "progress": area_progress(commune, area_obj, leaves, entries, _result)})


def leaf_row(leaf, entry, documents, errors, problems, posted=None) -> dict:
    """What web/_leaf.html shows of one leaf: its rule, its fields with the saved values (or,
    when ``posted`` is given, what was typed: a refused save keeps it), its problems (the
    page's and the engine's) and its documents."""
    from .templatetags.vn import vn

    code = leaf.code
    facts = [(name, label, kind, options, posted.get(f"f-{code}-{name}", "") if posted is not None
              else _stated_fact(entry, name)) for name, label, kind, options in _fact_fields(leaf)]
    if posted is not None:
        score, na, explanation = posted.get(f"s-{code}", ""), bool(posted.get(f"na-{code}")), posted.get(f"x-{code}", "")
    else:
        score = vn(entry.self_score) if entry is not None and entry.self_score is not None else ""
        na, explanation = bool(entry and entry.not_applicable), entry.explanation if entry else ""
    return {"leaf": leaf, "entry": entry, "rule": rule_text(leaf), "evidence_rule": evidence_text(leaf),
            "max": _pts(leaf.max), "facts": facts, "score": score, "na": na, "explanation": explanation,
            "errors": errors, "engine": problems.get(code, []) if entry else [], "documents": documents}


def area_progress(commune, area, leaves, entries, result) -> dict:
    """An area's progress: leaves entered of all, and its provisional points (engine's check) when scored."""
    return {"done": sum(1 for leaf in leaves if leaf.code in entries), "total": len(leaves),
            "points": next((a for a in (result or {}).get("areas", ()) if a["code"] == area.code), None)}


def parse_leaf(post, leaf) -> tuple[list[str], tuple]:
    """One leaf's fields of a posted area form, checked as the forms check them: (problems,
    (self-score, facts, not applicable, explanation))."""
    mine = []
    score, problem = parse_points(post.get(f"s-{leaf.code}"), leaf, "Điểm tự chấm")
    if problem:
        mine.append(problem)
    facts = {}
    for name, label, kind, options in _fact_fields(leaf):
        value, problem = _parse_fact(kind, post.get(f"f-{leaf.code}-{name}"), options)
        if problem:
            mine.append(f"{label}: {problem}")
        elif value is not None:
            facts[name] = value
    facts = _fold_conditions(facts)
    if "numerator" in facts and "denominator" in facts and facts["numerator"] > facts["denominator"]:
        mine.append("Tử số không được lớn hơn mẫu số.")
    return mine, (score, facts, bool(post.get(f"na-{leaf.code}")) and bool(leaf.not_applicable),
                  (post.get(f"x-{leaf.code}") or "").strip()[:5000])


def save_leaf_entry(commune, entries: dict, code: str, values: tuple) -> bool:
    """Store one leaf's parsed values (inside the caller's transaction); a draft starts with
    the first entry. Returns whether anything was written (unchanged: no write, no history row)."""
    score, facts, na, explanation = values
    touched = score is not None or facts or na or explanation or code in entries
    if not touched:
        return False
    entry = entries.get(code) or LeafEntry(commune=commune, leaf=code)
    if entry.pk and (entry.self_score, entry.facts, entry.not_applicable, entry.explanation) == \
            (score, facts, na, explanation):
        return False
    entry.self_score, entry.facts, entry.not_applicable, entry.explanation = score, facts, na, explanation
    entry.save()
    entries[code] = entry
    if commune.state == Commune.NOT_STARTED:
        commune.state = Commune.DRAFT
        commune.save(update_fields=["state"])
    return True


@takes_uploads("EVIDENCE_MAX_BYTES")
@login_required
@require_POST
def upload_evidence(request, pk):
    commune = _commune_for(request, pk)
    if not (rounds.can_edit_self(request.user, commune) or rounds.can_explain(request.user, commune)):
        raise Http404
    try:
        leaf = _leaf(commune.round, request.POST.get("leaf", ""))
    except Http404:
        messages.error(request, "Không nhận tài liệu: chưa chọn tiêu chí.")
        return redirect("commune", pk=pk)
    if rounds.can_edit_self(request.user, commune):
        stage = Evidence.SELF
    elif rounds.can_explain(request.user, commune) and commune.appraisals.filter(
            leaf=leaf.code, stage=1, explanation_requested=True).exists():
        stage = Evidence.EXPLANATION
    else:
        raise Http404
    back = redirect("area", pk=pk, area=leaf.area) if stage == Evidence.SELF else redirect("explain", pk=pk)
    fields = {name: (request.POST.get(name) or "").strip() for name in ("number", "date", "title", "issuer")}
    missing = [label for name, label in (("number", "số"), ("date", "ngày"), ("title", "trích yếu"), ("issuer", "cơ quan ban hành"))
               if not fields[name]]
    try:
        if missing:
            raise UploadRefused("Thiếu " + ", ".join(missing) + " của văn bản.")
        try:
            date = dt.date.fromisoformat(fields["date"])
        except ValueError:
            raise UploadRefused("Ngày văn bản không hợp lệ (dd/mm/yyyy).")
        upload = chosen_file(request, "file", UploadRefused)  # None: none chosen (one too large was refused)
        if upload is None:
            raise UploadRefused("Chưa chọn tệp.")
        data, mime = check_upload(upload)
    except UploadRefused as refused:
        messages.error(request, f"Không nhận tài liệu: {refused}")
        return back
    digest = rounds.store_file(data)
    # the scan of a document already cited without one (an Excel form lists documents): the
    # citation gets the file instead of a second document with the same number and date
    evidence = commune.evidence.filter(leaf=leaf.code, stage=stage, number=fields["number"][:100], date=date,
                                       sha256="").first() or Evidence(commune=commune, leaf=leaf.code, stage=stage)
    evidence.number, evidence.date, evidence.title, evidence.issuer = \
        fields["number"][:100], date, fields["title"][:500], fields["issuer"][:300]
    evidence.sha256, evidence.filename, evidence.content_type, evidence.size, evidence.uploaded_by = \
        digest, clean_name(upload.name), mime, len(data), request.user
    evidence.save()
    if stage == Evidence.SELF and commune.state == Commune.NOT_STARTED:
        commune.state = Commune.DRAFT
        commune.save(update_fields=["state"])
    messages.success(request, "Đã tải lên tài liệu kiểm chứng.")
    return back


@login_required
@require_POST
def delete_evidence(request, pk):
    evidence = get_object_or_404(Evidence.objects.select_related("commune__round"), pk=pk)
    commune = evidence.commune
    allowed = (evidence.stage == Evidence.SELF and rounds.can_edit_self(request.user, commune)) or \
        (evidence.stage == Evidence.EXPLANATION and rounds.can_explain(request.user, commune))
    if not allowed:
        raise Http404
    leaf = _leaf(commune.round, evidence.leaf)
    evidence.delete()
    messages.success(request, "Đã xóa tài liệu.")
    return redirect("area", pk=commune.pk, area=leaf.area) if evidence.stage == Evidence.SELF else redirect("explain", pk=commune.pk)


@login_required
def evidence_file(request, pk):
    evidence = get_object_or_404(Evidence.objects.select_related("commune__round"), pk=pk)
    if not evidence.sha256 or not rounds.can_read_evidence(request.user, evidence):
        raise Http404
    path = Path(settings.EVIDENCE_ROOT) / evidence.sha256
    if not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=evidence.content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def submit(request, pk):
    commune = _commune_for(request, pk)
    if not rounds.can_edit_self(request.user, commune):
        raise Http404
    problems, result = check_commune(commune)
    if result is None:
        for text in [m for items in problems.values() for m in items][:20]:
            messages.error(request, text)
        messages.error(request, "Chưa nộp được: hồ sơ còn lỗi (xem trên).")
        return redirect("commune", pk=pk)
    commune.state = Commune.SUBMITTED
    commune.save(update_fields=["state"])
    messages.success(request, "Đã nộp hồ sơ tự đánh giá.")
    return redirect("commune", pk=pk)


@login_required
def explain(request, pk):
    commune = _commune_for(request, pk)
    marked = list(commune.appraisals.filter(stage=1, explanation_requested=True).order_by("leaf"))
    can = rounds.can_explain(request.user, commune)
    if request.method == "POST":
        if not can:
            if rounds.role(request.user) != Profile.COMMUNE:
                raise Http404
            # the commune's own user whose deadline passed (or who already sent): told, nothing saved
            messages.error(request, "Hết thời hạn giải trình hoặc đã gửi giải trình: không lưu được.")
            return redirect("explain", pk=pk)
        with transaction.atomic():
            for appraisal in marked:
                entry, _ = LeafEntry.objects.get_or_create(commune=commune, leaf=appraisal.leaf)
                answer = (request.POST.get(f"a-{appraisal.leaf}") or "").strip()[:5000]
                if answer != entry.answer:
                    entry.answer = answer
                    entry.save()
            if request.POST.get("action") == "submit":
                empty = [a.leaf for a in marked if not commune.entries.filter(leaf=a.leaf).exclude(answer="").exists()]
                if empty:
                    messages.error(request, "Chưa giải trình các tiêu chí: " + ", ".join(empty))
                    return redirect("explain", pk=pk)
                commune.state = Commune.EXPLANATION_SUBMITTED
                commune.save(update_fields=["state"])
                messages.success(request, "Đã gửi giải trình.")
                return redirect("commune", pk=pk)
        messages.success(request, "Đã lưu giải trình.")
        return redirect("explain", pk=pk)
    entries = {e.leaf: e for e in commune.entries.all()}
    rows = [{"appraisal": a, "entry": entries.get(a.leaf), "documents": commune.evidence.filter(leaf=a.leaf, stage=Evidence.EXPLANATION)}
            for a in marked]
    return render(request, "web/explain.html", {"commune": commune, "rows": rows, "can": can})


@login_required
def history(request, pk):
    commune = _commune_for(request, pk)
    leaf = request.GET.get("leaf") or None
    records = []
    sources = [(LeafEntry.history.filter(commune_id=commune.pk), "Tự đánh giá"),
               (Evidence.history.filter(commune_id=commune.pk), "Tài liệu kiểm chứng"),
               (AppraisalEntry.history.filter(commune_id=commune.pk), "Thẩm định")]
    if not leaf:
        sources.append((Commune.history.filter(id=commune.pk), "Hồ sơ"))
    for queryset, what in sources:
        if leaf:
            queryset = queryset.filter(leaf=leaf)
        for record in queryset.select_related("history_user").order_by("history_date")[:2000]:
            previous = record.prev_record
            changes = []
            if previous is None:  # created: every field it was created with
                changes = [(f.name, None, getattr(record, f.attname)) for f in record._meta.fields
                           if not f.name.startswith("history_") and f.name not in ("id", "commune", "version")
                           and getattr(record, f.attname) not in (None, "", {}, [])]
            else:
                delta = record.diff_against(previous)
                changes = [(c.field, c.old, c.new) for c in delta.changes]
            records.append({"record": record, "what": what, "changes": changes,
                            "leaf": getattr(record, "leaf", ""), "kind": record.get_history_type_display()})
    records.sort(key=lambda item: item["record"].history_date, reverse=True)
    return render(request, "web/history.html", {"commune": commune, "records": records[:500], "leaf": leaf})


# ---------------------------------------------------------------- council pages

@login_required
def queue(request):
    who = rounds.role(request.user)
    if who not in (Profile.APPRAISER, Profile.OFFICE):
        raise Http404
    rows = []
    for commune in Commune.objects.filter(state__in=rounds.SCORED_STATES).select_related("round").order_by("round", "code"):
        if who == Profile.APPRAISER:
            areas = rounds.assigned_areas(request.user, commune)
            if areas is None:
                continue
        else:
            areas = {""}
        rows.append({"commune": commune, "areas": "tất cả" if "" in areas else ", ".join(sorted(areas))})
    return render(request, "web/queue.html", {"rows": rows})


@login_required
def appraise_commune(request, pk):
    commune = _commune_for(request, pk)
    if rounds.role(request.user) not in (Profile.APPRAISER, Profile.OFFICE):
        raise Http404
    areas = rounds.assigned_areas(request.user, commune) if rounds.role(request.user) == Profile.APPRAISER else {""}
    entries = {e.leaf: e for e in commune.entries.all()}
    stage = 2 if commune.state in rounds.APPRAISAL_STATES[2] else 1
    appraisals = {(a.leaf, a.stage): a for a in commune.appraisals.all()}
    rows = []
    for area, leaves in _leaves(commune.round):
        if "" not in areas and area.code not in areas:
            continue
        for leaf in leaves:
            rows.append({"area": area, "leaf": leaf, "entry": entries.get(leaf.code),
                         "a1": appraisals.get((leaf.code, 1)), "a2": appraisals.get((leaf.code, 2))})
    return render(request, "web/appraise_commune.html", {"commune": commune, "rows": rows, "stage": stage,
                                                          "can_finish": any(rounds.can_appraise(request.user, commune, r["area"].code, stage) for r in rows)})


@login_required
def appraise_leaf(request, pk, leaf, stage):
    commune = _commune_for(request, pk)
    leaf_obj = _leaf(commune.round, leaf)
    if stage not in (1, 2):
        raise Http404
    who = rounds.role(request.user)
    if who == Profile.APPRAISER:
        areas = rounds.assigned_areas(request.user, commune)
        if not areas or not ("" in areas or leaf_obj.area in areas):
            raise Http404
    elif who != Profile.OFFICE:
        raise Http404
    can = rounds.can_appraise(request.user, commune, leaf_obj.area, stage)
    current = commune.appraisals.filter(leaf=leaf, stage=stage).first()
    error, conflict = None, None
    if request.method == "POST":
        if not can:
            raise Http404
        score, error = parse_points(request.POST.get("score"), leaf_obj, "Điểm thẩm định")
        reason = (request.POST.get("reason") or "").strip()[:2000]
        if error is None and score is None:
            error = "Nhập điểm thẩm định."
        if error is None and not reason:
            error = "Nhập lý do (căn cứ) của điểm thẩm định."
        if error is None:
            with transaction.atomic():
                current = AppraisalEntry.objects.select_for_update().filter(commune=commune, leaf=leaf, stage=stage).first()
                seen = request.POST.get("version") or "0"
                if (current.version if current else 0) != int(seen if seen.isdigit() else -1):
                    conflict = current
                else:
                    current = current or AppraisalEntry(commune=commune, leaf=leaf, stage=stage, version=0)
                    current.score, current.reason, current.appraiser = score, reason, request.user
                    current.date = timezone.localdate()
                    current.explanation_requested = stage == 1 and bool(request.POST.get("explanation_requested"))
                    current.version += 1
                    current.save()
                    messages.success(request, f"Đã lưu điểm thẩm định tiêu chí {leaf}.")
                    return redirect("appraise_commune", pk=pk)
    entry = commune.entries.filter(leaf=leaf).first()
    _problems, result = check_commune(commune)
    engine_leaf = next((item for item in (result or {}).get("leaves", ()) if item.get("code") == leaf), None)
    return render(request, "web/appraise_leaf.html", {
        "commune": commune, "leaf": leaf_obj, "stage": stage, "entry": entry, "current": current, "error": error,
        "conflict": conflict, "can": can, "rule": rule_text(leaf_obj), "max": _pts(leaf_obj.max),
        "step": _pts(leaf_obj.rule.step) if leaf_obj.rule.step else None, "engine": engine_leaf,
        "documents": commune.evidence.filter(leaf=leaf), "posted": request.POST if request.method == "POST" else None,
        "first": commune.appraisals.filter(leaf=leaf, stage=1).first() if stage == 2 else None})


@login_required
@require_POST
def appraisal_done(request, pk, stage):
    commune = _commune_for(request, pk)
    if stage not in (1, 2) or commune.state not in rounds.APPRAISAL_STATES[stage] or \
            rounds.role(request.user) not in (Profile.APPRAISER, Profile.OFFICE) or \
            not rounds.step_open(commune.round, rounds.APPRAISAL_STEPS[stage]):
        raise Http404
    if stage == 1:
        asked = commune.appraisals.filter(stage=1, explanation_requested=True).exists()
        commune.state = Commune.EXPLANATION_REQUESTED if asked else Commune.APPRAISED_1
    else:
        commune.state = Commune.APPRAISED_2
    commune.save(update_fields=["state"])
    messages.success(request, f"Đã kết thúc thẩm định lần {stage}: {commune.get_state_display()}.")
    return redirect("appraise_commune", pk=pk)


# ---------------------------------------------------------------- office pages

@login_required
def board(request, pk):
    _office(request)
    round_ = get_object_or_404(Round, pk=pk)
    results = stored_results(round_)
    by_code = {c["code"]: c for c in (results or {}).get("communes", ())}
    total = sum(len(leaves) for _area, leaves in _leaves(round_))
    rows = [{"commune": c, "entries": c.entries.count(), "total": total, "result": by_code.get(c.code)}
            for c in round_.communes.all()]
    return render(request, "web/board.html", {"round": round_, "rows": rows, "results": results,
                                              "steps": round_.steps.all(), "now": timezone.now(),
                                              "outputs": [name for name in OUTPUTS if results]})


@login_required
@require_POST
def set_steps(request, pk):
    _office(request)
    round_ = get_object_or_404(Round, pk=pk)
    for step_obj in round_.steps.all():
        try:
            opens = dt.datetime.fromisoformat(request.POST.get(f"opens-{step_obj.kind}", ""))
            closes = dt.datetime.fromisoformat(request.POST.get(f"closes-{step_obj.kind}", ""))
        except ValueError:
            messages.error(request, f"Ngày giờ của bước {step_obj.get_kind_display()} không hợp lệ.")
            return redirect("board", pk=pk)
        opens, closes = (timezone.make_aware(v) if timezone.is_naive(v) else v for v in (opens, closes))
        if closes <= opens:
            messages.error(request, f"Bước {step_obj.get_kind_display()}: hạn phải sau ngày mở.")
            return redirect("board", pk=pk)
        if (opens, closes) != (step_obj.opens_at, step_obj.closes_at):
            step_obj.opens_at, step_obj.closes_at = opens, closes
            if closes > timezone.now():
                step_obj.locked_at = None
            step_obj.save()
    messages.success(request, "Đã cập nhật thời hạn các bước.")
    return redirect("board", pk=pk)


@login_required
@require_POST
def reopen(request, pk):
    _office(request)
    commune = get_object_or_404(Commune, pk=pk)
    reason = (request.POST.get("reason") or "").strip()[:2000]
    try:
        days = max(1, min(60, int(request.POST.get("days") or 3)))
    except ValueError:
        days = 3
    if not reason:
        messages.error(request, "Mở lại hồ sơ cần nêu lý do.")
        return redirect("commune", pk=pk)
    commune.state = Commune.DRAFT
    commune.reopened_until = timezone.now() + dt.timedelta(days=days)
    commune.reopen_reason = reason
    commune.save()
    messages.success(request, f"Đã mở lại hồ sơ đến {timezone.localtime(commune.reopened_until):%H:%M %d/%m/%Y}.")
    return redirect("commune", pk=pk)


@login_required
@require_POST
def score(request, pk):
    _office(request)
    round_ = get_object_or_404(Round, pk=pk)
    try:
        score_round(round_, timezone.localtime().isoformat(timespec="seconds"))
    except scoring.InputError as error:
        for issue in list(error.issues)[:30]:
            messages.error(request, f"{issue.file}:{issue.pointer}: {issue.message} [{issue.code}]")
        return redirect("board", pk=pk)
    messages.success(request, "Đã chấm điểm (kết quả mới nhất ở dưới).")
    return redirect("board", pk=pk)


@login_required
def download(request, pk, name):
    _office(request)
    round_ = get_object_or_404(Round, pk=pk)
    if name not in OUTPUTS:
        raise Http404
    path = Path(settings.OUTPUT_ROOT) / str(round_.pk) / name
    if not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), content_type=OUTPUTS[name], as_attachment=True, filename=name)


@login_required
@require_POST
def approve(request, pk):
    _office(request)
    round_ = get_object_or_404(Round, pk=pk)
    results = stored_results(round_)
    if results is None:
        messages.error(request, "Chưa chấm điểm: chấm điểm trước khi phê duyệt.")
        return redirect("board", pk=pk)
    for commune in round_.communes.filter(state__in=rounds.SCORED_STATES).exclude(state=Commune.PUBLISHED):
        commune.state = Commune.APPROVED  # one save each: the history records every change
        commune.save(update_fields=["state"])
    messages.success(request, "Đã phê duyệt kết quả." + (" (Kết quả TẠM TÍNH.)" if results.get("provisional") else ""))
    return redirect("board", pk=pk)


@login_required
@require_POST
def publish(request, pk):
    _office(request)
    round_ = get_object_or_404(Round, pk=pk)
    if not round_.communes.filter(state=Commune.APPROVED).exists():
        messages.error(request, "Chưa có kết quả được phê duyệt để công bố.")
        return redirect("board", pk=pk)
    for commune in round_.communes.filter(state=Commune.APPROVED):
        commune.state = Commune.PUBLISHED
        commune.save(update_fields=["state"])
    round_.published = True
    round_.save()
    messages.success(request, "Đã công bố kết quả.")
    return redirect("board", pk=pk)


# ---------------------------------------------------------------- office: a new round, assignments

def _json_upload(request, field: str, label: str, problems: list):
    """An uploaded JSON file as data, or None with the reason added to ``problems``."""
    import json

    try:
        upload = chosen_file(request, field, UploadRefused)
        raw = read_within(upload, settings.ROUND_FILE_MAX_BYTES, UploadRefused) if upload is not None else None
    except UploadRefused as error:
        problems.append(f"{label}: {error}")
        return None
    if upload is None:
        problems.append(f"Chưa chọn {label}.")
        return None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        problems.append(f"{label}: không phải tệp JSON (UTF-8) hợp lệ.")
        return None
    if not isinstance(data, dict):
        problems.append(f"{label}: tệp JSON phải là một đối tượng.")
        return None
    return data


@takes_uploads("ROUND_FILE_MAX_BYTES", files=2)
@login_required
def new_round(request):
    """The office creates a round from a criteria set file and the registry of the year's
    units, both checked by the engine (scoring.find_issues) before anything is stored; the
    steps open now for 30 days until the office sets their dates on the board."""
    _office(request)
    problems: list[str] = []
    if request.method == "POST":
        import json
        import tempfile

        criteria = _json_upload(request, "criteria", "Bộ tiêu chí", problems)
        registry = _json_upload(request, "registry", "Danh sách đơn vị", problems)
        if criteria is not None and registry is not None:
            issues = [issue for issue in scoring.find_issues(criteria=criteria, submissions=[], registry=registry)
                      if issue.code != "no-submissions"]
            names = {"criteria": "Bộ tiêu chí", "registry": "Danh sách đơn vị"}
            problems += [f"{names.get(issue.file, issue.file)}:{issue.pointer or '/'}: {issue.message} [{issue.code}]"
                         for issue in issues[:50]]
        if not problems:
            with tempfile.TemporaryDirectory(prefix="cchc-round-") as tmp:
                folder = Path(tmp)
                (folder / "communes").mkdir()
                for name, data in (("criteria.json", criteria), ("registry.json", registry)):
                    (folder / name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
                created = rounds.import_round(folder / "criteria.json", folder / "communes",
                                              registry_path=folder / "registry.json")
            messages.success(request, f"Đã tạo đợt đánh giá {created.title} với {created.communes.count()} đơn vị. "
                                      "Đặt thời hạn các bước và phân công thẩm định.")
            return redirect("board", pk=created.pk)
    return render(request, "web/new_round.html", {"problems": problems,
                                                  "rounds": Round.objects.order_by("-year", "-pk")})


@login_required
def assignments(request, pk):
    """The office assigns appraisers: a commune (all its areas), an area (in every commune)
    or an area of one commune; and takes an assignment back. Every change is in the history."""
    from django.contrib.auth import get_user_model

    _office(request)
    round_ = get_object_or_404(Round, pk=pk)
    areas = [(area.code, area.title) for area, _leaves_of in _leaves(round_)]
    appraisers = get_user_model().objects.filter(profile__role=Profile.APPRAISER).order_by("username")
    if request.method == "POST":
        from .models import Assignment

        if request.POST.get("action") == "delete":
            found = Assignment.objects.filter(round=round_, pk=request.POST.get("assignment") or 0).first()
            if found is None:
                raise Http404
            found.delete()
            messages.success(request, "Đã bỏ phân công.")
            return redirect("assignments", pk=pk)
        user = appraisers.filter(pk=request.POST.get("appraiser") or 0).first()
        code = request.POST.get("commune") or ""
        commune = round_.communes.filter(pk=code).first() if code.isdigit() else None
        area = request.POST.get("area") or ""
        if user is None:
            messages.error(request, "Chọn một thành viên Hội đồng thẩm định.")
        elif code and commune is None:
            messages.error(request, "Đơn vị không thuộc đợt đánh giá này.")
        elif area and area not in dict(areas):
            messages.error(request, "Lĩnh vực không có trong bộ tiêu chí của đợt.")
        elif Assignment.objects.filter(user=user, round=round_, commune=commune, area=area).exists():
            messages.error(request, "Đã có phân công này.")
        else:
            Assignment.objects.create(user=user, round=round_, commune=commune, area=area)
            messages.success(request, f"Đã phân công {user.get_full_name() or user.username}.")
        return redirect("assignments", pk=pk)
    rows = round_.assignments.select_related("user", "commune").order_by("user__username", "commune__code", "area")
    return render(request, "web/assignments.html", {"round": round_, "rows": rows, "areas": areas,
                                                    "appraisers": appraisers, "communes": round_.communes.all()})
