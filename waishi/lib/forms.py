"""Form helpers shared by the apps' views, and the base classes of every form."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy

# --- Unicode format characters (security.md I8, Unicode TR 36) --------------------------------
#
# Category Cf: the bidirectional overrides and isolates (U+202A..202E, U+2066..2069) that
# make "gpj.exe" look like "exe.jpg", the zero-width characters (U+200B..200D, U+2060,
# U+FEFF) that make two different names look the same, the soft hyphen, and the like.
# A name holding one is refused (its reader cannot see what it really says); free text
# simply loses them. Passwords are left alone.

FORMAT_CHARACTER_MESSAGE = gettext_lazy(
    "This name contains invisible or direction-changing characters (such as U+202E or "
    "U+200B), often picked up when copying from another document. Type it again."
)


def has_format_characters(value: str) -> bool:
    return any(unicodedata.category(char) == "Cf" for char in value)


def strip_format_characters(value: str) -> str:
    if not has_format_characters(value):
        return value
    return "".join(char for char in value if unicodedata.category(char) != "Cf")


def validate_name(value: Any) -> None:
    """The one validator of names: no Unicode format character."""
    if isinstance(value, str) and has_format_characters(value):
        raise ValidationError(FORMAT_CHARACTER_MESSAGE, code="format_character")


def is_name_field(field: str) -> bool:
    """A field that holds a name, by the project's naming: ``name``, ``full_name``,
    ``short_name``, ``username``, ``name_pinyin``, ``file_name``, ``names`` ..."""
    field = field.lower()
    return field.endswith(("name", "names")) or "name" in field.split("_")


def clean_text(value: str, *, field: str) -> str:
    """A submitted string: refused when it is a name with a format character, else
    without its format characters."""
    if is_name_field(field):
        validate_name(value)
        return value
    return strip_format_characters(value)


def clean_values(data: Any, *, field: str = "") -> Any:
    """``clean_text`` through a parsed request body or a spreadsheet row: dicts by key, the
    items of a list under the list's key. Raises one ValidationError naming every field
    refused."""
    errors: dict[str, list] = {}

    def walk(value: Any, key: str) -> Any:
        if isinstance(value, str):
            try:
                return clean_text(value, field=key)
            except ValidationError as exc:
                errors.setdefault(key, []).extend(exc.error_list)
                return value
        if isinstance(value, dict):
            return {k: walk(v, str(k)) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(walk(v, key) for v in value)
        return value

    cleaned = walk(data, field)
    if errors:
        raise ValidationError(errors)
    return cleaned


def clean_row(values: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """A spreadsheet row's cells as text, by field: the cells cleaned as ``clean_text``
    does, and {field: message} for each name refused (the importer reports it as the
    row's error in that column)."""
    cleaned: dict[str, str] = {}
    refused: dict[str, str] = {}
    for field, value in values.items():
        try:
            cleaned[field] = clean_text(value, field=field)
        except ValidationError as exc:
            cleaned[field] = value
            refused[field] = str(exc.messages[0])
    return cleaned, refused


def _text_fields(form: forms.BaseForm) -> Iterable[tuple[str, forms.Field]]:
    for name, field in form.fields.items():
        if (
            isinstance(field, forms.CharField)
            and not isinstance(field.widget, forms.PasswordInput)
            and not field.disabled
        ):
            yield name, field


class CleanTextMixin:
    """Every project form: names refuse, free text loses, Unicode format characters.

    Applied when the form is cleaned, so fields added in a subclass's ``__init__`` are
    covered too; free text is stripped in the submitted data itself, so ``clean_<field>``
    methods and a re-shown form see the stripped value."""

    def full_clean(self) -> None:
        if self.is_bound:
            self._clean_format_characters()
        super().full_clean()

    def _clean_format_characters(self) -> None:
        data = self.data.copy()
        for name, field in _text_fields(self):
            if is_name_field(name):
                if validate_name not in field.validators:
                    field.validators.append(validate_name)
                continue
            key = self.add_prefix(name)
            if hasattr(data, "getlist"):
                if key in data:
                    data.setlist(key, [_stripped(v) for v in data.getlist(key)])
            elif isinstance(data.get(key), str):
                data[key] = strip_format_characters(data[key])
        self.data = data


def _stripped(value: Any) -> Any:
    return strip_format_characters(value) if isinstance(value, str) else value


class Form(CleanTextMixin, forms.Form):
    """The base of every project form."""


class ModelForm(CleanTextMixin, forms.ModelForm):
    """The base of every project model form."""


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


class SearchableSelect(_PythonRenderedSelect, forms.Select):
    """A select the browser lets one search by typing (``static/waishi/picker.js``
    over the vendored Tom Select): by an option's label and by the texts ``keys`` gives
    it (``keys()`` -> {value: {"pinyin": "meiguo", "initials": "mg", ...}}, written as
    ``data-`` attributes of the option). Without script it is the plain select. Each
    select is followed by the script's tag, so no page that shows one can miss it; the
    script runs once a page and loads the library once."""

    def __init__(self, attrs=None, choices=(), keys=None):
        super().__init__(attrs, choices)
        self.keys = keys
        self._keys: dict = {}

    def get_context(self, name, value, attrs):
        self._keys = self.keys() if callable(self.keys) else (self.keys or {})
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update(
            {
                "data-picker": True,
                "data-no-results": gettext("Nothing found"),
                "data-remove-label": gettext("Remove"),
            }
        )
        return context

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        for key, text in self._keys.get(str(value), {}).items():
            option["attrs"][f"data-{key}"] = text
        return option

    def render(self, name, value, attrs=None, renderer=None):
        select = super().render(name, value, attrs, renderer)
        return select + format_html(
            '<script src="{}" defer data-library="{}" data-styles="{}"></script>',
            static("waishi/picker.js"),
            static("vendor/tom-select/tom-select.popular.min.js"),
            static("vendor/tom-select/tom-select.bootstrap5.min.css"),
        )


class SearchableSelectMultiple(SearchableSelect, forms.SelectMultiple):
    """The same for several values: each chosen one a chip with a button to remove it."""


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
