"""A section whose slug changes keeps answering at its old address (and so do its articles) with a 301."""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Section, SectionRedirect


@receiver(post_save, sender=Section, dispatch_uid="sections_remember_old_slug")
def remember_old_slug(sender: type[Section], instance: Section, created: bool, **kwargs: Any) -> None:
    old_slug = getattr(instance, "_loaded_slug", None)
    instance._loaded_slug = instance.slug
    if created or old_slug is None or old_slug == instance.slug:
        return
    SectionRedirect.objects.update_or_create(old_slug=old_slug, defaults={"section": instance})
    SectionRedirect.objects.filter(old_slug=instance.slug).delete()
