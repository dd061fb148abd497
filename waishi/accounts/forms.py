from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.utils.translation import gettext_lazy as _

from waishi.lib.forms import CleanTextMixin, Form, ModelForm, style_fields
from waishi.lib.roles import Role
from waishi.orgs.models import District, Unit, User


class LoginForm(CleanTextMixin, AuthenticationForm):
    """Django's form; its one error message serves unknown and known users alike (A3)."""

    error_messages = {
        "invalid_login": _("The account name or password is not correct."),
        "inactive": _("The account name or password is not correct."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Account name")
        self.fields["password"].label = _("Password")
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"


class TokenForm(Form):
    token = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]{6}",
                "autofocus": True,
            }
        ),
        error_messages={
            "min_length": _("The code has six digits."),
            "max_length": _("The code has six digits."),
        },
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError(_("The code has six digits."))
        return token


class PasswordConfirmForm(Form):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(
            attrs={"class": "form-control", "autocomplete": "current-password"}
        ),
    )


class PasswordChangeForm(Form):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(
            attrs={"class": "form-control", "autocomplete": "current-password"}
        ),
    )
    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = " ".join(
            str(t) for t in password_validators_help_texts()
        )

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", _("The two new passwords differ."))
        return data


class UserForm(ModelForm):
    class Meta:
        model = User
        fields = [
            "username",
            "full_name",
            "email",
            "role",
            "unit",
            "district",
            "expires_at",
            "is_active",
        ]
        widgets = {
            "expires_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            )
        }
        help_texts = {
            "username": _("Letters, digits and @/./+/-/_ only; used to log in."),
            "expires_at": _("Leave empty for an account that does not expire."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = Role.choices
        self.fields["unit"].queryset = Unit.objects.filter(is_active=True)
        self.fields["district"].queryset = District.objects.all()
        self.fields["full_name"].required = True
        if self.instance.pk:
            self.fields["username"].disabled = True
        style_fields(self)


class UserSearchForm(Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(
            attrs={"class": "form-control", "placeholder": _("Name or account")}
        ),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[("", _("All roles")), *Role.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
