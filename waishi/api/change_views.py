"""Change requests (变更申请) of an approved trip and its itinerary versions over the API:
the trip's changes, one change (its differences, check and approval steps), drafting,
editing, submitting, the approvers' decisions, withdrawing; the recorded versions and
two of them compared.

Thin, like the pages (``missions.changes.views``): every read starts in ``scoping``
(another unit's trip or change is 404), every write is a
``waishi.missions.changes.services`` call (so it is checked, locked and audited exactly
as on the pages) and takes an ``Idempotency-Key``. Editing names the change's version as
read (another change since is 409); submitting may."""

from __future__ import annotations

from contextlib import contextmanager

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from waishi.api import change_serializers as cs
from waishi.api.errors import valid
from waishi.api.idempotency import idempotent
from waishi.api.mission_views import IDEMPOTENCY_KEY, VIEWERS, Conflict, _responses
from waishi.api.permissions import ReadWriteRoles
from waishi.api.views import JsonOnly
from waishi.audit.services import client_ip
from waishi.missions.changes import services as changes
from waishi.missions.changes.workflow import APPROVERS, CHANGE, IN_CHAIN
from waishi.missions.core import itinerary
from waishi.missions.core.common import StaleVersion
from waishi.missions.models import ChangeRequest, ChangeState, ItineraryVersion, Mission
from waishi.orgs import scoping
from waishi.policy import live

PROPOSAL_KEYS = ("departure_date", "return_date", "stops", "members")
_WRITE_ERRORS = (400, 403, 404, 409, 422)
_DECIDE_ERRORS = (400, 403, 404, 422)


class _ChangeView(JsonOnly, APIView):
    permission_classes = [IsAuthenticated, ReadWriteRoles]
    parser_classes = [JSONParser]
    read_roles = VIEWERS  # as the pages (missions.changes.views)
    read_message = gettext_lazy("Your role does not give access to trip applications.")
    write_roles = changes.REQUESTERS
    write_message = gettext_lazy("Only a clerk of the trip's unit requests changes to it.")


class _DecisionView(_ChangeView):
    write_roles = APPROVERS
    write_message = gettext_lazy("Your role does not decide on change requests.")


# --- reads ----------------------------------------------------------------------------------


def _mission(request, pk) -> Mission:
    return scoping.get_for_user(request.user, Mission.objects.select_related("unit"), pk)


def _changes(mission: Mission):
    return (
        ChangeRequest.objects.filter(mission=mission)
        .select_related("mission__unit", "created_by", "applied_version")
        .order_by("-number")
    )


def _change(request, mission: Mission, pk) -> ChangeRequest:
    return scoping.get_for_user(request.user, _changes(mission), pk)


def _check(mission: Mission, change: ChangeRequest) -> dict:
    """As the page: the check stored at submission, else the proposal checked live."""
    if change.check_result:
        return {
            "stored": True,
            "checked_at": change.submitted_at,
            "policy_version": change.policy_version,
            "result": change.check_result,
            "error": None,
        }
    found = live.evaluate(changes.proposal_input(mission, change.proposed or {}))
    return {
        "stored": False,
        "checked_at": None,
        "policy_version": ((found.result or {}).get("policy") or {}).get("version", ""),
        "result": found.result,
        "error": found.error,
    }


def _actions(change: ChangeRequest, user) -> dict:
    editable = changes.may_edit(user, change)
    submit = "submit" if change.state == ChangeState.DRAFT else "resubmit"
    return {
        "edit": editable,
        "submit": editable and CHANGE.refusal(change, submit, user) is None,
        "withdraw": CHANGE.refusal(change, "withdraw", user) is None,
        "decide": bool(changes.decision_state(user, change)[1]),
    }


def _detail(request, mission: Mission, pk, code: int = 200) -> Response:
    from waishi.approvals.selectors import steps_for

    change = _change(request, mission, pk)
    base = changes.base_of(change)
    proposal = change.proposed or {}
    empty = {"departure_date": None, "return_date": None, "stops": [], "members": []}
    change.base = {**empty, **base}
    change.proposed_shown = {**empty, **proposal}
    change.differences = itinerary.compare(base, proposal).summary()
    change.check_summary = _check(mission, change)
    change.apply_refusal = (
        (changes.apply_refusal(mission, change) or "") if change.state in IN_CHAIN else ""
    )
    change.step_rows = list(steps_for(changes.SUBJECT, change.pk))
    change.actions = _actions(change, request.user)
    data = cs.ChangeDetailOutput(change).data
    return Response(data, status=code)


