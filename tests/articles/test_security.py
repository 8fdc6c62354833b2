"""Production settings and the browser-side protections every response carries."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse

from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-secret-" + "x7Qp2Lk9Zr4Tm8Wn" * 3,
    "ALLOWED_HOSTS": "news.example.org",
    "SECURE_HSTS_PRELOAD": "1",
    "DATABASE_URL": "sqlite:///:memory:",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT, env=clean | env, capture_output=True, text=True, timeout=120
    )


def test_deployment_checks_pass_with_production_settings() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key() -> None:
    without_key = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    deploy_check = manage("check", "--deploy", env=without_key)
    assert deploy_check.returncode != 0
    assert "SECRET_KEY must be set" in deploy_check.stderr
    clean = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY"}}
    server = subprocess.run(
        [sys.executable, "-c", "import newsroom.wsgi"],
        cwd=PROJECT,
        env=clean | without_key,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert server.returncode != 0
    assert "SECRET_KEY" in server.stderr


def test_public_pages_send_protective_headers_and_a_csp_without_inline_script(client: Client) -> None:
    response = client.get(ArticleFactory().get_absolute_url())
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "nonce-" not in policy and "unsafe-inline" not in policy
    for script in BeautifulSoup(response.content, "html.parser").find_all("script"):
        assert script.get("src") or script.get("type") == "application/ld+json", script


def test_the_admin_gets_a_nonce_its_inline_scripts_carry(client: Client) -> None:
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get(reverse("admin:articles_article_add"))
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    inline = [s for s in BeautifulSoup(response.content, "html.parser").find_all("script") if not s.get("src")]
    assert inline, "the rich-text editor's import map is an inline script"
    assert all(script.get("nonce") == nonce for script in inline)


def test_admin_sign_in_is_refused_after_repeated_failures(client: Client, settings) -> None:
    settings.ADMIN_LOGIN_ATTEMPTS = 3
    UserFactory(username="editor", is_staff=True, password="the right password")
    login = reverse("admin:login")
    for _ in range(3):
        response = client.post(login, {"username": "editor", "password": "wrong"})
        assert "Please enter the correct username and password" in response.content.decode()
    response = client.post(login, {"username": "editor", "password": "the right password"})
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_every_public_surface_sends_the_policy_without_a_nonce_cached_or_not(client: Client) -> None:
    """A cached page is served to many readers, so it may carry no nonce: public pages run no inline script at all."""
    from tests.factories import AgencyFactory, AuthorFactory, SectionFactory, TopicFactory
    from tests.surfaces import PUBLIC_SURFACES, Subjects

    section, topic = SectionFactory(name="World"), TopicFactory(name="Floods")
    author, agency = AuthorFactory(name="Ann Lee"), AgencyFactory(name="AFP")
    article = ArticleFactory(section=section, topics=[topic], authors=[author], agencies=[agency])
    ArticleFactory(section=section, topics=[topic])
    subjects = Subjects(section=section, topic=topic, author=author, agency=agency, article=article)
    for surface in PUBLIC_SURFACES:
        for attempt in ("fresh", "cached"):
            response = client.get(surface.url(subjects))
            where = (surface.name, attempt)
            assert response.status_code == 200, where
            assert "public" in response["Cache-Control"], where
            policy = response["Content-Security-Policy"]
            assert "script-src 'self'" in policy and "nonce-" not in policy, where
            assert response["X-Content-Type-Options"] == "nosniff", where
            if surface.kind == "html":
                for script in BeautifulSoup(response.content, "html.parser").find_all("script"):
                    assert script.get("src") or script.get("type") == "application/ld+json", where


def test_https_responses_carry_hsts_and_cookies_are_secure(client: Client) -> None:
    response = client.get(reverse("admin:login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "includeSubDomains" in response["Strict-Transport-Security"]
    assert response.cookies["csrftoken"]["secure"] and response.cookies["csrftoken"]["samesite"] == "Lax"
    UserFactory(username="editor", is_staff=True, password="the right password")
    signed_in = client.post(
        reverse("admin:login"), {"username": "editor", "password": "the right password"}, secure=True
    )
    session = signed_in.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
