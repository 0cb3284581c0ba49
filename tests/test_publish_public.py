"""The public database: disclosure control checked against independent recomputation.

Counts are re-rounded here with the NHS rule written out by hand, statistics
re-derived from the unrounded evaluator rows, distributions recounted with SQL
over the evaluations, and the "no recovery by subtraction" promise checked by
interval arithmetic over every sum that the unrounded figures obey.
"""

from __future__ import annotations

import math
import re
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scplearn import evaluation, plugins
from scplearn.disclosure import DisclosurePolicy
from scplearn.hookspecs import hookimpl
from scplearn.publish import control
from scplearn.publish.public import STANDARD_GROUPINGS, build_public

# -- secondary suppression, by hand --------------------------------------------------------------


def cells(*values):
    return {("t", index, "n"): value for index, value in enumerate(values)}


def test_a_single_withheld_part_takes_the_next_smallest_with_it():
    # Police 45, Health 3, Education 22, total 70 (rounding off): 3 = 70 - 45 - 22 unless 22 is hidden too.
    values = cells(70, 45, 3, 22)
    withheld = control.secondary_suppression(values, {("t", 2, "n")}, [list(values)])
    assert withheld == {("t", 2, "n"), ("t", 3, "n")}


def test_a_zero_is_not_chosen_while_a_non_zero_count_is_left():
    values = cells(23, 3, 0, 20)
    withheld = control.secondary_suppression(values, {("t", 1, "n")}, [list(values)])
    assert withheld == {("t", 1, "n"), ("t", 3, "n")}


def test_copies_of_a_figure_are_withheld_together():
    values = {("t", 0, "due"): 5, ("t", 1, "due"): 5, ("t", 2, "due"): 30}
    withheld = control.secondary_suppression(values, {("t", 0, "due")}, [], copies=[[("t", 0, "due"), ("t", 1, "due")]])
    assert withheld == {("t", 0, "due"), ("t", 1, "due")}


@given(st.lists(st.lists(st.integers(0, 30), min_size=2, max_size=5), min_size=2, max_size=5))
def test_no_sum_is_left_with_exactly_one_withheld_cell(grid):
    """A grid of counts with row and column totals: every row and column is a sum."""
    width = min(len(row) for row in grid)
    grid = [row[:width] for row in grid]
    values = {}
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            values[(f"r{r}", 0, f"c{c}")] = value
        values[(f"r{r}", 0, "total")] = sum(row)
    for c in range(width):
        values[("total", 0, f"c{c}")] = sum(row[c] for row in grid)
    sums = [[(f"r{r}", 0, f"c{c}") for c in range(width)] + [(f"r{r}", 0, "total")] for r in range(len(grid))]
    sums += [[(f"r{r}", 0, f"c{c}") for r in range(len(grid))] + [("total", 0, f"c{c}")] for c in range(width)]
    primary = {cell for cell, value in values.items() if 1 <= value <= 7}
    withheld = control.secondary_suppression(values, primary, sums)
    assert primary <= withheld
    for cells_of_sum in sums:
        assert sum(cell in withheld for cell in cells_of_sum) != 1


def test_a_declared_row_total_with_a_subtracted_part_protects_its_cells():
    # booked 33 = cancelled 10 + did not attend 3 + attended 20 - walk-ins 0: without rounding, 3 is exact
    # unless another of the five is withheld with it.
    rules = control.ColumnRules(counts=("booked", "cancelled", "did_not_attend", "attended", "walk_ins"),
                                statistics=(), totals={"booked": ("cancelled", "did_not_attend", "attended", "-walk_ins")})
    row = {"year": "2023/24", "booked": 33, "cancelled": 10, "did_not_attend": 3, "attended": 20, "walk_ins": 0}
    table = control.RawTable("reach", ("year",), [row], rules)
    (published,) = control.control([table], DisclosurePolicy(rounding_base=1))["reach"]
    assert published["suppressed"] == "cancelled, did_not_attend"
    assert (published["booked"], published["attended"], published["walk_ins"]) == (33, 20, 0)
    # With rounding on, nothing more is withheld.
    (rounded,) = control.control([table], DisclosurePolicy())["reach"]
    assert (rounded["suppressed"], rounded["booked"], rounded["cancelled"]) == ("did_not_attend", 35, 10)


# -- one row ----------------------------------------------------------------------------------


def row_table(row, **rules):
    defaults = {"counts": ("n", "k"), "statistics": ("mean", "pct_yes")}
    return control.RawTable("t", ("year",), [row], control.ColumnRules(**{**defaults, **rules}))


def published(row, policy=DisclosurePolicy(), **rules):
    table = row_table(row, **rules)
    return control.publish_row(table, 0, control.primary_suppression([table], policy), policy)


