"""Settings for the blog, read from the environment.

Every setting that differs between a laptop and production comes from an environment
variable (or a `.env` file beside `manage.py`), read through one typed reader (environs).
The defaults run the site on a fresh machine with nothing installed beyond Python: SQLite
under `var/`, local-memory cache, email printed to the console. Production is switched on
by `DJANGO_DEBUG=false`, which refuses to start without a secret key and allowed hosts.
The README lists every variable.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from environs import Env

from config import builders

BASE_DIR = Path(__file__).resolve().parent.parent

env = Env()
env.read_env(BASE_DIR / ".env", recurse=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
TESTING = env.bool("DJANGO_TESTING", default=False)

# The SQLite database, the file cache and media live here unless told otherwise. Nothing
# here creates it: the core app does, when Django starts (core.apps).
VAR_DIR = env.path("DJANGO_VAR_DIR", default=BASE_DIR / "var")

# --- The site on the network ---------------------------------------------------------------
if DEBUG:
    # Development only: a fixed key keeps sessions alive across restarts.
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-development-key-" + "x" * 40)
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set to a random string of at least 50 characters "
            "when DJANGO_DEBUG=false."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS must list the site's host names when DJANGO_DEBUG=false."
        )

CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# The site's public address, for links in feeds and emails (no trailing slash). The sites
# framework's record 1 is kept in step with it after every migrate (core.signals).
# Without SITE_URL it is where the development server listens: HOST and PORT, which
# `make run HOST=… PORT=…` passes on.
SITE_URL = (
    env.str("SITE_URL", default="")
    or builders.served_at(env.str("HOST", default=""), env.str("PORT", default="") or "8000")
).rstrip("/")
SITE_ID = 1

# How many reverse proxies in front of the app append to X-Forwarded-For (0: use the
# connection's address). Only as many as really are there, or clients can forge their IP.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- Apps, requests and templates ----------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Full-text search types (search.SearchEntry); harmless on SQLite.
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django.contrib.sites",
    "django.contrib.redirects",
    "markdownx",
    # Revisions of posts, releases and issues (core.revisions).
    "reversion",
    "solo",
    "axes",
    "anymail",  # provider webhooks (newsletter.inbound.webhooks)
    "core",
    # After core: core's `db_worker` (the library's, riding out database restarts) must
    # win, and the first app listed that has a command provides it.
    "django_tasks_db",
    "blog",
    "projects",
    "newsletter",
    # Indexes what the content apps register (core.searchindex).
    "search",
    "mailings",  # emails made from posts and releases (above the content apps)
    "stats",  # first-party statistics
    "home",
    "wordpress",
    "portable",
    "demo",
]

MIDDLEWARE = [
    "core.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    # A NUL in the path or query string is a 400 before any lookup sees it.
    "core.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # /?p=123 of an imported WordPress site: 301 (before the page cache drops the query).
    "wordpress.middleware.WordPressIdRedirectMiddleware",
    "stats.middleware.StatsMiddleware",  # counts page-cache hits and misses alike
    "core.crawler_policy.CrawlerPolicyMiddleware",  # refused crawlers, crawler rate limits
    # Whole pages for anonymous readers, before GZip so what is stored is what went out.
    "core.pagecache.PageCacheMiddleware",
    # Compresses HTML (Django adds random padding to each response against BREACH, and
    # CSRF tokens are masked per request); never media served with byte ranges.
    "core.middleware.GZipMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Old URLs (renamed posts, the previous WordPress site) answer 301 instead of 404.
    "django.contrib.redirects.middleware.RedirectFallbackMiddleware",
    # Locks out an admin login after too many failures (django-axes); last, as it asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    # Reader-facing pages: Jinja2 (jinja2/), several times faster to render (core/jinja2.py).
    {
        "BACKEND": "core.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "core.jinja2.environment",
            "context_processors": ["core.context_processors.site"],
        },
    },
    # The admin and the emails (templates/).
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
                "core.context_processors.site",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------------
# SQLite under var/ unless DATABASE_URL says otherwise (postgres://user:pw@host:5432/name).
DATABASES = {
    "default": env.dj_db_url(
        "DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env.int("DATABASE_CONN_MAX_AGE", default=0 if DEBUG else 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DATABASE_SERVER_SIDE_BINDING", default=True
):
    # Parameters apart from the SQL: psycopg prepares repeated queries, PostgreSQL skips
    # parsing and planning (about 1 ms a page). Off behind PgBouncer < 1.21 in transaction mode.
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Caches --------------------------------------------------------------------------------
# Local memory in development, Redis when REDIS_URL is set, else files under var/.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="blog"),
        }
    }
elif DEBUG or TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    # Without Redis, production still needs one cache for all gunicorn workers (the page
    # cache and its content version): files under var/ are shared by the processes of one
    # machine. Several machines need REDIS_URL. (Rate limits count in the database.)
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

# The page cache for anonymous readers (core.pagecache), keyed on the content version: at
# most PAGE_CACHE_SECONDS (0: off); a CDN may keep a page PAGE_CACHE_SHARED_MAX_AGE seconds.
PAGE_CACHE_ALIAS = "default"
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=3600)
PAGE_CACHE_SHARED_MAX_AGE = env.int("PAGE_CACHE_SHARED_MAX_AGE", default=60)
# Each process also keeps the pages it served most recently in memory, up to this size.
PAGE_CACHE_LOCAL_BYTES = env.int("PAGE_CACHE_LOCAL_MB", default=32) * 1024 * 1024

# --- Accounts and the admin ----------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Brute-force protection for the admin login: after AXES_FAILURE_LIMIT failures for one
# user name from one IP, that pair is locked out for AXES_COOLOFF_HOURS. Unlock early with
# `manage.py axes_reset` (everything) or `axes_reset_username NAME`.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# The client's address as the rate limits see it (TRUSTED_PROXY_COUNT, above).
AXES_CLIENT_IP_CALLABLE = "core.http.client_ip"
# The user name axes records, cut to the length of its column (a longer one was a 500).
AXES_USERNAME_CALLABLE = "core.http.login_username"
ADMIN_PATH = env.str("DJANGO_ADMIN_PATH", default="admin/").strip("/") + "/"

# --- Language and time ---------------------------------------------------------------------
LANGUAGE_CODE = env.str("SITE_LANGUAGE", default="en-us")
TIME_ZONE = env.str("SITE_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static files, media and uploads -------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Browsers apply the feeds' XSLT stylesheet only when it comes as XSL (core/feeds.py).
WHITENOISE_MIMETYPES = {".xsl": "text/xsl"}
MEDIA_URL = env.str("DJANGO_MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=VAR_DIR / "media")
SERVE_MEDIA = env.bool("DJANGO_SERVE_MEDIA", default=DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Media on S3-compatible object storage (AWS S3, MinIO, Cloudflare R2, ...) through
# django-storages when S3_BUCKET is set; otherwise on the local disk (MEDIA_ROOT).
S3_BUCKET = env.str("S3_BUCKET", default="")
if S3_BUCKET:
    STORAGES["default"] = builders.s3_storage(env, S3_BUCKET)
    SERVE_MEDIA = False
MEDIA_ORIGIN = env.str(
    "MEDIA_ORIGIN", default=builders.s3_origin(STORAGES["default"]) if S3_BUCKET else ""
)

# Uploads: the largest request body accepted (audio versions are the big ones).
MAX_AUDIO_UPLOAD_MB = env.int("MAX_AUDIO_UPLOAD_MB", default=200)
MAX_IMAGE_UPLOAD_MB = env.int("MAX_IMAGE_UPLOAD_MB", default=10)
# Images with more pixels are refused from the header, before decoding (core.images): a
# small file can declare a huge image. 50 megapixels lets a 48 MP phone photo through.
MAX_IMAGE_MEGAPIXELS = env.int("MAX_IMAGE_MEGAPIXELS", default=50)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
WORDPRESS_IMPORT_MAX_UPLOAD_MB = env.int("WORDPRESS_IMPORT_MAX_UPLOAD_MB", default=20)
FILE_UPLOAD_PERMISSIONS = 0o644

# Markdown: the same function renders stored HTML and the admin's live preview.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "core.markdown.render_markdown"
MARKDOWNX_MEDIA_PATH = "uploads/"
MARKDOWNX_UPLOAD_MAX_SIZE = MAX_IMAGE_UPLOAD_MB * 1024 * 1024
MARKDOWNX_UPLOAD_CONTENT_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"]
MARKDOWNX_IMAGE_MAX_SIZE = {"size": (1600, 0), "quality": 85}
MARKDOWNX_SERVER_CALL_LATENCY = 300

# --- Email and background work -------------------------------------------------------------
# EMAIL_URL names the server (smtp://user:password@host:587/?tls=True, smtp+ssl://…,
# console://): the console in development, an SMTP relay on localhost in production.
MAILERS = {
    "default": builders.mailer(
        env.dj_email_url("EMAIL_URL", default="console://" if DEBUG else "smtp://localhost:25")
    )
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="blog@localhost")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
ADMINS = [("Admin", a) for a in env.list("DJANGO_ADMINS", default=[])]
# DKIM signing of every message sent directly (core.dkim): DKIM_DOMAIN, DKIM_SELECTOR and
# DKIM_PRIVATE_KEY or DKIM_PRIVATE_KEY_FILE; off while DKIM_DOMAIN is empty.
DKIM = builders.dkim_settings(env)

# Background work (sending, the bounce mailbox): django.tasks on the database, db_worker.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- Security headers ----------------------------------------------------------------------
# Content Security Policy: nothing inline, nothing from other hosts (but the media origin).
SECURE_CSP = builders.content_security_policy(MEDIA_ORIGIN)

# Security headers; the HTTPS ones are on whenever DEBUG is off.
PERMISSIONS_POLICY = env.str(
    "PERMISSIONS_POLICY",
    default="camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()",
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # /healthz is probed over plain HTTP from inside the container.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# --- Logs ----------------------------------------------------------------------------------
# Standard output: JSON lines in production (LOG_FORMAT=json), text in development.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = builders.logging_config(LOG_FORMAT, env.str("LOG_LEVEL", default="INFO"))

# --- Reader pages and the newsletter -------------------------------------------------------
TIMELINE_PAGE_SIZE = 10
LIST_PAGE_SIZE = 20
SOLO_CACHE = None  # site settings (author card, socials): read once per request

# Newsletter: signups, confirmation, sending issues (newsletter/sending.py explains the
# batching and leases). The README's "Newsletter" section lists the variables.
NEWSLETTER_FROM_EMAIL = env.str("NEWSLETTER_FROM_EMAIL", default=DEFAULT_FROM_EMAIL)
# Where List-Unsubscribe's mailto: goes (a mailbox the author or the provider processes).
NEWSLETTER_UNSUBSCRIBE_EMAIL = env.str("NEWSLETTER_UNSUBSCRIBE_EMAIL", default=DEFAULT_FROM_EMAIL)
NEWSLETTER_MAILER = env.str("NEWSLETTER_MAILER", default="default")  # a MAILERS alias
NEWSLETTER_BATCH_SIZE = env.int("NEWSLETTER_BATCH_SIZE", default=500)
NEWSLETTER_SEND_TASKS = env.int("NEWSLETTER_SEND_TASKS", default=4)  # workers per issue
NEWSLETTER_LEASE_SECONDS = env.int("NEWSLETTER_LEASE_SECONDS", default=300)
NEWSLETTER_MAX_ATTEMPTS = env.int("NEWSLETTER_MAX_ATTEMPTS", default=6)
NEWSLETTER_RETRY_SECONDS = env.int("NEWSLETTER_RETRY_SECONDS", default=60)  # doubles per try
NEWSLETTER_CONFIRM_MAX_AGE_DAYS = 7
NEWSLETTER_CONFIRM_RESEND_SECONDS = 600
NEWSLETTER_SIGNUP_RATE_LIMIT = env.int("NEWSLETTER_SIGNUP_RATE_LIMIT", default=10)
NEWSLETTER_SIGNUP_RATE_WINDOW = env.int("NEWSLETTER_SIGNUP_RATE_WINDOW", default=600)
# Listening (newsletter.inbound): per-message return paths (bounces+<token>@…), the bounce
# mailbox read over IMAP, the suppression policy and the rates the issue report warns at.
NEWSLETTER_BOUNCE_ADDRESS = env.str("NEWSLETTER_BOUNCE_ADDRESS", default="")
NEWSLETTER_BOUNCE_MAILBOX_URL = env.str("NEWSLETTER_BOUNCE_MAILBOX_URL", default="")
NEWSLETTER_BOUNCE_PROCESSED_FOLDER = env.str("NEWSLETTER_BOUNCE_PROCESSED_FOLDER", "Processed")
NEWSLETTER_BOUNCE_POLL_SECONDS = env.int("NEWSLETTER_BOUNCE_POLL_SECONDS", default=300)
NEWSLETTER_SOFT_BOUNCE_LIMIT = env.int("NEWSLETTER_SOFT_BOUNCE_LIMIT", default=3)
NEWSLETTER_SOFT_BOUNCE_DAYS = env.int("NEWSLETTER_SOFT_BOUNCE_DAYS", default=30)
NEWSLETTER_UNRECOGNISED_MAX_BYTES = 10 * 1024 * 1024
NEWSLETTER_BOUNCE_RATE_WARNING = env.float("NEWSLETTER_BOUNCE_RATE_WARNING", default=0.05)
NEWSLETTER_COMPLAINT_RATE_WARNING = env.float("NEWSLETTER_COMPLAINT_RATE_WARNING", default=0.001)
# Provider webhooks (/anymail/<provider>/tracking/): basic auth "user:password".
ANYMAIL = builders.anymail_settings()  # ANYMAIL_WEBHOOK_SECRET, ANYMAIL_<NAME>
# How long the token of a public form on a cached page stays valid (core.formguard).
PUBLIC_FORM_MAX_AGE = env.int("PUBLIC_FORM_MAX_AGE", default=7 * 24 * 3600)

# --- Release imports (projects.imports): webhooks, polling; the README lists them --------
GITHUB_WEBHOOK_SECRET = env.str("GITHUB_WEBHOOK_SECRET", default="")
GITLAB_WEBHOOK_TOKEN = env.str("GITLAB_WEBHOOK_TOKEN", default="")
GITHUB_TOKEN = env.str("GITHUB_TOKEN", default="")
GITHUB_API_URL = env.str("GITHUB_API_URL", default="https://api.github.com").rstrip("/")
GITLAB_API_URL = env.str("GITLAB_API_URL", default="https://gitlab.com/api/v4").rstrip("/")
PYPI_URL = env.str("PYPI_URL", default="https://pypi.org").rstrip("/")
NPM_REGISTRY_URL = env.str("NPM_REGISTRY_URL", default="https://registry.npmjs.org").rstrip("/")
RELEASE_POLL_SECONDS = env.int("RELEASE_POLL_SECONDS", default=3600)
# --- Statistics (stats); crawlers' rate limit (core.crawler_policy, config.builders) ------
STATS_ENABLED = env.bool("STATS_ENABLED", default=True)
STATS_FLUSH_SECONDS = env.int("STATS_FLUSH_SECONDS", default=10)
CRAWLER_POLICY = builders.crawler_policy(env)
