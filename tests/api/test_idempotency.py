"""Idempotency-Key: a retried write is answered from the first, never written twice."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from tests.api import urls_idempotent
from tests.api.conftest import bearer
from waishi.api import idempotency
from waishi.api.models import IdempotentRequest
from waishi.notify.models import Notification

pytestmark = pytest.mark.urls("tests.api.urls_idempotent")


def post(client, data, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post("/test-note/", data, content_type="application/json", **headers)


@pytest.mark.django_db
def test_a_retry_with_the_same_key_replays_the_first_answer(api_as):
    client = api_as("unit_clerk")
    first = post(client, {"text": "一"}, key="k-1")
    again = post(client, {"text": "一"}, key="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Notification.objects.filter(kind="test").count() == 1


@pytest.mark.django_db
def test_without_a_key_every_request_writes(api_as):
    client = api_as("unit_clerk")
    post(client, {"text": "一"})
    post(client, {"text": "一"})
    assert Notification.objects.filter(kind="test").count() == 2


@pytest.mark.django_db
def test_a_key_reused_for_another_body_is_refused(api_as):
    client = api_as("unit_clerk")
    post(client, {"text": "一"}, key="k-1")
    other = post(client, {"text": "二"}, key="k-1")
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert Notification.objects.filter(kind="test").count() == 1


@pytest.mark.django_db
def test_keys_belong_to_one_account(api_as):
    post(api_as("unit_clerk"), {"text": "一"}, key="k-1")
    other = post(api_as("unit_leader"), {"text": "一"}, key="k-1")
    assert other.status_code == 201 and "Idempotent-Replayed" not in other
    assert Notification.objects.filter(kind="test").count() == 2


@pytest.mark.django_db
def test_a_refused_request_does_not_use_up_the_key(api_as):
    client = api_as("unit_clerk")
    assert post(client, {"text": ""}, key="k-1").status_code == 400
    assert not IdempotentRequest.objects.exists()
    assert post(client, {"text": "一"}, key="k-1").status_code == 201


@pytest.mark.django_db
def test_an_overlong_key_is_refused(api_as):
    response = post(api_as("unit_clerk"), {"text": "一"}, key="x" * 201)
    assert response.status_code == 400
    assert not Notification.objects.filter(kind="test").exists()


@pytest.mark.django_db
def test_old_keys_are_purged(api_as, cast):
    post(api_as("unit_clerk"), {"text": "一"}, key="k-1")
    assert idempotency.purge(timezone.now() + timedelta(hours=47)) == 0
    assert idempotency.purge(timezone.now() + timedelta(hours=49)) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_retries_write_once(make_token, cast):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and a waiting unique index need PostgreSQL; SQLite serialises")
    raw = make_token(cast["unit_clerk"])[1]
    urls_idempotent.HOLD.clear()  # the first request waits inside its transaction
    answers: list[int] = []

    def send():
        try:
            answers.append(post(bearer(raw), {"text": "一"}, key="k-race").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    # Let the first insert land, then release it; the others wait on the unique index.
    threading.Event().wait(0.5)
    urls_idempotent.HOLD.set()
    for thread in threads:
        thread.join(20)
    assert sorted(answers) == [201, 201, 201, 201]
    assert Notification.objects.filter(kind="test").count() == 1


def raw_post(client, raw: bytes, key: str):
    return client.generic(
        "POST", "/test-note/", raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "again",
    [
        b'{ "extra" : [1, 2], "text" : "\\u4e00" }',  # spacing, an escape for the same letter
        b'{"text":"\xe4\xb8\x80","extra":[1,2]}',  # the keys in the other order
        b'\n{\n  "extra": [\n    1,\n    2\n  ],\n  "text": "\xe4\xb8\x80"\n}\n',  # pretty-printed
    ],
)
def test_the_same_json_written_differently_is_the_same_request(api_as, again):
    client = api_as("unit_clerk")
    first = raw_post(client, b'{"extra":[1,2],"text":"\xe4\xb8\x80"}', "k-json")
    assert first.status_code == 201, first.content
    replay = raw_post(client, again, "k-json")
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    assert Notification.objects.filter(kind="test").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "other",
    [
        b'{"extra":[2,1],"text":"\xe4\xb8\x80"}',  # a list's order is content
        b'{"extra":[1,2],"text":"\xe4\xb8\x80 "}',  # so is a space inside a string
        b'{"extra":[1,2],"text":"\xe4\xb8\x80","more":null}',
        b'{"extra":[1,2.5],"text":"\xe4\xb8\x80"}',
    ],
)
def test_a_different_json_body_is_still_refused(api_as, other):
    client = api_as("unit_clerk")
    assert raw_post(client, b'{"extra":[1,2],"text":"\xe4\xb8\x80"}', "k-json").status_code == 201
    refused = raw_post(client, other, "k-json")
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "idempotency_key_reused"
    assert Notification.objects.filter(kind="test").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["a b", "ключ", "k\u00a0", "键"])
def test_a_key_outside_visible_ascii_is_refused(api_as, key):
    response = post(api_as("unit_clerk"), {"text": "一"}, key=key)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert not Notification.objects.filter(kind="test").exists()


@pytest.mark.django_db
def test_a_key_of_the_longest_allowed_length_and_any_punctuation_works(api_as):
    key = ("!\"#$%&'()*+,-./0123456789:;<=>?@AZ[\\]^_`az{|}~" * 5)[:200]
    assert post(api_as("unit_clerk"), {"text": "一"}, key=key).status_code == 201
