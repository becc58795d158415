"""Django settings of the portal, read from the portal folder (IUPJONG_PORTAL_DIR; see folder.py).

Profiles: `lan` (the default: plain HTTP on a trusted office network) and `https` (behind a TLS proxy: Secure
cookies, HSTS, redirect to HTTPS). Everything else is the same in both."""

from __future__ import annotations

from pathlib import Path

from iupjong_xl.portal.folder import current

HERE = Path(__file__).resolve().parent
FOLDER = current()
CONFIG = FOLDER.config()
PORTAL_DIR = FOLDER.path
LEDGER = FOLDER.ledger
MAX_UPLOAD_BYTES = CONFIG.max_upload_mb * 1024 * 1024

SECRET_KEY = FOLDER.secret_key()
DEBUG = False
ALLOWED_HOSTS = list(CONFIG.allowed_hosts)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "iupjong_xl.portal.accounts",
    "iupjong_xl.portal.front",
    "iupjong_xl.portal.public",
    "iupjong_xl.portal.api",
]

MIDDLEWARE = [
    "iupjong_xl.portal.middleware.UploadCap",  # first: an oversized upload is refused before anything reads it
    "django.middleware.security.SecurityMiddleware",
    "iupjong_xl.portal.middleware.ContentSecurityPolicy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "iupjong_xl.portal.middleware.ForcePasswordChange",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "iupjong_xl.portal.urls"
WSGI_APPLICATION = "iupjong_xl.portal.wsgi.application"

TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [HERE / "templates"],
    "APP_DIRS": False,
    "OPTIONS": {
        "autoescape": True,
        "context_processors": [
            "django.template.context_processors.request",
            "django.contrib.auth.context_processors.auth",
            "django.contrib.messages.context_processors.messages",
        ],
    },
}]

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": FOLDER.accounts,
                         "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"}}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", "한국어"), ("en", "English")]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = None  # no collectstatic: whitenoise serves the package's files through the finders
STATICFILES_DIRS = [HERE / "static"]
WHITENOISE_USE_FINDERS = True  # the package's own static files, without collectstatic

# uploads: the cap is enforced before the body is read (middleware.UploadCap); the file goes to a temporary file
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 100

# cookies and headers (both profiles)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

if CONFIG.profile == "https":  # behind a TLS proxy that sets X-Forwarded-Proto
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
else:  # lan: plain HTTP on a trusted office network; exactly the HTTPS-only deploy checks are silenced
    SILENCED_SYSTEM_CHECKS = ["security.W004", "security.W008", "security.W012", "security.W016"]

LOGGING = {  # requests are logged by method, path and status only: no form fields, no file contents, no names
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django": {"handlers": ["console"], "level": "WARNING"},
                "iupjong_xl.portal": {"handlers": ["console"], "level": "INFO"}},
}
