"""Form helpers shared by the apps' views."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


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


def style_fields(form: forms.Form) -> None:
    """Bootstrap's classes on every widget that has none yet."""
    for field in form.fields.values():
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
