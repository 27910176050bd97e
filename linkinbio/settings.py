"""
Settings for linkinbio: one file, every knob read from the environment.

Every variable is documented in README.md and .env.example. Defaults are safe
for development; production sets DEBUG=False and must provide SECRET_KEY.
"""

import hashlib
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from linkinbio import media_storage
from public import inline_script, inline_style

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG=False linkinbio refuses to start "
            "without it: generate one with `python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))'` and set it in the environment."
        )
    SECRET_KEY = _DEV_SECRET_KEY

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "axes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    # Before django_tasks_db: its `db_worker` command is linkinbio's, which
    # outlives a database outage (linkinbio/management/commands/db_worker.py).
    "linkinbio",
    "django_tasks_db",
    # In this order the apps' shares of a creator's data are erased
    # (accounts/personal_data.py): TikTok first, whose revoke needs the
    # tokens; stats and public before pages, whose page ids they need.
    "accounts",
    "sources.tiktok",
    "stats",
    "public",
    "pages",
    "editor",
    "sandbox",
]

MIDDLEWARE = [
    "linkinbio.request_ids.RequestIdMiddleware",
    "linkinbio.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "linkinbio.request_size.RequestSizeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "public.middleware.ImageMiddleware",
    "public.middleware.WarmPageMiddleware",
    "linkinbio.private_responses.PrivateResponseMiddleware",
    "linkinbio.compression.GZipTextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "linkinbio.showcase.ShowcaseReadOnlyMiddleware",
    "axes.middleware.AxesMiddleware",
    "linkinbio.not_allowed.BrandedNotAllowedMiddleware",
]

# The header your reverse proxy puts the client's address in (its last
# entry is used), e.g. X-Forwarded-For; empty when clients connect directly.
CLIENT_IP_HEADER = env.str("CLIENT_IP_HEADER", default="")

# The largest request body, files included (the site takes no uploads): more
# answers 413 unread. Public forms have smaller caps of their own.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)

ROOT_URLCONF = "linkinbio.urls"
WSGI_APPLICATION = "linkinbio.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

# Database: SQLite file by default, anything dj-database-url understands via DATABASE_URL.
DATABASE_URL = env.str("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
try:
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
except (ValueError, KeyError, ImproperlyConfigured) as exc:
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database URL linkinbio understands ({exc}). "
        "Use sqlite:////absolute/path.sqlite3 or postgres://user@host:5432/name."
    ) from exc
if DATABASES["default"].get("ENGINE") not in (
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
):
    raise ImproperlyConfigured(
        f"DATABASE_URL has a scheme linkinbio does not support ({DATABASE_URL.split(':')[0]}). "
        "Use sqlite:////absolute/path.sqlite3 or postgres://user@host:5432/name."
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL plus IMMEDIATE transactions: several processes and threads write
    # without "database is locked" errors under load.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: a file cache shared by every process on the machine by default (no
# server, no extra query on the hot path); Redis when REDIS_URL is set, with
# Django's backend taught to outlive a Redis outage (linkinbio/redis_cache.py).
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "linkinbio.redis_cache.OutageTolerantRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="linkinbio"),
        }
    }
else:
    # The day's visitor salt and the rate limits kept out of reach of the
    # cull that makes room for pages (linkinbio/file_cache.py).
    CACHES = {
        "default": {
            "BACKEND": "linkinbio.file_cache.KeepingFileBasedCache",
            "LOCATION": env.str("CACHE_DIR", default=str(VAR_DIR / "cache")),
            "OPTIONS": {
                "MAX_ENTRIES": 20000,
                "KEPT_PREFIXES": ["pages:visitors:salt:", "pages:reports:", "tiktok:signins:"],
            },
        }
    }

# Background work: django.tasks on the database queue (`manage.py db_worker`).
# A Redis-backed queue plugs in here by setting TASKS_BACKEND to its backend
# class path; the rest of the code only calls `task.enqueue()`.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        # Link icons have their own queue and worker (`db_worker --queue-name
        # icons`), so fetches from creators' sites never delay a sync.
        "QUEUES": ["default", "icons"],
    }
}

