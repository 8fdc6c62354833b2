"""Who else has an article open in the admin: a soft warning kept in the cache, shown on the change form."""

from django.core.cache import cache
from django.utils import timezone

WINDOW_SECONDS = 15 * 60


def record_open(article_id: int, username: str) -> list[tuple[str, int]]:
    """Note that `username` opened the article; return who else did in the last 15 minutes (name, minutes ago)."""
    key = f"articles:open:{article_id}"
    now = timezone.now().timestamp()
    opened = {name: at for name, at in (cache.get(key) or {}).items() if now - at < WINDOW_SECONDS}
    others = sorted((int((now - at) // 60), name) for name, at in opened.items() if name != username)
    opened[username] = now
    cache.set(key, opened, WINDOW_SECONDS)
    return [(name, minutes) for minutes, name in others]
