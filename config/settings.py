"""Settings of the portal, read from the environment.

With no environment at all this is the embedded default a newcomer gets from ``make run``:
SQLite, Celery tasks run eagerly in the web process, mail printed to the console, DEBUG on
for localhost. ``DATABASE_URL``, ``REDIS_URL`` and ``EMAIL_URL`` switch to real services.
``DJANGO_ENV=production`` turns on every ``check --deploy`` setting and refuses to start on
an insecure default.
"""

import hashlib
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.http.request import validate_host
from django.utils.functional import SimpleLazyObject
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django_guid.integrations import CeleryIntegration

from config import certificates, legal, operations
from config.addresses import development_base_url

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)


def _development_secret_key() -> str:
    """A random key kept in an ignored file, so sessions survive a restart of ``make run``."""
    key_file = BASE_DIR / ".dev-secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")

if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("DJANGO_DEBUG must be off in production.")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set to a random value of at least 50 characters in production."
        )
    for required in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DJANGO_ALLOWED_HOSTS"):
        if not env.str(required, default=""):
            raise ImproperlyConfigured(f"{required} must be set in production.")
elif not SECRET_KEY:
    SECRET_KEY = _development_secret_key()

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "portal",
    "cohorts",
    "applications",
    "modules",
    "certificates",
    "community",
    "evaluation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "portal.axes_app.AxesConfig",
    "auditlog",
    "django_celery_beat",
    "import_export",
    "django_guid",
]
# Exporting a list needs only the right to view it.
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# Every admin export is written by portal.web.spreadsheets, which keeps text from becoming a formula.
EXPORT_FORMATS = SimpleLazyObject(lambda: import_string("portal.web.spreadsheets.EXPORT_FORMATS"))