# Link icons: the worker fetches each link's site favicon once (pages/icons/favicons.py).
LINK_ICONS = env.bool("LINK_ICONS", default=True)
# How many icon fetches one creator's edits may queue in an hour (pages/icons/icon_queue.py).
LINK_ICONS_PER_CREATOR_HOUR = env.int("LINK_ICONS_PER_CREATOR_HOUR", default=30)
# Only tests that run a site on 127.0.0.1 turn this on; never from the environment.
FAVICON_ALLOW_PRIVATE = False

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Password sign-in (staff, at /admin/login/) is locked after failures, per
# account and per client, for a while (django-axes). Failures are counted in
# Redis when there is one; axes refuses the file cache (not atomic), so
# without Redis they are rows in the database, cleared on expiry. Successful
# sign-ins are not logged.
AXES_HANDLER = (
    "axes.handlers.cache.AxesCacheHandler"
    if REDIS_URL
    else "axes.handlers.database.AxesDatabaseHandler"
)
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False  # no banner on every manage.py command
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "stats.visitors.client_address"
AXES_LOCKOUT_TEMPLATE = "linkinbio/locked_out.html"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/signin/"
LOGIN_REDIRECT_URL = "/dashboard/"
LOGOUT_REDIRECT_URL = "/"

# allauth: TikTok is the only way in for creators. No local sign-up, no
# passwords, no e-mail. Staff sign in to /admin/ with createsuperuser accounts.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "sources.tiktok.adapter.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_REQUIRED = False
SOCIALACCOUNT_QUERY_EMAIL = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False

# Where creators' profiles and videos come from: a page's source key and the
# dotted path of its Source class (sources/registry.py), the default first.
SOURCES = {"tiktok": "sources.tiktok.source.TikTokSource"}

