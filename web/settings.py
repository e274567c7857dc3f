"""Django settings of the web application.

SQLite by default (``CCHC_WEB_DATA``/db.sqlite3), PostgreSQL (or any database) when
``DATABASE_URL`` is set (dj-database-url). Evidence files and scoring outputs live in
``CCHC_WEB_DATA`` (default ``web-data/`` beside the checkout), which is never served:
files are streamed by views that check who asks.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("CCHC_WEB_DATA", BASE_DIR / "web-data"))
EVIDENCE_ROOT = DATA_DIR / "evidence"      # files named by their sha256
OUTPUT_ROOT = DATA_DIR / "outputs"         # results.json, ket-qua.xlsx, quyet-dinh.docx per round

SECRET_KEY = os.environ.get("CCHC_SECRET_KEY", "dev-only-not-secret-change-me-" + "x" * 20)
DEBUG = os.environ.get("CCHC_DEBUG_WEB") == "1"
ALLOWED_HOSTS = os.environ.get("CCHC_ALLOWED_HOSTS", "localhost,127.0.0.1,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "simple_history",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "web.uploads.RefuseOversizedBodies",   # before the CSRF check, the first to read a body
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "web.middleware.LockExpiredSteps",
    "web.middleware.SecurityHeaders",
]

ROOT_URLCONF = "web.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
WSGI_APPLICATION = "web.wsgi.application"

if not os.environ.get("DATABASE_URL"):
    DATA_DIR.mkdir(parents=True, exist_ok=True)  # the SQLite file's folder
DATABASES = {"default": dj_database_url.config(
    default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}", conn_max_age=60)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # several server processes write at once (bench/web_load.py): readers never wait for the
    # writer (WAL); a write transaction takes the lock when it starts (IMMEDIATE) and waits
    # up to 20 s for it instead of failing with "database is locked" halfway
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE", "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "vi"
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "public"

# uploads: evidence is PDF or an image, at most this many bytes (web.evidence checks the content)
EVIDENCE_MAX_BYTES = int(os.environ.get("CCHC_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))
# the self-assessment Excel form uploaded instead of the area pages (web.excel_form)
FORM_UPLOAD_MAX_BYTES = int(os.environ.get("CCHC_FORM_MAX_BYTES", 5 * 1024 * 1024))
# a new round's criteria set and registry (JSON, web.views.new_round), each
ROUND_FILE_MAX_BYTES = int(os.environ.get("CCHC_ROUND_FILE_MAX_BYTES", 5 * 1024 * 1024))
# the limits act while the body is read (web.uploads): a body above what its page takes (its
# files' limits + this margin for the other fields and the multipart headers) is answered 413
# unread; a file part passing its page's limit is dropped before the bytes past it are stored
UPLOAD_FIELDS_MARGIN = 256 * 1024
FILE_UPLOAD_HANDLERS = ["web.uploads.LimitedUploadHandler",
                        "django.core.files.uploadhandler.MemoryFileUploadHandler",
                        "django.core.files.uploadhandler.TemporaryFileUploadHandler"]
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# the largest area page of the bundled criteria set posts 54 fields; the new round page, 2 files
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 2

# security headers (web.middleware.SecurityHeaders adds the content security policy)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"   # the evidence PDF is shown in a frame of the appraisal page
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
# failed logins: after LOGIN_FAILURES_MAX failures for a user name within LOGIN_FAILURE_WINDOW
# seconds, further attempts are refused until the window passes (web.views.LoginView), counted
# in the database (web.throttle, table web_loginfailure) so that every server process counts them
LOGIN_FAILURES_MAX = 5
LOGIN_FAILURE_WINDOW = 900
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
          # the engine's check of a commune's data, by a hash of what it depends on
          # (web.engine.check_commune): files, so that every server process shares them
          "checks": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                     "LOCATION": str(DATA_DIR / "cache" / "checks"), "TIMEOUT": 7 * 24 * 3600,
                     "OPTIONS": {"MAX_ENTRIES": 20000}}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
if os.environ.get("CCHC_FAST_HASHER") == "1":  # the tests: hashing is not what they test
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
