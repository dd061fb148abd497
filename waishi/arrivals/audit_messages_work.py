"""Readable sentences for the audit actions of the arrivals' working pages."""

from django.utils.translation import gettext_lazy as _

from waishi.audit.messages import register

register(
    {
        "arrivals.health.view": _("{actor} viewed the health record of the arrival {object}"),
        "arrivals.arrival.export": _("{actor} exported {count} arrivals to Excel"),
    }
)
