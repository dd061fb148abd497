"""Role checks for API views; which rows a role sees is scoping's job, not this."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from waishi.lib import roles


class BusinessRole(BasePermission):
    """People's records are for business roles; the three administrators read none (Z3)."""

    message = _("Your role does not give access to people's records.")
    code = "permission_denied"

    def has_permission(self, request, view) -> bool:
        return roles.has(request.user, roles.BUSINESS_ROLES)


class ReadWriteRoles(BasePermission):
    """Reading: ``view.read_roles``; writing: ``view.write_roles`` (with the view's
    ``read_message`` / ``write_message`` as the refusal)."""

    code = "permission_denied"

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            self.message = str(view.read_message)
            return roles.has(request.user, view.read_roles)
        self.message = str(view.write_message)
        return roles.has(request.user, view.write_roles)
