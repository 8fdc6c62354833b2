"""
`manage.py renditions`: make every library image's missing renditions, e.g. after a failed upload step, after the
widths or formats change, or after moving media to another storage. Safe to run at any time, and again.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from articles.images.renditions import generate_renditions, regenerate_crops
from articles.models import Image


class Command(BaseCommand):
    help = "Generate the missing renditions of every library image (--recrop: replace all crops too)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--recrop", action="store_true", help="Replace the cropped renditions of every image.")

    def handle(self, *args: Any, recrop: bool, **options: Any) -> None:
        made = 0
        for image in Image.objects.order_by("pk").iterator():
            made += len(regenerate_crops(image=image) if recrop else generate_renditions(image=image))
        self.stdout.write(self.style.SUCCESS(f"{made} renditions made."))
