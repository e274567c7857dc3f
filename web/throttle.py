"""Failed sign-ins counted in the database, shared by every server process.

After settings.LOGIN_FAILURES_MAX failed attempts against one user name, further attempts are
refused until LOGIN_FAILURE_WINDOW seconds after the first of them. The count used to live in
the default cache (LocMemCache, one per process): under gunicorn with N workers an attacker had
N × LOGIN_FAILURES_MAX attempts. It is now a row of web.models.LoginFailure per user name.

Why a table and not Django's DatabaseCache: the cache's ``incr`` is a read and a write
(django.core.cache.backends.base.BaseCache.incr), so two failures at the same moment can both
read 3 and both write 4, and its culling may delete a live counter. Here every change is one
SQL statement on one row, which PostgreSQL and SQLite apply one at a time (PostgreSQL locks
the row and re-evaluates the second UPDATE on the first one's result; SQLite serialises
writers, and this app opens its write transactions IMMEDIATE).

An attempt is counted before the password is checked (``reserve``): a burst of concurrent
attempts cannot all pass a "fewer than the maximum so far" check before any of them is counted.
A successful attempt, and one refused without being checked, give their place back
(``release``), so the count is the failures plus the attempts being checked right now.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from .models import LoginFailure


def username_key(username: str | None) -> str:
    """The name attempts are counted under: as Django's sign-in form reads it (NFKC, so that
    "ｏffice" in full-width letters is the account "office" and shares its count), trimmed,
    case folded, without NUL characters (PostgreSQL stores no NUL in a text column: the attempt
    is counted before the form refuses such a name, and "off\x00ice" counts as "office")."""
    return unicodedata.normalize("NFKC", username or "").replace("\x00", "").strip().casefold()[:150]


def reserve(username: str) -> bool:
    """Count an attempt against ``username``; False when it is over the limit of its window
    (the caller then refuses it and calls ``release``)."""
    key = username_key(username)
    now = timezone.now()
    window_end = now + dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)
    live = Q(expires_at__gt=now)
    while True:
        with transaction.atomic():
            LoginFailure.objects.bulk_create([LoginFailure(username=key, count=0, expires_at=window_end)],
                                             ignore_conflicts=True)
            # one statement: within the window, one more; after it, a new window with this attempt
            updated = LoginFailure.objects.filter(username=key).update(
                count=Case(When(live, then=F("count") + 1), default=Value(1)),
                expires_at=Case(When(live, then=F("expires_at")), default=Value(window_end)))
            if updated:   # the row is ours until the commit: the count read is the one written
                count = LoginFailure.objects.filter(username=key).values_list("count", flat=True).get()
                break
        # 0: another request's clean-up deleted the expired row between the insert and the update
    # other names' ended windows, in a statement of its own (never holding this name's row)
    LoginFailure.objects.filter(expires_at__lte=now).exclude(username=key).delete()
    return count <= settings.LOGIN_FAILURES_MAX


def release(username: str) -> None:
    """Give back an attempt counted by ``reserve`` that did not fail (signed in, or refused unchecked)."""
    key = username_key(username)
    with transaction.atomic():
        LoginFailure.objects.filter(username=key, count__gt=0).update(count=F("count") - 1)
        LoginFailure.objects.filter(username=key, count=0).delete()
