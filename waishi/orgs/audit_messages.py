"""Readable sentences for the organisation's audit actions."""

from django.utils.translation import gettext_lazy as _

from waishi.audit.messages import register

register(
    {
        "orgs.unit.create": _("{actor} created the unit {object}"),
        "orgs.unit.update": _("{actor} changed the unit {object}"),
        "orgs.person.create": _("{actor} added the person {object}"),
        "orgs.person.update": _("{actor} changed the person {object}"),
        "orgs.person.unmask": _("{actor} viewed the full ID number of {object}"),
        "orgs.person.import": _("{actor} imported {count} people from {file}"),
        "orgs.person.export": _("{actor} exported {count} people"),
        "demo.seeded": _("{actor} loaded the demo city: {units} units, {people} people"),
    }
)

register({"crypto.keys_rotated": _("Sensitive fields re-encrypted with key {key} ({rows} values)")})
