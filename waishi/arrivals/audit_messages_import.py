"""Readable sentences for the audit actions of the arrival list import (one event per
list: checked, imported or refused; counts only, never a passport number)."""

from django.utils.translation import gettext_lazy as _

from waishi.audit.messages import register

register(
    {
        "arrivals.batch.check": _(
            "{actor} checked the arrival list {object} (rows: {rows}); nothing imported yet"
        ),
        "arrivals.batch.import": _(
            "{actor} imported the arrival list {object} (rows: {rows}, new arrivals: {new}, "
            "rows matching known arrivals: {merged})"
        ),
        "arrivals.batch.refuse": _(
            "The arrival list {object} of {actor} was not imported (rows: {rows}, "
            "problems: {problems})"
        ),
    }
)
