"""Reentry Commons settings: one module, configured from environment variables.

The embedded default (no variables set) is a SQLite file, tasks run eagerly in
process and email goes to the console, so ``make run`` needs nothing but Python.
Production sets DEBUG=false, SECRET_KEY, DATABASE_URL (PostgreSQL), REDIS_URL and
ALLOWED_HOSTS; see README.md and docker-compose.yml.
"""

from email.utils import formataddr
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from reentry.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=True)

_DEV_SECRET_KEY = "development-only-secret-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env_secret("SECRET_KEY", default=_DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. With DEBUG off, Reentry Commons refuses to start with the "
        "development key: set SECRET_KEY (or SECRET_KEY_FILE) to a long random value."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env_str("SITE_NAME", "Reentry Commons")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "guardian",
    "simple_history",
    "django_htmx",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "reentry.audit",
    "reentry.sharing",
    "reentry.api",
    "reentry.outbox",
    "reentry.ratelimit",
    "reentry.stipends",
    "stakeholders",
    "workgroups",
    "indicators",
    "mentorship",
    "casework",
    "reentry.site",
]

MIDDLEWARE = [
    # First: a kept public page for a signed-out visitor, answered as the whole stack
    # would answer it, without it (reentry/pagecache.py).
    "reentry.pagecache.KeptPublicPageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "reentry.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "reentry.middleware.IdleTimeoutMiddleware",
    "reentry.middleware.SecondFactorRequiredMiddleware",
    "reentry.middleware.RejectNulBytesMiddleware",
    # Last, once the session may have signed the person out: PostgreSQL's row-level
    # security then sees this person (reentry/rowsecurity.py).
    "reentry.middleware.RowSecurityMiddleware",
]
# Row-level security (reentry/rowsecurity.py): the organizations whose person-level
# records a person reads as staff, as a queryset of ids.
ROW_SECURITY_ORG_IDS = "casework.access.reader_org_ids"

ROOT_URLCONF = "reentry.urls"
WSGI_APPLICATION = "reentry.wsgi.application"
ASGI_APPLICATION = "reentry.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reentry.context_processors.site",
            ],
            # {{ obj|localized:"name" }} everywhere: stored text in the reader's language.
            "builtins": ["reentry.i18n"],
        },
    }
]

# Form fields render through templates/forms/field.html (label, help, errors, input).
FORM_RENDERER = "reentry.forms.FormRenderer"

# Database: a SQLite file unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "stakeholders.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Sessions are read from the cache (no query on a signed-in request) and written to the
# database first, so signing in works while Redis is down (reentry/sessions.py). A copy
# stays in the cache this many seconds at most.
SESSION_ENGINE = "reentry.sessions"
SESSION_CACHE_SECONDS = env_int("SESSION_CACHE_SECONDS", 5 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Signed-in list pages are kept whole per session while PostgreSQL's write-ahead log has
# not moved, for a minute at most (reentry/pagecache.py, ``kept_page``). Off: every page
# is rendered on every request.
KEPT_PAGES = env_bool("KEPT_PAGES", True)

# django-allauth: email is the login, verified; passwords or a one-time emailed code.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_ADAPTER = "stakeholders.adapters.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "stakeholders.forms.SignupForm"
ACCOUNT_FORMS = {"login": "stakeholders.signin.LoginForm"}  # "Remember me", in sentence case
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}

# Two-factor sign-in (allauth.mfa): an authenticator app (TOTP) and recovery codes.
# WebAuthn is left out: it needs the fido2 package, allauth's browser script and an
# HTTPS origin per deployment, for little gain over TOTP here.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
# Who must have a second factor: anyone for whom one of these answers True. Each is a
# dotted path to ``predicate(user) -> bool``; an app that holds person-level records adds
# its own ("can read person-level records") here.
MFA_REQUIRED_FOR = [
    "stakeholders.access.has_django_admin_access",
    "stakeholders.access.holds_privileged_role",
    "casework.access.reads_person_level_records",
]
# Send those people to set up a second factor before anything else. On by default in
# production; off by default with DEBUG (the demo), so the demo accounts sign in with
# their password alone. MFA_ENFORCE=true turns it on for the demo too.
MFA_ENFORCE = env_bool("MFA_ENFORCE", default=not DEBUG)
# How long a session remembers whether its person must use a second factor, so that a
# signed-in request asks the database for their roles at most this often (0: every
# request). Someone given such a role by another person is asked within this bound.
SECOND_FACTOR_RECHECK_SECONDS = env_int("SECOND_FACTOR_RECHECK_SECONDS", 60)
# The same people are signed out after this many seconds without a request (0: never).
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)