# TikTok. With the sandbox on and no real client key, everything points at the
# local stand-in so sign-in works out of the box.
TIKTOK_SANDBOX = env.bool("TIKTOK_SANDBOX", default=DEBUG)
TIKTOK_SANDBOX_ALLOW_PRODUCTION = env.bool("TIKTOK_SANDBOX_ALLOW_PRODUCTION", default=False)
# The sandbox's control API (/sandbox/tiktok/_sandbox/: reset, faults, accounts, clients)
# has no authentication; a public demo keeps it off and it answers 404.
TIKTOK_SANDBOX_CONTROL = env.bool("TIKTOK_SANDBOX_CONTROL", default=DEBUG)
SANDBOX_GUEST_HOURS = env.int("SANDBOX_GUEST_HOURS", default=24)
SANDBOX_GUEST_LIMIT = env.int("SANDBOX_GUEST_LIMIT", default=1000)
SANDBOX_GUESTS_PER_HOUR = env.int("SANDBOX_GUESTS_PER_HOUR", default=5)
_real_key = env.str("TIKTOK_CLIENT_KEY", default="")
_use_sandbox_defaults = TIKTOK_SANDBOX and not _real_key
TIKTOK_CLIENT_KEY = _real_key or "sandbox-linkinbio"
# A public demo: the sandbox serving strangers (DEBUG off, no real TikTok app).
# Its consent screen then lists no accounts: each visitor continues as a guest
# account made for them, deleted with its page after SANDBOX_GUEST_HOURS;
# showcased pages are read-only and re-seeded every hour.
PUBLIC_DEMO = env.bool("PUBLIC_DEMO", default=_use_sandbox_defaults and not DEBUG)
# The sandbox app's secret is in this repository; a public demo's is derived
# from SECRET_KEY, so no stranger can call the sandbox as the app.
_sandbox_secret = (
    hashlib.blake2b(b"sandbox client secret", key=SECRET_KEY.encode()[:64]).hexdigest()
    if PUBLIC_DEMO
    else "sandbox-linkinbio-secret"
)
TIKTOK_CLIENT_SECRET = env.str(
    "TIKTOK_CLIENT_SECRET",
    default=_sandbox_secret if _use_sandbox_defaults else "",
)
_sandbox_base = f"{SITE_URL}/sandbox/tiktok"
TIKTOK_AUTH_BASE = env.str(
    "TIKTOK_AUTH_BASE",
    default=_sandbox_base if _use_sandbox_defaults else "https://www.tiktok.com",
).rstrip("/")
TIKTOK_API_BASE = env.str(
    "TIKTOK_API_BASE",
    default=_sandbox_base if _use_sandbox_defaults else "https://open.tiktokapis.com",
).rstrip("/")
TIKTOK_PLAYER_BASE = env.str("TIKTOK_PLAYER_BASE", default=TIKTOK_AUTH_BASE).rstrip("/")
TIKTOK_SCOPES = env.list(
    "TIKTOK_SCOPES",
    default=["user.info.basic", "user.info.profile", "user.info.stats", "video.list"],
)
TIKTOK_PKCE = env.str("TIKTOK_PKCE", default="hex")  # hex, base64url or off
TIKTOK_CONNECT_TIMEOUT = env.float("TIKTOK_CONNECT_TIMEOUT", default=3.05)
TIKTOK_READ_TIMEOUT = env.float("TIKTOK_READ_TIMEOUT", default=10.0)
TIKTOK_RATE_LIMIT_PER_MINUTE = env.int("TIKTOK_RATE_LIMIT_PER_MINUTE", default=600)
# Refresh tokens expiring within this many days are refreshed ahead of time by
# the scheduled top-up, so a creator who stays away for months stays connected.
TIKTOK_TOKEN_TOP_UP_DAYS = env.int("TIKTOK_TOKEN_TOP_UP_DAYS", default=30)
# Refreshes refused with one code (not invalid_grant) for this many creators
# within this many minutes are ours to fix, not theirs: they pause, nobody is
# asked to reconnect, the admin shows an alert (sources/tiktok/refusal_guard.py).
TIKTOK_REFUSAL_GUARD_CREATORS = env.int("TIKTOK_REFUSAL_GUARD_CREATORS", default=5)
TIKTOK_REFUSAL_GUARD_MINUTES = env.int("TIKTOK_REFUSAL_GUARD_MINUTES", default=10)
# The pause ends by itself once no refresh was refused with its code for this long.
TIKTOK_REFUSAL_GUARD_QUIET_MINUTES = env.int("TIKTOK_REFUSAL_GUARD_QUIET_MINUTES", default=30)
# TikTok's webhooks (sources/tiktok/webhooks.py): a delivery signed further
# than this from now is refused (a replay); a creator whose TikTok account was
# deleted keeps their data this many days, then it is deleted.
TIKTOK_WEBHOOK_TOLERANCE_SECONDS = env.int("TIKTOK_WEBHOOK_TOLERANCE_SECONDS", default=300)
TIKTOK_DELETED_ACCOUNT_GRACE_DAYS = env.int("TIKTOK_DELETED_ACCOUNT_GRACE_DAYS", default=30)
# The creator's request history (the API call log) is kept this long.
API_CALL_RETENTION_DAYS = env.int("API_CALL_RETENTION_DAYS", default=90)
# A page's daily visitor counts (views, clicks, sources, ...) are kept this
# long, then purged by the scheduler; hourly counts only 48 hours.
STATS_RETENTION_DAYS = env.int("STATS_RETENTION_DAYS", default=730)
# Each web process stores the visits it counted from a thread of its own
# (stats/counting.py); off, they wait for an explicit flush (the tests do that).
COUNTS_FLUSH_THREAD = True
# The TikTok provider's app comes from the settings above: no admin setup.
SOCIALACCOUNT_PROVIDERS = {
    "tiktok": {"APP": {"client_id": TIKTOK_CLIENT_KEY, "secret": TIKTOK_CLIENT_SECRET}},
}

# The sandbox's own knobs (tests shrink them). Token lifetimes as TikTok's
# newer pages (November 2026) give them: access 2 hours, refresh 180 days; the
# older pages' 24 hours and 365 days are 86400 and 31536000.
TIKTOK_SANDBOX_ACCESS_TOKEN_SECONDS = env.int("TIKTOK_SANDBOX_ACCESS_TOKEN_SECONDS", default=7200)
TIKTOK_SANDBOX_REFRESH_TOKEN_SECONDS = env.int(
    "TIKTOK_SANDBOX_REFRESH_TOKEN_SECONDS", default=180 * 86400
)
TIKTOK_SANDBOX_CODE_SECONDS = env.int("TIKTOK_SANDBOX_CODE_SECONDS", default=300)
TIKTOK_SANDBOX_RATE_LIMIT = env.int("TIKTOK_SANDBOX_RATE_LIMIT", default=600)
TIKTOK_SANDBOX_IMAGE_URL_SECONDS = env.int("TIKTOK_SANDBOX_IMAGE_URL_SECONDS", default=6 * 3600)
# Avatars and covers are downloaded only from these hosts (and their
# subdomains, over https) or, with the sandbox on, from TIKTOK_API_BASE's own
# origin; a redirect only to another of them; the whole download within
# TIKTOK_IMAGE_DEADLINE_SECONDS.
TIKTOK_IMAGE_HOSTS = env.list(
    "TIKTOK_IMAGE_HOSTS", default=["tiktokcdn.com", "tiktokcdn-us.com", "tiktokcdn-eu.com"]
)
TIKTOK_IMAGE_DEADLINE_SECONDS = env.float("TIKTOK_IMAGE_DEADLINE_SECONDS", default=20.0)
TIKTOK_SANDBOX_PKCE = env.str("TIKTOK_SANDBOX_PKCE", default="hex")
# A webhook delivery the app did not answer 200 is tried again after this, then
# twice as long each time (for 72 hours, as TikTok does).
TIKTOK_SANDBOX_WEBHOOK_RETRY_SECONDS = env.float(
    "TIKTOK_SANDBOX_WEBHOOK_RETRY_SECONDS", default=5.0
)
# The "timeout" fault sleeps this long: longer than any sane client read timeout, but bounded.
TIKTOK_SANDBOX_TIMEOUT_SECONDS = env.float("TIKTOK_SANDBOX_TIMEOUT_SECONDS", default=15.0)

