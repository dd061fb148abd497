from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "waishi.followups"
    label = "followups"
    verbose_name = _("Follow-ups")

    def ready(self) -> None:
        from waishi.followups import (
            audit_messages,  # noqa: F401
            notices,  # noqa: F401  (who is told of each transition)
            obligations,
            task_exports,  # noqa: F401  (the audit sentences of the task exports)
        )
        from waishi.followups.models import (
            Extension,
            Outcome,
            ProgressUpdate,
            Review,
            TaskSequence,
            Urge,
        )
        from waishi.followups.selectors import outcome_obligations, task_items
        from waishi.lib import work
        from waishi.lib.roles import FAO
        from waishi.orgs.scoping import Scope, register

        # Outcomes belong to their responsible unit (unit roles see their unit's, city
        # roles all); progress updates to their outcome's. A supervised task is also seen
        # by the unit roles of its supporting units (who act on it: its lead unit only).
        register(
            Outcome,
            Scope(
                unit="responsible_unit_id",
                url_kwarg="outcome_pk",
                also_units="supporting_units",
            ),
        )
        register(
            ProgressUpdate,
            Scope(
                unit="outcome__responsible_unit_id",
                url_kwarg="update_pk",
                also_units="outcome__supporting_units",
            ),
        )
        for model, kwarg in ((Urge, "urge_pk"), (Review, "review_pk"), (Extension, "extension_pk")):
            register(
                model,
                Scope(
                    unit="outcome__responsible_unit_id",
                    url_kwarg=kwarg,
                    also_units="outcome__supporting_units",
                ),
            )
        register(TaskSequence, Scope(only=FAO))
        obligations.register(outcome_obligations)
        work.register(_overdue_card)
        work.register_items(_outcome_items)
        work.register_items(task_items)


def _overdue_card(user):
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from waishi.followups import selectors
    from waishi.lib.roles import UNIT_ROLES, VIEWERS, has
    from waishi.lib.work import Card

    if not has(user, VIEWERS):
        return []
    unit_role = user.role in UNIT_ROLES
    count = selectors.overdue_count(user, user.unit_id if unit_role else None)
    if not count and not unit_role:
        return []
    url = reverse("followups:list") + "?overdue=on"
    return [Card(_("Overdue follow-ups"), count, url, "")]


def _outcome_items(user):
    """The outcomes a unit is responsible for and has still to do, by due date; the FAO
    (who reschedules an overdue one), every unit's overdue outcomes."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from waishi.followups import selectors
    from waishi.followups.models import ACTIVE_STATES
    from waishi.followups.workflow import REASSIGNS, UNIT_WORKERS
    from waishi.lib.roles import has
    from waishi.lib.work import ITEM_LIMIT, Item

    if has(user, UNIT_WORKERS) and user.unit_id:
        rows = selectors.outcome_list(user, unit_id=user.unit_id).filter(
            state__in=sorted(ACTIVE_STATES)
        )
    elif has(user, REASSIGNS):
        rows = selectors.outcome_list(user, overdue=True)
    else:
        return []
    return [
        Item(
            outcome.title,
            reverse("followups:detail", kwargs={"outcome_pk": outcome.pk}),
            outcome.due_date,
            _("Outcome to follow up"),
            outcome.get_state_display(),
            overdue=outcome.is_overdue,
        )
        for outcome in rows[:ITEM_LIMIT]
    ]
