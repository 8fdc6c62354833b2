"""
Addresses are permanent: when an article's slug or section changes, its old address keeps answering with a 301.
Recorded from `post_save` (as Wagtail does for slug changes) so every path that moves an article leaves one behind.
"""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Article, ArticleRedirect


@receiver(post_save, sender=Article, dispatch_uid="articles_remember_old_address")
def remember_old_address(sender: type[Article], instance: Article, created: bool, **kwargs: Any) -> None:
    old_section_id, old_slug = getattr(instance, "_loaded_path", (None, None))
    current = (instance.section_id, instance.slug)
    instance._loaded_path = current
    if created or old_slug is None or (old_section_id, old_slug) == current:
        return
    ArticleRedirect.objects.update_or_create(
        section_id=old_section_id, old_slug=old_slug, defaults={"article": instance}
    )
    # The article's new address may once have been a redirect (it moved back): the live address wins.
    ArticleRedirect.objects.filter(section_id=instance.section_id, old_slug=instance.slug).delete()
