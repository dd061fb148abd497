"""Password rules beyond Django's own (等保 level 3 composition, history, length cap)."""

from __future__ import annotations

import string

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_LENGTH = 128


class MinimumLengthValidator:
    """Django's rule with our own words (Django 5.2 reworded its message, and its Chinese
    catalogue has not caught up)."""

    def __init__(self, min_length: int = 10):
        self.min_length = min_length

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(self.get_help_text(), code="password_too_short")

    def get_help_text(self):
        return _("The password must have at least %(min)d characters.") % {"min": self.min_length}


class MaximumLengthValidator:
    """Long passphrases are welcome (ASVS asks for 64+); beyond 128 is a typo or an attack."""

    def validate(self, password, user=None):
        if len(password) > MAX_LENGTH:
            raise ValidationError(
                _("The password may have at most %(max)d characters.") % {"max": MAX_LENGTH},
                code="password_too_long",
            )

    def get_help_text(self):
        return _("At most %(max)d characters.") % {"max": MAX_LENGTH}


def classes_of(password: str) -> int:
    kinds = [
        any(c in string.ascii_lowercase for c in password),
        any(c in string.ascii_uppercase for c in password),
        any(c in string.digits for c in password),
        any(not c.isalnum() for c in password),
    ]
    return sum(kinds)


class CharacterClassValidator:
    """At least ``min_classes`` of: lower case, upper case, digits, other characters."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if classes_of(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return ngettext(
            "Use at least %(n)d kind of character: lower-case letters, upper-case letters, "
            "digits, other symbols.",
            "Use at least %(n)d kinds of characters: lower-case letters, upper-case letters, "
            "digits, other symbols.",
            self.min_classes,
        ) % {"n": self.min_classes}


class HistoryValidator:
    """A new password must differ from the current one and the last N (WAISHI_PASSWORD_HISTORY)."""

    def validate(self, password, user=None):
        from django.conf import settings

        depth = settings.PASSWORD_HISTORY
        if user is None or not getattr(user, "pk", None) or depth == 0:
            return
        # The current password counts as one of the N; "-pk" breaks ties between changes
        # made within one clock tick (imports, tests, a clock that stands still).
        earlier = user.password_history.order_by("-created_at", "-pk").values_list(
            "password", flat=True
        )[: depth - 1]
        hashes = [user.password, *earlier]
        if any(h and check_password(password, h) for h in hashes):
            raise ValidationError(self.get_help_text(), code="password_reused")

    def get_help_text(self):
        from django.conf import settings

        return _("Do not reuse any of your last %(n)d passwords.") % {
            "n": settings.PASSWORD_HISTORY
        }
