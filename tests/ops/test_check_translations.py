"""``waishi check_translations`` (``make check-messages``) catches English that a person
would read: bare literals shown as messages, and strings passed to gettext under a name
makemessages does not extract, which therefore never reach the catalogue."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.lib.pagetext import has_catalogue
from waishi.ops.management.commands.check_translations import scan_source

FIXTURE = textwrap.dedent(
    """\
    from django import forms
    from django.contrib import messages
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.utils.translation import gettext as _g
    from django.utils.translation import gettext_lazy as _
    from django.utils.translation import pgettext
    from rest_framework import serializers


    def clean(form, request, name):
        raise ValidationError("The date is wrong.")  # BAD
        raise serializers.ValidationError({"x": "By field."})  # BAD
        raise serializers.ValidationError({"x": [_("Known to the catalogue.")]})
        form.add_error("name", "Give a name.")  # BAD
        messages.error(request, f"Nothing for {name}.")  # BAD
        raise PermissionDenied("Not yours.")  # BAD
        _g("Known to the catalogue.")
        _g("Missing from the catalogue.")  # BAD: makemessages does not see _g
        _("Also " "missing.")  # BAD
        pgettext("month", "May")  # BAD: the catalogue's "May" has no context
        raise ValidationError(_("Known to the catalogue."))
        raise ValidationError("")
        messages.info(request, _g("Known to the catalogue."))
        raise ValueError("for programmers, in English on purpose")
    """
)
BAD_LINES = [n for n, line in enumerate(FIXTURE.splitlines(), start=1) if "# BAD" in line]
CATALOGUE = {("", "Known to the catalogue."), ("", "May")}


def test_the_checker_finds_each_kind_of_english():
    findings = list(scan_source(FIXTURE, "fixture.py", CATALOGUE))
    assert sorted(f.line for f in findings) == BAD_LINES
    texts = {f.text for f in findings}
    assert "not wrapped in gettext: 'The date is wrong.'" in texts
    assert "not wrapped in gettext: f'Nothing for {name}.'" in texts
    assert "no translation for 'Also missing.'" in texts


def test_the_checker_fails_the_command_on_a_module_with_a_bare_string(tmp_path, settings):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "views.py").write_text(FIXTURE)
    (package / "migrations").mkdir()
    (package / "migrations" / "0001_x.py").write_text(FIXTURE)  # never shown: skipped
    from waishi.ops.management.commands import check_translations as module

    findings = module.scan_tree(package, CATALOGUE)
    assert {f.path for f in findings} == {"pkg/views.py"}
    assert len(findings) == len(BAD_LINES)


def test_the_project_passes_the_checker():
    call_command("check_translations")


# The messages the public declaration form showed in English on its Chinese page.
PUBLIC_FORM_MESSAGES = [
    "The test date cannot be in the future.",
    "Give the date the test was taken.",
    "Give the result of the test you took.",
    "Give a test taken in the last %(days)d days.",
    "Say which other symptoms you have.",
    "Choose a country or region",
]


@pytest.mark.parametrize("msgid", PUBLIC_FORM_MESSAGES)
def test_the_public_form_messages_have_chinese(msgid):
    assert has_catalogue(msgid), msgid


def test_the_public_form_shows_its_errors_in_chinese(cast, district):
    from waishi.arrivals.models import Campaign

    campaign = Campaign.objects.create(name="五月入境", created_by=cast["city_command"])
    client = Client()
    page = client.get(f"/declare/{campaign.token}/").content.decode()
    assert "Choose a country or region" not in page
    assert "请选择国家（地区）" in page
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    posted = client.post(
        f"/declare/{campaign.token}/",
        {
            "category": "returnee",
            "test_outcome": "negative",
            "test_on": tomorrow.isoformat(),
            "symptoms": ["other"],
        },
    ).content.decode()
    assert "检测日期不能晚于今天。" in posted
    assert "请说明您有哪些其他症状。" in posted
    for english in ("The test date cannot be in the future.", "Say which other symptoms"):
        assert english not in posted
