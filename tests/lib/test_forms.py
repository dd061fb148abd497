import datetime as dt

from django import forms
from django.utils import translation

from waishi.lib.forms import DateInput, style_fields


class _Form(forms.Form):
    day = forms.DateField(widget=DateInput())
    kind = forms.ChoiceField(choices=[("a", "A")])
    flag = forms.BooleanField(required=False)


def test_date_picker_value_is_iso_in_every_language():
    for language in ("zh-hans", "en"):
        with translation.override(language):
            html = str(_Form(initial={"day": dt.date(2026, 11, 25)})["day"])
        assert 'type="date"' in html
        assert 'value="2026-11-25"' in html, (language, html)


def test_style_fields_adds_bootstrap_classes_once():
    form = _Form()
    style_fields(form)
    style_fields(form)
    assert form.fields["day"].widget.attrs["class"] == "form-control"
    assert form.fields["kind"].widget.attrs["class"] == "form-select"
    assert form.fields["flag"].widget.attrs["class"] == "form-check-input"
