"""Last year's approved plan as this year's draft: a unit clerk drafts their unit's
entries again, the FAO sets the quotas again -- each row through the one service that
creates it (checked, audited), all or none, refused when this year's plan has some
already. The API is in tests/api/test_batch_api.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.plans.builders import approved_plan, binding_entry
from waishi.audit.models import AuditEvent
from waishi.plans import services
from waishi.plans.models import Category, EntryState, PlanEntry, Quota

pytestmark = pytest.mark.django_db

YEAR = 2040


@pytest.fixture
def last_year(home_unit, foreign_unit):
    """YEAR - 1 approved: two binding entries of the home unit, one of another unit, and
    quotas for both units."""
    plan = approved_plan(home_unit, year=YEAR - 1, general=(3, 12), econ_tech=(2, 8))
    approved_plan(foreign_unit, year=YEAR - 1, general=(1, 4), econ_tech=None)
    binding_entry(plan, home_unit, title="赴日本经贸交流团", countries=["JP"], expected_month=4)
    binding_entry(
        plan,
        home_unit,
        title="赴德国友城访问团",
        countries=["DE", "FR"],
        size=1,
        ranks=["county_division"],
        category=Category.ECON_TECH,
        expected_month=9,
    )
    binding_entry(plan, foreign_unit, title="教育局的团组")
    return plan


@pytest.fixture
def this_year(cast):
    return services.plan_open(
        actor=cast["fao_head"], year=YEAR, deadline=timezone.localdate() + timedelta(days=30)
    )


def _values(entry: PlanEntry) -> tuple:
    return (entry.title, entry.countries, entry.size, entry.ranks, entry.expected_month,
            entry.category, entry.budget_estimate)  # fmt: skip


def test_the_clerk_drafts_the_units_approved_entries_again(cast, last_year, this_year, home_unit):
    created = services.entries_copy_last_year(actor=cast["unit_clerk"], plan=this_year)
    source = PlanEntry.objects.filter(plan=last_year, unit=home_unit).order_by("expected_month")
    assert [_values(e) for e in created] == [_values(e) for e in source]
    assert all(e.state == EntryState.DRAFT and e.unit == home_unit for e in created)
    assert not PlanEntry.objects.filter(plan=this_year).exclude(unit=home_unit).exists()
    events = AuditEvent.objects.filter(action="plans.entry.create")
    assert sorted(int(e.object_id) for e in events) == sorted(e.pk for e in created)


def test_a_plan_with_entries_already_is_refused_and_nothing_is_added(cast, last_year, this_year):
    services.entries_copy_last_year(actor=cast["unit_clerk"], plan=this_year)
    count, events = PlanEntry.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.entries_copy_last_year(actor=cast["unit_clerk"], plan=this_year)
    assert "2040" in " ".join(caught.value.messages)
    assert (PlanEntry.objects.count(), AuditEvent.objects.count()) == (count, events)


def test_no_approved_plan_last_year_is_refused(cast, this_year):
    with pytest.raises(ValidationError):
        services.entries_copy_last_year(actor=cast["unit_clerk"], plan=this_year)
    with pytest.raises(ValidationError):
        services.quotas_copy_last_year(actor=cast["fao_reviewer"], plan=this_year)
    assert not PlanEntry.objects.exists() and not Quota.objects.filter(plan=this_year).exists()


def test_the_fao_sets_last_years_quotas(cast, last_year, this_year):
    created = services.quotas_copy_last_year(actor=cast["fao_reviewer"], plan=this_year)
    old = {(q.unit_id, q.category): (q.batches, q.person_trips)
           for q in Quota.objects.filter(plan=last_year)}  # fmt: skip
    new = {(q.unit_id, q.category): (q.batches, q.person_trips)
           for q in Quota.objects.filter(plan=this_year)}  # fmt: skip
    assert new == old and len(created) == len(old)
    assert AuditEvent.objects.filter(action="plans.quota.set").count() == len(old)
    with pytest.raises(ValidationError):  # a second copy would overwrite
        services.quotas_copy_last_year(actor=cast["fao_reviewer"], plan=this_year)


def test_other_roles_are_refused(cast, last_year, this_year):
    for name in ("fao_reviewer", "unit_leader", "auditor"):
        with pytest.raises(PermissionDenied):
            services.entries_copy_last_year(actor=cast[name], plan=this_year)
    for name in ("unit_clerk", "committee", "auditor"):
        with pytest.raises(PermissionDenied):
            services.quotas_copy_last_year(actor=cast[name], plan=this_year)
    assert not PlanEntry.objects.filter(plan=this_year).exists()
    assert not Quota.objects.filter(plan=this_year).exists()


def test_the_page_lists_what_will_be_created_then_creates_it(as_user, last_year, this_year):
    client = as_user("unit_clerk")
    detail = client.get(reverse("plans:plan-detail", kwargs={"plan_pk": this_year.pk}))
    url = reverse("plans:copy-last-year", kwargs={"plan_pk": this_year.pk})
    assert url in detail.content.decode()
    page = client.get(url).content.decode()
    assert "赴日本经贸交流团" in page and "赴德国友城访问团" in page
    assert "教育局的团组" not in page  # another unit's
    assert "德国" in page  # countries by name
    assert not PlanEntry.objects.filter(plan=this_year).exists()  # a GET creates nothing
    assert client.post(url).status_code == 302
    assert PlanEntry.objects.filter(plan=this_year).count() == 2
    # Now the plan has entries: no offer, and a second POST adds nothing.
    assert (
        url
        not in client.get(
            reverse("plans:plan-detail", kwargs={"plan_pk": this_year.pk})
        ).content.decode()
    )
    client.post(url)
    assert PlanEntry.objects.filter(plan=this_year).count() == 2


def test_the_fao_page_lists_the_quotas(as_user, last_year, this_year):
    client = as_user("fao_reviewer")
    url = reverse("plans:copy-last-year", kwargs={"plan_pk": this_year.pk})
    page = client.get(url).content.decode()
    assert page.count("<tr>") == Quota.objects.filter(plan=last_year).count() + 1
    assert client.post(url).status_code == 302
    assert (
        Quota.objects.filter(plan=this_year).count() == Quota.objects.filter(plan=last_year).count()
    )


def test_the_page_refuses_other_roles(as_user, last_year, this_year):
    url = reverse("plans:copy-last-year", kwargs={"plan_pk": this_year.pk})
    for name in ("auditor", "committee", "unit_leader"):
        assert as_user(name).post(url).status_code == 403
    assert not PlanEntry.objects.filter(plan=this_year).exists()
    assert not Quota.objects.filter(plan=this_year).exists()
