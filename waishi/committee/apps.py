from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitteeConfig(AppConfig):
    name = "waishi.committee"
    label = "committee"
    verbose_name = _("Foreign Affairs Committee")

    def ready(self) -> None:
        from django.urls import reverse

        from waishi.committee import (
            audit_messages,  # noqa: F401
            keypoint_sources,  # noqa: F401  (key points: scoping, source, audit)
            notices,  # noqa: F401  (who is told of each transition)
        )
        from waishi.committee.models import (
            AgendaItem,
            Attendance,
            CommitteeMember,
            CommitteeSettings,
            Decision,
            Document,
            DocumentVersion,
            Meeting,
            Minutes,
        )
        from waishi.committee.workflow import READERS
        from waishi.followups import sources
        from waishi.orgs.scoping import Scope, register

        # Meetings, members and minutes: committee members, the office and the auditor.
        register(CommitteeMember, Scope(only=READERS, url_kwarg="committee_member_pk"))
        register(CommitteeSettings, Scope(only=READERS))
        register(Meeting, Scope(only=READERS, url_kwarg="meeting_pk"))
        register(Attendance, Scope(only=READERS))
        register(Minutes, Scope(only=READERS, url_kwarg="minutes_pk"))
        register(Decision, Scope(only=READERS, url_kwarg="decision_pk"))
        # Items and their documents: also the unit that submitted them. An internal (内部)
        # document is narrowed further by ``selectors.documents`` (named readers only).
        register(AgendaItem, Scope(unit="submitting_unit_id", url_kwarg="agenda_item_pk"))
        register(Document, Scope(unit="item__submitting_unit_id", url_kwarg="document_pk"))
        register(
            DocumentVersion,
            Scope(unit="document__item__submitting_unit_id", url_kwarg="document_version_pk"),
        )

        from waishi.lib import work

        work.register_items(_work_items)

        def decision_titles(ids):
            rows = Decision.objects.filter(pk__in=list(ids)).select_related("minutes")
            return {d.pk: f"{d.minutes.title}：{d.text[:80]}" for d in rows}

        def decision_can_see(user, pk):
            from waishi.orgs import scoping

            return scoping.visible(user, Decision).filter(pk=pk).exists()

        sources.register(
            "committee.decision",
            sources.Source(
                label=_("Decision of committee minutes"),
                title=decision_titles,
                url=lambda pk: reverse("committee:decision", kwargs={"decision_pk": pk}),
                can_see=decision_can_see,
            ),
        )


def _work_items(user):
    """What waits for ``user`` in the committee: minutes to review (the FAO head and the
    committee's leaders); an item agreed in principle whose revision is awaited (its
    unit's clerk and leader) or is to be signed off (the office)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from waishi.committee import selectors
    from waishi.committee.models import MinutesState, Opinion
    from waishi.committee.workflow import ISSUERS, OFFICE
    from waishi.lib.roles import UNIT_ROLES, has
    from waishi.lib.work import ITEM_LIMIT, Item

    items = []
    if has(user, ISSUERS):
        for minutes in selectors.minutes_list(user, state=MinutesState.REVIEW)[:ITEM_LIMIT]:
            items.append(
                Item(
                    minutes.title,
                    reverse("committee:minutes-detail", kwargs={"minutes_pk": minutes.pk}),
                    None,
                    _("Committee minutes"),
                    minutes.get_state_display(),
                )
            )
    if has(user, OFFICE | UNIT_ROLES):
        waiting = selectors.items(
            user, unit_id=user.unit_id if user.role in UNIT_ROLES else None
        ).filter(opinion=Opinion.AGREE_REVISE, approved_version__isnull=True)
        label = (
            _("Upload the revised version")
            if user.role in UNIT_ROLES
            else _("Sign off the approved version")
        )
        for item in waiting[:ITEM_LIMIT]:
            items.append(
                Item(
                    item.title,
                    reverse("committee:item-detail", kwargs={"agenda_item_pk": item.pk}),
                    None,
                    _("Committee agenda items"),
                    label,
                )
            )
    return items
