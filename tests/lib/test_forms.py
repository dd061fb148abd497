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


class _Selects(forms.Form):
    plain = forms.ChoiceField(
        required=False,
        choices=[("", "—"), ("a", "A & <b>"), ("Group", [("g1", "G 1"), ("g2", '"G" 2')])],
    )
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y"), ("z", "Z")])
    flag = forms.NullBooleanField(required=False)


def test_python_rendered_selects_write_django_s_html():
    """FastSelect (what style_fields gives plain selects) writes exactly what Django's
    templates write: attributes, selection, groups, escaping, multiple choices."""
    from waishi.lib.forms import FastSelect, FastSelectMultiple

    for data in (None, {"plain": "g2", "many": ["x", "z"], "flag": "true"}):
        form = _Selects(data)
        form.fields["plain"].widget.attrs.update({"disabled": True, "data-x": 'a"b'})
        django_html = {name: str(form[name]) for name in form.fields}
        style_fields(form)
        assert type(form.fields["plain"].widget) is FastSelect
        assert type(form.fields["many"].widget) is FastSelectMultiple
        for name in ("plain", "many"):
            widget = form.fields[name].widget
            del widget.attrs["class"]  # style_fields added it after Django's rendering
            assert str(form[name]) == django_html[name], name
    assert "A &amp; &lt;b&gt;" in django_html["plain"]
    assert 'value="g2" selected' in str(_Selects({"plain": "g2"})["plain"])
    # Other Select subclasses keep their own rendering.
    assert type(form.fields["flag"].widget) is forms.NullBooleanSelect
