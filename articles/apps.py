from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self) -> None:
        from . import cdn, checks, http_cache, related, search, signals  # noqa: F401  (connect the receivers)
        from .images import signals as image_signals  # noqa: F401
        from .revisions import register_models
        from .roles import ensure_editorial_groups

        register_models()
        post_migrate.connect(ensure_editorial_groups, sender=self, dispatch_uid="articles_editorial_groups")
