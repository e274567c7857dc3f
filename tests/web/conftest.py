"""The web application's fixtures: one demo round (the bundled example, Tê Xăng left blank)
loaded once per session, accounts for every role, evidence and outputs in a temporary folder."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings

from web_support import BLANK, OTHER, PASSWORD, UNASSIGNED


@pytest.fixture(scope="session", autouse=True)
def web_data(tmp_path_factory):
    root = tmp_path_factory.mktemp("web-data")
    django_settings.EVIDENCE_ROOT = root / "evidence"
    django_settings.OUTPUT_ROOT = root / "outputs"
    django_settings.CACHES["checks"]["LOCATION"] = str(root / "cache")   # before the cache is first used
    django_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return root


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, web_data):
    """The demo round and its accounts, once; each test runs in a transaction rolled back."""
    from django.contrib.auth import get_user_model

    from web.management.commands._paths import EXAMPLE
    from web.models import Assignment, Profile
    from web.rounds import import_round

    with django_db_blocker.unblock():
        round_ = import_round(EXAMPLE["criteria"], EXAMPLE["submissions"], appraisal_path=EXAMPLE["appraisal"],
                              survey_path=EXAMPLE["survey"], registry_path=EXAMPLE["registry"], skip={BLANK})
        User = get_user_model()

        def account(name, role, commune=None):
            user = User.objects.create_user(username=name, password=PASSWORD)
            Profile.objects.create(user=user, role=role, commune=commune)
            return user

        account("office", Profile.OFFICE)
        account("commune_a", Profile.COMMUNE, round_.communes.get(code=BLANK))
        account("commune_b", Profile.COMMUNE, round_.communes.get(code=OTHER))
        appraiser = account("appraiser", Profile.APPRAISER)
        Assignment.objects.create(user=appraiser, round=round_, commune=round_.communes.get(code=OTHER))
        by_area = account("appraiser_area", Profile.APPRAISER)
        Assignment.objects.create(user=by_area, round=round_, area="1")
        User.objects.create_user(username="nobody", password=PASSWORD)  # an account without a role


@pytest.fixture(autouse=True)
def fresh_cache():
    """Every test starts with an empty default cache (the login throttle counts in the
    database, web.throttle: each test's transaction is rolled back)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demo(db):
    from web.models import Round

    round_ = Round.objects.get()
    return {"round": round_, "a": round_.communes.get(code=BLANK), "b": round_.communes.get(code=OTHER),
            "unassigned": round_.communes.get(code=UNASSIGNED)}


@pytest.fixture
def login():
    from django.test import Client

    def make(username=None, **options):
        client = Client(**options)
        if username:
            assert client.login(username=username, password=PASSWORD)
        return client

    return make