# Tokens are credentials: encrypted at rest. Comma-separated Fernet keys, the
# first encrypts, all decrypt (rotation). A fixed key only in development.
TOKEN_ENCRYPTION_KEYS = env.list("TOKEN_ENCRYPTION_KEYS", default=[])
if not TOKEN_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "TOKEN_ENCRYPTION_KEYS is not set. With DEBUG=False linkinbio needs at "
            "least one Fernet key: `python -c 'from cryptography.fernet import "
            "Fernet; print(Fernet.generate_key().decode())'`."
        )
    TOKEN_ENCRYPTION_KEYS = ["ZGV2LW9ubHktdG9rZW4ta2V5LW5vdC1mb3ItcHJvZC0="]

# Pages and sync.
PAGE_REFRESH_SECONDS = env.int("PAGE_REFRESH_SECONDS", default=900)
PAGE_IDLE_REFRESH_SECONDS = env.int("PAGE_IDLE_REFRESH_SECONDS", default=86400)
# A cover shown on a page that its syncs no longer list (a pinned older video)
# is asked for again this often, when the source's rate limit has room.
COVER_REFRESH_SECONDS = env.int("COVER_REFRESH_SECONDS", default=7 * 86400)
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=86400)
# Names the deployed code (a commit, a build number); rendered pages are cached
# per release. Empty: a digest of the templates, code and static files (pages/release.py).
RELEASE = env.str("RELEASE", default="")
PAGE_BROWSER_CACHE_SECONDS = env.int("PAGE_BROWSER_CACHE_SECONDS", default=60)
# Each process keeps the pages it served lately in memory, in front of the
# shared cache: at most this many entries and bytes, and a page's state is read
# again from the shared cache once it is this many seconds old (so no process
# serves an older version than the shared cache's for longer; 0: every visit).
PAGE_MEMORY_ENTRIES = env.int("PAGE_MEMORY_ENTRIES", default=2000)
PAGE_MEMORY_BYTES = env.int("PAGE_MEMORY_BYTES", default=32 * 1024 * 1024)
PAGE_MEMORY_CHECK_SECONDS = env.float("PAGE_MEMORY_CHECK_SECONDS", default=1.0)
# Mirrored images (pages/media/files.py): each process keeps the small ones it read
# from a bucket in memory (never from local disk: the OS caches those), at
# most MEDIA_MEMORY_BYTES in all. An image waits MEDIA_BUCKET_WAIT_SECONDS at
# most for the bucket (MEDIA_BUCKET_READS reads at once per process); a bucket
# that failed or was too slow is left alone, and images not in memory answer
# 503, for MEDIA_BUCKET_RETRY_SECONDS.
MEDIA_MEMORY_BYTES = env.int("MEDIA_MEMORY_BYTES", default=32 * 1024 * 1024)
MEDIA_MEMORY_FILE_BYTES = env.int("MEDIA_MEMORY_FILE_BYTES", default=256 * 1024)
MEDIA_BUCKET_WAIT_SECONDS = env.float("MEDIA_BUCKET_WAIT_SECONDS", default=2.0)
MEDIA_BUCKET_READS = env.int("MEDIA_BUCKET_READS", default=8)
MEDIA_BUCKET_RETRY_SECONDS = env.int("MEDIA_BUCKET_RETRY_SECONDS", default=15)

