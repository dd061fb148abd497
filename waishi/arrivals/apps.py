from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArrivalsConfig(AppConfig):
    name = "waishi.arrivals"
    label = "arrivals"
    verbose_name = _("Arrivals from abroad")

    def ready(self) -> None:
        from waishi.arrivals import (  # noqa: F401
            audit_messages,
            audit_messages_config,
            audit_messages_import,
            audit_messages_public,
            audit_messages_work,
            home,
            notices,  # who is told of each transition
        )
        from waishi.arrivals.models import (
            Arrival,
            ArrivalSource,
            Campaign,
            Handover,
            HealthDeclaration,
            HealthTally,
            ImportBatch,
            ManagementPlan,
            PlanRule,
            Resident,
            Step,
            TestResult,
        )
        from waishi.lib.roles import COMMAND, COMMAND_READERS, Role
        from waishi.orgs.scoping import Scope, register

        command = COMMAND
        # The city command sees every arrival, a district officer its own district's, the
        # auditor reads them (not their health data); nobody else, the FAO included.
        readers = COMMAND_READERS
        register(Arrival, Scope(district="district_id", only=readers, url_kwarg="arrival_pk"))
        for model, kwarg in ((ArrivalSource, "source_pk"), (Step, "arrival_step_pk")):
            register(model, Scope(district="arrival__district_id", only=readers, url_kwarg=kwarg))
        # Both districts of a hand-over see it: the one asking and the one asked.
        register(
            Handover,
            Scope(
                district=("from_district_id", "to_district_id"),
                only=readers,
                url_kwarg="handover_pk",
            ),
        )
        register(ImportBatch, Scope(district=None, only=readers, url_kwarg="batch_pk"))
        # Health data: the arrivals roles alone (security.md P2), the auditor excluded.
        health_paths = ("arrival__district_id", "resident__district_id")
        register(
            HealthDeclaration,
            Scope(district=health_paths, only=command, url_kwarg="declaration_pk"),
        )
        register(TestResult, Scope(district="arrival__district_id", only=command))
        register(HealthTally, Scope(district="district_id", only=readers))
        # Foreign residents: the FAO follows who is overdue; the district its own.
        register(
            Resident,
            Scope(
                district="district_id",
                only=readers | {Role.FAO_REVIEWER, Role.FAO_HEAD},
                url_kwarg="resident_pk",
            ),
        )
        # Plans, rules and campaigns are the command's configuration, read by districts.
        config_readers = readers | {Role.DISTRICT_OFFICER}
        register(ManagementPlan, Scope(only=config_readers, url_kwarg="mplan_pk"))
        register(PlanRule, Scope(only=config_readers, url_kwarg="plan_rule_pk"))
        register(Campaign, Scope(only=readers, url_kwarg="campaign_pk"))
