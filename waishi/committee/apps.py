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
        register(CommitteeMember, Scope(only=READERS, url_kwarg="member_pk"))
        register(CommitteeSettings, Scope(only=READERS))
        register(Meeting, Scope(only=READERS, url_kwarg="meeting_pk"))
        register(Attendance, Scope(only=READERS))
        register(Minutes, Scope(only=READERS, url_kwarg="minutes_pk"))
        register(Decision, Scope(only=READERS, url_kwarg="decision_pk"))
        # Items and their documents: also the unit that submitted them. An internal (内部)
        # document is narrowed further by ``selectors.documents`` (named readers only).
        register(AgendaItem, Scope(unit="submitting_unit_id", url_kwarg="item_pk"))
        register(Document, Scope(unit="item__submitting_unit_id", url_kwarg="document_pk"))
        register(
            DocumentVersion,
            Scope(unit="document__item__submitting_unit_id", url_kwarg="version_pk"),
        )

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
