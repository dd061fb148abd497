"""Logins, logouts and failed logins enter the audit chain (security.md L1)."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from waishi.audit.services import client_ip, record
from waishi.lib import authpolicy as policy


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    policy.start(request.session)
    record(action="auth.login", actor=user, obj=user, ip=client_ip(request))


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        # "idle"/"absolute" when the session ran out (set by AccountPolicyMiddleware).
        reason = getattr(request, "waishi_logout_reason", "")
        record(
            action="auth.logout",
            actor=user,
            obj=user,
            ip=client_ip(request),
            data={"reason": reason} if reason else None,
        )


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # The username as typed, never the password; unknown names are recorded the same way.
    username = str(credentials.get("username", ""))[:150]
    record(
        action="auth.login_failed",
        actor_name=username,
        ip=client_ip(request),
        object_type="orgs.user",
        object_repr=username,
        data={"username": username},
    )


@receiver(user_locked_out)
def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    username = str(username or "")[:150]
    # "account": locked from every address (accounts/lockout.py); else this address only.
    scope = getattr(request, "waishi_lock_scope", "address")
    record(
        action="auth.locked_out",
        actor_name=username,
        ip=ip_address or "",
        object_type="orgs.user",
        object_repr=username,
        data={"username": username, "scope": scope},
    )
