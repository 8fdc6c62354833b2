"""
The newsroom's two roles, as auth groups kept in step with the models on every `migrate`.

Created from `post_migrate` rather than a data migration: on a fresh database the permissions a data migration
would need don't exist yet.
"""

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

JOURNALISTS = "Journalists"
EDITORS = "Editors"

# Journalists write and file copy; they read (but don't manage) sections, agencies and authors.
JOURNALIST_PERMISSIONS = {
    ("articles", "article"): ["add", "change", "view"],
    ("articles", "byline"): ["add", "change", "delete", "view"],
    ("articles", "taggedarticle"): ["add", "change", "delete", "view"],
    ("articles", "topic"): ["add", "view"],
    ("articles", "image"): ["add", "change", "view"],
    ("articles", "agency"): ["view"],
    ("articles", "author"): ["view"],
    ("articles", "transition"): ["view"],
    ("articles", "correction"): ["view"],
    # The Wire list of agency copy, to pick stories from; accepting agency versions is for editors.
    ("articles", "wirearticle"): ["view"],
    ("sections", "section"): ["view"],
}
# Editors manage everything editorial.
EDITOR_APPS = ["articles", "sections"]


def ensure_editorial_groups(**kwargs: Any) -> None:
    journalist_permissions = Q()
    for (app_label, model), actions in JOURNALIST_PERMISSIONS.items():
        journalist_permissions |= Q(
            content_type__app_label=app_label, codename__in=[f"{action}_{model}" for action in actions]
        )
    journalists, _ = Group.objects.get_or_create(name=JOURNALISTS)
    journalists.permissions.set(Permission.objects.filter(journalist_permissions))
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    editors.permissions.set(Permission.objects.filter(content_type__app_label__in=EDITOR_APPS))
