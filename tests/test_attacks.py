"""Differencing attacks on the public database, as someone with only the published file would try them.

The attacks are written here from scratch, with SciPy's linear programming
and plain arithmetic, not with scplearn's own audit: what one finds, the
other must have stopped. They run against the sample and against a small
programme built to be attacked: an agency of three delegates, a partnership
with one session, a year with a handful of people.
"""

from __future__ import annotations

import itertools
import math
import sqlite3

import numpy as np
import pytest
from conftest import small_programme
from scipy.optimize import linprog

import scplearn
from scplearn.disclosure import DisclosurePolicy
from scplearn.publish import build_public

@pytest.fixture(scope="module", params=[DisclosurePolicy(), DisclosurePolicy(rounding_base=1),
                                        DisclosurePolicy(min_count=10, rounding_base=10, min_n_for_statistic=10)],
                ids=["default", "unrounded", "strict"])
def small(request, tmp_path_factory):
    directory = tmp_path_factory.mktemp("small")
    small_programme(directory / "data")
    with scplearn.open(directory / "training.db") as store:
        scplearn.import_files(store, [directory / "data"])
        path = build_public(store, directory / "public.db", policy=request.param)
    return path, request.param


@pytest.fixture(scope="module")
def sample_public(sample_store, tmp_path_factory):
    return build_public(sample_store, tmp_path_factory.mktemp("attacked") / "public.db"), DisclosurePolicy()


@pytest.fixture(params=["small", "sample"])
def published(request, small, sample_public):
    return small if request.param == "small" else sample_public


def rows(path, table: str) -> list[dict]:
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in db.execute(f"SELECT * FROM [{table}]")]
    finally:
        db.close()


def half_up(value, decimals=0):
    """Rounded as published figures are: halves away from zero."""
    scale = 10 ** decimals
    return math.floor(value * scale + 0.5) / scale if decimals else math.floor(value + 0.5)


def names(text) -> set[str]:
    return set((text or "").split(", "))


def withheld(row, column) -> bool:
    return row[column] is None and column in names(row["suppressed"])


def protecting(row, column) -> bool:
    return column in names(row.get("protecting"))


PEOPLE = {
    "reach_results": ("booked", "cancelled", "attended", "did_not_attend", "walk_ins", "unique_delegates",
                      "headcount", "places_taken", "known_workforce_delegates", "workforce"),
    "uplift_results": ("n", "improved", "same", "worse"),
    "cost_results": ("unique_delegates", "attendances"),
}


def test_no_small_count_of_people_is_published(published):
    path, policy = published
    for table, columns in PEOPLE.items():
        for row in rows(path, table):
            for column in columns:
                assert row[column] is None or row[column] == 0 or row[column] >= policy.min_count, (table, row)


def test_a_rate_per_1000_staff_gives_back_only_the_published_count_and_workforce(published):
    """Two years of an agency's rate per 1,000 would pin its count and workforce if the rate came from the
    exact count: here it is the published count over the published workforce, to its one decimal."""
    path, _ = published
    checked = 0
    for row in rows(path, "reach_results"):
        if row["per_1000_workforce"] is not None:
            assert row["known_workforce_delegates"] is not None and row["workforce"] is not None
            assert row["per_1000_workforce"] == half_up(1000 * row["known_workforce_delegates"] / row["workforce"], 1)
            checked += 1
        elif row["workforce"] is not None and row["known_workforce_delegates"]:
            raise AssertionError(f"a rate is missing that the published figures give: {row}")
    assert checked


def test_percentages_give_back_only_the_published_counts(published):
    """pct_improved, pct_worse and the net score from the exact n would pin n between them."""
    path, _ = published
    for row in rows(path, "uplift_results"):
        for pct, count in (("pct_improved", "improved"), ("pct_worse", "worse"), ("pct_same", "same")):
            if row[pct] is not None:
                assert row[pct] == half_up(100 * row[count] / row["n"]), row
            else:
                assert row[count] is None or row["n"] is None or not row["n"], row


def test_spend_divided_by_a_cost_per_head_gives_back_only_the_published_counts(published):
    path, _ = published
    for row in rows(path, "cost_results"):
        for cost, count in (("cost_per_attendance", "attendances"), ("cost_per_delegate", "unique_delegates")):
            if row[cost] is not None:
                assert row[count] is not None and row[cost] == half_up(row["spend"] / row[count]), row
            elif row["spend"] is not None and row[count]:
                raise AssertionError(f"a cost is missing that the published figures give: {row}")


def test_the_same_figure_is_never_withheld_in_one_table_and_shown_in_another(published):
    """Attendances in cost (every session costed) are reach's headcount: both published, or neither."""
    path, _ = published
    reach = {(r["grouping"], r["year"], r.get("partnership")): r for r in rows(path, "reach_results")}
    for row in rows(path, "cost_results"):
        other = reach[(row["grouping"], row["year"], row.get("partnership"))]
        if row["attendances"] is None or other["headcount"] is None:
            continue
        assert abs(row["attendances"] - other["headcount"]) <= 10  # the same count, rounded the same way


