"""Readable sentences for the trip application's audit actions."""

from django.utils.translation import gettext_lazy as _

from waishi.audit.messages import fields_of, register, register_fields, register_saves
from waishi.missions.models import (
    ChangeKind,
    ChangeRequest,
    Education,
    LeaderAcknowledgment,
    PartyBranch,
    Publicity,
)

register(
    {
        "missions.mission.create": _("{actor} started the trip application {object}"),
        "missions.mission.update": _("{actor} changed the basics of the trip application {object}"),
        "missions.mission.invitation": _(
            "{actor} changed the invitation of the trip application {object}"
        ),
        "missions.mission.letter_download": _(
            "{actor} downloaded the invitation letter {file} of {object}"
        ),
        "missions.mission.itinerary": _(
            "{actor} changed the itinerary of the trip application {object}"
        ),
        "missions.mission.member_add": _("{actor} added {name} to the delegation of {object}"),
        "missions.mission.member_remove": _(
            "{actor} removed {name} from the delegation of {object}"
        ),
        "missions.mission.members": _("{actor} changed the members' tasks of {object}"),
        "missions.mission.budget": _("{actor} changed the budget of the trip application {object}"),
        "missions.mission.justify": _("{actor} wrote justifications for {object}"),
        "missions.mission.submit": _("{actor} submitted the trip application {object}"),
        "missions.mission.resubmit": _("{actor} resubmitted the trip application {object}"),
        "missions.mission.withdraw": _("{actor} withdrew the trip application {object}"),
        "missions.mission.review": _("{actor} started reviewing the trip application {object}"),
        "missions.mission.return": _("{actor} returned the trip application {object} for changes"),
        "missions.mission.approve": _("{actor} approved the trip application {object}"),
        "missions.mission.reject": _("{actor} rejected the trip application {object}"),
        "missions.mission.override": _(
            "{actor} overrode a principle rule when deciding on {object}"
        ),
        "missions.mission.cancel": _("{actor} cancelled the trip {object}"),
        "missions.mission.publish": _("{actor} published the pre-trip notice of {object}"),
        "missions.mission.exempt": _("{actor} exempted {object} from pre-trip publicity"),
        "missions.mission.document": _("{actor} downloaded the {file} of {object}"),
        "missions.mission.export": _("{actor} exported {count} trip applications"),
        "missions.mission.leader_acknowledge": _(
            "{actor} recorded that {name}, head of the delegation, acknowledged for {object}"
        ),
        "missions.mission.education": _(
            "{actor} recorded the pre-departure education of {name} for {object}"
        ),
        "missions.mission.education_update": _(
            "{actor} changed the pre-departure education of {name} for {object}"
        ),
        "missions.mission.depart": _("{actor} confirmed that {object} left on {actual_departure}"),
        "missions.mission.come_back": _(
            "{actor} confirmed that {object} came back on {actual_return}; "
            "the report is due on {report_due}"
        ),
        "missions.mission.party_branch": _(
            "{actor} recorded the temporary Party branch of {object} (secretary {name})"
        ),
    }
)

# What the trip's events record beside the trip's own fields: its publicity, the head's
# acknowledgment, each member's education and the Party branch (the sentence names the
# member or the secretary).
register_fields(
    "missions.mission",
    {
        **fields_of(Publicity, "starts_on", "ends_on", "working_days", "exemption"),
        **fields_of(Publicity, "exemption_reason"),
        **fields_of(LeaderAcknowledgment, "acknowledged_on", "note"),
        **fields_of(Education, "given_on", "method", "given_by"),
        **fields_of(PartyBranch, "members_count", "approved_by", "approved_on"),
        "member": None,
        "secretary": None,
    },
)

# What the application form writes on every save (and autosave): one entry per sitting in
# the trip's history.
register_saves(
    "missions.mission.update",
    "missions.mission.invitation",
    "missions.mission.itinerary",
    "missions.mission.members",
    "missions.mission.budget",
    "missions.mission.justify",
)

# A change request's kinds of change are codes in a list: each reads as its label.
register_fields(
    "missions.changerequest",
    {"kinds": (ChangeRequest._meta.get_field("kinds").verbose_name, ChangeKind.choices)},
)
