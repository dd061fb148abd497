"""Form helpers shared by the apps' views."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.safestring import mark_safe


def apply_errors(
    form: forms.Form,
    exc: ValidationError,
    *,
    default_field: str | None = None,
) -> None:
    """Show a service's ValidationError on the form: each message under its field when
    the form has that field, else at the top (or under ``default_field``)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else default_field, errors)
    else:
        form.add_error(default_field, exc.messages)


def html_attrs(attrs: dict) -> str:
    """Attributes as Django's widget templates write them."""
    # As django/forms/widgets/attrs.html: False left out, True as a bare name.
    return mark_safe(  # every part escaped by format_html
        "".join(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
            for name, value in attrs.items()
            if value is not False
        )
    )


class _PythonRenderedSelect:
    """A ``<select>`` written in Python, the same HTML as Django's templates: those
    render every ``<option>`` through two template includes, which for the 250 countries
    of a filter took more CPU than the rest of the trip list (docs/performance.md, load)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        out = [format_html('<select name="{}"{}>', widget["name"], html_attrs(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                out.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in options:
                out.append(
                    format_html(
                        # select_option.html ends with a newline, kept in the page.
                        '\n  <option value="{}"{}>{}</option>\n',
                        str(option["value"]),
                        html_attrs(option["attrs"]),
                        option["label"],
                    )
                )
            if group_name:
                out.append("\n  </optgroup>")
        out.append("\n</select>")
        return mark_safe("".join(out))  # every part escaped by format_html


class FastSelect(_PythonRenderedSelect, forms.Select):
    pass


class FastSelectMultiple(_PythonRenderedSelect, forms.SelectMultiple):
    pass


_FAST = {forms.Select: FastSelect, forms.SelectMultiple: FastSelectMultiple}


def style_fields(form: forms.Form) -> None:
    """Bootstrap's classes on every widget that has none yet; plain selects rendered in
    Python (``FastSelect``)."""
    for field in form.fields.values():
        if type(field.widget) in _FAST:
            # The form's own deep copy of the widget: only this form is affected.
            field.widget.__class__ = _FAST[type(field.widget)]
        if isinstance(field.widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            css = "form-check-input"
        elif isinstance(field.widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        existing = field.widget.attrs.get("class", "")
        if css not in existing.split():
            field.widget.attrs["class"] = f"{css} {existing}".strip()


class DateInput(forms.DateInput):
    """The browser's date picker; its value must be ISO whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def flash_refusal(request, exc: Exception) -> None:
    """A service's refusal as error messages on the next page: each message of a
    ValidationError, else the PermissionDenied's (or a general) message."""
    from django.contrib import messages
    from django.utils.translation import gettext as _

    if isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(exc) or _("You are not allowed to do this."))


def flash_form_errors(request, form: forms.Form) -> None:
    """Every error of a form that has no page of its own, as error messages."""
    from django.contrib import messages

    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)
