"""
The newsroom's admin, hardened: a stricter Content Security Policy with per-response nonces (its pages are never
cached, so a nonce is never replayed), and a limit on failed sign-ins per account and per address.
"""

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse


class AdminContentSecurityPolicyMiddleware:
    """Gives admin responses `settings.ADMIN_CSP` (nonce-based) instead of the public pages' `SECURE_CSP`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/admin/"):
            response._csp_config = settings.ADMIN_CSP
        return response


class ThrottledAdminLoginForm(AdminAuthenticationForm):
    """
    The admin sign-in form, refusing further attempts on an account, or from an address, after
    `ADMIN_LOGIN_ATTEMPTS` failures within `ADMIN_LOGIN_WINDOW` seconds. Counters live in the cache only, keyed by
    hashes: no address is stored.
    """

    def clean(self) -> dict:
        keys = self._counter_keys()
        if any(cache.get(key, 0) >= settings.ADMIN_LOGIN_ATTEMPTS for key in keys):
            minutes = max(1, settings.ADMIN_LOGIN_WINDOW // 60)
            raise ValidationError(
                f"Too many failed sign-in attempts. For your account's safety, try again in {minutes} minutes.",
                code="throttled",
            )
        try:
            return super().clean()
        except ValidationError:
            for key in keys:
                cache.add(key, 0, settings.ADMIN_LOGIN_WINDOW)
                cache.incr(key)
            raise

    def _counter_keys(self) -> list[str]:
        username = (self.data.get("username") or "").strip().lower()
        address = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        return [
            f"admin-login-failures:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"
            for kind, value in (("user", username), ("address", address))
            if value
        ]