def test_statistics_need_eight_people_and_are_rounded():
    assert published({"year": "2023/24", "n": 7, "k": 0, "mean": 2.345, "pct_yes": 71.4})["mean"] is None
    row = published({"year": "2023/24", "n": 8, "k": 0, "mean": 2.345, "pct_yes": 71.43})
    assert (row["n"], row["mean"], row["pct_yes"], row["suppressed"]) == (10, 2.3, 71, None)


def test_a_withheld_count_takes_the_statistics_of_its_row_with_it_unless_declared_independent():
    row = {"year": "2023/24", "n": 40, "k": 3, "mean": 2.0, "pct_yes": 92.5}
    assert published(row)["suppressed"] == "k, mean, pct_yes"
    declared = published(row, bases={"mean": ("n",), "pct_yes": ("n", "k")})
    assert (declared["mean"], declared["pct_yes"], declared["suppressed"]) == (2.0, None, "k, pct_yes")


def test_a_figure_declared_not_about_people_is_published_as_it_is():
    row = {"year": "2023/24", "n": 2, "k": 0, "mean": 1234.56, "pct_yes": None}
    assert published(row, bases={"mean": ()})["mean"] == 1234.56


def test_column_rules_default_to_int_counts_and_float_statistics():
    class Evaluator:
        columns = {"people": int, "share": float, "label": str}

    rules = control.ColumnRules.for_evaluator(Evaluator())
    assert (rules.counts, rules.statistics) == (("people",), ("share",))
    Evaluator.count_columns, Evaluator.rate_columns = ["people", "share"], []
    rules = control.ColumnRules.for_evaluator(Evaluator())
    assert (rules.counts, rules.statistics) == (("people", "share"), ())


# -- the sample database ---------------------------------------------------------------------


def nhs_rounding(n):
    """Hand-written NHS rule: 0 stays 0, 1-7 withheld, others to the nearest 5, halves up."""
    if n is None or n == 0:
        return n
    if n < 8:
        return None
    return int(math.floor(n / 5 + 0.5)) * 5


@pytest.fixture(scope="module")
def raw(sample_store):
    """Unrounded evaluator rows by (table, grouping, labels...)."""
    found = {}
    for name, evaluator in plugins.get_evaluators().items():
        for by in STANDARD_GROUPINGS:
            for row in evaluation.evaluate(sample_store, name, by=by, save=False):
                key = (evaluation.result_table(name), ",".join(by), *(row.get(f) for f in by), row.get("dimension"))
                found[key] = (evaluator, row)
    return found


def public_rows(path):
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%_results'")]
    rows = {}
    for table in tables:
        for row in db.execute(f"SELECT * FROM [{table}]"):
            row = dict(row)
            by = row["grouping"].split(",")
            rows[(table, row["grouping"], *(row[f] for f in by), row.get("dimension"))] = row
    db.close()
    return rows


@pytest.fixture(scope="module")
def public(sample_store, tmp_path_factory):
    return build_public(sample_store, tmp_path_factory.mktemp("public") / "public.db")


@pytest.fixture(scope="module")
def unrounded(sample_store, tmp_path_factory):
    return build_public(sample_store, tmp_path_factory.mktemp("unrounded") / "public.db",
                        policy=DisclosurePolicy(rounding_base=1))


def test_one_public_row_per_evaluator_row_and_only_the_standard_groupings(public, raw):
    rows = public_rows(public)
    assert set(rows) == set(raw)
    assert {row["grouping"] for row in rows.values()} == {",".join(by) for by in STANDARD_GROUPINGS}


def test_every_count_is_rounded_by_the_nhs_rule(public, raw):
    rows = public_rows(public)
    checked = 0
    for key, (evaluator, raw_row) in raw.items():
        for column in control.ColumnRules.for_evaluator(evaluator).counts:
            assert rows[key][column] == nhs_rounding(raw_row[column]), (key, column, raw_row[column])
            checked += 1
    assert checked > 1000


def test_uplift_statistics_only_over_eight_or_more_delegates(public, raw):
    rows = public_rows(public)
    small = large = 0
    for key, (_, raw_row) in raw.items():
        if key[0] != "uplift_results" or raw_row["mean_change"] is None:
            continue
        row = rows[key]
        if raw_row["n"] < 8:
            small += 1
            assert row["mean_change"] is row["pct_improved"] is row["ci_low"] is None
            assert "mean_change" in row["suppressed"]
        else:
            large += 1
            assert row["mean_change"] == round(raw_row["mean_change"], 1)
            assert row["pct_improved"] == round(raw_row["pct_improved"])
    assert small and large


