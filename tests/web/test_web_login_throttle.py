"""Failed sign-ins are counted in the database (web.throttle), so every server process counts
the same attempts: under gunicorn with N workers an attacker used to get N × the limit (one
LocMemCache per process). Checked with separate Python processes on a database of their own
(a SQLite file, or a fresh database on the PostgreSQL server the suite runs on), one after the
other and all at once; in this process: the window expires, a success does not count, the 429
page still shows."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from web_support import PASSWORD

from web import throttle
from web.models import LoginFailure

ROOT = Path(__file__).resolve().parents[2]
# one server process: signs in once per line read ("<user name>"), prints the status
WORKER = """
import sys
import django
django.setup()
from django.db import connection
from django.test import Client
client = Client()
print("ready", connection.vendor, flush=True)
for line in sys.stdin:
    response = client.post("/dang-nhap/", {"username": line.strip(), "password": "sai"})
    print(response.status_code, "quá nhiều lần" in response.content.decode(), flush=True)
"""


@pytest.fixture(scope="module")
def server_env(tmp_path_factory):
    """The environment of server processes sharing one migrated database of their own."""
    work = tmp_path_factory.mktemp("throttle")
    env = dict(os.environ, CCHC_WEB_DATA=str(work), DJANGO_SETTINGS_MODULE="web.settings", CCHC_FAST_HASHER="1",
               PYTHONPATH=str(ROOT))
    dropped = None
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):   # the suite's PostgreSQL: a database of our own there
        import psycopg
        from urllib.parse import urlsplit, urlunsplit

        parts = urlsplit(url)
        name = f"cchc_throttle_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + name))
        dropped = name
    else:
        env.pop("DATABASE_URL", None)                       # SQLite in the folder, WAL, as the server runs it
    done = subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    yield env
    if dropped:
        import psycopg

        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE "{dropped}" WITH (FORCE)')


class Server:
    """One server process (as a gunicorn worker: its own memory, its own database connection)."""

    def __init__(self, env):
        self.process = subprocess.Popen([sys.executable, "-c", WORKER], cwd=ROOT, env=env, text=True,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        from django.db import connection

        # the database of the suite's kind: a SQLite file, or PostgreSQL when the suite runs on it
        assert self.process.stdout.readline().split() == ["ready", connection.vendor]

    def send(self, username):
        self.process.stdin.write(username + "\n")
        self.process.stdin.flush()

    def answer(self) -> tuple[int, bool]:
        status, throttled = self.process.stdout.readline().split()
        return int(status), throttled == "True"

    def close(self):
        self.process.stdin.close()
        assert self.process.wait(timeout=60) == 0


def test_two_processes_count_toward_the_same_limit(server_env):
    first, second = Server(server_env), Server(server_env)
    try:
        answers = []
        for attempt in range(settings.LOGIN_FAILURES_MAX):   # alternately: 3 failures in one, 2 in the other
            server = (first, second)[attempt % 2]
            server.send("office")
            answers.append(server.answer())
        assert answers == [(200, False)] * settings.LOGIN_FAILURES_MAX
        for server in (second, first):   # each process has seen fewer than the limit itself
            server.send("office")
            assert server.answer() == (429, True)
        second.send("someone-else")      # per user name
        assert second.answer() == (200, False)
    finally:
        first.close()
        second.close()


def test_attempts_at_the_same_moment_in_four_processes_count_exactly(server_env):
    """Each attempt is counted before its password is checked: a burst cannot pass the check
    all at once; exactly LOGIN_FAILURES_MAX attempts are checked, the others refused."""
    servers = [Server(server_env) for _ in range(4)]
    try:
        for server in servers:           # every process ready; three attempts each, all at once
            for _ in range(3):
                server.send("burst")
        statuses = [server.answer()[0] for server in servers for _ in range(3)]
    finally:
        for server in servers:
            server.close()
    assert sorted(statuses) == [200] * settings.LOGIN_FAILURES_MAX + [429] * (12 - settings.LOGIN_FAILURES_MAX)


# ---------------------------------------------------------------- in this process

def _attempt(client, password="sai", username="office"):
    return client.post("/dang-nhap/", {"username": username, "password": password})


def test_the_window_expires(demo, monkeypatch):
    client = Client()
    for _ in range(settings.LOGIN_FAILURES_MAX):
        assert _attempt(client).status_code == 200
    blocked = _attempt(client, PASSWORD)
    assert blocked.status_code == 429 and "Đăng nhập sai quá nhiều lần" in blocked.content.decode()
    assert f"thử lại sau {settings.LOGIN_FAILURE_WINDOW // 60} phút" in blocked.content.decode()  # 900 s: 15
    assert "_auth_user_id" not in client.session
    assert LoginFailure.objects.get(username="office").count == settings.LOGIN_FAILURES_MAX
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW - 5))
    assert _attempt(client, PASSWORD).status_code == 429            # not yet
    monkeypatch.setattr(timezone, "now", lambda: real_now() + dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW + 1))
    assert _attempt(client, PASSWORD).status_code == 302            # the window has passed
    assert "_auth_user_id" in client.session


def test_a_new_window_starts_after_the_old_one(demo, monkeypatch):
    real_now = timezone.now
    for _ in range(settings.LOGIN_FAILURES_MAX):
        _attempt(Client())
    monkeypatch.setattr(timezone, "now", lambda: real_now() + dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW + 1))
    assert _attempt(Client()).status_code == 200                    # the first failure of a new window
    row = LoginFailure.objects.get(username="office")
    assert row.count == 1 and row.expires_at > real_now() + dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)


def test_a_success_does_not_count_and_names_are_case_blind(demo):
    for _ in range(settings.LOGIN_FAILURES_MAX - 1):
        assert _attempt(Client(), username=" Office ").status_code == 200
    assert _attempt(Client(), PASSWORD).status_code == 302
    assert LoginFailure.objects.get(username="office").count == settings.LOGIN_FAILURES_MAX - 1
    assert _attempt(Client(), username="OFFICE").status_code == 200
    assert _attempt(Client(), PASSWORD).status_code == 429


def test_old_windows_of_other_names_are_removed(demo, monkeypatch):
    _attempt(Client(), username="first")
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW + 1))
    _attempt(Client(), username="second")
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["second"]


def test_reserve_and_release_count_exactly(db):
    assert [throttle.reserve("x") for _ in range(settings.LOGIN_FAILURES_MAX + 2)] == \
        [True] * settings.LOGIN_FAILURES_MAX + [False] * 2
    throttle.release("x")
    throttle.release("x")
    assert LoginFailure.objects.get(username="x").count == settings.LOGIN_FAILURES_MAX
    for _ in range(settings.LOGIN_FAILURES_MAX):
        throttle.release("x")
    assert not LoginFailure.objects.exists()                        # back to nothing: the row goes


def test_the_refusal_names_the_window_the_settings_give(demo, settings):
    settings.LOGIN_FAILURE_WINDOW = 125  # 2 min 5 s: "3 phút", never less than the wait
    client = Client()
    for _ in range(settings.LOGIN_FAILURES_MAX):
        _attempt(client)
    blocked = _attempt(client)
    assert blocked.status_code == 429 and "thử lại sau 3 phút" in blocked.content.decode()


def test_look_alike_spellings_of_a_name_share_its_count(demo):
    """Django's sign-in form reads the name as NFKC: "ｏffice" (full-width) signs in as
    "office", so it must not bring five more tries of its own."""
    client = Client()
    for _ in range(settings.LOGIN_FAILURES_MAX):
        assert _attempt(client).status_code == 200
    for spelling in ("ｏffice", "OFFICE", " office ", "oｆfice"):
        assert _attempt(client, PASSWORD, username=spelling).status_code == 429, spelling
    assert "_auth_user_id" not in client.session
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["office"]


def test_a_name_with_a_nul_character_is_refused_by_the_form_and_counted(demo):
    """A NUL in the name (PostgreSQL stores none in a text column) is answered by the sign-in
    form, never a server error, and counts against the name without it."""
    for _ in range(settings.LOGIN_FAILURES_MAX):
        response = _attempt(Client(), username="off\x00ice")
        assert response.status_code == 200, response.status_code
    assert list(LoginFailure.objects.values_list("username", "count")) == [("office", settings.LOGIN_FAILURES_MAX)]
    assert _attempt(Client(), PASSWORD).status_code == 429


def test_the_admin_sign_in_is_the_throttled_one(demo):
    client = Client()
    page = client.get("/quan-tri/login/?next=/quan-tri/auth/user/")
    assert page.status_code == 302 and page["Location"] == "/dang-nhap/?next=%2Fquan-tri%2Fauth%2Fuser%2F"
    posted = client.post("/quan-tri/login/", {"username": "office", "password": PASSWORD})
    assert posted.status_code == 302 and posted["Location"].startswith("/dang-nhap/")  # no password read there
    assert "_auth_user_id" not in client.session
    elsewhere = client.get("/quan-tri/login/?next=https://evil.example/")
    assert elsewhere["Location"] == "/dang-nhap/?next=%2Fquan-tri%2F"
    # the admin sends a visitor to its sign-in page, which is ours
    assert client.get("/quan-tri/")["Location"].startswith("/quan-tri/login/")


def test_a_signed_in_account_without_the_admins_rights_is_told_so(demo, login):
    """The admin sends a signed-in account that is not staff to its sign-in page, which is
    ours: it is refused as any page of another role is (404, in Vietnamese, saying the account
    may not see it), rather than asked to sign in again and sent back (a loop)."""
    client = login("office")
    assert client.get("/quan-tri/")["Location"].startswith("/quan-tri/login/")
    page = client.get("/quan-tri/login/?next=/quan-tri/")
    assert page.status_code == 404
    text = page.content.decode()
    assert 'lang="vi"' in text and "tài khoản đang đăng nhập không được xem trang này" in text and "Not Found" not in text


def test_error_pages_are_in_vietnamese(demo, login):
    """Django's own error pages are English ("Not Found", "Bad Request (400)"): the
    application's answer them in Vietnamese, within its own layout."""
    client = login("commune_a")
    missing = client.get("/khong-co-trang-nay/")
    assert missing.status_code == 404 and "Không tìm thấy trang" in missing.content.decode()
    assert "Not Found" not in missing.content.decode()
    bad = client.generic("POST", f"/xa/{demo['a'].pk}/tai-lieu/", b"x", CONTENT_TYPE="multipart/form-data; boundary=x",
                         CONTENT_LENGTH="-1")
    assert bad.status_code == 400, bad.status_code
    assert "Yêu cầu không hợp lệ" in bad.content.decode() and "Bad Request" not in bad.content.decode()
