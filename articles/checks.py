from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def secret_key_is_set(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Production has no default secret key: say so at `check` time, before anything tries to sign with it."""
    if settings._wrapped.SECRET_KEY:  # read past LazySettings, which raises on an empty key
        return []
    return [Error("SECRET_KEY must be set in the environment when DEBUG is off.", id="newsroom.E001")]
