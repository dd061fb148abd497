"""Readable sentences for the API token audit actions."""

from django.utils.translation import gettext_lazy as _

from waishi.audit.messages import register

register(
    {
        "api.token.create": _("{actor} created the API token {object} for {user}"),
        "api.token.revoke": _("{actor} revoked the API token {object} of {user}"),
    }
)