# django-guardian: no guardian "anonymous user" row; `public` is a sharing level.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

# Internationalization: English and Spanish from the first commit.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
TIME_ZONE = "America/Chicago"
USE_I18N = True
# One date format per kind (date, date and time, short date, month, time), per language.
FORMAT_MODULE_PATH = ["reentry.formats"]
USE_TZ = True

# Static files come from our own folders and from pip packages, served by whitenoise.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "reentry" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Indicator uploads (indicators/importing): larger files are refused before they are read.
# Denied lookups logged one by one per person, action and kind of object in each window
# (seconds); beyond that they are counted and logged in summary (reentry/audit/log.py).
AUDIT_DENIED_PER_WINDOW = env_int("AUDIT_DENIED_PER_WINDOW", 20)
AUDIT_DENIED_WINDOW = env_int("AUDIT_DENIED_WINDOW", 10 * 60)
INDICATOR_UPLOAD_MAX_BYTES = env_int("INDICATOR_UPLOAD_MAX_BYTES", 50 * 1024 * 1024)
# Zip uploads (.xlsx workbooks, HSDS datapackages) are refused from their declared sizes
# before anything is unpacked (reentry/uploads.py): members, bytes per member and in all,
# and how much more a member unpacks to than it takes in the zip.
UPLOAD_ZIP_MAX_MEMBERS = env_int("UPLOAD_ZIP_MAX_MEMBERS", 1000)
UPLOAD_ZIP_MAX_MEMBER_BYTES = env_int("UPLOAD_ZIP_MAX_MEMBER_BYTES", 200 * 1024 * 1024)
UPLOAD_ZIP_MAX_TOTAL_BYTES = env_int("UPLOAD_ZIP_MAX_TOTAL_BYTES", 1024 * 1024 * 1024)
UPLOAD_ZIP_MAX_RATIO = env_int("UPLOAD_ZIP_MAX_RATIO", 100)
# Days an upload that was never saved keeps its file (unpublished figures); then it goes.
INDICATOR_UPLOAD_RETENTION_DAYS = env_int("INDICATOR_UPLOAD_RETENTION_DAYS", 7)
# Uploaded files (logos, data uploads, consent scans) go through Django's storage API:
# files under MEDIA_ROOT by default; with AWS_STORAGE_BUCKET_NAME set, an S3-compatible
# bucket (AWS S3, MinIO, Ceph, R2...) that every web host and worker shares. Nothing in it
# is ever public: files are served only by our own permission-checked views, streamed
# from the storage, and the bucket must stay private (no public ACL, no public policy).
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage: dict = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            # Empty for AWS itself; the server's address for any other S3-compatible store.
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            # Empty: boto3's own chain (an instance role, AWS_* variables, ~/.aws).
            "access_key": env_secret("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_secret("AWS_SECRET_ACCESS_KEY") or None,
            "location": env_str("AWS_LOCATION"),  # a folder inside the bucket
            "default_acl": None,  # the bucket's own: private
            "file_overwrite": False,  # a new upload never replaces another's file
            # Were a URL ever made for a file, it would be signed and short-lived.
            "querystring_auth": True,
            "querystring_expire": 60,
            "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE") or None,
            # A file read back (an upload to check) spills to disk past 10 MB.
            "max_memory_size": 10 * 1024 * 1024,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Redis: cache and Celery broker. Without REDIS_URL, a local-memory cache and eager tasks.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # Degrades to a cache miss when Redis does not answer (reentry/cache.py).
            "BACKEND": "reentry.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "reentry",
            "TIMEOUT": 300,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

