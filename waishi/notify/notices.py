"""The kinds of notice the notify app sends itself (its periodic jobs)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from waishi.lib.roles import Role
from waishi.notify.handoffs import kind

GROUP = _("Accounts and security")

PASSWORD_EXPIRY = kind("accounts.password_expiry", _("Your password expires soon"), group=GROUP)
AUDIT_CHAIN_BROKEN = kind(
    "audit.chain_broken",
    _("The audit trail failed its nightly check"),
    group=GROUP,
    roles={Role.AUDIT_ADMIN},
)
