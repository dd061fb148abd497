from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class AccountBackend(ModelBackend):
    """Django's backend, plus: an expired account is as good as a disabled one.

    ``get_user`` goes through ``user_can_authenticate`` on every request, so an open
    session of a deactivated or expired account turns anonymous at its next request
    (security.md A1)."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not getattr(user, "is_expired", False)

    def get_user(self, user_id):
        """The signed-in account with its unit, which every page's header names (one query
        a request instead of two)."""
        model = get_user_model()
        try:
            user = model._default_manager.select_related("unit").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
