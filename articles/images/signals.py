"""
Deleting an image or a rendition deletes its file from storage, once the deletion is committed (a rolled-back
deletion keeps its file). From `post_delete`, so queryset deletes and the cascade from an image to its renditions
clean up too.
"""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import Image, Rendition


@receiver(post_delete, sender=Image, dispatch_uid="images_delete_original_file")
@receiver(post_delete, sender=Rendition, dispatch_uid="images_delete_rendition_file")
def delete_stored_file(sender: type[Image | Rendition], instance: Image | Rendition, **kwargs: Any) -> None:
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name), using=kwargs.get("using"))