def test_a_show_rate_never_sits_beside_a_withheld_count_it_depends_on(public):
    db = sqlite3.connect(public)
    leaks = db.execute(
        "SELECT count(*) FROM reach_results WHERE show_rate IS NOT NULL AND "
        "(did_not_attend IS NULL OR cancelled IS NULL OR walk_ins IS NULL OR booked IS NULL)"
    ).fetchone()[0]
    withheld = db.execute("SELECT count(*) FROM reach_results WHERE did_not_attend IS NULL").fetchone()[0]
    assert (leaks, withheld > 0) == (0, True)


def additive_sets(raw):
    """Every (table, year, dimension, grouping, column) whose unrounded rows add up to the year's row."""
    totals, parts = {}, {}
    for key, (evaluator, row) in raw.items():
        table, grouping, year, dimension = key[0], key[1], key[2], key[-1]
        for column in control.ColumnRules.for_evaluator(evaluator).counts:
            if grouping == "year":
                totals[(table, year, dimension, column)] = key
            else:
                parts.setdefault((table, year, dimension, column, grouping), []).append(key)
    for (table, year, dimension, column, grouping), keys in parts.items():
        total = totals.get((table, year, dimension, column))
        values = [raw[k][1][column] for k in keys]
        if total and None not in values and sum(values) == raw[total][1][column]:
            yield column, total, keys


def test_with_rounding_no_withheld_count_can_be_narrowed_to_one_value(public, raw):
    policy = DisclosurePolicy()
    rows = public_rows(public)
    checked = 0
    for column, total, keys in additive_sets(raw):
        cells = [rows[total][column]] + [rows[k][column] for k in keys]
        if None not in cells:
            continue
        ranges = [policy.feasible_range(value) for value in cells]
        for index, value in enumerate(cells):
            if value is not None:
                continue
            # total = sum(parts): solve for this cell from everybody else's feasible range.
            others = [r for i, r in enumerate(ranges) if i != index]
            if index == 0:
                low, high = sum(r[0] for r in others), sum(r[1] for r in others)
            else:
                low = ranges[0][0] - sum(r[1] for r in others[1:])
                high = ranges[0][1] - sum(r[0] for r in others[1:])
            low, high = max(low, 1), min(high, 7)
            assert high - low >= 1, (column, total, keys, cells)
            checked += 1
    assert checked > 20


def test_without_rounding_no_sum_has_a_single_withheld_count(unrounded, raw):
    rows = public_rows(unrounded)
    checked = 0
    for column, total, keys in additive_sets(raw):
        cells = [rows[total][column]] + [rows[k][column] for k in keys]
        assert sum(value is None for value in cells) != 1, (column, total, cells)
        checked += cells.count(None) > 0
    assert checked > 10
    db = sqlite3.connect(unrounded)
    for year, dimension, hidden in db.execute(
        "SELECT year, dimension, sum(before IS NULL) + sum(after IS NULL) FROM score_distribution GROUP BY 1, 2"
    ):
        assert hidden != 1, (year, dimension)
    # Within a reach row: booked = cancelled + did not attend + attended - walk-ins.
    five = ("booked", "cancelled", "did_not_attend", "attended", "walk_ins")
    rows_checked = 0
    for key, (_, raw_row) in raw.items():
        if key[0] == "reach_results" and None not in (raw_row[c] for c in five):
            assert raw_row["booked"] == raw_row["cancelled"] + raw_row["did_not_attend"] + raw_row["attended"] - raw_row["walk_ins"]
            assert sum(rows[key][c] is None for c in five) != 1, (key, [rows[key][c] for c in five])
            rows_checked += any(rows[key][c] is None for c in five)
    assert rows_checked > 10
    # Unrounded counts are published exactly where they are not withheld.
    assert db.execute("SELECT count(*) FROM reach_results WHERE attended % 5 != 0").fetchone()[0] > 0


def test_distribution_matches_a_recount_of_the_evaluations(public, sample_store):
    db = sqlite3.connect(public)
    published = {(y, d, s): (b, a) for y, d, s, b, a in db.execute(
        "SELECT year, dimension, score, before, after FROM score_distribution")}
    expected = {}
    for dimension in ("knowledge", "skills", "confidence"):
        for year, score, before, after in sample_store.db.execute(
            f"""WITH paired AS (SELECT sessions.year, {dimension}_pre AS pre, {dimension}_post AS post
                FROM evaluations JOIN sessions ON sessions.code = evaluations.session
                WHERE {dimension}_pre IS NOT NULL AND {dimension}_post IS NOT NULL),
            scores(score) AS (VALUES (1),(2),(3),(4),(5),(6),(7),(8),(9),(10))
            SELECT year, score, (SELECT count(*) FROM paired p WHERE p.year = y.year AND pre = score),
                   (SELECT count(*) FROM paired p WHERE p.year = y.year AND post = score)
            FROM (SELECT DISTINCT year FROM paired) y, scores"""
        ):
            expected[(year, dimension, score)] = (nhs_rounding(before), nhs_rounding(after))
    assert published == expected


