"""The working-day clock, against the bank holidays of each UK nation."""

from datetime import date

import pytest

from roundtable.accounts.models import Area
from roundtable.tasks.working_days import add_working_days, is_working_day, working_days_between

ENGLAND, WALES = Area.Nation.ENGLAND, Area.Nation.WALES
SCOTLAND, NORTHERN_IRELAND = Area.Nation.SCOTLAND, Area.Nation.NORTHERN_IRELAND
ALL_NATIONS = [ENGLAND, WALES, SCOTLAND, NORTHERN_IRELAND]


@pytest.mark.parametrize("nation", ALL_NATIONS)
def test_zero_working_days_is_the_start_date_itself(nation):
    assert add_working_days(date(2026, 12, 25), 0, nation) == date(2026, 12, 25)


@pytest.mark.parametrize("nation", ALL_NATIONS)
def test_weekends_are_skipped(nation):
    friday = date(2026, 3, 6)
    assert add_working_days(friday, 1, nation) == date(2026, 3, 9)
    assert add_working_days(friday, 5, nation) == date(2026, 3, 13)


@pytest.mark.parametrize("nation", ALL_NATIONS)
def test_christmas_and_boxing_day_with_the_substitute_day_are_skipped(nation):
    # 2026: Christmas Friday, Boxing Day Saturday -> substitute Monday 28 December.
    assert add_working_days(date(2026, 12, 24), 1, nation) == date(2026, 12, 29)


@pytest.mark.parametrize("nation", ALL_NATIONS)
def test_both_substitute_days_are_skipped_when_christmas_falls_on_a_saturday(nation):
    # 2027: Christmas Saturday, Boxing Day Sunday -> substitutes Monday 27 and Tuesday 28.
    assert add_working_days(date(2027, 12, 24), 1, nation) == date(2027, 12, 29)


@pytest.mark.parametrize("nation", [ENGLAND, WALES, NORTHERN_IRELAND])
def test_new_year_substitute_day_outside_scotland(nation):
    # 1 January 2022 was a Saturday: Monday 3 January was the bank holiday.
    assert add_working_days(date(2021, 12, 31), 1, nation) == date(2022, 1, 4)


def test_scotland_has_two_new_year_holidays_with_substitutes():
    # 1 and 2 January 2022 fell at the weekend: Monday 3 and Tuesday 4 were holidays in Scotland.
    assert add_working_days(date(2021, 12, 31), 1, SCOTLAND) == date(2022, 1, 5)


def test_2_january_is_a_bank_holiday_in_scotland_only():
    new_years_eve = date(2025, 12, 31)
    assert add_working_days(new_years_eve, 1, ENGLAND) == date(2026, 1, 2)
    assert add_working_days(new_years_eve, 1, SCOTLAND) == date(2026, 1, 5)


@pytest.mark.parametrize("nation", ALL_NATIONS)
def test_good_friday_is_a_bank_holiday_everywhere(nation):
    assert not is_working_day(date(2026, 4, 3), nation)


@pytest.mark.parametrize(
    ("nation", "expected"),
    [
        (ENGLAND, date(2026, 4, 7)),
        (WALES, date(2026, 4, 7)),
        (NORTHERN_IRELAND, date(2026, 4, 7)),
        (SCOTLAND, date(2026, 4, 6)),
    ],
)
def test_easter_monday_is_not_a_bank_holiday_in_scotland(nation, expected):
    # Thursday 2 April 2026, then Good Friday and (except in Scotland) Easter Monday.
    assert add_working_days(date(2026, 4, 2), 1, nation) == expected


def test_st_andrews_day_is_a_bank_holiday_in_scotland_only():
    friday = date(2026, 11, 27)  # St Andrew's Day is Monday 30 November 2026
    assert add_working_days(friday, 1, SCOTLAND) == date(2026, 12, 1)
    assert add_working_days(friday, 1, ENGLAND) == date(2026, 11, 30)


def test_st_patricks_day_is_a_bank_holiday_in_northern_ireland_only():
    monday = date(2026, 3, 16)
    assert add_working_days(monday, 1, NORTHERN_IRELAND) == date(2026, 3, 18)
    assert add_working_days(monday, 1, ENGLAND) == date(2026, 3, 17)
    assert add_working_days(monday, 1, SCOTLAND) == date(2026, 3, 17)


def test_12_july_is_a_bank_holiday_in_northern_ireland_with_a_substitute_day():
    # 12 July 2026 is a Sunday: Monday 13 July is the holiday in Northern Ireland.
    friday = date(2026, 7, 10)
    assert add_working_days(friday, 1, NORTHERN_IRELAND) == date(2026, 7, 14)
    assert add_working_days(friday, 1, ENGLAND) == date(2026, 7, 13)
    # 12 July 2027 is a Monday.
    assert add_working_days(date(2027, 7, 9), 1, NORTHERN_IRELAND) == date(2027, 7, 13)


def test_deadlines_run_across_the_year_boundary():
    wednesday = date(2026, 12, 30)
    assert add_working_days(wednesday, 2, ENGLAND) == date(2027, 1, 4)
    # Scotland: 1 January, then 2 January (a Saturday) observed on Monday 4 January.
    assert add_working_days(wednesday, 2, SCOTLAND) == date(2027, 1, 5)


def test_five_working_days_over_christmas_in_england():
    # 23 Dec 2026 (Wed) +5: 24, 29, 30, 31 Dec, 4 Jan (1 Jan is New Year's Day).
    assert add_working_days(date(2026, 12, 23), 5, ENGLAND) == date(2027, 1, 4)


@pytest.mark.parametrize("nation", ALL_NATIONS)
@pytest.mark.parametrize("n", [0, 1, 5, 20])
def test_working_days_between_is_the_inverse_of_adding(nation, n):
    start = date(2026, 12, 18)
    assert working_days_between(start, add_working_days(start, n, nation), nation) == n


def test_working_days_between_is_negative_backwards():
    assert working_days_between(date(2026, 12, 29), date(2026, 12, 24), ENGLAND) == -1


def test_a_negative_number_of_working_days_is_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 5), -1, ENGLAND)
