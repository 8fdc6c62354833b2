"""
Newsroom settings: one module, every difference between environments comes from an environment variable.

DATABASE_URL    database, e.g. postgres://user@host:5432/newsroom (default: SQLite file db.sqlite3)
DATABASE_REPLICA_URLS   comma-separated read replicas of it, for public pages (articles/db_router.py)
CDN_PURGE_URL   optional: where to POST the addresses a CDN should drop when stories change (articles/cdn.py)
SECRET_KEY      required unless DEBUG is on
DEBUG           "1"/"true" turns on debug mode (never in production)
ALLOWED_HOSTS   comma-separated host names (default: localhost names only)
REDIS_URL       shared cache and trending counters, e.g. redis://127.0.0.1:6379/0 (CACHE_URL is accepted for the
                cache alone; default: local memory, and trending counts in the database)
TIME_ZONE       the newsroom's time zone, used for datelines and displayed times (default: UTC)
NEWSROOM_*      the newsroom's own knobs, listed in NEWSROOM at the end of this module and in README.md
MEDIA_STORAGE_BACKEND, MEDIA_STORAGE_OPTIONS  where uploads and image renditions are stored (default: MEDIA_ROOT);
                e.g. storages.backends.s3.S3Storage with JSON options (see README)
NEWSROOM_WIRE_SECTION, NEWSROOM_WIRE_MAX_ITEM_BYTES   agency copy (`manage.py ingest`), see README.md
"""

import json
import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