_CONFIGURED_BROKER = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not _CONFIGURED_BROKER)
# Eager tasks still take a producer from the pool; with no broker configured that is kombu's
# in-process transport, named with a host (an empty URL, or "memory://" alone, makes kombu
# warn "No hostname was supplied" on the first task).
CELERY_BROKER_URL = _CONFIGURED_BROKER or "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A web request must never hang on a dead broker: give up on connecting within a second.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2}
CELERY_TIMEZONE = "UTC"
# Two queues, each with its own workers (docker-compose.yml), so that a million-row import
# never delays a sign-in code: "bulk" for the long jobs (uploads checked and saved,
# indicators derived again, stored files swept), "default" for everything else (emails,
# reminders, notifications, the outbox). A task not named here goes to "default".
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BULK_TASKS = [
    "indicators.tasks.check_import",
    "indicators.tasks.commit_import",
    "indicators.tasks.sweep_upload_files",
    "casework.tasks.derive_casework_indicators",
    "stakeholders.tasks.sweep_hsds_uploads",
]
CELERY_TASK_ROUTES = {name: {"queue": "bulk"} for name in CELERY_BULK_TASKS}
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Send tasks kept in the database outbox while the broker was down (reentry/queue.py).
    "flush-outbox": {
        "task": "reentry.outbox.tasks.flush_outbox",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Delete HSDS datapackages uploaded for a preview that was never confirmed.
    "hsds-upload-sweep": {
        "task": "stakeholders.tasks.sweep_hsds_uploads",
        "schedule": crontab(minute=17),
        "options": {"expires": 60 * 30},
    },
    # Email organization admins the directory listings not verified in 90 days (each
    # service at most once a quarter; stakeholders.directory.services.reminders).
    "directory-verification-reminders": {
        "task": "stakeholders.tasks.send_verification_reminders",
        "schedule": crontab(hour=14, minute=0),
        "options": {"expires": 60 * 60 * 6},
    },
    # Email group members who chose email about a gathering within the next day
    # (each person once per gathering; workgroups.reminders).
    "gathering-reminders": {
        "task": "workgroups.tasks.send_gathering_reminders",
        "schedule": crontab(minute=15),
        "options": {"expires": 60 * 50},
    },
    # Mentoring: no session in 21 days, a release date near, check-ins due — each person
    # once per alert (mentorship.alerts); also keeps check-ins scheduled three months ahead.
    "mentoring-alerts": {
        "task": "mentorship.tasks.send_mentoring_alerts",
        "schedule": crontab(hour=13, minute=5),
        "options": {"expires": 60 * 60 * 6},
    },
    # Remind organizations of referrals waiting for their answer longer than the
    # collaborative's referral_reminder_days (each referral once per period; casework).
    "referral-reminders": {
        "task": "casework.tasks.send_referral_reminders",
        "schedule": crontab(minute=35),
        "options": {"expires": 60 * 50},
    },
    # Open scheduled polls and close (and count) polls whose time is up (workgroups.polls).
    "open-and-close-polls": {
        "task": "workgroups.polls.tasks.open_and_close_polls",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Remind eligible voters who have not voted that a poll closes within the next day
    # (each person once per poll; workgroups.polls.notifications).
    "poll-closing-reminders": {
        "task": "workgroups.polls.tasks.send_poll_closing_reminders",
        "schedule": crontab(minute=25),
        "options": {"expires": 60 * 50},
    },
    # Monday morning in the Americas: one digest per owner of overdue action items.
    "overdue-action-item-digests": {
        "task": "workgroups.tasks.send_overdue_digests",
        "schedule": crontab(day_of_week=1, hour=13, minute=0),
        "options": {"expires": 60 * 60 * 12},
    },
    # Forget the casework API's idempotency keys older than a day (casework.services.logs).
    "casework-idempotency-keys-expire": {
        "task": "casework.tasks.idempotency_keys_expire",
        "schedule": crontab(minute=50),
        "options": {"expires": 60 * 50},
    },
    # Write down, once each, the consents that ended (casework.services.consents); who
    # sees what never waits for it: a consent's dates decide at every request.
    "casework-consents-expire": {
        "task": "casework.tasks.consents_expire",
        "schedule": crontab(hour=6, minute=10),
        "options": {"expires": 60 * 60 * 6},
    },
    # Each organization's casework indicators (housed within 30 days of release...), worked
    # out again from its own records; a new dataset version only when a figure changed.
    "casework-indicators-derive": {
        "task": "casework.tasks.derive_casework_indicators",
        "schedule": crontab(hour=7, minute=20),
        "options": {"expires": 60 * 60 * 6},
    },
    # Delete the files of indicator uploads saved already, or never saved and older than
    # INDICATOR_UPLOAD_RETENTION_DAYS (indicators.importing.jobs.upload_files_sweep).
    "indicator-upload-files-sweep": {
        "task": "indicators.tasks.sweep_upload_files",
        "schedule": crontab(hour=3, minute=40),
        "options": {"expires": 60 * 60 * 6},
    },
}

# Email (Django 6.1 MAILERS): the console by default; SMTP when EMAIL_BACKEND says so.
EMAIL_BACKEND_PATH = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
_mailer: dict = {"BACKEND": EMAIL_BACKEND_PATH}
if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    _mailer["OPTIONS"] = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 587),
        "username": env_str("EMAIL_HOST_USER"),
        "password": env_secret("EMAIL_HOST_PASSWORD"),
        "use_tls": env_bool("EMAIL_USE_TLS", True),
        "timeout": env_int("EMAIL_TIMEOUT", 10),
    }
