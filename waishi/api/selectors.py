"""Reads of API tokens for the pages; every one goes through scoping."""

from __future__ import annotations

from django.db.models import QuerySet

from waishi.api.models import ApiToken
from waishi.orgs import scoping


def tokens_of(user) -> QuerySet[ApiToken]:
    """A user's own tokens, newest first."""
    return scoping.visible(user, ApiToken).filter(user_id=user.pk).order_by("-created_at", "prefix")


def tokens_of_others(user) -> QuerySet[ApiToken]:
    """Other accounts' tokens, for the roles scoping lets see them (the security admin)."""
    return (
        scoping.visible(user, ApiToken)
        .exclude(user_id=user.pk)
        .select_related("user")
        .order_by("-created_at", "prefix")
    )


def token_get_for_user(user, prefix: str) -> ApiToken:
    """(user, prefix) -> the token or 404: the owner's own, or any for the security admin."""
    return scoping.get_for_user(user, ApiToken.objects.select_related("user"), prefix)