def test_a_workforce_is_published_the_same_way_in_every_year(published):
    """An agency's workforce is the same every year: withheld in one year and shown in another, it would be
    shown. Everyone's, each sector's and each agency's workforce is one figure, whatever the year or row."""
    path, _ = published
    seen = {}
    for row in rows(path, "reach_results"):
        if row["workforce"] is None and not withheld(row, "workforce"):
            continue
        grouping = row["grouping"].split(",")
        key = ("agency", row["agency"]) if "agency" in grouping else \
            ("sector", row["sector"]) if "sector" in grouping else ("everyone",)
        assert seen.setdefault(key, (row["workforce"], protecting(row, "workforce"))) == \
            (row["workforce"], protecting(row, "workforce")), (key, row)
    assert seen


def test_every_years_workforces_together_narrow_no_withheld_one(small):
    """An attacker who knows every agency gathers, from every year, everyone's, each sector's and each agency's
    workforce, knowing that they add up, and solves for each withheld one."""
    path, policy = small
    figures, sector_of = {}, {}
    for row in rows(path, "reach_results"):
        grouping = row["grouping"].split(",")
        if row["workforce"] is None and not withheld(row, "workforce"):
            continue
        if "agency" in grouping:
            key = ("agency", row["agency"])
            sector_of[row["agency"]] = row["sector"]
        elif "sector" in grouping:
            key = ("sector", row["sector"])
        else:
            key = ("everyone",)
        figures[key] = row
    index = {key: k for k, key in enumerate(figures)}
    bounds = []
    for row in figures.values():
        value, base = row["workforce"], policy.rounding_base
        if value is None:
            bounds.append((policy.min_count, None) if protecting(row, "workforce") else (1, policy.min_count - 1))
        else:
            bounds.append((max(value - base // 2, policy.min_count), value + (base + 1) // 2 - 1))
    equalities = []
    totals = {("everyone",): [key for key in index if key[0] == "sector"]}
    for sector in {sector for sector in sector_of.values()}:
        totals[("sector", sector)] = [("agency", a) for a, s in sector_of.items() if s == sector]
    for total, parts in totals.items():
        vector = np.zeros(len(index))
        vector[index[total]] = -1
        for part in parts:
            vector[index[part]] = 1
        equalities.append(vector)
    withheld_keys = [key for key, row in figures.items() if row["workforce"] is None]
    assert ("agency", "Hillside Dental Practice") in withheld_keys
    for key in withheld_keys:
        objective = np.zeros(len(index))
        objective[index[key]] = 1
        options = dict(A_eq=np.array(equalities), b_eq=np.zeros(len(equalities)), bounds=bounds, method="highs")
        low, high = linprog(objective, **options), linprog(-objective, **options)
        assert low.status == 0
        top = -high.fun if high.status == 0 else np.inf
        assert top - low.fun >= 2 - 1e-6, (key, low.fun, top)


def ranges_by_linear_programming(path, policy, table: str, column: str, relations=(), adds_up_over=None) -> dict:
    """Each withheld or rounded cell of ``column``: the smallest and largest value the published file allows.

    What the attacker knows: a rounded count lies within half a rounding base; a withheld one is 1 to
    min_count - 1 (at least min_count when listed as protecting another); a year's total is the sum of its
    groups in each grouping by one more field (of ``adds_up_over``, default every field: different people
    add up across sectors and agencies only), and a sector's of its agencies; otherwise no group is larger than
    its total; ``relations`` (column, other column) say ``column >= other`` in every row.
    """
    found = rows(path, table)
    cells = [(i, column) for i, row in enumerate(found) if row[column] is not None or withheld(row, column)]
    cells += [(i, other) for i, row in enumerate(found) for _, other in relations
              if row[other] is not None or withheld(row, other)]
    index = {cell: k for k, cell in enumerate(dict.fromkeys(cells))}
    labels = ("year", "partnership", "course", "sector", "agency", "mode", "priority")
    keyed = {(row["grouping"], *(row.get(label) for label in labels)): i for i, row in enumerate(found)}

    def parents_of(i):
        grouping = found[i]["grouping"].split(",")
        for dropped in grouping[1:]:
            parent = [field for field in grouping if field != dropped]
            key = (",".join(parent), *(found[i].get(label) if label in parent else None for label in labels))
            if key in keyed:
                yield keyed[key]

    bounds = []
    for (i, name) in index:
        value, base = found[i][name], policy.rounding_base
        if value is None:
            small_total = any(withheld(found[p], name) and not protecting(found[p], name) for p in parents_of(i))
            bounds.append((policy.min_count, None) if protecting(found[i], name) else
                          (0 if small_total else 1, policy.min_count - 1))
        elif value == 0:
            bounds.append((0, 0))
        else:
            bounds.append((max(value - base // 2, policy.min_count), value + (base + 1) // 2 - 1))
    equalities, inequalities = [], []
    # Totals: every row of grouping G + one field adds up to its G row (attendances add up across groupings).
    by_parent = {}
    for i, row in enumerate(found):
        grouping = row["grouping"].split(",")
        for dropped in grouping[1:]:
            parent = [field for field in grouping if field != dropped]
            parent_key = (",".join(parent), *(row.get(label) if label in parent else None for label in labels))
            if parent_key in keyed:
                by_parent.setdefault((keyed[parent_key], ",".join(grouping), dropped), []).append(i)
    for (parent, _, dropped), children in by_parent.items():
        if (parent, column) not in index or not all((child, column) in index for child in children):
            continue
        if adds_up_over is None or dropped in adds_up_over:
            vector = np.zeros(len(index))
            vector[index[(parent, column)]] = -1
            for child in children:
                vector[index[(child, column)]] += 1
            equalities.append(vector)
        else:
            for child in children:
                vector = np.zeros(len(index))
                vector[index[(child, column)]], vector[index[(parent, column)]] = 1, -1
                inequalities.append(vector)
    for i, row in enumerate(found):
        for bigger, smaller in relations:
            if (i, bigger) in index and (i, smaller) in index:
                vector = np.zeros(len(index))
                vector[index[(i, smaller)]], vector[index[(i, bigger)]] = 1, -1
                inequalities.append(vector)
    result = {}
    for cell, k in index.items():
        if cell[1] != column:
            continue
        objective = np.zeros(len(index))
        objective[k] = 1
        options = dict(A_eq=np.array(equalities) if equalities else None, b_eq=np.zeros(len(equalities)) if equalities else None,
                       A_ub=np.array(inequalities) if inequalities else None,
                       b_ub=np.zeros(len(inequalities)) if inequalities else None, bounds=bounds, method="highs")
        low, high = linprog(objective, **options), linprog(-objective, **options)
        assert low.status == 0, (found[cell[0]], low.message)
        result[cell] = (found[cell[0]], low.fun, -high.fun if high.status == 0 else np.inf)
    return result


@pytest.mark.parametrize("table, column, relations, adds_up_over", [
    ("reach_results", "attended", [("attended", "unique_delegates")], None),
    ("reach_results", "unique_delegates", [], {"sector", "agency"}),
    ("uplift_results", "n", [], None),
])
def test_subtraction_across_every_grouping_narrows_no_count(small, table, column, relations, adds_up_over):
    path, policy = small
    found = ranges_by_linear_programming(path, policy, table, column, relations, adds_up_over)
    assert found
    for (_, column_name), (row, low, high) in found.items():
        values = 10 ** 9 if not np.isfinite(high) else int(np.floor(high + 1e-6)) - int(np.ceil(low - 1e-6)) + 1
        if row[column_name] is None:
            assert values >= 2 if protecting(row, column_name) else values >= 3 or high < 0.5, (row, low, high)
        elif policy.rounding_base > 1 and row[column_name]:
            assert values >= 2, (row, low, high)


def test_the_dental_practice_of_three_is_never_counted(small):
    path, _ = small
    for row in rows(path, "reach_results"):
        if row.get("agency") == "Hillside Dental Practice":
            assert all(row[column] is None for column in ("attended", "unique_delegates", "booked")), row
            assert row["per_1000_workforce"] is None and row["workforce"] is None
    for row in rows(path, "uplift_results"):
        if row.get("agency") == "Hillside Dental Practice":
            assert row["n"] is None and row["mean_change"] is None and row["pct_improved"] is None


def test_a_brute_force_attack_on_a_year_by_agency_finds_every_withheld_count_its_full_range(small):
    """Every whole-number split of a year's published total among its agencies, enumerated."""
    path, policy = small
    found = rows(path, "reach_results")
    for year in {row["year"] for row in found}:
        (total,) = [r for r in found if r["grouping"] == "year" and r["year"] == year]
        agencies = [r for r in found if r["grouping"] == "year,sector,agency" and r["year"] == year]

        def candidates(row):
            value = row["attended"]
            if value is None:
                if protecting(row, "attended"):
                    return range(policy.min_count, 200)
                return range(0 if withheld(total, "attended") else 1, policy.min_count)
            if value == 0:
                return range(0, 1)
            return range(max(value - policy.rounding_base // 2, policy.min_count), value + (policy.rounding_base + 1) // 2)

        totals = set(candidates(total))
        seen = [set() for _ in agencies]
        for split in itertools.product(*map(candidates, agencies)):
            if sum(split) in totals:
                for k, value in enumerate(split):
                    seen[k].add(value)
        for row, values in zip(agencies, seen):
            if row["attended"] is None:
                assert len(values) >= (2 if protecting(row, "attended") else 3) or values == {0}, (row, values)
