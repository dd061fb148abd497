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
