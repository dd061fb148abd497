"""Resident identity numbers (GB 11643-1999): validation, normalising, masking.

``validate`` is the one check of a number (forms, the people import, the model); every
number the project makes (demo, ``seed-scale``, the import template, the tests) takes its
check digit from ``check_digit``. The check digit is ISO 7064 MOD 11-2 over the first 17
digits. It is computed with ``stdnum.iso7064.mod_11_2``, whose ``calc_check_digit`` takes
the digits without the check digit, and not with ``stdnum.cn.ric.calc_check_digit``,
which since python-stdnum 2.0 takes the whole number (check digit included) and drops
its last character: given 17 digits it silently computes over 16.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.iso7064 import mod_11_2

# ASCII digits only: str.isdigit() also takes other scripts' digits ("١", "５").
_FORMAT = re.compile(r"[0-9]{17}[0-9X]")


def normalise(value: str) -> str:
    """Full-width digits and letters (typed with a Chinese input method) as ASCII,
    without spaces, upper case."""
    return unicodedata.normalize("NFKC", value).strip().replace(" ", "").upper()


def check_digit(body: str) -> str:
    """The check digit ("0"-"9" or "X") of the first 17 digits of a number."""
    if not _FORMAT.fullmatch(body + "0"):
        raise ValueError("the body of a resident ID number is 17 digits")
    return mod_11_2.calc_check_digit(body)


def validate(value: str) -> str:
    """Return the normalised number or raise a ValidationError with a clear message."""
    number = normalise(value)
    if len(number) != 18:
        raise ValidationError(_("A resident ID number has 18 characters."), code="length")
    if not _FORMAT.fullmatch(number):
        raise ValidationError(
            _("A resident ID number is 17 digits followed by a digit or X."), code="format"
        )
    if check_digit(number[:17]) != number[17]:
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
