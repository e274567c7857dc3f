#!/usr/bin/env python3
"""The web application under load (issue 18): 170 communes saving drafts and uploading
evidence in the last hour before the self-assessment deadline, against a local server on
this machine, driven by Locust. Prints p50/p95/max page times per kind of request, the
errors, and checks that no save was lost by counting the saves in the database afterwards.

    python bench/web_load.py                        # SQLite (a fresh database in a temporary folder)
    tools/with_postgres.sh python bench/web_load.py # PostgreSQL (DATABASE_URL)
    make bench-web                                  # both

How it runs (all on this machine):
1. ``setup``: a fresh database, migrated; a round from the bundled criteria set and a
   generated registry and year of ``--communes`` communes (bench/generate.py), every commune
   a draft with its whole self-assessment entered, one account each; the self-assessment
   closes in an hour.
2. the server: gunicorn (``--workers`` processes × ``--threads`` threads), the deployment
   the README gives; ``--server runserver`` measures Django's development server instead.
3. ``drive``: Locust (as a library) starts one user per commune (``--spawn-rate`` a second,
   each logs in once, not counted in the page figures); each then repeats what a commune's
   clerk does, with ``--think`` seconds between actions: open the commune's page, open an
   area, change a leaf's explanation and save the whole area form as the browser posts it,
   read the page the save leads to, and every other round upload a PDF (``--pdf-kb``,
   different bytes every time). Every save the server acknowledged (302) is written down.
4. ``verify``: the server stopped, every acknowledged save must be in the database: each
   marker text a save wrote is in the leaf's history (one history row per save), the
   leaf's current text is the last one acknowledged, and each commune has one more evidence
   row per acknowledged upload.

The figures are Locust's (response times to the nearest bucket: exact below 100 ms, 2
significant digits above). Exit status 1 when a request failed or a save was lost; the p95
target (500 ms for page views and saves) is reported, not enforced.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "tai-thu-mat-khau-2026"
LOGIN, LOGIN_PAGE = "đăng nhập", "trang đăng nhập"
KINDS = {"page": ("trang xã", "trang lĩnh vực", "trang sau khi lưu"), "save": ("lưu lĩnh vực", "tải lên tài liệu")}
TARGET_MS = 500
LOGIN_EVERY = 10   # one commune in ten logs in during the hour (Django's PBKDF2: ~0.5 s of CPU, by design)


# ---------------------------------------------------------------- phase 1: setup (Django, in process)

def _django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "web.settings")
    import django

    django.setup()


def setup(communes: int, work: Path, plan_path: Path) -> None:
    """A migrated database with the round, the communes and their accounts; ``plan_path``
    gets what the users need (their names, communes, areas, the leaf each area's save marks)."""
    _django()
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone

    from web.management.commands._paths import EXAMPLE
    from web.models import Commune, Evidence, LeafEntry, Profile, Step
    from web.rounds import import_round

    call_command("migrate", verbosity=0)
    folder = work / "year" / "communes"
    folder.mkdir(parents=True)
    shutil.copytree(EXAMPLE["submissions"] / "evidence", folder / "evidence")
    bundled = [json.loads(path.read_text(encoding="utf-8-sig")) for path in sorted(EXAMPLE["submissions"].glob("*.json"))]
    units = []
    for index in range(communes):   # the bundled communes' files, again and again, under new codes
        data = json.loads(json.dumps(bundled[index % len(bundled)]))
        code = f"{30000 + index:05d}"
        data["commune"].update(code=code, name=f"Thử Tải {index + 1}")
        units.append({"code": code, "name": data["commune"]["name"], "type": data["commune"]["type"]})
        if index < len(bundled):
            (folder / f"{code}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    criteria = json.loads(EXAMPLE["criteria"].read_text(encoding="utf-8-sig"))
    registry = work / "year" / "registry.json"
    registry.write_text(json.dumps({"criteria_id": criteria["id"], "year": criteria["year"], "units": units},
                                   ensure_ascii=False), encoding="utf-8")
    round_ = import_round(EXAMPLE["criteria"], folder, registry_path=registry)
    # the other communes: copies of the imported ones' rows (bulk: their history starts with the run)
    imported = list(round_.communes.filter(state=Commune.SUBMITTED).order_by("code"))
    for index, commune in enumerate(round_.communes.exclude(pk__in=[c.pk for c in imported]).order_by("code")):
        model = imported[index % len(imported)]
        LeafEntry.objects.bulk_create([LeafEntry(commune=commune, leaf=e.leaf, facts=e.facts, self_score=e.self_score,
                                                 not_applicable=e.not_applicable, explanation=e.explanation)
                                       for e in model.entries.all()])
        Evidence.objects.bulk_create([Evidence(commune=commune, leaf=e.leaf, stage=e.stage, number=e.number, date=e.date,
                                               title=e.title, issuer=e.issuer, sha256=e.sha256, filename=e.filename,
                                               content_type=e.content_type, size=e.size) for e in model.evidence.all()])
        commune.report_number, commune.report_date = model.report_number, model.report_date
        commune.report_signer = model.report_signer
        commune.save()
    now = timezone.now()
    step = round_.steps.get(kind=Step.SELF)   # the last hour before the deadline
    step.opens_at, step.closes_at = now - dt.timedelta(days=30), now + dt.timedelta(hours=1)
    step.save()
    round_.communes.update(state=Commune.DRAFT)
    from web.engine import criteria_model

    model = criteria_model(round_)
    areas = {}
    for leaf in model.leaves:
        if leaf.self_assessed and leaf.area and leaf.area not in areas:
            areas[leaf.area] = leaf.code   # the area's first leaf carries each save's marker
    hashed = make_password(PASSWORD)        # one hash for every account (setting 170 passwords is not measured)
    User = get_user_model()
    users = []
    for index, commune in enumerate(round_.communes.order_by("code")):
        user = User.objects.create(username=f"xa{commune.code}", password=hashed)
        Profile.objects.create(user=user, role=Profile.COMMUNE, commune=commune)
        session = None
        if index % LOGIN_EVERY:   # logged in earlier that day: the browser holds a session
            store = SessionStore()
            store[SESSION_KEY], store[BACKEND_SESSION_KEY] = str(user.pk), "django.contrib.auth.backends.ModelBackend"
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            store.create()
            session = store.session_key
        users.append({"username": user.username, "commune": commune.pk, "code": commune.code, "session": session,
                      "evidence": commune.evidence.count()})
    plan_path.write_text(json.dumps({"users": users, "areas": areas, "password": PASSWORD}, ensure_ascii=False),
                         encoding="utf-8")


# ---------------------------------------------------------------- phase 3: drive (Locust, in process)

class _Form(HTMLParser):
    """The fields a browser would post from the form with id ``form_id``."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields = form_id, False, {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            if attrs.get("type") == "checkbox":
                if "checked" in attrs:
                    self.fields[name] = attrs.get("value", "on")
            else:
                self.fields[name] = attrs.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def form_fields(html: str, form_id: str) -> dict:
    parser = _Form(form_id)
    parser.feed(html)
    return parser.fields


def _pdf(size: int, tag: str) -> bytes:
    head = b"%PDF-1.4\n% " + tag.encode() + b"\n"
    body = os.urandom(max(0, size - len(head) - 6))
    return head + body + b"\n%%EOF"


def drive(host: str, plan: dict, *, duration: float, spawn_rate: float, think: tuple, pdf_kb: int,
          acks_path: Path, stats_path: Path) -> None:
    import gevent
    from locust import HttpUser, constant, task
    from locust.exception import StopUser
    from locust.env import Environment

    pending = list(plan["users"])
    areas = list(plan["areas"].items())
    acks: dict[str, dict] = {}
    stopping: list = []           # not empty: the run is over
    active: set = set()

    class Commune(HttpUser):
        wait_time = constant(0)   # the task loops and pauses itself (``pause``): the run can end between actions

        def on_start(self):
            me = pending.pop(0)
            self.me, self.round, self.saves, self.uploads = me, 0, [], 0
            acks[me["code"]] = {"commune": me["commune"], "saves": self.saves, "uploads": 0, "evidence": me["evidence"],
                                "sent": [], "uploads_sent": 0}
            if me["session"]:
                self.client.cookies.set("sessionid", me["session"], domain="127.0.0.1", path="/")
                return
            page = self.client.get("/dang-nhap/", name=LOGIN_PAGE)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
            with self.client.post("/dang-nhap/", {"username": me["username"], "password": plan["password"],
                                                 "csrfmiddlewaretoken": token}, name=LOGIN,
                                  allow_redirects=False, catch_response=True) as response:
                if response.status_code != 302:
                    response.failure(f"login {response.status_code}")

        def _csrf(self):
            return self.client.cookies.get("csrftoken", "")

        def pause(self):
            """Think between two actions; when the run is over, leave (no request is cut off)."""
            end = time.monotonic() + random.uniform(*think)
            while time.monotonic() < end:
                if stopping:
                    active.discard(self)
                    raise StopUser()
                gevent.sleep(min(0.5, max(0.0, end - time.monotonic())))

        @task
        def work(self):
            active.add(self)
            while True:
                self.round_of_work()
                self.pause()

        def round_of_work(self):
            pk, code = self.me["commune"], self.me["code"]
            self.client.get(f"/xa/{pk}/", name="trang xã")
            self.pause()
            area, leaf = areas[self.round % len(areas)]
            self.round += 1
            url = f"/xa/{pk}/linh-vuc/{area}/"
            with self.client.get(url, name="trang lĩnh vực", catch_response=True) as page:
                if 'id="area-form"' not in page.text or 'id="save"' not in page.text:
                    said = re.findall(r'class="msg[^"]*"[^>]*>([^<]*)<', page.text)
                    page.failure(f"the area form is not editable ({page.status_code} {page.url} {said})")
                    return
                fields = form_fields(page.text, "area-form")
            self.pause()
            marker = f"Bản nháp {code} lần {len(self.saves) + 1}: bổ sung số liệu đến {time.strftime('%H:%M:%S')}"
            fields[f"x-{leaf}"] = marker
            acks[code]["sent"].append({"leaf": leaf, "text": marker})   # sent: may be stored when the run stops
            with self.client.post(url, fields, name="lưu lĩnh vực", allow_redirects=False, catch_response=True,
                                  headers={"Referer": self.host + url}) as response:
                if response.status_code == 302:
                    self.saves.append({"leaf": leaf, "text": marker})
                else:
                    response.failure(f"save answered {response.status_code}")
                    return
            with self.client.get(url, name="trang sau khi lưu", catch_response=True) as page:
                if "Đã lưu." not in page.text:
                    page.failure("no 'Đã lưu.' after the save")
            if self.round % 2 == 0:
                self.pause()
                name = f"kiem-chung-{code}-{self.uploads + 1}.pdf"
                acks[code]["uploads_sent"] += 1
                data = {"leaf": leaf, "number": f"{self.uploads + 1}/BC-UBND", "date": "2025-11-20",
                        "title": "Báo cáo kết quả thực hiện", "issuer": f"UBND xã {code}",
                        "csrfmiddlewaretoken": self._csrf()}
                with self.client.post(f"/xa/{pk}/tai-lieu/", data=data, name="tải lên tài liệu",
                                      files={"file": (name, _pdf(pdf_kb * 1024, name), "application/pdf")},
                                      allow_redirects=False, catch_response=True,
                                      headers={"Referer": self.host + url}) as response:
                    if response.status_code == 302:
                        self.uploads += 1
                        acks[code]["uploads"] = self.uploads
                    else:
                        response.failure(f"upload answered {response.status_code}")

    env = Environment(user_classes=[Commune], host=host)
    runner = env.create_local_runner()
    runner.start(len(pending), spawn_rate=spawn_rate)
    begun, load_at_start = time.monotonic(), os.getloadavg()[0]
    gevent.sleep(duration)
    stopping.append(True)       # every user leaves at its next pause, its last request answered
    elapsed = time.monotonic() - begun
    end = time.monotonic() + 120
    while active and time.monotonic() < end:
        gevent.sleep(0.2)
    runner.quit()
    runner.greenlet.join()
    stats = {}
    for (name, method), entry in env.stats.entries.items():
        stats[name] = {"requests": entry.num_requests, "failures": entry.num_failures,
                       "p50": entry.get_response_time_percentile(0.5), "p95": entry.get_response_time_percentile(0.95),
                       "max": entry.max_response_time, "rps": entry.num_requests / elapsed if elapsed else 0}
    combined = {}
    for kind, names in KINDS.items():
        total = None
        for (name, _method), entry in env.stats.entries.items():
            if name in names:
                if total is None:
                    from locust.stats import StatsEntry

                    total = StatsEntry(env.stats, kind, "", use_response_times_cache=False)
                total.extend(entry)
        if total is not None:
            combined[kind] = {"requests": total.num_requests, "failures": total.num_failures,
                              "p50": total.get_response_time_percentile(0.5),
                              "p95": total.get_response_time_percentile(0.95), "max": total.max_response_time}
    errors = [{"name": e.name, "error": str(e.error), "count": e.occurrences} for e in env.stats.errors.values()]
    stats_path.write_text(json.dumps({"entries": stats, "combined": combined, "errors": errors, "seconds": elapsed,
                                      "load": f"{load_at_start:.1f} → {os.getloadavg()[0]:.1f}",
                                      "users": len(acks)}, ensure_ascii=False, indent=1), encoding="utf-8")
    acks_path.write_text(json.dumps(acks, ensure_ascii=False), encoding="utf-8")


# ---------------------------------------------------------------- phase 4: verify (Django, in process)

def verify(acks_path: Path, result_path: Path) -> None:
    """Every acknowledged save and upload is in the database."""
    _django()
    from web.models import Evidence, LeafEntry

    acks = json.loads(acks_path.read_text(encoding="utf-8"))
    lost, saves, uploads = [], 0, 0
    for code, ack in acks.items():
        saves += len(ack["saves"])
        uploads += ack["uploads"]
        history = LeafEntry.history.filter(commune_id=ack["commune"])
        kept = set(history.filter(explanation__startswith=f"Bản nháp {code} lần ").values_list("explanation", flat=True))
        for save in ack["saves"]:
            if save["text"] not in kept:
                lost.append(f"{code} {save['leaf']}: {save['text']}")
        # a leaf's text now: its last acknowledged save's, or that of a save sent after it (the
        # run stopped while it was answered: stored, not acknowledged)
        for leaf in {save["leaf"] for save in ack["saves"]}:
            sent = [save["text"] for save in ack["sent"] if save["leaf"] == leaf]
            last = [save["text"] for save in ack["saves"] if save["leaf"] == leaf][-1]
            current = LeafEntry.objects.get(commune_id=ack["commune"], leaf=leaf).explanation
            if current not in sent[sent.index(last):]:
                lost.append(f"{code} {leaf}: the last save is not the current text ({current!r})")
        added = Evidence.objects.filter(commune_id=ack["commune"]).count() - ack["evidence"]
        if not ack["uploads"] <= added <= ack["uploads_sent"]:
            lost.append(f"{code}: {added} evidence rows added, {ack['uploads']} uploads acknowledged "
                        f"({ack['uploads_sent']} sent)")
    result_path.write_text(json.dumps({"saves": saves, "uploads": uploads, "lost": lost}, ensure_ascii=False),
                           encoding="utf-8")


# ---------------------------------------------------------------- the run

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _prioritise(pid: int, nice: int) -> None:
    """Give a session ``nice``: with the kernel's autogroups (sched_autogroup_enabled) every
    session shares the CPU equally whatever its processes' own niceness, so a server in a
    session of its own gets about 2 cores / the number of busy sessions on a shared machine;
    the session's niceness (/proc/PID/autogroup) is what sets its share."""
    try:
        Path(f"/proc/{pid}/autogroup").write_text(str(nice))
    except OSError as error:
        print(f"niceness not set for {pid}: {error}", file=sys.stderr)


def _postmaster() -> int | None:
    """The pid of the PostgreSQL server tools/with_postgres.sh started (DATABASE_URL's socket
    folder holds its data folder), or None."""
    from urllib.parse import parse_qs, urlsplit

    host = parse_qs(urlsplit(os.environ.get("DATABASE_URL", "")).query).get("host", [""])[0]
    try:
        return int((Path(host) / "data" / "postmaster.pid").read_text().split()[0]) if host else None
    except (OSError, ValueError, IndexError):
        return None


def _phase(args: list, env: dict, nice: int = 0) -> None:
    process = subprocess.Popen([*(["nice", "-n", str(nice)] if nice else []), sys.executable, __file__, *args],
                               env=env, cwd=ROOT, start_new_session=bool(nice))
    if nice:
        _prioritise(process.pid, nice)
    if process.wait():
        raise subprocess.CalledProcessError(process.returncode, args)


def _wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    import urllib.request

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped (exit {process.returncode})")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer {url} within {seconds} s")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _cpu_seconds(group: int) -> float:
    """User + system CPU seconds of the live processes of process group ``group`` (the server)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:   # pgrp
            total += (int(fields[11]) + int(fields[12])) / ticks   # utime, stime
    return total


def database_name() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return "PostgreSQL" if url.startswith(("postgres", "pgsql")) else "SQLite"


def report(stats: dict, result: dict, options: argparse.Namespace) -> tuple[str, bool]:
    niceness = options.nice
    lines = [f"{database_name()}, {options.server}" + (f" at niceness {niceness}" if niceness else "")
             + (f" ({options.workers} workers × {options.threads} threads)" if options.server == "gunicorn" else "")
             + f": {stats['users']} communes, {stats['seconds']:.0f} s, think time {options.think[0]:g}–{options.think[1]:g} s,"
             f" PDF {options.pdf_kb} KB; machine load average {stats.get('load', '?')} (1 min, {os.cpu_count()} cores)",
             f"{'request':<22}{'n':>7}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'req/s':>8}"]
    for name, entry in sorted(stats["entries"].items()):
        lines.append(f"{name:<22}{entry['requests']:>7}{entry['failures']:>8}{entry['p50']:>9.0f}{entry['p95']:>9.0f}"
                     f"{entry['max']:>9.0f}{entry['rps']:>8.1f}")
    for kind, entry in stats["combined"].items():
        label = {"page": "page views", "save": "saves"}[kind]
        lines.append(f"{label:<22}{entry['requests']:>7}{entry['failures']:>8}{entry['p50']:>9.0f}{entry['p95']:>9.0f}"
                     f"{entry['max']:>9.0f}")
    for error in stats["errors"]:
        lines.append(f"error: {error['count']} × {error['name']}: {error['error']}")
    requests = sum(entry["requests"] for entry in stats["entries"].values())
    cpu = stats.get("cpu")
    if cpu and requests:
        lines.append(f"CPU: server {cpu['server']:.0f} s ({cpu['server'] / requests * 1000:.0f} ms a request, "
                     f"{cpu['server'] / stats['seconds']:.2f} of a core on average), load generator {cpu['driver']:.0f} s")
    lines.append(f"saves acknowledged {result['saves']}, uploads acknowledged {result['uploads']}, "
                 f"lost {len(result['lost'])}")
    lines.extend(f"  lost: {item}" for item in result["lost"][:20])
    failures = sum(entry["failures"] for entry in stats["entries"].values())
    met = all(entry["p95"] < TARGET_MS for entry in stats["combined"].values())
    lines.append(f"target p95 < {TARGET_MS} ms for page views and saves: {'met' if met else 'NOT met'}; "
                 f"errors: {failures}; lost saves: {len(result['lost'])}")
    return "\n".join(lines), failures == 0 and not result["lost"] and stats["users"] > 0


def run(options) -> int:
    work = Path(tempfile.mkdtemp(prefix="cchc-web-load-"))
    env = dict(os.environ, CCHC_WEB_DATA=str(work / "data"), DJANGO_SETTINGS_MODULE="web.settings",
               PYTHONPATH=str(ROOT), CCHC_ALLOWED_HOSTS="127.0.0.1,localhost")
    server = None
    try:
        started = time.monotonic()
        _phase(["--phase", "setup", "--communes", str(options.communes), "--work", str(work)], env)
        print(f"setup: {options.communes} communes in {time.monotonic() - started:.0f} s", flush=True)
        port = _free_port()
        if options.server == "gunicorn":
            command = [str(Path(sys.executable).parent / "gunicorn"), "web.wsgi:application",
                       "--bind", f"127.0.0.1:{port}", "--workers", str(options.workers), "--threads",
                       str(options.threads), "--log-level", "warning", "--timeout", "120",
                       # idle connections kept longer than a user thinks (gunicorn's default, 2 s, resets the
                       # connection a user comes back on: browsers retry, Locust counts an error)
                       "--keep-alive", str(int(options.think[1]) + 30)]
        else:
            command = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--verbosity", "0"]
        if options.nice:
            command = ["nice", "-n", str(options.nice), *command]
        server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True,
                                  stdout=subprocess.DEVNULL, stderr=open(work / "server.log", "w"))
        if options.nice:
            _prioritise(server.pid, options.nice)
            postmaster = _postmaster()
            if postmaster:   # tools/with_postgres.sh's server: its session too
                _prioritise(postmaster, options.nice)
        host = f"http://127.0.0.1:{port}"
        _wait_for(host + "/dang-nhap/", server)
        server_cpu = _cpu_seconds(server.pid)
        drive_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        _phase(["--phase", "drive", "--work", str(work), "--host", host, "--duration", str(options.duration),
                "--spawn-rate", str(options.spawn_rate), "--think", *map(str, options.think),
                "--pdf-kb", str(options.pdf_kb)], env, options.nice)
        server_cpu = _cpu_seconds(server.pid) - server_cpu
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        drive_cpu = after.ru_utime + after.ru_stime - drive_cpu.ru_utime - drive_cpu.ru_stime
        _stop(server)
        server = None
        _phase(["--phase", "verify", "--work", str(work)], env)
        stats = json.loads((work / "stats.json").read_text(encoding="utf-8"))
        stats["cpu"] = {"server": server_cpu, "driver": drive_cpu}
        result = json.loads((work / "verify.json").read_text(encoding="utf-8"))
        text, ok = report(stats, result, options)
        log = (work / "server.log").read_text(encoding="utf-8", errors="replace").strip()
        if log:
            text += "\nserver log (last lines):\n" + "\n".join(log.splitlines()[-15:])
        print(text, flush=True)
        if options.out:
            options.out.write_text(text + "\n", encoding="utf-8")
        return 0 if ok else 1
    finally:
        if server is not None:
            _stop(server)
        if not options.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--phase", choices=["run", "setup", "drive", "verify"], default="run", help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--host", help=argparse.SUPPRESS)
    parser.add_argument("--communes", type=int, default=170)
    parser.add_argument("--duration", type=float, default=300, help="seconds of load (default 300)")
    parser.add_argument("--spawn-rate", type=float, default=2.0, help="users started a second (default 2)")
    parser.add_argument("--think", type=float, nargs=2, default=(5.0, 15.0), metavar=("MIN", "MAX"),
                        help="seconds between a user's actions (default 5 15)")
    parser.add_argument("--pdf-kb", type=int, default=500, help="size of each uploaded PDF (default 500 KB)")
    parser.add_argument("--server", choices=["gunicorn", "runserver"], default="gunicorn")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--nice", type=int, default=0,
                        help="run the server and the load generator at this niceness, their sessions too "
                             "(-10: ahead of the machine's other work, as on a server of its own; needs root)")
    parser.add_argument("--out", type=Path, help="also write the report here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, logs)")
    options = parser.parse_args(argv)
    if options.phase == "setup":
        setup(options.communes, options.work, options.work / "plan.json")
        return 0
    if options.phase == "drive":
        plan = json.loads((options.work / "plan.json").read_text(encoding="utf-8"))
        drive(options.host, plan, duration=options.duration, spawn_rate=options.spawn_rate, think=tuple(options.think),
              pdf_kb=options.pdf_kb, acks_path=options.work / "acks.json", stats_path=options.work / "stats.json")
        return 0
    if options.phase == "verify":
        verify(options.work / "acks.json", options.work / "verify.json")
        return 0
    return run(options)


if __name__ == "__main__":
    sys.exit(main())
