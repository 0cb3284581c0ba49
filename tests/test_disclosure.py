"""Disclosure control: suppression, rounding, statistics over enough people, figures derived from published
counts, and the audit that withholds more until no withheld or rounded count can be worked out.

The audit's answers are checked against a brute-force attacker: every whole-number assignment consistent
with what is published, enumerated.
"""

from __future__ import annotations

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import itertools

from scplearn.disclosure import DisclosureError, DisclosurePolicy
from scplearn.evaluator import Count, Evaluator, Percent, Statistic
from scplearn.results import audit, model
from scplearn.results.block import Block, Table

POLICY = DisclosurePolicy()

@st.composite
def policies(draw):
    """Any valid policy (a policy whose smallest published count would be exact is refused)."""
    try:
        return DisclosurePolicy(min_count=draw(st.sampled_from([1, *range(4, 21)])),
                                rounding_base=draw(st.integers(1, 20)),
                                min_n_for_statistic=draw(st.integers(0, 20)))
    except ValueError:
        assume(False)


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
    for bad in ({"min_count": 0}, {"min_count": 2}, {"min_count": 3}, {"rounding_base": 0},
                {"min_n_for_statistic": -1}, {"min_count": 7, "rounding_base": 3}):
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
@given(policies(), st.integers(0, 10_000))
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
@given(policies(), st.integers(0, 2_000))
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


# -- a block of results ---------------------------------------------------------------


class Toy(Evaluator):
    """People of each agency in a year, the places they had, and a mean over them."""

    name = "toy"
    description = "A year's people by agency"
    columns = {
        "places": Count("Places offered", people=False),
        "people": Count("People"),
        "rate": Percent("people", "places", "People as a share of places"),
        "mean": Statistic("A mean over the people", n="people"),
    }

    def compute(self, store, by, scope):
        raise NotImplementedError  # blocks are made by hand below


def block(total: int, parts: list[int], places=None, means=None) -> Block:
    """A year with ``total`` people, split by agency into ``parts``."""
    means = means or [None] * len(parts)
    toy = Toy()

    def exact(row, by):  # with its derived figures, as an evaluator gives it
        return toy.derive(row, by, lambda *unused: None)

    rows = [exact({"year": "2023/24", "agency": f"A{i}", "people": n, "places": places, "mean": mean},
                  ["year", "agency"]) for i, (n, mean) in enumerate(zip(parts, means))]
    return Block("2023/24", [
        Table(toy, ("year",), [exact({"year": "2023/24", "people": total, "places": places, "mean": None}, ["year"])]),
        Table(toy, ("year", "agency"), rows),
    ])


def parts_of(published) -> list:
    return [row["people"] for row in published.block.tables[1].rows]


def attacker(published, policy) -> tuple[range, list[range]]:
    """Every whole-number (total, parts) consistent with what is published, enumerated: each cell's range.

    A withheld part is 1 to min_count - 1 (0 to min_count - 1 when its total is withheld too, as every part of a
    small total is), or at least min_count when it is listed as withheld to protect others; a published one is any
    count the policy rounds to it; the parts add up to the total.
    """
    (total_row,), rows = published.block.tables[0].rows, published.block.tables[1].rows
    high = 10 * (sum(row["people"] or policy.min_count for row in rows) + 10 * policy.min_count)

    def candidates(row):
        if row["people"] is not None:
            low, top = policy.feasible_range(row["people"])
            return range(low, top + 1)
        if "people" in (row.get("protecting") or ""):
            return range(policy.min_count, high)
        if total_row["people"] is None and "people" not in (total_row.get("protecting") or ""):
            return range(0, policy.min_count)  # a part of a small withheld total: withheld whatever it is
        return range(1, policy.min_count)

    totals = set(candidates(total_row))
    seen = [set() for _ in rows]
    for values in itertools.product(*map(candidates, rows)):
        if sum(values) in totals:
            for index, value in enumerate(values):
                seen[index].add(value)
    return seen


def test_small_counts_are_withheld_and_the_rest_rounded():
    published = POLICY.publish(block(70, [45, 3, 22]))
    assert parts_of(published) == [45, None, 20]
    assert published.block.tables[0].rows[0]["people"] == 70
    # The mean over those 3 people is withheld too, though this toy's is empty: see below.
    assert published.block.tables[1].rows[1]["suppressed"] == "people, mean"


def test_a_statistic_over_too_few_people_is_withheld_even_when_it_is_empty():
    """A standard deviation over one person is empty; published as empty beside a withheld count, it would
    say that the count is 1. It reads withheld, as a mean over those people does."""
    published = POLICY.publish(block(70, [45, 3, 22], means=[2.0, None, 1.5]))
    rows = published.block.tables[1].rows
    assert [row["mean"] for row in rows] == [2.0, None, 1.5]
    assert [row["suppressed"] for row in rows] == [None, "people, mean", None]
    exact_none = POLICY.publish(block(70, [45, 3, 22], means=[2.0, 0.5, 1.5])).block.tables[1].rows[1]
    assert exact_none["suppressed"] == rows[1]["suppressed"]  # the same whatever the exact mean was


