"""Disclosure control: suppression, rounding, statistics over enough people, secondary suppression."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scplearn.disclosure import DisclosurePolicy

POLICY = DisclosurePolicy()

policies = st.builds(
    DisclosurePolicy,
    min_count=st.integers(1, 20),
    rounding_base=st.integers(1, 20),
    min_n_for_statistic=st.integers(0, 20),
)


# -- counts -------------------------------------------------------------------------------


def test_default_policy_is_the_nhs_england_rule():
    assert (POLICY.min_count, POLICY.rounding_base, POLICY.min_n_for_statistic) == (8, 5, 8)


def test_count_vectors():
    assert [POLICY.count(n) for n in [0, 1, 7, 8, 12, 13, 1286]] == [0, None, None, 10, 10, 15, 1285]
    assert POLICY.count(None) is None


def test_halves_round_up_not_to_even():
    tens = DisclosurePolicy(rounding_base=10)
    assert [tens.count(n) for n in (15, 25, 35, 44, 45)] == [20, 30, 40, 40, 50]  # round(2.5) would give 20
    twos = DisclosurePolicy(min_count=1, rounding_base=2)
    assert [twos.count(n) for n in (1, 3, 9)] == [2, 4, 10]


def test_rounding_off():
    exact = DisclosurePolicy(rounding_base=1)
    assert [exact.count(n) for n in (0, 7, 8, 13, 1286)] == [0, None, 8, 13, 1286]


def test_count_rejects_negatives():
    with pytest.raises(ValueError):
        POLICY.count(-1)


def test_policy_is_frozen_and_validated():
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        POLICY.min_count = 3
    for bad in ({"min_count": 0}, {"rounding_base": 0}, {"min_n_for_statistic": -1}):
        with pytest.raises(ValueError):
            DisclosurePolicy(**bad)


@settings(max_examples=500)
@given(st.integers(0, 100_000))
def test_default_count_properties(n):
    published = POLICY.count(n)
    assert published is None or published == 0 or published % 5 == 0
    assert published is None or abs(published - n) <= 2.5
    assert published not in range(1, 8)
    assert (published is None) == (1 <= n <= 7)
    assert (published == 0) == (n == 0)


@settings(max_examples=500)
@given(policies, st.integers(0, 10_000))
def test_count_properties_for_any_policy(policy, n):
    published = policy.count(n)
    base = policy.rounding_base
    assert (published is None) == (1 <= n < policy.min_count)
    if published is not None:
        assert published % base == 0
        assert abs(published - n) <= base / 2
        # Halves up: ties go to the larger multiple.
        assert 2 * (published - n) <= base and 2 * (n - published) < base


@settings(max_examples=300)
@given(policies, st.integers(0, 2_000))
def test_feasible_range_is_exactly_what_a_figure_allows(policy, n):
    published = policy.count(n)
    low, high = policy.feasible_range(published)
    assert low <= n <= high
    assert policy.count(low) == published and policy.count(high) == published
    assert low == 0 or policy.count(low - 1) != published
    assert policy.count(high + 1) != published


def test_feasible_range_examples():
    assert POLICY.feasible_range(None) == (1, 7)
    assert POLICY.feasible_range(0) == (0, 0)
    assert POLICY.feasible_range(10) == (8, 12)
    assert POLICY.feasible_range(45) == (43, 47)
    with pytest.raises(ValueError):
        POLICY.feasible_range(5)  # 3..7 are suppressed: 5 is never published
    with pytest.raises(ValueError):
        POLICY.feasible_range(12)


# -- statistics and rates ----------------------------------------------------------------


def test_statistic_needs_enough_people():
    assert POLICY.statistic(1.4, 7) is None
    assert POLICY.statistic(1.4, 8) == 1.4
    assert POLICY.statistic(1.4, None) is None
    assert POLICY.statistic(None, 100) is None


def test_rate_is_computed_from_published_counts():
    assert POLICY.rate(12, 13) == pytest.approx(100 * 10 / 15)  # not 100 * 12 / 13
    assert POLICY.rate(45, 70) == pytest.approx(100 * 45 / 70)
    assert POLICY.rate(0, 12) == 0.0
    assert POLICY.rate(3, 70) is None  # numerator suppressed
    assert POLICY.rate(12, 5) is None  # denominator suppressed
    assert POLICY.rate(0, 0) is None
    assert POLICY.rate(None, 20) is None


# -- rows -------------------------------------------------------------------------------


APPLY = {
    "count_columns": ["booked", "attended"],
    "statistic_columns": ["mean_change", "pct_improved"],
    "rate_columns": {"attendance_rate": ("attended", "booked")},
}


def test_apply_to_a_small_row():
    row = {"agency": "Police", "n": 6, "booked": 9, "attended": 6,
           "mean_change": 1.2, "pct_improved": 50.0, "attendance_rate": 66.7}
    published = POLICY.apply(row, **APPLY)
    assert published == {
        "agency": "Police", "n": None, "booked": 10, "attended": None,
        "mean_change": None, "pct_improved": None, "attendance_rate": None,
        "suppressed": "n, attended, mean_change, pct_improved, attendance_rate",
    }
    assert row["n"] == 6 and "suppressed" not in row  # the input is left alone


def test_apply_to_a_large_row():
    row = {"agency": "Health", "n": 41, "booked": 52, "attended": 41, "mean_change": 1.2, "pct_improved": 50.0}
    published = POLICY.apply(row, **APPLY)
    assert published == {
        "agency": "Health", "n": 40, "booked": 50, "attended": 40, "mean_change": 1.2, "pct_improved": 50.0,
        "attendance_rate": 80.0, "suppressed": None,
    }


def test_apply_does_not_list_what_was_missing():
    row = {"n": 9, "booked": 0, "attended": 0, "mean_change": None, "pct_improved": 20.0}
    published = POLICY.apply(row, **APPLY)
    assert published["attendance_rate"] is None  # 0 / 0: no rate, but nothing withheld
    assert published["mean_change"] is None and published["pct_improved"] == 20.0
    assert published["suppressed"] is None


def test_statistics_follow_the_true_n_not_the_rounded_one():
    row = {"n": 8, "mean_change": 0.5}
    published = POLICY.apply(row, count_columns=[], statistic_columns=["mean_change"])
    assert published == {"n": 10, "mean_change": 0.5, "suppressed": None}
    published = POLICY.apply({"n": 7, "mean_change": 0.5}, count_columns=[], statistic_columns=["mean_change"])
    assert published == {"n": None, "mean_change": None, "suppressed": "n, mean_change"}


@settings(max_examples=200)
@given(st.fixed_dictionaries({"n": st.integers(0, 200), "booked": st.integers(0, 300),
                              "attended": st.integers(0, 300), "mean_change": st.floats(-9, 9),
                              "pct_improved": st.floats(0, 100)}))
def test_apply_never_publishes_a_small_count(row):
    published = POLICY.apply(row, **APPLY)
    for column in ("n", "booked", "attended"):
        assert published[column] not in range(1, 8)
        assert published[column] is None or published[column] % 5 == 0
    if row["n"] < 8:
        assert published["mean_change"] is None and published["pct_improved"] is None
    listed = set((published["suppressed"] or "").split(", ")) - {""}
    assert listed == {column for column, value in published.items() if value is None and column != "suppressed"
                      and not (column == "attendance_rate" and row["booked"] == 0)}


# -- tables and secondary suppression ----------------------------------------------------------


ROWS = [
    {"agency": "Police", "delegates": 45},
    {"agency": "Health", "delegates": 3},
    {"agency": "Education", "delegates": 22},
]


def test_rounding_hides_a_suppressed_cell_from_subtraction():
    total = sum(row["delegates"] for row in ROWS)
    assert total == 70
    published = [POLICY.count(row["delegates"]) for row in ROWS] + [POLICY.count(total)]
    assert published == [45, None, 20, 70]
    # Interval arithmetic: Health = total - Police - Education, each known only to its rounding interval.
    (t_low, t_high), (p_low, p_high), (e_low, e_high) = map(POLICY.feasible_range, (70, 45, 20))
    low, high = t_low - p_high - e_high, t_high - p_low - e_low
    s_low, s_high = POLICY.feasible_range(None)
    health = (max(low, s_low), min(high, s_high))
    assert health == (1, 7)
    assert health[1] > health[0] and health[0] <= 3 <= health[1]  # more than one value is feasible


def test_without_rounding_subtraction_would_give_the_cell_away():
    exact = DisclosurePolicy(rounding_base=1)
    published = [exact.count(row["delegates"]) for row in ROWS]
    assert published == [45, None, 22]
    assert exact.count(70) - 45 - 22 == 3  # hence secondary suppression


def test_suppress_table_without_rounding_hides_a_second_cell():
    exact = DisclosurePolicy(rounding_base=1)
    published = exact.suppress_table(ROWS, ["delegates"])
    assert [row["delegates"] for row in published] == [45, None, None]
    assert [row["suppressed"] for row in published] == [None, "delegates", "delegates"]
    assert ROWS[1]["delegates"] == 3  # the input is left alone


def test_suppress_table_with_rounding_needs_no_second_cell():
    published = POLICY.suppress_table(ROWS, ["delegates"])
    assert [row["delegates"] for row in published] == [45, None, 20]
    assert [row["suppressed"] for row in published] == [None, "delegates", None]


def test_secondary_suppression_skips_zeros_and_columns_already_safe():
    exact = DisclosurePolicy(rounding_base=1)
    rows = [
        {"group": "a", "booked": 3, "attended": 2, "declined": 3},
        {"group": "b", "booked": 0, "attended": 4, "declined": 0},
        {"group": "c", "booked": 30, "attended": 11, "declined": None},
        {"group": "d", "booked": 12, "attended": 9, "declined": None},
    ]
    published = exact.suppress_table(rows, ["booked", "attended", "declined"])
    assert [row["booked"] for row in published] == [None, 0, 30, None]  # 12 is the smallest non-zero
    assert [row["attended"] for row in published] == [None, None, 11, 9]  # two already hidden
    assert [row["declined"] for row in published] == [None, None, None, None]  # only a zero left to hide
    assert [row["suppressed"] for row in published] == [
        "booked, attended, declined", "attended, declined", None, "booked",
    ]


def test_suppress_table_keeps_existing_suppressed_names():
    exact = DisclosurePolicy(rounding_base=1)
    rows = [{"n": 5, "x": 3, "suppressed": "n"}, {"n": 20, "x": 30, "suppressed": None}]
    published = exact.suppress_table(rows, ["x"])
    assert [row["suppressed"] for row in published] == ["n, x", "x"]


@settings(max_examples=200)
@given(st.lists(st.integers(0, 40), min_size=2, max_size=8))
def test_secondary_suppression_never_leaves_a_single_hidden_cell(column):
    exact = DisclosurePolicy(rounding_base=1)
    published = exact.suppress_table([{"x": value} for value in column], ["x"])
    hidden = [row["x"] is None for row in published]
    assert sum(hidden) != 1
    assert sum(hidden) >= sum(1 <= value < 8 for value in column)
    for row, value in zip(published, column):
        assert row["x"] in (None, value)
        assert row["x"] not in range(1, 8)