MIDDLEWARE = [
    # Before anything reads the body or counts a limit: too large a request gets 413.
    "portal.web.request_size.RequestSizeMiddleware",
    # First: /healthz and /readyz answer probes before host checks, HTTPS redirect and sessions.
    "portal.ops.health.HealthMiddleware",
    # The request ID (X-Request-ID), one log line per request; see portal.ops.request_log.
    "django_guid.middleware.guid_middleware",
    "portal.ops.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.web.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.accounts.middleware.StaffMFAMiddleware",
    "portal.web.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "auditlog.middleware.AuditlogMiddleware",  # staff changes are logged with who and when
    # Last, so that it sees the lockout raised by the authentication backend.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.accounts.context_processors.portal",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60 if PRODUCTION else 0)
# Connect and statement timeouts, so that a hanging database fails a page fast (config/operations.py).
DATABASES["default"] = operations.database(env, DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses locked-out clients before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "applications:dashboard"

# --- django-allauth: e-mail is the login, and it must be confirmed before anything else.
ACCOUNT_ADAPTER = "portal.accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "portal.accounts.forms.SignupForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Smart City Manager:in] "
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Staff (reviewers, coordinators, administrators) must use a second factor; see portal.accounts.middleware.
PORTAL_STAFF_MFA_REQUIRED = env.bool("PORTAL_STAFF_MFA_REQUIRED", default=True)

# --- Guessing passwords: django-axes locks a login name from one address after five failures.
AXES_FAILURE_LIMIT = env.int("PORTAL_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("PORTAL_LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_USERNAME_CALLABLE = "portal.accounts.security.login_name"
# The lockout page in the portal's layout and language, with Retry-After.
AXES_LOCKOUT_CALLABLE = "portal.accounts.security.lockout_response"
# --- Who a client is behind the reverse proxy: the number of proxies in front of the portal that
# append the address they see to X-Forwarded-For (one: the TLS proxy of the documented setup).
# Only their entries are believed; django-axes, allauth's limits and portal.web.ratelimit all take
# the address from portal.web.ratelimit.client_address, so they agree.
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=1 if PRODUCTION else 0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
AXES_CLIENT_IP_CALLABLE = "portal.web.ratelimit.client_address"
# allauth's limits, per client address ("ip") and per account ("key"); why each number: docstring
# of portal.accounts.second_factor. Wrong second-factor codes also lock it as django-axes would.
ACCOUNT_RATE_LIMITS = {
    "login": "300/10m/ip",
    "login_failed": "20/m/ip,10/30m/key",
    "reset_password": "20/m/ip,5/m/key,20/d/key",
}
PORTAL_MFA_FAILURE_LIMIT = env.int("PORTAL_MFA_FAILURE_LIMIT", default=AXES_FAILURE_LIMIT)
PORTAL_MFA_ADDRESS_FAILURE_LIMIT = env.int("PORTAL_MFA_ADDRESS_FAILURE_LIMIT", default=20)
_LOCKING = "portal.accounts.second_factor.Locking"
MFA_FORMS = {"authenticate": f"{_LOCKING}AuthenticateForm", "reauthenticate": f"{_LOCKING}ReauthenticateForm"}
MFA_ADAPTER = "portal.accounts.adapters.MFAAdapter"  # TOTP secrets stored encrypted
MFA_TOTP_ISSUER = "Smart City Manager:in"
# A code from the 30 seconds before or after counts too (RFC 6238, 5.2: one time step for the
# delay between reading the code and sending it); allauth still accepts each code only once.
MFA_TOTP_TOLERANCE = 1

# --- Internationalisation: German first, English second, times in Europe/Berlin.
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "portal_language"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["portal.web.formats"]

# --- Static and uploaded files. Uploads live outside the web root and are served only
# through permission-checked views.
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# With PORTAL_S3_BUCKET every stored file (letters, materials, tasks, certificates, outbox
# attachments) lives in S3-compatible object storage, shared by every web node and worker.
# Objects stay private: people get them only through the permission-checked views, streamed,
# or (PORTAL_S3_PRESIGNED_DOWNLOADS) redirected to a URL signed for a few minutes.
# Keys: PORTAL_S3_ACCESS_KEY/PORTAL_S3_SECRET_KEY, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.
PORTAL_S3_BUCKET = env.str("PORTAL_S3_BUCKET", default="")
PORTAL_S3_PRESIGNED_DOWNLOADS = env.bool("PORTAL_S3_PRESIGNED_DOWNLOADS", default=False)
PORTAL_S3_URL_SECONDS = env.int("PORTAL_S3_URL_SECONDS", default=120)
if PORTAL_S3_BUCKET:
    from botocore.config import Config as _BotoConfig

    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": PORTAL_S3_BUCKET,
            "endpoint_url": env.str("PORTAL_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("PORTAL_S3_REGION", default="") or None,
            "access_key": env.str("PORTAL_S3_ACCESS_KEY", default="") or None,
            "secret_key": env.str("PORTAL_S3_SECRET_KEY", default="") or None,
            "addressing_style": env.str("PORTAL_S3_ADDRESSING_STYLE", default="path"),  # MinIO, Garage
            "signature_version": "s3v4",
            "default_acl": None,  # the bucket's policy decides: private
            "querystring_auth": True,
            "querystring_expire": PORTAL_S3_URL_SECONDS,
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "private, no-store"},
            "client_config": _BotoConfig(
                connect_timeout=3, read_timeout=30, retries={"max_attempts": 3, "mode": "standard"}
            ),
        },
    }