def _state(change: ChangeRequest, outcome: str) -> dict:
    change = ChangeRequest.objects.select_related("mission").get(pk=change.pk)
    return cs.ChangeStateOutput(
        {
            "id": change.pk,
            "state": change.state,
            "version": change.version,
            "outcome": outcome,
            "itinerary_version": change.mission.itinerary_version,
        }
    ).data


# --- writes ---------------------------------------------------------------------------------


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _proposal(start: dict, data: dict) -> dict | None:
    """``start`` (the itinerary in force, or the change as saved) with the parts sent;
    None when no part was sent."""
    if not any(key in data for key in PROPOSAL_KEYS):
        return None
    out = {
        "departure_date": start.get("departure_date"),
        "return_date": start.get("return_date"),
        "stops": [dict(s) for s in start.get("stops") or []],
        "members": [dict(m) for m in start.get("members") or []],
    }
    for key in ("departure_date", "return_date"):
        if key in data:
            out[key] = _iso(data[key])
    if "stops" in data:
        out["stops"] = [
            {**stop, "arrive": _iso(stop["arrive"]), "depart": _iso(stop["depart"])}
            for stop in data["stops"]
        ]
    if "members" in data:
        out["members"] = [dict(member) for member in data["members"]]
    return out


@contextmanager
def _stale_is_409(change: ChangeRequest):
    try:
        yield
    except StaleVersion:
        now = ChangeRequest.objects.values_list("version", flat=True).get(pk=change.pk)
        raise Conflict(
            _(
                "This change request was changed since you read it (it is at version "
                "%(now)d now). Nothing was saved: read it again, then retry."
            )
            % {"now": now}
        ) from None


# --- the trip's changes ---------------------------------------------------------------------


class ChangeCollectionView(_ChangeView):
    @extend_schema(
        operation_id="missions_changes_list",
        summary="Change requests of a trip",
        description="Every change request of the trip, the latest first: its state, what it "
        "changes, the version it was based on and the version it became once approved.",
        responses=_responses(cs.ChangeListOutput(many=True), 403, 404),
    )
    def get(self, request, mission_pk: int):
        mission = _mission(request, mission_pk)
        return Response(cs.ChangeListOutput(_changes(mission), many=True).data)

    @extend_schema(
        operation_id="missions_changes_create",
        summary="Draft a change request",
        description="A clerk of the trip's unit, while the trip is approved or abroad, one "
        "change in flight at a time. The proposal is the itinerary as it should be: a part "
        "not sent is taken from the itinerary in force (nothing sent: the itinerary in "
        "force, to be edited); stops and members, when sent, are the whole list. Members "
        "are the trip's own or people of the unit, by person_id. Saved as sent; what is "
        "missing is named at submission.",
        parameters=[IDEMPOTENCY_KEY],
        request=cs.ChangeCreateInput,
        responses=_responses(cs.ChangeDetailOutput, 400, 403, 404, 422, ok_status=201),
    )
    @idempotent
    def post(self, request, mission_pk: int):
        mission = _mission(request, mission_pk)
        data = valid(cs.ChangeCreateInput, request.data)
        proposed = (
            _proposal(itinerary.current(mission), data)
            if any(key in data for key in PROPOSAL_KEYS)
            else None
        )
        change = changes.change_create(
            actor=request.user,
            mission=mission,
            proposed=proposed,
            reason=data.get("reason", ""),
            justifications=data.get("justifications"),
            ip=client_ip(request),
        )
        return _detail(request, mission, change.pk, 201)


