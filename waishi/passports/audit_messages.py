"""Readable sentences for the passports' audit actions."""

from django.utils.translation import gettext_lazy as _

from waishi.audit.messages import register, register_fields

register(
    {
        "passports.passport.create": _("{actor} registered the official passport {object}"),
        "passports.passport.update": _("{actor} changed the official passport {object}"),
        "passports.passport.unmask": _("{actor} viewed the full number of the passport {object}"),
        "passports.passport.issue": _("{actor} issued the passport {object} for the trip {trip}"),
        "passports.passport.return": _("{actor} took back the passport {object}"),
        "passports.passport.lost": _("{actor} reported the passport {object} lost: {reason}"),
        "passports.passport.cancelled": _("{actor} cancelled the passport {object}: {reason}"),
        "passports.passport.expired": _("The passport {object} has expired"),
        "passports.custody.remind": _(
            "Reminder sent: the passport {object} was due back on {due_back}"
        ),
        "passports.custody.escalate": _(
            "Escalated to the unit leader: the passport {object} is {days_overdue} days overdue"
        ),
        "passports.custody.lock": _(
            "The unit's new trip applications are locked: the passport {object} is "
            "{days_overdue} days overdue"
        ),
        "passports.custody.export": _("{actor} exported the passport custody register"),
        "passports.application.create": _("{actor} applied for a passport: {object}"),
        "passports.application.approve": _("{actor} approved the passport application {object}"),
        "passports.application.reject": _("{actor} rejected the passport application {object}"),
    }
)

# The passport's events keep its masked number beside its fields.
register_fields("passports.passport", {"number": _("passport number")})
