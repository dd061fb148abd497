"""Reads the committee's pages and API share: every one starts in ``orgs.scoping``; the
documents also hide an internal (内部) document from everyone but its named readers, the
office and the auditor."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from waishi.committee.models import (
    AgendaItem,
    Attendance,
    CommitteeMember,
    Decision,
    Document,
    DocumentVersion,
    Meeting,
    Minutes,
)
from waishi.committee.workflow import INTERNAL_READERS
from waishi.lib.roles import has
from waishi.orgs import scoping


def _internal_filter(user, prefix: str = "") -> Q | None:
    """None when ``user`` reads every internal document; else the rows they may see."""
    if has(user, INTERNAL_READERS):
        return None
    through = Document.readers.through.objects.filter(user_id=getattr(user, "pk", None))
    return Q(**{f"{prefix}internal": False}) | Q(
        **{f"{prefix}pk__in": through.values("document_id")}
    )


def documents(user, queryset: QuerySet | None = None) -> QuerySet:
    qs = scoping.visible(user, queryset if queryset is not None else Document)
    condition = _internal_filter(user)
    return qs if condition is None else qs.filter(condition)


def versions(user, queryset: QuerySet | None = None) -> QuerySet:
    qs = scoping.visible(user, queryset if queryset is not None else DocumentVersion)
    if has(user, INTERNAL_READERS):
        return qs
    through = Document.readers.through.objects.filter(user_id=getattr(user, "pk", None))
    return qs.filter(Q(document__internal=False) | Q(document_id__in=through.values("document_id")))


def meetings(user, *, year: int | None = None, kind: str = "", q: str = "") -> QuerySet:
    qs = scoping.visible(user, Meeting).select_related("convener", "minutes")
    if year:
        qs = qs.filter(year=year)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(place__icontains=q) | Q(items__title__icontains=q))
        qs = qs.distinct()
    return qs.order_by("-date", "-pk")


def meeting_detail(user, pk) -> Meeting:
    return scoping.get_for_user(user, Meeting.objects.select_related("convener", "created_by"), pk)


def attendance_of(meeting: Meeting) -> list[Attendance]:
    return list(
        Attendance.objects.filter(meeting=meeting)
        .select_related("member__person__unit")
        .order_by("member__order", "member__pk")
    )


def items(user, *, meeting: Meeting | None = None, unit_id: int | None = None) -> QuerySet:
    qs = scoping.visible(user, AgendaItem).select_related(
        "meeting", "submitting_unit", "approved_version", "approved_by"
    )
    if meeting is not None:
        qs = qs.filter(meeting=meeting)
    if unit_id:
        qs = qs.filter(submitting_unit_id=unit_id)
    return qs.order_by("-meeting__date", "meeting_id", "order", "pk")


def items_with_documents(user, meeting: Meeting) -> list[AgendaItem]:
    docs = documents(user, Document.objects.select_related("created_by")).prefetch_related(
        Prefetch(
            "versions",
            queryset=DocumentVersion.objects.select_related("uploaded_by").order_by("number"),
        )
    )
    return list(items(user, meeting=meeting).prefetch_related(Prefetch("documents", queryset=docs)))


def item_detail(user, pk) -> AgendaItem:
    return scoping.get_for_user(
        user,
        AgendaItem.objects.select_related(
            "meeting", "submitting_unit", "approved_version__document", "approved_by"
        ),
        pk,
    )


def document_detail(user, pk) -> Document:
    return scoping.get_for_user(
        user, documents(user, Document.objects.select_related("item__meeting", "created_by")), pk
    )


def version_detail(user, pk) -> DocumentVersion:
    return scoping.get_for_user(
        user,
        versions(user, DocumentVersion.objects.select_related("document__item", "uploaded_by")),
        pk,
    )


def versions_of(user, document: Document) -> QuerySet:
    return versions(user, DocumentVersion.objects.filter(document=document)).select_related(
        "uploaded_by"
    )


def members(user, *, active_only: bool = False) -> QuerySet:
    qs = scoping.visible(user, CommitteeMember).select_related("person__unit")
    if active_only:
        qs = qs.filter(active=True)
    return qs.order_by("order", "pk")


def minutes_list(user, *, state: str = "", year: int | None = None) -> QuerySet:
    qs = scoping.visible(user, Minutes).select_related("meeting")
    if state:
        qs = qs.filter(state=state)
    if year:
        qs = qs.filter(meeting__year=year)
    return qs.order_by("-meeting__date", "-pk")


def minutes_detail(user, pk) -> Minutes:
    return scoping.get_for_user(
        user, Minutes.objects.select_related("meeting__convener", "drafted_by", "issued_by"), pk
    )


def decisions_of(minutes: Minutes) -> list[Decision]:
    return list(
        Decision.objects.filter(minutes=minutes)
        .select_related("item__submitting_unit", "task")
        .order_by("order", "pk")
    )


def decision_detail(user, pk) -> Decision:
    return scoping.get_for_user(
        user, Decision.objects.select_related("minutes__meeting", "item", "task"), pk
    )
