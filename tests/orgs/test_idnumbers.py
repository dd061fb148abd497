"""Resident ID numbers (GB 11643-1999) against truth outside the code under test: the
standard's published examples, the published ISO 7064 MOD 11-2 examples, an independent
implementation (tests/gb11643.py) and python-stdnum's ``ric.is_valid``."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import ric

from tests.factories import make_id_number
from tests.gb11643 import CHECK_CHARACTERS, check_character, is_valid_id_number, mod11_2_weights
from waishi.orgs import idnumbers

# GB 11643-1999, annex: 北京市朝阳区, born 31 December 1949, sequence 002 (a woman), and
# 广东省汕头市潮阳县, born 1 January 1880, sequence 001.
STANDARD_EXAMPLE = "11010519491231002X"
STANDARD_EXAMPLE_1880 = "440524188001010014"
# A number whose check digit the former call (``ric.calc_check_digit(number[:17])``,
# which in python-stdnum 2.x computes over the first 16 digits) got wrong.
OLD_CALL_REFUSED = STANDARD_EXAMPLE
# Region codes python-stdnum's gazetteer knows for every birth year used below, so that
# ``ric.is_valid`` (which also looks the region up) can cross-check.
KNOWN_REGIONS = ("110101", "110105", "110108", "120101", "310104")


def code_of(number: str) -> str | None:
    try:
        idnumbers.validate(number)
    except ValidationError as exc:
        return exc.error_list[0].code
    return None


def test_the_independent_check_matches_the_published_examples():
    # The weight table printed in GB 11643-1999.
    assert mod11_2_weights(17) == [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    # ISO 7064's worked example (0794 -> 07940) and ORCID identifiers, which use
    # MOD 11-2 too (examples from ORCID's documentation).
    assert check_character("0794") == "0"
    assert check_character("000000021825009") == "7"  # 0000-0002-1825-0097
    assert check_character("000000015109370") == "0"  # 0000-0001-5109-3700
    assert check_character("000000021694233") == "X"  # 0000-0002-1694-233X
    assert is_valid_id_number(STANDARD_EXAMPLE)
    assert is_valid_id_number(STANDARD_EXAMPLE_1880)


def test_the_standards_examples():
    assert idnumbers.validate(STANDARD_EXAMPLE) == STANDARD_EXAMPLE
    assert idnumbers.validate(STANDARD_EXAMPLE.lower()) == STANDARD_EXAMPLE
    assert idnumbers.check_digit(STANDARD_EXAMPLE[:17]) == "X"
    # The 1880 example has the right check digit; the project refuses births before
    # 1900 (nobody alive), and says that it is the birth date.
    assert idnumbers.check_digit(STANDARD_EXAMPLE_1880[:17]) == "4"
    assert code_of(STANDARD_EXAMPLE_1880) == "birth"
    assert ric.is_valid(STANDARD_EXAMPLE)


def test_the_old_call_refused_this_example():
    # Guards the premise of the entry-point tests: stdnum's ric.calc_check_digit takes
    # the whole number, so given 17 digits it answers for 16 of them.
    assert ric.calc_check_digit(OLD_CALL_REFUSED[:17]) != OLD_CALL_REFUSED[17]


def _random_bodies(rng: random.Random, count: int, regions=None):
    for _ in range(count):
        region = rng.choice(regions) if regions else f"{rng.randint(110000, 659999):06d}"
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(60 * 365))
        yield f"{region}{born:%Y%m%d}{rng.randrange(1000):03d}"


def test_every_right_number_passes_and_every_wrong_check_digit_is_refused():
    rng = random.Random(11643)
    by_check = dict.fromkeys(CHECK_CHARACTERS, 0)
    for body in _random_bodies(rng, 2000):
        right = check_character(body)
        by_check[right] += 1
        assert idnumbers.check_digit(body) == right, body
        assert idnumbers.validate(body + right) == body + right
        for wrong in set("0123456789X") - {right}:
            assert code_of(body + wrong) == "checksum", body + wrong
    # Every check character occurred, X included.
    assert all(by_check.values()), by_check


def test_agrees_with_stdnum_is_valid():
    rng = random.Random(2)
    for body in _random_bodies(rng, 500, regions=KNOWN_REGIONS):
        for last in "0123456789X":
            number = body + last
            ours = code_of(number) is None
            assert ours == ric.is_valid(number) == is_valid_id_number(number), number


def test_format_length_and_birth_date():
    assert code_of("11010519491231002") == "length"
    assert code_of("1101051949123100XX") == "format"
    # Digits of other scripts are not ASCII digits, whatever str.isdigit says.
    assert code_of("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X") == "format"
    # Full-width digits, as a Chinese input method types them, are read as ASCII.
    assert idnumbers.validate("１１０１０５１９４９１２３１００２Ｘ") == STANDARD_EXAMPLE
    body = "11010520990101001"
    assert code_of(body + check_character(body)) == "birth"
    body = "11010519490231001"  # 31 February
    assert code_of(body + check_character(body)) == "birth"
    with pytest.raises(ValueError):
        idnumbers.check_digit("1101051949123100")


def test_the_test_factory_makes_valid_numbers():
    numbers = [make_id_number(seed) for seed in range(300)]
    assert all(is_valid_id_number(n) for n in numbers)
    assert {n[17] for n in numbers} == set(CHECK_CHARACTERS)