def test_quotes_are_the_consented_ones_only(public, sample_store):
    db = sqlite3.connect(public)
    assert [tuple(r) for r in db.execute("SELECT course, role, quote FROM quotes ORDER BY course, quote")] == [
        tuple(r) for r in sample_store.db.execute(
            "SELECT course, role, quote FROM feedback WHERE consent = 1 ORDER BY course, quote")
    ]
    assert [c[1] for c in db.execute("PRAGMA table_info(quotes)")] == ["course", "role", "quote"]
    content = Path(public).read_bytes()
    refused = [q for (q,) in sample_store.db.execute("SELECT quote FROM feedback WHERE consent = 0")]
    assert refused and not [q for q in refused if q.encode() in content]


def test_no_personal_data_keys_or_free_text_in_the_file(public, sample_store):
    content = Path(public).read_bytes()
    secrets = [value for row in sample_store.private.execute("SELECT email, name FROM people") for value in row if value]
    secrets += [key for (key,) in sample_store.db.execute("SELECT key FROM delegates")]
    secrets += [text for row in sample_store.db.execute(
        "SELECT action_1, action_2, action_3 FROM evaluations") for text in row if text and len(text) > 12]
    secrets += [text for (text,) in sample_store.db.execute("SELECT comments FROM followups WHERE length(comments) > 12")]
    assert len(secrets) > 1000
    assert [s for s in secrets if s.encode() in content] == []
    assert re.findall(rb"[\w.+-]+@[\w-]+\.[\w.-]+", content) == []


def test_about_says_what_the_figures_cover(public, sample_store):
    about = dict(sqlite3.connect(public).execute("SELECT item, value FROM about"))
    assert about["years"] == ", ".join(sample_store.years())
    assert about["partnerships"] == "Leicester; Leicestershire and Rutland"
    assert about["last_import"] == sample_store.db.execute("SELECT max(imported_at) FROM imports").fetchone()[0]
    assert "1 to 7 are withheld" in about["disclosure"]


def test_faceted_columns_are_indexed(public):
    db = sqlite3.connect(public)
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%_results'"):
        indexed = {db.execute(f"PRAGMA index_info([{index[1]}])").fetchone()[2]
                   for index in db.execute(f"PRAGMA index_list([{table}])")}
        columns = {c[1] for c in db.execute(f"PRAGMA table_info([{table}])")}
        assert {"grouping", "year", "partnership", "course", "sector", "mode"} & columns <= indexed


class ToyEvaluator:
    """A plugin evaluator: a count and a share per course, with a fixed small group."""

    name = "toy"
    description = "A toy evaluator"
    dimensions = False
    columns = {"people": int, "share": float}

    def evaluate(self, store, by, scope):
        return [{**{field: None for field in by}, "people": 3, "share": 42.0},
                {**{field: "X" for field in by}, "people": 12, "share": 55.56}]


class BrokenEvaluator(ToyEvaluator):
    name = "broken"

    def evaluate(self, store, by, scope):
        raise RuntimeError("this evaluator fails")


class Plugin:
    __name__ = "test-publish-plugin"

    def __init__(self, evaluator):
        self.evaluator = evaluator

    @hookimpl
    def register_evaluators(self, register):
        register(self.evaluator)


def test_a_plugin_evaluator_gets_its_own_controlled_table(sample_store, tmp_path):
    plugins.pm.register(Plugin(ToyEvaluator()), name="test-publish-plugin")
    try:
        path = build_public(sample_store, tmp_path / "public.db")
    finally:
        plugins.pm.unregister(name="test-publish-plugin")
    rows = sqlite3.connect(path).execute(
        "SELECT grouping, people, share, suppressed FROM toy_results WHERE grouping = 'year,course'").fetchall()
    assert sorted(rows, key=str) == [("year,course", 10, 55.6, None), ("year,course", None, None, "people, share")]


def test_a_failing_build_leaves_the_previous_file_alone(sample_store, tmp_path):
    path = build_public(sample_store, tmp_path / "public.db")
    before = path.read_bytes()
    plugins.pm.register(Plugin(BrokenEvaluator()), name="test-publish-plugin")
    try:
        with pytest.raises(RuntimeError):
            build_public(sample_store, path)
    finally:
        plugins.pm.unregister(name="test-publish-plugin")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public.db"]
