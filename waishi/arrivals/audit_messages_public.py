"""Readable sentences for the audit actions of the public declaration form and of the
campaigns (the links to it)."""

from django.utils.translation import gettext_lazy as _

from waishi.audit.messages import register

register(
    {
        "arrivals.declaration.view": _("{actor} opened the declaration of {object}"),
        "arrivals.declaration.correct": _("{actor} corrected the declaration of {object}"),
        "arrivals.resident.register": _("{actor} registered as a foreign resident: {object}"),
        "arrivals.resident.register_again": _(
            "{actor} tried to register the foreign resident {object} again (nothing changed)"
        ),
        "arrivals.resident.declare": _("{actor} declared the health of {object}"),
        "arrivals.campaign.create": _("{actor} opened the declaration link {object}"),
        "arrivals.campaign.switch_off": _("{actor} switched off the declaration link {object}"),
    }
)
