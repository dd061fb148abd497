from __future__ import annotations

from django.contrib.auth.backends import ModelBackend


class AccountBackend(ModelBackend):
    """Django's backend, plus: an expired account is as good as a disabled one.

    ``get_user`` goes through ``user_can_authenticate`` on every request, so an open
    session of a deactivated or expired account turns anonymous at its next request
    (security.md A1)."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not getattr(user, "is_expired", False)
