import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scplearn import values


@pytest.mark.parametrize("raw,expected", [
    (7, 7), ("7", 7), (" 7 ", 7), ("7/10", 7), ("7 / 10", 7), ("7 out of 10", 7), ("10 OUT OF 10", 10),
    (7.0, 7), ("7.0", 7), ("", None), ("N/A", None), ("n/a", None), (None, None),
])
def test_score_accepts_the_ways_people_write_scores(raw, expected):
    assert values.score(raw) == expected


@pytest.mark.parametrize("raw", [0, 11, "0", "11", "7.5", "seven", "7/5", -1, True, "11/10"])
def test_score_rejects_values_outside_one_to_ten(raw):
    with pytest.raises(ValueError, match="whole number from 1 to 10"):
        values.score(raw)


@given(st.integers())
def test_score_accepts_exactly_one_to_ten(number):
    if 1 <= number <= 10:
        assert values.score(str(number)) == number
    else:
        with pytest.raises(ValueError):
            values.score(number)


@pytest.mark.parametrize("raw,expected", [
    ("2024-09-03", dt.date(2024, 9, 3)), ("03/09/2024", dt.date(2024, 9, 3)), ("3/9/2024", dt.date(2024, 9, 3)),
    ("03/09/24", dt.date(2024, 9, 3)), ("03-09-2024", dt.date(2024, 9, 3)), ("3 September 2024", dt.date(2024, 9, 3)),
    ("3rd Sep 2024", dt.date(2024, 9, 3)), ("03/09/2024 14:05", dt.date(2024, 9, 3)),
    ("2024-09-03T14:05:00", dt.date(2024, 9, 3)), (dt.datetime(2024, 9, 3, 10), dt.date(2024, 9, 3)),
])
def test_dates_are_iso_or_british_day_first(raw, expected):
    assert values.date(raw) == expected


@pytest.mark.parametrize("raw", ["31/02/2024", "2024-13-01", "yesterday", "13/13/2024", "3 Septober 2024"])
def test_impossible_dates_are_rejected(raw):
    with pytest.raises(ValueError, match="must be a date"):
        values.date(raw)


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_both_date_spellings_round_trip(day):
    assert values.date(day.isoformat()) == day
    assert values.date(day.strftime("%d/%m/%Y")) == day


@pytest.mark.parametrize("day,year", [
    (dt.date(2024, 3, 31), "2023/24"), (dt.date(2024, 4, 1), "2024/25"), (dt.date(1999, 12, 1), "1999/00"),
])
def test_financial_years_run_april_to_march(day, year):
    assert values.year_of(day) == year
    first, last = values.year_bounds(year)
    assert first <= day <= last


@pytest.mark.parametrize("raw,expected", [("2023/24", "2023/24"), ("2023-24", "2023/24"), ("2023/2024", "2023/24")])
def test_financial_year_spellings(raw, expected):
    assert values.financial_year(raw) == expected


@pytest.mark.parametrize("raw", ["2023/25", "2023", "23/24", "2023/2025"])
def test_bad_financial_years(raw):
    with pytest.raises(ValueError, match="financial year"):
        values.financial_year(raw)


def test_emails_are_trimmed_and_case_folded():
    assert values.email("  Zoe.O'Brien@Example.ORG ") == "zoe.o'brien@example.org"
    assert values.email("mailto:A@B.org") == "a@b.org"
    for bad in ("not-an-email", "a@b", "@b.org", "a b@c.org"):
        with pytest.raises(ValueError, match="email"):
            values.email(bad)


@pytest.mark.parametrize("raw,expected", [("Yes", True), ("y", True), ("TRUE", True), (1, True), ("No", False), ("n", False), (0, False), ("", None)])
def test_booleans(raw, expected):
    assert values.boolean(raw) is expected


def test_text_treats_not_applicable_as_missing_and_normalises_unicode():
    assert values.text("  N/A ") is None
    assert values.text("Zoe\u0308") == "Zo\u00eb"
    assert values.text(" O'Brien ") == "O'Brien"
