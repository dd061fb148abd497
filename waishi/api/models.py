"""Personal API tokens: a program acts as one user, with exactly that user's rights."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TokenStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class ApiToken(models.Model):
    """One token. The clear token is shown once at creation and never stored: only its
    SM3 digest is kept (``waishi.api.tokens``)."""

    # The public prefix is the primary key: it is what URLs, the audit log and
    # `waishi api-token revoke PREFIX` name, and it finds the row in one index lookup.
    prefix = models.CharField(_("prefix"), max_length=16, primary_key=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(_("digest"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "prefix"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [models.Index(fields=["user", "-created_at"], name="api_token_user_idx")]
        constraints = [
            # Every token expires (security requirement); a database constraint backs it.
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="api_token_expires_after_created"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}）"

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return TokenStatus.REVOKED
        if self.expires_at <= timezone.now():
            return TokenStatus.EXPIRED
        return TokenStatus.ACTIVE

    @property
    def status_label(self) -> str:
        return TokenStatus(self.status).label

    @property
    def is_active(self) -> bool:
        return self.status == TokenStatus.ACTIVE


class IdempotentRequest(models.Model):
    """A write made with an ``Idempotency-Key`` header, and the answer it got: the same key
    from the same account gets the same answer again instead of a second write."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("idempotency key"), max_length=200)
    # SM3 of method, path and body: a key reused for another request is refused.
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    status = models.PositiveSmallIntegerField(_("status"), default=0)
    response = models.JSONField(_("response"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="api_idempotent_user_key"),
        ]
        indexes = [models.Index(fields=["created_at"], name="api_idempotent_created_idx")]

    def __str__(self) -> str:
        return self.key
