"""
Article revisions, kept by django-reversion: every save through the admin, every workflow transition and every
restore stores the article together with its topics and bylines; an ingested article's agency copy is kept as its
first revision just before anything first changes it (`keep_agency_copy`). This module reads them back for editors: a
snapshot of a revision, a field-by-field comparison of two, and restoring one (itself a new revision).

Restoring brings back the content (headline, standfirst, body, section, dateline, topics, credits), never the
workflow state: an old draft revision restored onto a published story does not unpublish it.
"""

import difflib
from dataclasses import dataclass
from datetime import datetime

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from reversion.models import Version

from sections.models import Section

from . import permissions
from .ingest.fingerprint import article_fingerprint
from .models import Agency, Article, Author, Byline, TaggedArticle, Topic

# Field names as reversion stores them (attnames: a foreign key is `section_id`).
RESTORED_FIELDS = ["headline", "slug", "standfirst", "body", "section_id", "dateline"]
COMPARED_TIMES = [("publish_at", "Publish time"), ("expire_at", "Expiry time"), ("embargo_until", "Embargo")]


def register_models() -> None:
    reversion.register(Article, follow=["tagged_items", "bylines"])
    reversion.register(TaggedArticle)
    reversion.register(Byline)


@dataclass
class Snapshot:
    """An article as one revision stored it."""

    version: Version
    fields: dict
    topic_ids: list[int]
    author_ids: list[int]

    @property
    def saved_at(self) -> datetime:
        return self.version.revision.date_created

    @property
    def saved_by(self) -> str:
        user = self.version.revision.user
        return user.get_username() if user else "the system"


@dataclass
class FieldChange:
    label: str
    before: str
    after: str
    diff: SafeString | None = None


def keep_agency_copy(article_id: int) -> None:
    """
    Called before anything changes an article: if it came from an agency and has no revision yet, its agency copy,
    as stored, becomes its first revision, so an editor can compare an edit with what the agency sent, or restore it.

    Wire ingest writes thousands of articles at a time without revisions: one per article (the article with its
    topics and bylines, serialized again) would cost as much as writing the article. Until something changes it,
    an ingested article is its agency copy, so keeping that copy can wait until then. Must run outside any other
    revision block, which would swallow this revision into its own.
    """
    if reversion.is_active():
        raise RuntimeError("keep_agency_copy() must run before the revision block of the change, not inside it")
    article = Article.objects.filter(pk=article_id, wire_uri__isnull=False).select_related("wire_agency").first()
    if article is None or Version.objects.get_for_object(article).exists():
        return
    if article_fingerprint(article) == article.wire_fingerprint:
        agency = article.wire_agency.byline_name if article.wire_agency else "the agency"
        comment = f"Agency copy from {agency} (version {article.wire_version or '?'}), as ingested."
    else:  # changed by something that keeps no revision (a script, the shell): kept, but not as the agency's
        comment = "As it stood before its first recorded change."
    with transaction.atomic(), reversion.create_revision():
        reversion.add_to_revision(article)
        reversion.set_comment(comment)
        reversion.set_date_created(article.updated_at)


def history(article: Article) -> list[Version]:
    """The article's revisions, newest first."""
    return list(Version.objects.get_for_object(article).select_related("revision__user"))


def snapshot(version: Version) -> Snapshot:
    related = version.revision.version_set.filter(
        content_type__in=ContentType.objects.get_for_models(TaggedArticle, Byline).values()
    )
    tagged, bylines = [], []
    for item in related:
        data = item.field_dict
        if item.content_type.model_class() is TaggedArticle:
            tagged.append((item.object_id, data["tag_id"]))
        else:
            bylines.append((data.get("position", 0), item.object_id, data["author_id"]))
    return Snapshot(
        version=version,
        fields=version.field_dict,
        topic_ids=[tag_id for _, tag_id in sorted(tagged, key=lambda pair: int(pair[0]))],
        author_ids=[author_id for *_, author_id in sorted(bylines, key=lambda row: (row[0], int(row[1])))],
    )


def snapshot_at_version(article: Article, article_version: int) -> Snapshot | None:
    """The revision saved when the article's version number was `article_version`, if kept."""
    for version in history(article):
        if version.field_dict.get("version") == article_version:
            return snapshot(version)
    return None


