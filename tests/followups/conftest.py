"""Outcomes for the follow-up tests, made through the service as the app would."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from waishi.followups import services

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name: str = "纪要.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def make_outcome(cast, home_person):
    def make(*, actor=None, person=None, unit=None, days: int = 30, **extra):
        person = person or home_person
        return services.outcome_create(
            actor=actor or cast["unit_clerk"],
            title=extra.pop("title", "与汉堡市签署经贸合作备忘录"),
            kind=extra.pop("kind", "agreement"),
            responsible_person=person,
            responsible_unit=unit or person.unit,
            due_date=extra.pop("due_date", timezone.localdate() + dt.timedelta(days=days)),
            **extra,
        )

    return make


@pytest.fixture
def outcome(make_outcome):
    return make_outcome()


# The supervised tasks' fixtures (make_task, task, working, supporter, stranger, run ...).
from tests.followups.supervised import *  # noqa: E402, F403
