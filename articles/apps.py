from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self) -> None:
        from . import related, search, signals  # noqa: F401  (connects the receivers)
        from .roles import ensure_editorial_groups

        post_migrate.connect(ensure_editorial_groups, sender=self, dispatch_uid="articles_editorial_groups")