def compare(old: Snapshot, new: Snapshot) -> list[FieldChange]:
    """What changed from `old` to `new`, field by field, in words an editor reads."""
    changes = []
    for name in ("headline", "standfirst", "dateline", "slug"):
        before, after = old.fields.get(name) or "", new.fields.get(name) or ""
        if before != after:
            changes.append(FieldChange(name.capitalize(), before, after, word_diff(before, after)))
    before_body, after_body = _text(old.fields.get("body")), _text(new.fields.get("body"))
    if before_body != after_body:
        changes.append(FieldChange("Body", before_body, after_body, word_diff(before_body, after_body)))
    old_section, new_section = old.fields.get("section_id"), new.fields.get("section_id")
    if old_section != new_section:
        sections = Section.objects.in_bulk([old_section, new_section])
        changes.append(FieldChange("Section", str(sections.get(old_section, "")), str(sections.get(new_section, ""))))
    topics = Topic.objects.in_bulk([*old.topic_ids, *new.topic_ids])
    _compare_names(changes, "Topics", old.topic_ids, new.topic_ids, topics)
    authors = Author.objects.in_bulk([*old.author_ids, *new.author_ids])
    _compare_names(changes, "Authors", old.author_ids, new.author_ids, authors)
    agencies = Agency.objects.in_bulk([*old.fields.get("agencies", []), *new.fields.get("agencies", [])])
    _compare_names(changes, "Agencies", old.fields.get("agencies", []), new.fields.get("agencies", []), agencies)
    for name, label in COMPARED_TIMES:
        before, after = old.fields.get(name), new.fields.get(name)
        if before != after:
            changes.append(FieldChange(label, _time(before), _time(after)))
    if old.fields.get("status") != new.fields.get("status"):
        labels = dict(Article.Status.choices)
        changes.append(FieldChange("Status", labels[old.fields["status"]], labels[new.fields["status"]]))
    return changes


def restore(article: Article, version: Version, *, by: permissions.User) -> None:
    """Bring back a revision's content as a new revision. The workflow state (status, times) stays as it is."""
    if not permissions.can_edit(by, article):
        raise PermissionDenied("You may not edit this article, so you may not restore one of its revisions.")
    old = snapshot(version)
    with transaction.atomic(), reversion.create_revision():
        for name in RESTORED_FIELDS:
            setattr(article, name, old.fields[name])
        article.last_edited_by = by
        article.save()
        article.agencies.set(old.fields.get("agencies", []))
        article.tagged_items.all().delete()
        TaggedArticle.objects.bulk_create(TaggedArticle(content_object=article, tag_id=pk) for pk in old.topic_ids)
        article.bylines.all().delete()
        Byline.objects.bulk_create(
            Byline(article=article, author_id=pk, position=n) for n, pk in enumerate(old.author_ids)
        )
        reversion.add_to_revision(article)
        reversion.set_user(by)
        reversion.set_comment(f"Restored the revision of {timezone.localtime(old.saved_at):%Y-%m-%d %H:%M}.")


def word_diff(before: str, after: str) -> SafeString:
    """`after` with words removed from `before` in <del> and added ones in <ins>, HTML-escaped."""
    old_words, new_words = before.split(), after.split()
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            parts.append(f"<del>{escape(' '.join(old_words[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{escape(' '.join(new_words[j1:j2]))}</ins>")
        if op == "equal":
            parts.append(escape(" ".join(old_words[i1:i2])))
    return mark_safe(" ".join(parts))  # noqa: S308  (every piece is escaped above)


def _compare_names(changes: list[FieldChange], label: str, before: list, after: list, objects: dict) -> None:
    if list(before) != list(after):
        names = lambda ids: ", ".join(str(objects[pk]) for pk in ids if pk in objects)  # noqa: E731
        changes.append(FieldChange(label, names(before), names(after)))


def _text(html: str | None) -> str:
    return " ".join(strip_tags((html or "").replace("</p>", "</p>\n")).split())


def _time(value: datetime | None) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M %Z}" if value else "—"