# No default outside DEBUG: `manage.py check` reports a missing key (articles/checks.py), the WSGI/ASGI application
# refuses to start without one, and Django refuses to sign anything with an empty one. Commands that sign nothing
# (makemigrations, collectstatic) still run.
SECRET_KEY = os.environ.get("SECRET_KEY", "") or ("django-insecure-local-development-only" if DEBUG else "")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# HTTPS and the browser's protections, on whenever DEBUG is off. Behind a proxy or CDN that terminates TLS, set
# SECURE_PROXY_SSL_HEADER=1 so that Django believes its X-Forwarded-Proto header (and only then).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# Preloading is a promise to browsers that is slow to undo: a deliberate choice, so off unless asked for.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content Security Policy (Django's own). Public pages run no inline script at all, so they need no nonce, and a
# cached page never carries one; the admin, never cached, gets a per-response nonce (articles/security.py).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *env_list("CSP_IMAGE_ORIGINS")],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
ADMIN_CSP = {
    **SECURE_CSP,
    "script-src": [CSP.SELF, CSP.NONCE],
    # The rich-text editor (Tiptap, in django-prose-editor) inserts its base stylesheet, this exact text, itself.
    "style-src": [CSP.SELF, CSP.NONCE, "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"],
    # The image form previews the chosen file, before uploading it, from a blob: address (static/js/focal-point.js).
    "img-src": [*SECURE_CSP["img-src"], "blob:"],
}
# Failed admin sign-ins allowed per account (and per address) in ADMIN_LOGIN_WINDOW seconds.
ADMIN_LOGIN_ATTEMPTS = int(os.environ.get("ADMIN_LOGIN_ATTEMPTS", "5"))
ADMIN_LOGIN_WINDOW = int(os.environ.get("ADMIN_LOGIN_WINDOW", str(15 * 60)))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # Full-text search fields and indexes (search.py); harmless on SQLite.
    "django.contrib.postgres",
    "taggit",
    "reversion",
    "django_prose_editor",
    "sections",
    "articles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Serves stored public pages before the rest runs; HttpCacheMiddleware (last) decides which pages are stored.
    "articles.http_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "articles.security.AdminContentSecurityPolicyMiddleware",
    "articles.api.ApiCorsMiddleware",
    # Before the HTTP cache's, so that the content state it reads comes from the primary after a change.
    "articles.db_router.ReplicaRoutingMiddleware",
    # Last, so that it sees who the user is and every public view's response, 404s included.
    "articles.http_cache.HttpCacheMiddleware",
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
                "django.template.context_processors.csp",
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
# Read replicas, each an alias `replica_N`: public pages read from them, everything else from the primary
# (articles/db_router.py). Tests use the primary for them (MIRROR).
DATABASE_REPLICAS = []
for number, url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
    DATABASE_REPLICAS.append(f"replica_{number}")
    DATABASES[f"replica_{number}"] = {
        **dj_database_url.parse(url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"], conn_health_checks=True),
        "TEST": {"MIRROR": "default"},
    }
if DATABASE_REPLICAS:
    DATABASE_ROUTERS = ["articles.db_router.PrimaryReplicaRouter"]
# Seconds a replica may lag behind the primary: for this long after a change, readers are sent to the primary.
DATABASE_REPLICA_LAG = int(os.environ.get("DATABASE_REPLICA_LAG", "5"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Trending counts go to Redis when it is configured (articles/trending.py), to the database otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_URL = REDIS_URL or os.environ.get("CACHE_URL")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "articles.redis_cache.RedisCache",
            "LOCATION": CACHE_URL,
            # A Redis that doesn't answer is a cache that misses (articles/redis_cache.py), found out within a second.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
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
    # Images and their renditions go through this backend only (never through file paths), so S3-compatible storage
    # via django-storages is a matter of these two variables.
    "default": {
        "BACKEND": os.environ.get("MEDIA_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": json.loads(os.environ.get("MEDIA_STORAGE_OPTIONS") or "{}"),
    },
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

# A CDN's purge endpoint, POSTed the paths to drop when stories change (articles/cdn.py); optional.
CDN_PURGE_URL = os.environ.get("CDN_PURGE_URL", "")
CDN_PURGE_TOKEN = os.environ.get("CDN_PURGE_TOKEN", "")
CDN_PURGE_TIMEOUT = float(os.environ.get("CDN_PURGE_TIMEOUT", "2"))

# The newsroom's house style and public-site knobs.
NEWSROOM = {
    "SITE_NAME": os.environ.get("NEWSROOM_SITE_NAME", "The Newsroom"),
    # Dateline as in "PARIS, Sept 5:". Placeholders: {place}, {month}, {day}, {year}.
    "DATELINE_FORMAT": os.environ.get("NEWSROOM_DATELINE_FORMAT", "{place}, {month} {day}:"),
    # Month names as the house style writes them in datelines, January first.
    "DATELINE_MONTHS": env_list("NEWSROOM_DATELINE_MONTHS", "Jan,Feb,March,April,May,June,July,Aug,Sept,Oct,Nov,Dec"),
    "ARTICLES_PER_PAGE": int(os.environ.get("NEWSROOM_ARTICLES_PER_PAGE", "20")),
    "RELATED_STORIES": 5,
    "PREVIEW_LINK_HOURS": int(os.environ.get("NEWSROOM_PREVIEW_LINK_HOURS", "48")),
    "TRENDING_STORIES": 5,
    # The content's language (BCP 47), in feeds, the Google News sitemap, structured data and the API.
    "LANGUAGE": os.environ.get("NEWSROOM_LANGUAGE", "en"),
    # Public pages' Cache-Control, in seconds: browsers (max-age), CDNs (s-maxage), and how long a cache may serve a
    # stale copy while it fetches a fresh one. All three are cut short before the next scheduled publish or expiry.
    "CACHE_MAX_AGE": int(os.environ.get("NEWSROOM_CACHE_MAX_AGE", "60")),
    # Whole pages kept for anonymous readers (articles/http_cache.py); off only to measure what it saves.
    "PAGE_CACHE": env_bool("NEWSROOM_PAGE_CACHE", True),
    "CACHE_S_MAXAGE": int(os.environ.get("NEWSROOM_CACHE_S_MAXAGE", "300")),
    "CACHE_STALE_WHILE_REVALIDATE": int(os.environ.get("NEWSROOM_CACHE_STALE_WHILE_REVALIDATE", "60")),
    # Uploads larger than this are refused before anything decodes them (the web server should refuse far larger
    # request bodies first). 25 MB holds any camera JPEG.
    "IMAGE_MAX_BYTES": int(os.environ.get("NEWSROOM_IMAGE_MAX_BYTES", str(25 * 1024 * 1024))),
    # Decoded size cap, well below Pillow's own decompression-bomb limit (~89 megapixels): 50 megapixels is a
    # full-frame camera's picture and 200 MB of RGBA in memory.
    "IMAGE_MAX_PIXELS": int(os.environ.get("NEWSROOM_IMAGE_MAX_PIXELS", "50000000")),
    # AVIF renditions cost most of the encoding time; off leaves WebP and JPEG/PNG.
    "IMAGE_AVIF": env_bool("NEWSROOM_IMAGE_AVIF", True),
    # Agency copy (articles/ingest/): the section for items no subject rule places, and the largest item accepted.
    "WIRE_SECTION": os.environ.get("NEWSROOM_WIRE_SECTION", "world"),
    "WIRE_MAX_ITEM_BYTES": int(os.environ.get("NEWSROOM_WIRE_MAX_ITEM_BYTES", str(2 * 1024 * 1024))),
    # Prefix of the trending counters' Redis keys, so several sites (or test runs) can share one Redis.
    "TRENDING_KEY_PREFIX": os.environ.get("NEWSROOM_TRENDING_KEY_PREFIX", "newsroom:"),
    # Stories at the top of the home page and of a section page: editors' slots first, then the newest.
    "HOME_FRONT_STORIES": 5,
    "SECTION_FRONT_STORIES": 4,
}
