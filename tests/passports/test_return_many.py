"""Passports back in bulk: several returns in one action, each as a single return (its
checks, its audit event), all or none, a refusal naming the holder. The API is in
tests/api/test_batch_api.py."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from waishi.audit.models import AuditEvent
from waishi.passports import services
from waishi.passports.models import PassportCustody, PassportState

pytestmark = pytest.mark.django_db


@pytest.fixture
def out(fao, trip, passports):
    """Both passports handed out for the trip."""
    return services.passports_issue(actor=fao, mission=trip, passports=passports)


def returns():
    return AuditEvent.objects.filter(action="passports.passport.return")


def test_several_passports_come_back_in_one_action(fao, out):
    done = services.passports_return(actor=fao, custodies=out, note="一并交回")
    assert sorted(c.pk for c in done) == sorted(c.pk for c in out)
    for custody in PassportCustody.objects.filter(pk__in=[c.pk for c in out]):
        assert custody.returned_at is not None and custody.received_by == fao
        assert custody.passport.state == PassportState.IN_CUSTODY
    # One event per passport, as a single return writes it.
    events = returns()
    assert sorted(e.data["custody"] for e in events) == sorted(c.pk for c in out)
    assert {e.data["note"] for e in events} == {"一并交回"}


def test_one_already_back_refuses_all_and_names_its_holder(fao, out):
    services.passport_return(actor=fao, custody=out[1])
    before = returns().count()
    with pytest.raises(ValidationError) as caught:
        services.passports_return(actor=fao, custodies=out)
    message = " ".join(caught.value.messages)
    assert out[1].passport.holder.name in message
    assert PassportCustody.objects.get(pk=out[0].pk).returned_at is None  # nothing recorded
    assert returns().count() == before


def test_nothing_chosen_or_another_role_is_refused(cast, fao, out):
    with pytest.raises(ValidationError):
        services.passports_return(actor=fao, custodies=[])
    for name in ("unit_clerk", "auditor", "committee"):
        with pytest.raises(PermissionDenied):
            services.passports_return(actor=cast[name], custodies=out)
    assert not PassportCustody.objects.filter(returned_at__isnull=False).exists()
    assert not returns().exists()


def test_the_page_lists_passports_out_and_records_those_ticked(as_user, out):
    client = as_user("fao_reviewer")
    url = reverse("passports:return-many")
    page = client.get(url).content.decode()
    for custody in out:
        assert f'value="{custody.pk}"' in page
        assert custody.passport.holder.name in page
    response = client.post(url, {"custody": [str(out[0].pk)], "note": ""})
    assert response.status_code == 302
    assert PassportCustody.objects.get(pk=out[0].pk).returned_at is not None
    assert PassportCustody.objects.get(pk=out[1].pk).returned_at is None
    assert f'value="{out[0].pk}"' not in client.get(url).content.decode()


def test_the_page_with_bad_input_changes_nothing(as_user, fao, out):
    client = as_user("fao_reviewer")
    url = reverse("passports:return-many")
    services.passport_return(actor=fao, custody=out[1])
    for data in ({"custody": []}, {"custody": ["abc"]}, {"custody": [str(out[0].pk), "999999"]}):
        response = client.post(url, data)
        assert response.status_code == 200
        assert 'data-testid="return-error"' in response.content.decode()
    assert PassportCustody.objects.get(pk=out[0].pk).returned_at is None


def test_the_page_is_the_faos(as_user, out):
    url = reverse("passports:return-many")
    for name in ("unit_clerk", "auditor"):
        assert as_user(name).get(url).status_code == 403
        assert as_user(name).post(url, {"custody": [str(out[0].pk)]}).status_code == 403
    assert PassportCustody.objects.filter(returned_at__isnull=True).count() == len(out)
