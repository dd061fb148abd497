from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from waishi.lib.forms import Form
from waishi.notify.models import EMAIL_CHOICES


class PreferencesForm(Form):
    """One choice per kind of notice (``handoffs.kinds()``), labelled as people call the
    kind; the field's name is the kind's code, which nobody reads."""

    def __init__(self, *args, kinds, initial_choices: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.groups: list[tuple[str, list]] = []
        for kind in kinds:
            self.fields[kind.code] = forms.ChoiceField(
                label=kind.label,
                choices=EMAIL_CHOICES,
                initial=initial_choices.get(kind.code, "email"),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
                error_messages={"invalid_choice": _("Choose one of the ways offered.")},
            )
        by_group: dict[str, list] = {}
        for kind in kinds:
            by_group.setdefault(str(kind.group or _("Other notices")), []).append(self[kind.code])
        self.groups = list(by_group.items())
