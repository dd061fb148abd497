from django.utils.translation import gettext_lazy as _

from waishi.audit.messages import register

register(
    {
        "accounts.user.create": _("{actor} created the account {object}"),
        "accounts.user.update": _("{actor} changed the account {object}"),
        "accounts.user.role_change": _(
            "{actor} changed the role of {object}: {old_role} → {new_role}"
        ),
        "accounts.user.deactivate": _("{actor} disabled the account {object}"),
        "accounts.user.activate": _("{actor} enabled the account {object}"),
        "accounts.user.password_reset": _("{actor} reset the password of {object}"),
        "accounts.user.otp_reset": _("{actor} removed the second-factor devices of {object}"),
        "accounts.user.unlock": _("{actor} lifted the login lockout of {object}"),
        "accounts.user.language": _("{actor} switched the interface language"),
        "accounts.password.change": _("{actor} changed their password"),
        "accounts.otp.enrol": _("{actor} enrolled a second-factor device"),
    }
)
