"""The audit chain: one append-only table, each row bound to the one before it.

``seq`` is the primary key and is handed out by ``AuditHead`` under a row lock, so the
sequence has no gaps: a missing number means a deleted row. Each row's ``hash`` is
HMAC-SM3 (keyed by ``WAISHI_AUDIT_KEY``) over the previous row's hash and this row's
canonical content, so an edit, an insertion or a deletion breaks the chain at that row,
and someone with write access to the database but not the key cannot mend it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS = "0" * 64


class AppendOnlyError(Exception):
    """An attempt to change or remove an audit event through the ORM."""


class AuditEventQuerySet(models.QuerySet):
    # No UPDATE or DELETE path in code (security.md L2); PostgreSQL refuses them with a
    # trigger as well, for whoever bypasses the ORM.
    def update(self, **kwargs):
        raise AppendOnlyError("audit events cannot be changed")

    def delete(self):
        raise AppendOnlyError("audit events cannot be deleted")


class AuditEvent(models.Model):
    seq = models.BigIntegerField(primary_key=True, verbose_name=_("sequence"))
    at = models.DateTimeField(verbose_name=_("time"))
    actor_id = models.BigIntegerField(null=True, blank=True, verbose_name=_("actor id"))
    actor_name = models.CharField(max_length=150, blank=True, verbose_name=_("actor"))
    on_behalf_of_id = models.BigIntegerField(null=True, blank=True)
    on_behalf_of_name = models.CharField(max_length=150, blank=True, verbose_name=_("on behalf of"))
    ip = models.CharField(max_length=45, blank=True, verbose_name=_("IP address"))
    request_id = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=64, verbose_name=_("action"))
    object_type = models.CharField(max_length=64, blank=True, verbose_name=_("object type"))
    object_id = models.CharField(max_length=64, blank=True, verbose_name=_("object id"))
    object_repr = models.CharField(max_length=200, blank=True, verbose_name=_("object"))
    before = models.JSONField(null=True, blank=True, verbose_name=_("before"))
    after = models.JSONField(null=True, blank=True, verbose_name=_("after"))
    data = models.JSONField(null=True, blank=True)
    # The watched fields of the objects the event touched, after it: {"app.model:pk":
    # {field: value} or None when deleted} (``waishi.audit.state``). Hashed when present.
    state = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["object_type", "object_id", "seq"], name="audit_object_idx"),
            models.Index(fields=["actor_id", "seq"], name="audit_actor_idx"),
            models.Index(fields=["action", "seq"], name="audit_action_idx"),
            models.Index(fields=["at"], name="audit_at_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit events cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events cannot be deleted")


class AuditHead(models.Model):
    """The chain's tip: locked by every writer, so rows are numbered one at a time.

    ``seal`` is ``chain.head_seal(seq, hash)``: keyed, so the head cannot be wound back by
    someone without the audit key (an old head's seal can be replayed, which the
    checkpoints published outside the database catch, ``waishi.audit.checkpoints``)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)
    seal = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_head_single")]

    def __str__(self) -> str:
        return f"head #{self.seq}"
