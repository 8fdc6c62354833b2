from typing import Self

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

# Sections live at the root of the site (/world/), so a section may not take a slug the site itself uses.
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "api",
        "static",
        "media",
        "topics",
        "authors",
        "agencies",
        "search",
        "preview",
        "beacon",
        "feeds",
        "sitemap.xml",
        "robots.txt",
    }
)


def validate_not_reserved(slug: str) -> None:
    if slug in RESERVED_SLUGS:
        raise ValidationError("“%(slug)s” is used by the site itself; choose another slug.", params={"slug": slug})


class SectionQuerySet(models.QuerySet):
    def top_level(self) -> Self:
        return self.filter(parent__isnull=True)


class Section(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(
        max_length=100,
        unique=True,
        validators=[validate_not_reserved],
        help_text="The section's address: /world/ for “world”.",
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="Leave empty for a top-level section; World is the parent of Europe.",
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in the navigation, lowest first.")
    description = models.TextField(blank=True, help_text="Shown at the top of the section page.")

    objects = SectionQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(parent=models.F("pk")), name="section_not_its_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sections:detail", kwargs={"slug": self.slug})

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs) -> Self:
        instance = super().from_db(db, field_names, values, **kwargs)
        # Remembered so that a change of slug can leave a redirect behind (see signals.py).
        instance._loaded_slug = instance.__dict__.get("slug")
        return instance

    def clean(self) -> None:
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk:
                raise ValidationError({"parent": "A section cannot sit inside itself or one of its subsections."})
            ancestor = ancestor.parent

    def descendant_ids(self) -> list[int]:
        """This section's id and those of all its subsections, at any depth, from the cached section tree."""
        from .tree import section_tree  # the tree is built from this model

        return section_tree().descendant_ids(self)


class SectionRedirect(models.Model):
    """A slug a section used to have, so its old pages answer with a permanent redirect."""

    old_slug = models.SlugField(max_length=100, unique=True)
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"/{self.old_slug}/ → {self.section}"
