"""Account changes: creation, roles, activation, passwords, second factor, lockouts."""

from __future__ import annotations

import secrets
import string
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from waishi.audit.services import diff, record, snapshot
from waishi.lib.roles import MANAGES_ACCOUNTS, MANAGES_SECURITY, Role, has
from waishi.orgs.models import PasswordHistory, User

USER_FIELDS = (
    "username",
    "full_name",
    "email",
    "role",
    "unit",
    "district",
    "person",
    "expires_at",
    "is_active",
)


def _require(actor, allowed: frozenset[str]) -> None:
    if not has(actor, allowed):
        raise PermissionDenied(_("You are not allowed to do this."))


def generate_password(length: int = 16) -> str:
    """A random password meeting every composition rule (for first logins and resets)."""
    alphabet = string.ascii_letters + string.digits + "!#%+-=?@"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if (
            any(c.islower() for c in candidate)
            and any(c.isupper() for c in candidate)
            and any(c.isdigit() for c in candidate)
            and any(not c.isalnum() for c in candidate)
        ):
            return candidate


def _validate_role_fields(user: User) -> None:
    from waishi.lib.roles import DISTRICT_ROLES, UNIT_ROLES

    errors = {}
    if user.role in UNIT_ROLES and user.unit_id is None:
        errors["unit"] = _("This role works for one unit: choose the unit.")
    if user.role in DISTRICT_ROLES and user.district_id is None:
        errors["district"] = _("This role works for one district: choose the district.")
    if errors:
        raise ValidationError(errors)


def user_create(
    *,
    actor,
    password: str | None = None,
    ip: str = "",
    **values: Any,
) -> tuple[User, str]:
    """Create an account with a one-time password that must be changed at first login.

    Returns the user and the initial password, which is shown once and never stored."""
    _require(actor, MANAGES_ACCOUNTS)
    return _create(actor=actor, password=password, ip=ip, values=values)


def user_create_from_console(*, operator: str, **values: Any) -> tuple[User, str]:
    """The same, for whoever runs ``waishi create-account`` on the server: how the first
    system administrator comes to exist (there is no default account, security.md A1)."""
    return _create(actor=None, actor_name=operator, values=values)


def _create(
    *,
    actor,
    values: dict[str, Any],
    password: str | None = None,
    ip: str = "",
    actor_name: str = "",
) -> tuple[User, str]:
    user = User(**{k: values[k] for k in USER_FIELDS if k in values})
    initial = password or generate_password()
    user.set_password(initial)
    user.must_change_password = True
    user.full_clean(exclude=["password"])
    _validate_role_fields(user)
    with transaction.atomic():
        user.save()
        record(
            action="accounts.user.create",
            actor=actor,
            actor_name=actor_name,
            obj=user,
            ip=ip,
            after=snapshot(user, USER_FIELDS),
        )
    return user, initial


def user_update(*, actor, user: User, ip: str = "", **values: Any) -> User:
    _require(actor, MANAGES_ACCOUNTS)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        # 三权分立: nobody raises their own rights or locks themselves out. The account
        # form sends every field, so compare with the stored values, not the keys.
        if user.pk == actor.pk and (
            values.get("role", user.role) != user.role or values.get("is_active") is False
        ):
            raise ValidationError(_("You cannot change your own role or disable your own account."))
        before = snapshot(user, USER_FIELDS)
        for key in USER_FIELDS:
            if key in values and key != "username":
                setattr(user, key, values[key])
        user.full_clean(exclude=["password"])
        _validate_role_fields(user)
        old, new = diff(before, snapshot(user, USER_FIELDS))
        if not new:
            return user
        user.save(update_fields=list(new))
        if "role" in new:
            # A permission change is its own event type (security.md L1).
            record(
                action="accounts.user.role_change",
                actor=actor,
                obj=user,
                ip=ip,
                before=old,
                after=new,
                data={
                    "old_role": str(Role(old["role"]).label),
                    "new_role": str(Role(new["role"]).label),
                },
            )
        else:
            action = "accounts.user.update"
            if set(new) == {"is_active"}:
                action = (
                    "accounts.user.activate" if new["is_active"] else "accounts.user.deactivate"
                )
            record(action=action, actor=actor, obj=user, ip=ip, before=old, after=new)
    return user


def user_change_password(
    *, actor, user: User, old_password: str, new_password: str, ip: str = ""
) -> User:
    """The user's own change: checks the old password and every password rule."""
    if actor.pk != user.pk:
        raise PermissionDenied(_("You are not allowed to do this."))
    if not user.check_password(old_password):
        raise ValidationError({"old_password": _("The current password is not correct.")})
    validate_password(new_password, user)
    with transaction.atomic():
        PasswordHistory.objects.create(user=user, password=user.password)
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "password_changed_at", "must_change_password"])
        record(action="accounts.password.change", actor=actor, obj=user, ip=ip)
    return user


def user_reset_password(*, actor, user: User, ip: str = "") -> str:
    """A new one-time password, shown once to the security administrator."""
    _require(actor, MANAGES_SECURITY)
    initial = generate_password()
    with transaction.atomic():
        PasswordHistory.objects.create(user=user, password=user.password)
        user.set_password(initial)
        user.must_change_password = True
        user.save(update_fields=["password", "password_changed_at", "must_change_password"])
        record(action="accounts.user.password_reset", actor=actor, obj=user, ip=ip)
    return initial


def user_reset_otp(*, actor, user: User, ip: str = "") -> int:
    """Remove every second-factor device; the user enrols a new one at next login."""
    _require(actor, MANAGES_SECURITY)
    with transaction.atomic():
        count, _detail = TOTPDevice.objects.filter(user=user).delete()
        record(
            action="accounts.user.otp_reset", actor=actor, obj=user, ip=ip, data={"devices": count}
        )
    return count


def user_unlock(*, actor, user: User, ip: str = "") -> None:
    _require(actor, MANAGES_SECURITY)
    with transaction.atomic():
        axes_reset(username=user.username)
        record(action="accounts.user.unlock", actor=actor, obj=user, ip=ip)


def user_set_language(*, actor, language: str, ip: str = "") -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Unknown language."))
    if actor.language == language:
        return
    with transaction.atomic():
        before = actor.language
        actor.language = language
        actor.save(update_fields=["language"])
        record(
            action="accounts.user.language",
            actor=actor,
            obj=actor,
            ip=ip,
            before={"language": before},
            after={"language": language},
        )


def otp_device_for(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def otp_enrol_start(*, user) -> TOTPDevice:
    """An unconfirmed device for the setup page; reused until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    return device


def otp_enrol_confirm(*, user, device: TOTPDevice, token: str, ip: str = "") -> bool:
    if device.user_id != user.pk or device.confirmed or not device.verify_token(token):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record(action="accounts.otp.enrol", actor=user, obj=user, ip=ip)
    return True
