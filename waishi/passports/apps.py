from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PassportsConfig(AppConfig):
    name = "waishi.passports"
    label = "passports"
    verbose_name = _("Official passports")

    def ready(self) -> None:
        from waishi.orgs.scoping import Scope, register
        from waishi.passports import (  # noqa: F401
            audit_messages,
            home,
            notices,
        )
        from waishi.passports.models import Passport, PassportApplication, PassportCustody

        # The unit of a passport is its holder's.
        register(Passport, Scope(unit="holder__unit_id", url_kwarg="passport_pk"))
        register(PassportCustody, Scope(unit="passport__holder__unit_id", url_kwarg="custody_pk"))
        register(PassportApplication, Scope(unit="person__unit_id", url_kwarg="application_pk"))
        self._plug_into_missions()
        from waishi.followups import obligations
        from waishi.passports import selectors

        obligations.register(selectors.obligations)  # passports out, on the unit's page

    def _plug_into_missions(self) -> None:
        """Passports sit above missions: they add a submit guard (the unit lock), a line
        of the pre-departure checklist, a line of the close checklist and a hook on the
        return to the registries missions reads."""
        from waishi.missions.core import readiness
        from waishi.passports import selectors, services

        if services.unit_lock_reason not in readiness.SUBMIT_GUARDS:
            readiness.SUBMIT_GUARDS.append(services.unit_lock_reason)
        if selectors.departure_lines not in readiness.DEPARTURE_CHECKS:
            readiness.DEPARTURE_CHECKS.append(selectors.departure_lines)
        if selectors.close_lines not in readiness.CLOSE_CHECKS:
            readiness.CLOSE_CHECKS.append(selectors.close_lines)
        if services.on_mission_return not in readiness.RETURN_HOOKS:
            readiness.RETURN_HOOKS.append(services.on_mission_return)