# A CDN in front (pages/cdn.py, docs/operations.md "Scale out"). Public pages
# say how long a shared cache may keep them (s-maxage): as long as a browser
# unless the site purges the CDN on every change, then a day. A purge backend:
# "" (none), http (Varnish, nginx), fastly, cloudflare, or a dotted class path.
CDN_PURGE_BACKEND = env.str("CDN_PURGE_BACKEND", default="")
CDN_PURGE_URL = env.str("CDN_PURGE_URL", default="")
CDN_PURGE_TOKEN = env.str("CDN_PURGE_TOKEN", default="")
CDN_PURGE_ZONE = env.str("CDN_PURGE_ZONE", default="")
CDN_KEY_HEADER = env.str("CDN_KEY_HEADER", default="Surrogate-Key")
PAGE_CDN_CACHE_SECONDS = env.int(
    "PAGE_CDN_CACHE_SECONDS", default=86400 if CDN_PURGE_BACKEND else PAGE_BROWSER_CACHE_SECONDS
)
PAGE_STALE_WHILE_REVALIDATE_SECONDS = env.int("PAGE_STALE_WHILE_REVALIDATE_SECONDS", default=60)
PAGE_STALE_IF_ERROR_SECONDS = env.int("PAGE_STALE_IF_ERROR_SECONDS", default=86400)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Mirrored images: MEDIA_ROOT, or an S3-compatible bucket with MEDIA_STORAGE_URL
# or django-storages' AWS_* variables (linkinbio/media_storage.py).
STORAGES = {
    "default": media_storage.storage_from_env(env),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0

# Security. Django's built-in Content-Security-Policy: nothing from other
# hosts, except the TikTok player frame a visitor asks for by pressing play,
# and no inline code but the public page's stylesheet and script
# (public/inline_style.py, public/inline_script.py), each admitted by its hash.
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    # The public page's own stylesheet is inlined, admitted by its hash.
    "style-src": [CSP.SELF, inline_style.CSP_SOURCE],
    "script-src": [CSP.SELF, inline_script.CSP_SOURCE],
    # A trailing slash: a CSP source with a path matches that prefix, not only itself.
    "frame-src": [TIKTOK_PLAYER_BASE + "/"],
    "form-action": [CSP.SELF, TIKTOK_AUTH_BASE],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_ENGINE = "linkinbio.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# /metrics (linkinbio/metrics.py) answers only with this bearer token; empty: 404.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# Errors go to Sentry when set, scrubbed of tokens, codes, cookies and
# visitors' addresses first (linkinbio/error_reports.py).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from linkinbio import error_reports  # noqa: E402  (sentry-sdk is started only when asked)

    error_reports.init(SENTRY_DSN, release=RELEASE, environment=env.str("SENTRY_ENVIRONMENT", ""))


LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
# plain: one line of text per record; json: one JSON object per line, with the
# request id (linkinbio/request_ids.py) on every line.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT is {LOG_FORMAT!r}: use plain or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "linkinbio.request_ids.RequestIdFilter"}},
    "formatters": {
        "plain": {
            "()": "linkinbio.logs.OneLineFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {"()": "linkinbio.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False}},
}

# Periodic jobs run by `manage.py scheduler` (started by `make run` beside the
# worker): (dotted path of a function, interval in seconds).
SCHEDULED_JOBS = [
    ("sources.tiktok.jobs.refresh_expiring_tokens", 3600),
    ("stats.counting.store_views", 15),
    ("pages.sync.schedule.enqueue_due_syncs", 15),
    ("sources.tiktok.jobs.prune_request_history", 6 * 3600),
    ("sources.tiktok.removals.erase_deleted_accounts", 3600),
    ("pages.transfers.prune_transfers", 6 * 3600),
    ("linkinbio.jobs.prune_finished_tasks", 6 * 3600),
    ("linkinbio.jobs.recover_stale_tasks", 60),
    ("linkinbio.jobs.clear_expired_sessions", 600),
    ("linkinbio.demo.expire_guests", 600),
    ("linkinbio.demo.reseed_showcase", 3600),
    ("pages.icons.icon_queue.queue_missing_icons", 3600),
    ("stats.counting.purge_old_counts", 6 * 3600),
    ("linkinbio.heartbeats.forget_old_beats", 6 * 3600),
]