MAILERS = {"default": _mailer}
# The sender: DEFAULT_FROM_EMAIL, or noreply@ the site's own domain, named after the site.
_site_host = urlsplit(SITE_URL).hostname or ""
_mail_domain = (
    _site_host if "." in _site_host and not _site_host.replace(".", "").isdigit() else "localhost"
)
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", formataddr((SITE_NAME, f"noreply@{_mail_domain}"))
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security headers. Content Security Policy: our own files only, no inline script.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    # No page of the site is ever framed, not even by the site itself; the public
    # dashboard's embeds, made for other sites' iframes, say so themselves.
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 30)
    # Off unless the deployment owns its whole domain: they bind every subdomain to
    # HTTPS, and preloading is hard to undo (README, "check --deploy").
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "reentry.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's parsers, with JSON limited in depth (a deeply nested body was a 500).
    "DEFAULT_PARSER_CLASSES": [
        "reentry.api.parsers.DepthLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Errors in one shape, DRF's: {"detail": "..."} or {"field": ["...", ...]}
    # (reentry/api/errors.py), each documented on every operation that can answer it.
    "EXCEPTION_HANDLER": "reentry.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "reentry.api.schema.ApiAutoSchema",
    # Per token, per signed-in person, per address for anonymous visitors: 429 with
    # Retry-After beyond the rate ("N/second|minute|hour|day"; reentry/api/throttling.py).
    "DEFAULT_THROTTLE_CLASSES": [
        "reentry.api.throttling.TokenRateThrottle",
        "reentry.api.throttling.PersonRateThrottle",
        "reentry.api.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": env_str("API_THROTTLE_TOKEN", "1200/minute"),
        "person": env_str("API_THROTTLE_PERSON", "300/minute"),
        "anon": env_str("API_THROTTLE_ANON", "60/minute"),
    },
    "DEFAULT_FILTER_BACKENDS": ["reentry.api.filters.CollaborativeFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "reentry.api.pagination.ApiPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Reentry Commons API",
    "DESCRIPTION": "Read and write what your organization may see in a reentry collaborative.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc from the drf-spectacular-sidecar package, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One INFO line per task; with eager tasks (make run) that buries the demo sign-ins.
        "celery.app.trace": {"level": env_str("CELERY_TRACE_LOG_LEVEL", "WARNING")},
    },
}
