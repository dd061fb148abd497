"""An independent check of GB 11643-1999 resident ID numbers, for the tests.

Written from the standard, not from ``waishi.orgs.idnumbers`` or python-stdnum: the
check digit is ISO 7064 MOD 11-2. Digit i (0-based, from the left) of the 17 carries the
weight 2^(17-i) mod 11; the weighted sum mod 11 picks the check character from
1 0 X 9 8 7 6 5 4 3 2.
"""

from __future__ import annotations

CHECK_CHARACTERS = "10X98765432"


def mod11_2_weights(length: int) -> list[int]:
    """Weights of a body of ``length`` digits: 2^(length-i) mod 11 (the check digit
    itself stands at position 1 from the right, weight 2^0)."""
    return [pow(2, length - i, 11) for i in range(length)]


def check_character(body: str) -> str:
    """The MOD 11-2 check character of any string of digits."""
    total = sum(int(d) * w for d, w in zip(body, mod11_2_weights(len(body)), strict=True))
    return CHECK_CHARACTERS[total % 11]


def is_valid_id_number(number: str) -> bool:
    """18 characters, 17 ASCII digits then a digit or X, and the right check character
    (the birth date is not looked at here)."""
    return (
        len(number) == 18
        and all(c in "0123456789" for c in number[:17])
        and number[17] in "0123456789X"
        and check_character(number[:17]) == number[17]
    )
