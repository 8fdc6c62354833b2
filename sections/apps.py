from django.apps import AppConfig


class SectionsConfig(AppConfig):
    name = "sections"
    verbose_name = "Sections"

    def ready(self) -> None:
        from . import signals, tree  # noqa: F401  (connects the receivers)
