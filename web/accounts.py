"""The office's page for the accounts of council members (appraisers) and communes (issue 18:
roles; until now only through Django's admin).

The office creates an account (user name, full name, role, and for a commune account the
commune of a round), resets its password, or locks and unlocks it. A password is made by the
application (``secrets``, 12 characters), stored by Django's hashers and shown once on the
page that answers the request, never in a message or a cookie. Office accounts, staff and
accounts without a role are not touched here (the admin keeps them). Each account's role is
a Profile, whose changes the history records.
"""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render

from .models import Commune, Profile
from .views import _office

ROLES = [(Profile.APPRAISER, "Thành viên Hội đồng thẩm định"), (Profile.COMMUNE, "Tài khoản của UBND xã")]
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"   # no 0/O, 1/l/I


def new_password(length: int = 12) -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))


class CommuneChoice(forms.ModelChoiceField):
    def label_from_instance(self, commune):
        return f"{commune.code} {commune.type} {commune.name} (đợt {commune.round.year})"


class AccountForm(forms.Form):
    """A new account: the user name checked by Django's own validators, unique."""

    username = forms.CharField(label="Tên đăng nhập", max_length=150,
                               validators=get_user_model()._meta.get_field("username").validators)
    full_name = forms.CharField(label="Họ và tên (hoặc tên đơn vị)", max_length=150, required=False)
    role = forms.ChoiceField(label="Vai trò", choices=ROLES)
    commune = CommuneChoice(label="Đơn vị (tài khoản của xã)", required=False,
                                     queryset=Commune.objects.select_related("round").order_by("-round__year", "-round_id", "code"))

    def clean_username(self):
        name = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=name).exists():
            raise forms.ValidationError("Tên đăng nhập này đã có.")
        return name

    def clean(self):
        data = super().clean()
        if data.get("role") == Profile.COMMUNE and not data.get("commune"):
            self.add_error("commune", "Tài khoản của xã cần chọn đơn vị.")
        if data.get("role") == Profile.APPRAISER:
            data["commune"] = None
        return data


def _managed(pk):
    """An account this page may change: an appraiser's or a commune's, not staff."""
    user = get_user_model().objects.filter(pk=pk if str(pk).isdigit() else 0, is_staff=False, is_superuser=False,
                                           profile__role__in=[Profile.APPRAISER, Profile.COMMUNE]).first()
    if user is None:
        raise Http404
    return user


@login_required
def accounts(request):
    _office(request)
    form = AccountForm()
    shown = None   # (user name, password): shown once, on this answer only
    if request.method == "POST":
        action = request.POST.get("action") or "create"
        if action == "create":
            form = AccountForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                password = new_password()
                with transaction.atomic():
                    user = get_user_model().objects.create_user(username=data["username"], password=password,
                                                                first_name=data["full_name"].strip())
                    Profile.objects.create(user=user, role=data["role"], commune=data["commune"])
                shown = (user.username, password)
                form = AccountForm()
        elif action == "reset":
            user = _managed(request.POST.get("user"))
            password = new_password()
            user.set_password(password)
            user.save(update_fields=["password"])
            shown = (user.username, password)
        elif action in ("lock", "unlock"):
            user = _managed(request.POST.get("user"))
            user.is_active = action == "unlock"
            user.save(update_fields=["is_active"])
            messages.success(request, f"Đã {'mở khóa' if user.is_active else 'khóa'} tài khoản {user.username}.")
            return redirect("accounts")
        else:
            raise Http404
    rows = get_user_model().objects.filter(is_staff=False, is_superuser=False,
                                           profile__role__in=[Profile.APPRAISER, Profile.COMMUNE]) \
        .select_related("profile__commune__round").order_by("profile__role", "username")
    return render(request, "web/accounts.html", {"form": form, "rows": rows, "shown": shown},
                  status=400 if request.method == "POST" and form.errors else 200)