def test_a_withheld_count_is_left_all_its_possible_values_by_the_totals():
    """The notes' example: Police 45, Health 3, Education 22, total 70 -> 45, withheld, 20, 70."""
    published = POLICY.publish(block(70, [45, 3, 22]))
    found = model.build(published.block, POLICY, exact=block(70, [45, 3, 22]))
    health = found.var_of((1, 1, "people"))
    assert (found.lower[health], found.upper[health]) == (1, 7)
    assert audit.audit(found).passed
    # By hand: 70±2 − (45±2) − (20±2) spans −1 to 11, so Health is anything from 1 to 7.
    assert attacker(published, POLICY)[1] == set(range(1, 8))


def test_rounded_parts_that_pin_their_total_make_the_policy_withhold_one():
    """Four parts of 12 publish as 10 each (8 to 12) and their total of 48 as 50 (48 to 52): together they
    say every part is exactly 12 and the total exactly 48, unless a part is withheld."""
    exact = block(48, [12, 12, 12, 12])
    naive = model.build(POLICY._published(exact, {cell: POLICY.count(exact.value(cell)) for cell in exact.cells()}).block,
                        POLICY, exact=exact)
    assert not audit.audit(naive).passed
    published = POLICY.publish(exact)
    assert parts_of(published).count(None) == 1
    assert published.secondary == 1
    withheld = next(row for row in published.block.tables[1].rows if row["people"] is None)
    assert (withheld["suppressed"], withheld["protecting"]) == ("people, mean", "people")
    ranges = attacker(published, POLICY)
    assert all(len(values) >= 2 for values in ranges)


def test_without_rounding_a_single_withheld_part_takes_another_with_it():
    exact_policy = DisclosurePolicy(rounding_base=1)
    published = exact_policy.publish(block(50, [45, 5]))
    assert parts_of(published) == [None, None]
    assert [row["protecting"] for row in published.block.tables[1].rows] == ["people", None]
    assert [len(values) for values in attacker(published, exact_policy)] == [7, 7]


def test_derived_figures_come_from_the_published_counts():
    published = POLICY.publish(block(70, [41, 3, 26], places=80))
    rows = published.block.tables[1].rows
    assert rows[0]["people"] == 40 and rows[0]["rate"] == 50.0  # 100 × 40 / 80, not 100 × 41 / 80
    assert rows[1]["rate"] is None and rows[1]["suppressed"] == "people, rate, mean"
    assert rows[2]["rate"] == round(100 * 25 / 80)


def test_a_statistic_needs_its_count_published_and_large_enough():
    means = [2.3456, 1.5, 9.25]
    published = DisclosurePolicy(min_n_for_statistic=30).publish(block(75, [45, 3, 27], means=means))
    rows = published.block.tables[1].rows
    assert rows[0]["mean"] == 2.3  # over 45: shown, to one decimal
    assert rows[1]["mean"] is None  # over a withheld count
    assert rows[2]["mean"] is None and "mean" in rows[2]["suppressed"]  # over 27 < 30


def test_a_policy_that_cannot_protect_a_figure_says_which_and_why(monkeypatch):
    """When no further count could be withheld to free a pinned one, nothing is published and the error names it."""
    exact = block(70, [45, 3, 22])

    def pinned(found, only=None):
        health = found.var_of((1, 1, "people"))
        return audit.Audit(findings=[audit.Finding(health, 3, 3, 3)], protected=1)

    monkeypatch.setattr(audit, "audit", pinned)
    with pytest.raises(DisclosureError, match=r"cannot publish: toy_results, year 2023/24, agency A1: people "
                                              r"\(withheld\) could be worked out to 3 from the published figures"):
        POLICY.publish(exact)


@settings(max_examples=60, deadline=None)
@given(policies(), st.lists(st.integers(0, 30), min_size=2, max_size=4))
def test_no_published_block_lets_the_brute_force_attacker_narrow_a_count(policy, parts):
    published = policy.publish(block(sum(parts), parts))
    ranges = attacker(published, policy)
    for row, values in zip(published.block.tables[1].rows, ranges):
        assert parts[published.block.tables[1].rows.index(row)] in values
        if row["people"] is None:
            assert len(values) >= min(3, policy.min_count - 1) or "people" in (row["protecting"] or "") \
                or values == {0}, (values, row)
            assert len(values) >= 2 or values == {0}
        elif policy.rounding_base > 1 and row["people"] != 0:
            assert len(values) >= 2