FILE_UPLOAD_PERMISSIONS = 0o640
# Above this a request is refused by its Content-Length, unread (portal.web.request_size; README).
PORTAL_MAX_REQUEST_BYTES = env.int("PORTAL_MAX_REQUEST_BYTES", default=6 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # text forms; larger files to disk
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# --- Mail. Every message goes through the outbox (portal.mail) and is sent by a task.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="Smart City Manager:in <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery. Without REDIS_URL tasks run eagerly inside the calling process.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# django_celery_beat's scheduler, telling the liveness probe at every tick (portal.ops.beat).
CELERY_BEAT_SCHEDULER = "portal.ops.beat.BeatScheduler"
CELERY_BEAT_MAX_INTERVAL = 30
# Leases and sweepers, the broker's visibility timeout, the liveness probes of worker and beat,
# exports built in the worker, a cache that degrades: config/operations.py says what each is for.
PORTAL_WORK_LEASE_SECONDS = operations.work_lease(env)
CELERY_BROKER_TRANSPORT_OPTIONS = operations.broker_transport_options(
    env, task_time_limit=CELERY_TASK_TIME_LIMIT
)
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT, CELERY_REDIS_SOCKET_TIMEOUT = 3, 10
PORTAL_WORKER_HEARTBEAT_MAX_AGE = env.int("PORTAL_WORKER_HEARTBEAT_MAX_AGE", default=60)
PORTAL_BEAT_HEARTBEAT_MAX_AGE = env.int("PORTAL_BEAT_HEARTBEAT_MAX_AGE", default=120)
PORTAL_HEARTBEAT_DIR = env.str("PORTAL_HEARTBEAT_DIR", default="")
PORTAL_EXPORT_BACKGROUND_ROWS = env.int("PORTAL_EXPORT_BACKGROUND_ROWS", default=5000)
PORTAL_EXPORT_KEEP_DAYS = env.int("PORTAL_EXPORT_KEEP_DAYS", default=7)
PORTAL_CACHE_RETRY_SECONDS = env.int("PORTAL_CACHE_RETRY_SECONDS", default=10)
CACHES = {"default": operations.cache(env, REDIS_URL)}
# Several web nodes share rate limits, cached parts and sessions through Redis, so any node serves
# any signed-in person. Sessions are written to the database as well (cached_db): a Redis restart
# signs nobody out.
if REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Security. Production turns on everything ``check --deploy`` asks for.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Content Security Policy: no inline scripts or styles, nothing from other hosts, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

ADMIN_URL = env.str("DJANGO_ADMIN_URL", default="admin/")
# The portal's public address, for links in mails sent by workers (no request to take it from)
# and for the verification address and QR code printed on every certificate. In production it
# must be the https address the public reaches: a certificate printed with a wrong one would have
# to be reissued.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="" if PRODUCTION else development_base_url(env))
if PRODUCTION:
    _base = urlsplit(PORTAL_BASE_URL)
    if _base.scheme != "https" or not _base.hostname or _base.path not in ("", "/") or _base.query:
        raise ImproperlyConfigured(
            "PORTAL_BASE_URL must be set in production to the portal's public https address, "
            "e.g. https://smartcity.example.org (no path)."
        )
    if not validate_host(_base.hostname, ALLOWED_HOSTS):
        raise ImproperlyConfigured(
            f"The host of PORTAL_BASE_URL ({_base.hostname}) must be one of DJANGO_ALLOWED_HOSTS."
        )
# The state whose municipalities may apply (Länderschlüssel, e.g. "12"): the default for a
# new programme. Each programme keeps its own state, so one database can hold several states' lists.
PORTAL_STATE = env.str("PORTAL_STATE", default="12")
if not (len(PORTAL_STATE) == 2 and PORTAL_STATE.isdigit() and 1 <= int(PORTAL_STATE) <= 16):
    raise ImproperlyConfigured("PORTAL_STATE must be a state key from 01 to 16, e.g. 12.")
# The programme this portal shows (its slug); other programmes' data may share the database.
# Empty: the programme of PORTAL_STATE, its newest if it has several ("smart-city-manager" while
# it has none), so that PORTAL_STATE alone chooses the operator (cohorts.selectors.programme_slug).
PORTAL_PROGRAMME = env.str("PORTAL_PROGRAMME", default="")

# Days an accepted applicant has to confirm the offered seat.
SEAT_CONFIRMATION_DAYS = env.int("PORTAL_SEAT_CONFIRMATION_DAYS", default=7)

# --- The operator of the portal, shown in the imprint, privacy notice and accessibility
# statement, and the accessibility statement's dates and enforcement body (config/legal.py).
# Production refuses to start while a contact the legal pages print is still a placeholder.
OPERATOR_PLACEHOLDERS = legal.OPERATOR_PLACEHOLDERS
PORTAL_OPERATOR = legal.operator(env)
PORTAL_ACCESSIBILITY = legal.accessibility(env)
if PRODUCTION:
    legal.refuse_placeholders(PORTAL_OPERATOR, PORTAL_ACCESSIBILITY)
# Who signs the certificates, if not the operator's texts (certificate.signatories): "role|organisation|
# role in English|organisation in English|person|person in English", entries separated by ";". The
# person's name prints above the role; the English fields may be left out (the German ones print).
CERTIFICATE_SIGNATORIES = [
    dict(
        zip(
            ("name", "function", "name_en", "function_en", "person", "person_en"),
            entry.split("|", 5),
            strict=False,
        )
    )
    for entry in env.str(
        "PORTAL_CERTIFICATE_SIGNATORIES",
        default="",
    ).split(";")
    if entry.strip()
]
# --- Certificates that prove themselves: seal and credential keys (config/certificates.py).
globals().update(certificates.settings(env, base_dir=BASE_DIR, operator=PORTAL_OPERATOR))
PRIVACY_NOTICE_VERSION = env.str("PORTAL_PRIVACY_NOTICE_VERSION", default="2026-11")
# Months after a cohort's end for which its applications and participations are kept; then
# unsuccessful applications are anonymised and accounts whose deletion was requested are erased.
PORTAL_RETENTION_MONTHS = env.int("PORTAL_RETENTION_MONTHS", default=12)
# Months for which a report of a barrier (the form of the accessibility statement) is kept after
# it came in; then the nightly job deletes it and empties the mail that carried it. The answer is due
# within six weeks (BITV 2.0 § 7); when it does not come or does not help, a conciliation
# procedure at the Schlichtungsstelle may follow, and the statement's regular review draws on the
# reports of the past year. Twelve months cover all three.
PORTAL_FEEDBACK_RETENTION_MONTHS = env.int("PORTAL_FEEDBACK_RETENTION_MONTHS", default=12)
# Key of the pseudonyms in the evaluation's exports (HMAC-SHA256); the evaluators never see it.
# Set it in production: the default is derived from SECRET_KEY, so a new SECRET_KEY would give
# every person a new pseudonym.
EVALUATION_PSEUDONYM_KEY = (
    env.str("EVALUATION_PSEUDONYM_KEY", default="")
    or hashlib.sha256(f"evaluation-pseudonym:{SECRET_KEY}".encode()).hexdigest()
)
# Public age keys (age1…, comma-separated) every `manage.py backup` is encrypted to; the matching
# identity files stay with the operator, off the host (README, "Betrieb").
PORTAL_BACKUP_RECIPIENTS = env.list("PORTAL_BACKUP_RECIPIENTS", default=[])
# Where `manage.py backup` puts a new backup without --output (a folder per run, named by time).
PORTAL_BACKUP_DIR = env.str("PORTAL_BACKUP_DIR", default="backups")

# --- Logs. PORTAL_LOG_FORMAT=json prints one JSON object per line, for a log collector. Every
# line carries the request ID of the request it belongs to, in Celery tasks the ID of the request
# that queued them (django-guid); see portal.ops.request_log for what a request's line holds.
PORTAL_LOG_FORMAT = env.str("PORTAL_LOG_FORMAT", default="text")
if PORTAL_LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured("PORTAL_LOG_FORMAT must be 'text' or 'json'.")
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,  # a proxy's ID is taken only when it is a UUID, so nothing is injected
    "RETURN_HEADER": True,
    # Tasks carry the ID of the request that queued them; workers log with the settings below.
    "INTEGRATIONS": [CeleryIntegration(use_django_logging=True)],
}
# Error reports and log lines never show a one-time link or the variables that hold one.
DEFAULT_EXCEPTION_REPORTER_FILTER = "portal.ops.error_reports.SecretSafeReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "portal.ops.error_reports.SecretSafeExceptionReporter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "django_guid.log_filters.CorrelationId", "correlation_id_field": "request_id"},
        "one_time_links": {"()": "portal.ops.error_reports.RedactOneTimeLinks"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
        # RFC 3339 times with the offset (portal/ops/json_log.py).
        "json": {
            "()": "portal.ops.json_log.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "one_time_links"],
            "formatter": PORTAL_LOG_FORMAT,
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "one_time_links"],
            "reporter_class": DEFAULT_EXCEPTION_REPORTER,
        },
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own records go to the console through the root logger, errors also by mail.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        # WeasyPrint reports every rendering step at INFO; only its warnings matter here.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-guid tells at INFO about every ID it sets; the lines carry the ID anyway.
        "django_guid": {"level": "WARNING"},
        # Django's own request lines repeat portal.request's (and print the raw path).
        "django.server": {"level": "WARNING"},
    },
}
# The worker logs through the settings above instead of replacing them with Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
