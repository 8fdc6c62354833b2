"""
Newsroom settings: one module, every difference between environments comes from an environment variable.

DATABASE_URL    database, e.g. postgres://user@host:5432/newsroom (default: SQLite file db.sqlite3)
SECRET_KEY      required unless DEBUG is on
DEBUG           "1"/"true" turns on debug mode (never in production)
ALLOWED_HOSTS   comma-separated host names (default: localhost names only)
REDIS_URL       shared cache and trending counters, e.g. redis://127.0.0.1:6379/0 (CACHE_URL is accepted for the
                cache alone; default: local memory, and trending counts in the database)
TIME_ZONE       the newsroom's time zone, used for datelines and displayed times (default: UTC)
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Full-text search fields and indexes (search.py); harmless on SQLite.
    "django.contrib.postgres",
    "taggit",
    "sections",
    "articles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

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
                "sections.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Trending counts go to Redis when it is configured (articles/trending.py), to the database otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_URL = REDIS_URL or os.environ.get("CACHE_URL")
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed file names in production so browsers and CDNs can cache static files forever.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# The newsroom's house style and public-site knobs.
NEWSROOM = {
    "SITE_NAME": os.environ.get("NEWSROOM_SITE_NAME", "The Newsroom"),
    # Dateline as in "PARIS, Sept 5:". Placeholders: {place}, {month}, {day}, {year}.
    "DATELINE_FORMAT": os.environ.get("NEWSROOM_DATELINE_FORMAT", "{place}, {month} {day}:"),
    # Month names as the house style writes them in datelines, January first.
    "DATELINE_MONTHS": env_list("NEWSROOM_DATELINE_MONTHS", "Jan,Feb,March,April,May,June,July,Aug,Sept,Oct,Nov,Dec"),
    "ARTICLES_PER_PAGE": int(os.environ.get("NEWSROOM_ARTICLES_PER_PAGE", "20")),
    "RELATED_STORIES": 5,
    "TRENDING_STORIES": 5,
    # Prefix of the trending counters' Redis keys, so several sites (or test runs) can share one Redis.
    "TRENDING_KEY_PREFIX": os.environ.get("NEWSROOM_TRENDING_KEY_PREFIX", "newsroom:"),
    # Stories at the top of the home page and of a section page: editors' slots first, then the newest.
    "HOME_FRONT_STORIES": 5,
    "SECTION_FRONT_STORIES": 4,
}
