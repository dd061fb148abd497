"""The register and the hand-out guards (PASSPORT_OFFICIAL), return and loss."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.utils import IntegrityError
from django.utils import timezone

from tests.factories import PersonFactory
from tests.missions.conftest import build_mission
from tests.passports.conftest import approve, educate, register
from waishi.audit.models import AuditEvent
from waishi.passports import services
from waishi.passports.models import (
    Kind,
    Passport,
    PassportCustody,
    PassportState,
    mask_number,
)


def test_number_is_encrypted_indexed_and_masked(fao, people):
    passport = register(fao, people[0], number="se 1234567")
    raw = Passport.objects.filter(pk=passport.pk).values_list("number_enc", flat=True).get()
    assert raw.startswith("sm4gcm:") and "1234567" not in raw
    assert passport.reveal_number() == "SE1234567"
    assert passport.number_masked == "SE*****67"
    assert Passport.objects.filter(number_index=Passport.index_number("SE1234567")).exists()
    event = AuditEvent.objects.get(action="passports.passport.create", object_id=str(passport.pk))
    assert "SE1234567" not in str(event.after) and event.after["number"] == "SE*****67"


@pytest.mark.parametrize("number", ["", "12345678", "S12", "SEE1234567", "SE123456789"])
def test_bad_numbers_are_refused(fao, people, number):
    with pytest.raises(ValidationError) as exc:
        register(fao, people[0], number=number or " ")
    assert "number" in exc.value.message_dict


def test_the_same_number_twice_is_refused_per_kind(fao, people):
    register(fao, people[0], number="SE7654321")
    with pytest.raises(ValidationError) as exc:
        register(fao, people[1], number="se7654321")
    assert "number" in exc.value.message_dict


def test_one_valid_passport_per_person_and_kind(fao, people):
    register(fao, people[0])
    with pytest.raises(ValidationError) as exc:
        register(fao, people[0])
    assert "kind" in exc.value.message_dict


def test_only_the_fao_registers(cast, people):
    with pytest.raises(PermissionDenied):
        register(cast["unit_clerk"], people[0])


def test_mask():
    assert mask_number("E12345678") == "E******78"
    assert mask_number("") == ""


# --- issue ------------------------------------------------------------------------------------


def test_issue_for_an_approved_trip(fao, trip, passports):
    custody = services.passport_issue(actor=fao, passport=passports[0], mission=trip)
    passports[0].refresh_from_db()
    assert passports[0].state == PassportState.ISSUED
    assert custody.due_back == trip.return_date + dt.timedelta(days=7)
    event = AuditEvent.objects.get(action="passports.passport.issue")
    assert event.data["mission"] == trip.pk and event.data["custody"] == custody.pk


def test_not_approved_is_refused(cast, fao, people, passports):
    draft = build_mission(cast["unit_clerk"], people, title="未批准团组")
    with pytest.raises(ValidationError, match="已批准"):
        services.passport_issue(actor=fao, passport=passports[0], mission=draft)
    assert not PassportCustody.objects.exists()


def test_education_incomplete_is_refused(cast, fao, people, passports):
    mission = approve(build_mission(cast["unit_clerk"], people, title="未教育团组"))
    with pytest.raises(ValidationError, match="行前教育"):
        services.passport_issue(actor=fao, passport=passports[0], mission=mission)
    educate(cast["unit_clerk"], mission)
    services.passport_issue(actor=fao, passport=passports[0], mission=mission)


def test_validity_under_six_months_after_return_is_refused(fao, trip, people):
    needed = services.add_months(trip.return_date, 6)
    short = register(fao, people[0], expires_on=needed - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="6个月"):
        services.passport_issue(actor=fao, passport=short, mission=trip)
    services.passport_mark(actor=fao, passport=short, state="cancelled", reason="有效期不足")
    enough = register(fao, people[0], expires_on=needed)
    services.passport_issue(actor=fao, passport=enough, mission=trip)


def test_the_months_are_a_policy_parameter(cast, fao, trip, people):
    from waishi.policy import services as policy_services

    needed = services.add_months(trip.return_date, 6)
    passport = register(fao, people[0], expires_on=needed)
    policy_services.policy_parameter_change(
        actor=cast["fao_head"],
        rule="PASSPORT_OFFICIAL",
        values={"months_valid_after_return": 9},
        effective_from=timezone.localdate(),
        reason="测试：延长有效期要求",
    )
    with pytest.raises(ValidationError, match="9个月"):
        services.passport_issue(actor=fao, passport=passport, mission=trip)


def test_holder_must_be_a_member(fao, trip, home_unit):
    stranger = register(fao, PersonFactory(unit=home_unit, name="路人甲"))
    with pytest.raises(ValidationError, match="不是本团组成员"):
        services.passport_issue(actor=fao, passport=stranger, mission=trip)


def test_not_twice_and_not_by_a_clerk(cast, fao, trip, passports):
    with pytest.raises(PermissionDenied):
        services.passport_issue(actor=cast["unit_clerk"], passport=passports[0], mission=trip)
    services.passport_issue(actor=fao, passport=passports[0], mission=trip)
    with pytest.raises(ValidationError, match="不在库中"):
        services.passport_issue(actor=fao, passport=passports[0], mission=trip)
    assert PassportCustody.objects.count() == 1


def test_issue_several_is_all_or_nothing(fao, trip, people, passports):
    services.passport_mark(actor=fao, passport=passports[1], state="lost", reason="遗失")
    with pytest.raises(ValidationError):
        services.passports_issue(actor=fao, mission=trip, passports=passports)
    assert not PassportCustody.objects.exists()
    passports[0].refresh_from_db()
    assert passports[0].state == PassportState.IN_CUSTODY


# --- return, loss, the departure checklist ----------------------------------------------------


def test_return_brings_it_back(fao, trip, passports):
    custody = services.passport_issue(actor=fao, passport=passports[0], mission=trip)
    services.passport_return(actor=fao, custody=custody)
    custody.refresh_from_db()
    passports[0].refresh_from_db()
    assert custody.returned_at is not None and custody.received_by == fao
    assert passports[0].state == PassportState.IN_CUSTODY
    with pytest.raises(ValidationError):
        services.passport_return(actor=fao, custody=custody)


def test_lost_while_out_closes_the_custody(fao, trip, passports):
    custody = services.passport_issue(actor=fao, passport=passports[0], mission=trip)
    services.passport_mark(actor=fao, passport=passports[0], state="lost", reason="境外遗失")
    custody.refresh_from_db()
    assert custody.lost and custody.returned_at is not None
    with pytest.raises(ValidationError):
        services.passport_mark(actor=fao, passport=passports[1], state="cancelled", reason="")


def test_departure_checklist_line(fao, trip, passports):
    from waishi.missions.core import readiness
    from waishi.passports.selectors import departure_lines

    assert departure_lines in readiness.DEPARTURE_CHECKS
    assert departure_lines(trip)[0][1] is False
    services.passports_issue(actor=fao, mission=trip, passports=passports)
    label, done = departure_lines(trip)[0]
    assert done is True and str(label)


# --- the database holds one open custody per passport -----------------------------------------


def test_second_open_custody_is_refused_by_the_database(fao, trip, passports):
    if connection.vendor == "mysql":
        pytest.skip("MariaDB has no partial unique index; the row lock holds the invariant")
    first = services.passport_issue(actor=fao, passport=passports[0], mission=trip)
    with pytest.raises(IntegrityError), transaction.atomic():
        PassportCustody.objects.create(
            passport=passports[0], mission=trip, issued_by=fao, due_back=first.due_back
        )
    # Once returned, a new open row is allowed.
    services.passport_return(actor=fao, custody=first)
    PassportCustody.objects.create(
        passport=passports[0], mission=trip, issued_by=fao, due_back=first.due_back
    )


def test_register_kind_choices_cover_the_three_kinds():
    assert set(Kind.values) == {"official_ordinary", "service", "diplomatic"}


def test_the_policy_pages_show_the_passport_parameters(as_user):
    from django.utils.translation import override

    client = as_user("fao_head")
    with override("en"):
        body = client.get("/policy/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "PASSPORT_OFFICIAL" in body and "PASSPORT_RETURN" in body
    change = client.get("/policy/change/", {"rule": "PASSPORT_RETURN"})
    assert change.status_code == 200 and "lock_after_days" in change.content.decode()


def test_check_ignores_the_workflow_parameters():
    from waishi.policy.params import WORKFLOW_PARAMETERS, default_policy
    from waishi.policy.rules import RULES

    assert {"PASSPORT_OFFICIAL", "PASSPORT_RETURN"} <= WORKFLOW_PARAMETERS
    assert not WORKFLOW_PARAMETERS & {code for code, _rule in RULES}
    assert default_policy().parameters["PASSPORT_RETURN"] == {"days": 7, "lock_after_days": 30}
