"""
Who may do what to an article. The single source of the editorial rules: the model's transition methods call
`require`, and the admin asks `can_edit` / `allowed_transitions` to decide what to offer, so no path (change form,
list action, crafted POST, shell) gets round them.

- Journalists create articles, edit their own while they are drafts (new, or sent back), and submit them.
- Editors (the `articles.publish_article` permission; superusers have every permission) edit any article, send
  back, publish, schedule, embargo, set expiry, withdraw, add corrections and share preview links.
"""

from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    from .models import Article

User = AbstractBaseUser | AnonymousUser

SUBMIT = "submit"
SEND_BACK = "send_back"
PUBLISH = "publish"
WITHDRAW = "withdraw"

TRANSITION_LABELS = {
    SUBMIT: "Submit for review",
    SEND_BACK: "Send back to draft",
    PUBLISH: "Publish / schedule",
    WITHDRAW: "Withdraw",
}


def is_editor(user: User) -> bool:
    return user.is_active and user.has_perm("articles.publish_article")


def owns(user: User, article: "Article") -> bool:
    """The user created the article or is credited in its byline."""
    if article.pk is None or not user.is_authenticated:
        return article.pk is None
    return article.created_by_id == user.pk or article.bylines.filter(author__user=user).exists()


def can_edit(user: User, article: "Article") -> bool:
    if not (user.is_active and user.has_perm("articles.change_article" if article.pk else "articles.add_article")):
        return False
    if is_editor(user) or article.pk is None:
        return True
    return article.status == article.Status.DRAFT and owns(user, article)


def allowed_transitions(user: User, article: "Article") -> list[str]:
    """The transitions `user` may perform on `article` now, in the order the admin offers them."""
    if article.pk is None:
        return [SUBMIT] if user.is_active and user.has_perm("articles.add_article") else []
    status = article.Status
    allowed = []
    if article.status == status.DRAFT and can_edit(user, article):
        allowed.append(SUBMIT)
    if is_editor(user):
        if article.status == status.IN_REVIEW:
            allowed.append(SEND_BACK)
        if article.status in (status.DRAFT, status.IN_REVIEW, status.PUBLISHED, status.WITHDRAWN):
            allowed.append(PUBLISH)
        if article.status == status.PUBLISHED:
            allowed.append(WITHDRAW)
    return allowed


def require(user: User, transition: str, article: "Article") -> None:
    if transition not in allowed_transitions(user, article):
        raise PermissionDenied(
            f"You may not {TRANSITION_LABELS[transition].lower()} this article while it is "
            f"{article.get_status_display().lower()}."
        )
