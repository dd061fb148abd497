from datetime import date

import pytest

from waishi.lib import workdays


def test_national_day_week_is_skipped_and_the_adjusted_saturday_counts():
    assert workdays.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert not workdays.is_workday(date(2026, 10, 1))
    assert workdays.is_workday(date(2026, 10, 10))  # Saturday, worked (调休)


def test_zero_days_is_the_start_and_negative_is_refused():
    assert workdays.add_working_days(date(2026, 3, 2), 0) == date(2026, 3, 2)
    with pytest.raises(ValueError):
        workdays.add_working_days(date(2026, 3, 2), -1)


def test_between_counts_days_after_start_up_to_end():
    # Mon 2 Mar 2026 -> Mon 9 Mar 2026: Tue..Fri + Mon = 5 working days.
    assert workdays.working_days_between(date(2026, 3, 2), date(2026, 3, 9)) == 5
    assert workdays.working_days_between(date(2026, 3, 9), date(2026, 3, 2)) == 0


def test_unannounced_year_falls_back_to_weekdays_and_says_so():
    far = date(2099, 1, 5)  # a Monday, in a year no holiday notice covers
    assert not workdays.known(far)
    assert workdays.known(date(2026, 1, 5))
    assert workdays.is_workday(far)
    assert not workdays.is_workday(date(2099, 1, 4))  # Sunday
    assert workdays.add_working_days(date(2099, 1, 2), 1) == far  # Fri -> Mon
