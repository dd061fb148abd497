from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MissionsConfig(AppConfig):
    name = "waishi.missions"
    label = "missions"
    verbose_name = _("Trips abroad")

    def ready(self) -> None:
        from django.db.models import Q

        from waishi.lib.roles import READ_ONLY_ROLES
        from waishi.missions import (
            audit_messages,  # noqa: F401
            notices,  # noqa: F401  (who is told of each transition)
        )
        from waishi.missions.application import home  # noqa: F401
        from waishi.missions.changes import home as change_home  # noqa: F401
        from waishi.missions.models import (
            BudgetLine,
            ChangeRequest,
            Education,
            Incident,
            ItineraryVersion,
            LeaderAcknowledgment,
            Member,
            Mission,
            PartyBranch,
            Publicity,
            ScheduleDay,
            State,
            Stop,
            TripReport,
        )
        from waishi.missions.report import home as report_home  # noqa: F401
        from waishi.orgs.scoping import Scope, register

        def unit_only(path: str = "") -> dict:
            """A draft is the unit's until submitted: a trip (or a change request) never
            submitted -- a draft, or a draft discarded -- and every row of it are seen by
            its unit alone, and by the auditor, who reads every record (design: roles)."""
            prefix = f"{path}__" if path else ""
            return {
                "unit_only": Q(
                    **{
                        f"{prefix}state__in": [State.DRAFT, State.WITHDRAWN],
                        f"{prefix}submitted_at__isnull": True,
                    }
                ),
                "unit_only_readers": READ_ONLY_ROLES,
            }

        register(Mission, Scope(unit="unit_id", url_kwarg="mission_pk", **unit_only()))
        # Rows of an application are reached only through it (no URL of their own) ...
        for model in (Stop, ScheduleDay, BudgetLine, Publicity, LeaderAcknowledgment, PartyBranch):
            register(model, Scope(unit="mission__unit_id", **unit_only("mission")))
        # ... but a member's pre-departure education is recorded at a URL naming the member.
        register(
            Member, Scope(unit="mission__unit_id", url_kwarg="member_pk", **unit_only("mission"))
        )
        register(Education, Scope(unit="member__mission__unit_id", **unit_only("member__mission")))
        # During and after the trip: changes and incidents have URLs of their own.
        # A change request is a draft of the unit's too until submitted (same states).
        register(
            ChangeRequest,
            Scope(unit="mission__unit_id", url_kwarg="change_pk", **unit_only()),
        )
        register(ItineraryVersion, Scope(unit="mission__unit_id", url_kwarg="version_pk"))
        register(Incident, Scope(unit="mission__unit_id", url_kwarg="incident_pk"))
        register(TripReport, Scope(unit="mission__unit_id"))
        self._register_subject()
        from waishi.missions.changes import setup as change_setup
        from waishi.missions.report import setup as report_setup

        change_setup.ready()
        report_setup.ready()

    def _register_subject(self) -> None:
        """Tell the approvals app how to name, link and exclude trip applications."""
        try:
            from waishi.approvals import subjects
        except ImportError:  # pragma: no cover - the approvals app is being built
            return
        from waishi.missions.application import approval

        subjects.register("missions.mission", approval.subject())