class ChangeView(_ChangeView):
    @extend_schema(
        operation_id="missions_changes_retrieve",
        summary="One change request",
        description="The proposal and the version it is based on, what differs, the policy "
        "check of the trip as it would be (stored at submission, else live), the approval "
        "steps, and what the caller may do now.",
        responses=_responses(cs.ChangeDetailOutput, 403, 404),
    )
    def get(self, request, mission_pk: int, change_pk: int):
        mission = _mission(request, mission_pk)
        return _detail(request, mission, change_pk)

    @extend_schema(
        operation_id="missions_changes_partial_update",
        summary="Edit a draft or returned change request",
        description="Only the parts sent change (stops and members, when sent, are the whole "
        "list); a justification sent empty is removed. version is the version read: "
        "another change since is refused with 409 and nothing is saved.",
        parameters=[IDEMPOTENCY_KEY],
        request=cs.ChangeUpdateInput,
        responses=_responses(cs.ChangeDetailOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def patch(self, request, mission_pk: int, change_pk: int):
        mission = _mission(request, mission_pk)
        change = _change(request, mission, change_pk)
        data = valid(cs.ChangeUpdateInput, request.data)
        with _stale_is_409(change):
            changes.change_update(
                actor=request.user,
                change=change,
                version=data["version"],
                proposed=_proposal(change.proposed or {}, data),
                reason=data.get("reason"),
                justifications=data.get("justifications"),
                ip=client_ip(request),
            )
        return _detail(request, mission, change.pk)


class ChangeSubmitView(_ChangeView):
    @extend_schema(
        operation_id="missions_changes_submit",
        summary="Submit (or resubmit) a change request",
        description="The change must be complete and change something, and the trip as it "
        "would be must pass the policy check: an error blocks (400 naming the rule), every "
        "warning needs a justification (keys as in the check's findings). Then the change's "
        "own approval chain starts. A refusal changes nothing, the justifications sent "
        "included.",
        parameters=[IDEMPOTENCY_KEY],
        request=cs.ChangeSubmitInput,
        responses=_responses(cs.ChangeStateOutput, *_WRITE_ERRORS),
    )
    @idempotent
    def post(self, request, mission_pk: int, change_pk: int):
        mission = _mission(request, mission_pk)
        change = _change(request, mission, change_pk)
        data = valid(cs.ChangeSubmitInput, request.data)
        with _stale_is_409(change):
            changes.change_submit(
                actor=request.user,
                change=change,
                version=data.get("version"),
                justifications=data.get("justifications") or {},
                ip=client_ip(request),
            )
        return Response(_state(change, "submitted"))


class ChangeWithdrawView(_ChangeView):
    @extend_schema(
        operation_id="missions_changes_withdraw",
        summary="Withdraw a change request",
        description="The clerk of the trip's unit withdraws the change (or discards a "
        "draft) before it is decided; its open approval steps are cancelled.",
        parameters=[IDEMPOTENCY_KEY],
        request=cs.ChangeWithdrawInput,
        responses=_responses(cs.ChangeStateOutput, 400, 403, 404, 422),
    )
    @idempotent
    def post(self, request, mission_pk: int, change_pk: int):
        mission = _mission(request, mission_pk)
        change = _change(request, mission, change_pk)
        data = valid(cs.ChangeWithdrawInput, request.data)
        changes.change_withdraw(
            actor=request.user,
            change=change,
            comment=data.get("comment", ""),
            ip=client_ip(request),
        )
        return Response(_state(change, "withdrawn"))


class _ChangeDecideView(_DecisionView):
    decision = ""
    input_class: type = cs.ChangeApproveInput

    def decide(self, request, mission_pk: int, change_pk: int) -> Response:
        mission = _mission(request, mission_pk)
        change = _change(request, mission, change_pk)
        data = valid(self.input_class, request.data)
        outcome = changes.change_decide(
            actor=request.user,
            change=change,
            decision=self.decision,
            comment=data.get("comment", ""),
            override_reason=data.get("override_reason", ""),
            ip=client_ip(request),
        )
        return Response(_state(change, outcome))


class ChangeApproveView(_ChangeDecideView):
    decision = "approve"
    input_class = cs.ChangeApproveInput

    @extend_schema(
        operation_id="missions_changes_approve",
        summary="Approve the pending step of a change request",
        description="As the decision page: the caller must hold the pending step (or a "
        "delegation for it) and neither travel on the trip nor have drafted it or the "
        "change; the policy is checked again. The last approval puts the change in force "
        "as the next itinerary version (outcome approved), or is refused when the itinerary "
        "in force moved since, or the trip is no longer approved or abroad.",
        parameters=[IDEMPOTENCY_KEY],
        request=cs.ChangeApproveInput,
        responses=_responses(cs.ChangeStateOutput, *_DECIDE_ERRORS),
    )
    @idempotent
    def post(self, request, mission_pk: int, change_pk: int):
        return self.decide(request, mission_pk, change_pk)


class ChangeReturnView(_ChangeDecideView):
    decision = "return"
    input_class = cs.ChangeCommentInput

    @extend_schema(
        operation_id="missions_changes_return",
        summary="Return a change request for changes",
        description="A comment is required; the clerk edits and resubmits it.",
        parameters=[IDEMPOTENCY_KEY],
        request=cs.ChangeCommentInput,
        responses=_responses(cs.ChangeStateOutput, *_DECIDE_ERRORS),
    )
    @idempotent
    def post(self, request, mission_pk: int, change_pk: int):
        return self.decide(request, mission_pk, change_pk)


class ChangeRejectView(_ChangeDecideView):
    decision = "reject"
    input_class = cs.ChangeCommentInput

    @extend_schema(
        operation_id="missions_changes_reject",
        summary="Reject a change request",
        description="Final; a comment is required. The trip keeps its itinerary.",
        parameters=[IDEMPOTENCY_KEY],
        request=cs.ChangeCommentInput,
        responses=_responses(cs.ChangeStateOutput, *_DECIDE_ERRORS),
    )
    @idempotent
    def post(self, request, mission_pk: int, change_pk: int):
        return self.decide(request, mission_pk, change_pk)


# --- itinerary versions ---------------------------------------------------------------------


def _annotated(version: ItineraryVersion, mission: Mission) -> ItineraryVersion:
    value = itinerary.version_dict(version)
    version.days_abroad = itinerary.days_abroad(value)
    version.countries = itinerary.counted_countries(value["stops"])
    version.in_force = version.number == mission.itinerary_version
    return version


class ItineraryVersionListView(_ChangeView):
    @extend_schema(
        operation_id="missions_itinerary_list",
        summary="Itinerary versions of a trip",
        description="Version 1 is the itinerary as approved; each approved change request "
        "adds the next. The latest first; in_force marks the one in force.",
        responses=_responses(cs.ItineraryVersionOutput(many=True), 403, 404),
    )
    def get(self, request, mission_pk: int):
        mission = _mission(request, mission_pk)
        versions = (
            ItineraryVersion.objects.filter(mission=mission)
            .select_related("change_request", "created_by")
            .order_by("-number")
        )
        rows = [_annotated(v, mission) for v in versions]
        return Response(cs.ItineraryVersionOutput(rows, many=True).data)


class ItineraryCompareView(_ChangeView):
    @extend_schema(
        operation_id="missions_itinerary_compare",
        summary="Compare two itinerary versions",
        description="What differs from the earlier of the two versions to the later one "
        "(dates, days abroad, stops, route, countries, members), and the stops and members "
        "side by side. ?against=N names the other version (default: version 1, or for "
        "version 1 itself the version in force).",
        parameters=[cs.CompareQuery],
        responses=_responses(cs.ItineraryCompareOutput, 400, 403, 404),
    )
    def get(self, request, mission_pk: int, version_pk: int):
        mission = _mission(request, mission_pk)
        version = scoping.get_for_user(
            request.user, ItineraryVersion.objects.filter(mission=mission), version_pk
        )
        query = valid(cs.CompareQuery, request.query_params)
        default = 1 if version.number != 1 else (mission.itinerary_version or 1)
        against = query.get("against") or default
        other = ItineraryVersion.objects.filter(mission=mission, number=against).first()
        if other is None:
            raise exceptions.NotFound(
                _("The trip has no itinerary version %(number)d.") % {"number": against}
            )
        earlier, later = (other, version) if other.number <= version.number else (version, other)
        differences = itinerary.compare(
            itinerary.version_dict(earlier), itinerary.version_dict(later)
        )
        data = {
            "earlier": _annotated(earlier, mission),
            "later": _annotated(later, mission),
            "differences": differences.summary(),
            "stop_rows": differences.stop_rows,
            "member_rows": differences.member_rows,
        }
        return Response(cs.ItineraryCompareOutput(data).data)
