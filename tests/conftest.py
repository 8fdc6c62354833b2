from pathlib import Path

import pytest
from django.conf import settings

REPLICA = "replica_1"


def pytest_configure(config: pytest.Config) -> None:
    # Production serves hashed static files from a manifest that `collectstatic` writes; tests render templates
    # without running it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # The test client speaks plain HTTP.
    settings.SECURE_SSL_REDIRECT = False
    # Hashing test passwords at production strength only slows the suite down.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A read replica for the router's tests (tests/articles/test_db_router.py): the test database itself, under a
    # second alias. Reads are routed to it only where a test turns the router on. Added in place: Django's
    # connections may already hold this very dict.
    default = settings.DATABASES["default"]
    settings.DATABASES[REPLICA] = {**default, "TEST": {**default.get("TEST", {}), "MIRROR": "default"}}
    settings.DATABASE_REPLICAS = []
    settings.DATABASE_ROUTERS = []


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    # The cache outlives each test's database transaction: what one test cached (the HTTP cache's content state)
    # must not describe another test's data.
    from django.core.cache import cache

    from articles.http_cache import forget_local_copies

    cache.clear()
    forget_local_copies()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    """Every file a test stores (uploads, renditions) goes to a temporary directory, never into the checkout."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# The browser tests' fixtures (Debian's Chromium through Playwright).
from tests.browser import chromium, page  # noqa: E402, F401
