"""Resident identity numbers (GB 11643-1999): validation, normalising, masking."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError


def normalise(value: str) -> str:
    return value.strip().replace(" ", "").upper()


def validate(value: str) -> str:
    """Return the normalised number or raise a ValidationError with a clear message."""
    number = normalise(value)
    if len(number) != 18:
        raise ValidationError(_("A resident ID number has 18 characters."), code="length")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(
            _("A resident ID number is 17 digits followed by a digit or X."), code="format"
        )
    if ric.calc_check_digit(number[:17]) != number[17]:
        raise ValidationError(
            _("The check digit of this resident ID number is wrong (GB 11643)."), code="checksum"
        )
    # The region code is not checked against a gazetteer: codes are retired and reissued,
    # and a number stays valid after its region was renamed.
    try:
        born = ric.get_birth_date(number)
    except StdnumError as exc:
        raise ValidationError(
            _("The birth date in this resident ID number is not a valid date."), code="birth"
        ) from exc
    if born > datetime.date.today() or born.year < 1900:
        raise ValidationError(
            _("The birth date in this resident ID number is not a valid date."), code="birth"
        )
    return number


def mask(number: str) -> str:
    """``4101**********1234``: region and last four only."""
    if not number:
        return ""
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
