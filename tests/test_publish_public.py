"""The public database: the published results, checked against the exact ones and an independent recount."""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal
import sqlite3
from pathlib import Path

import pytest
from conftest import SAMPLE_YEARS

import scplearn
from scplearn import Count, Evaluator, Percent, hookimpl, plugins, results
from scplearn.disclosure import DisclosurePolicy
from scplearn.publish import build_public
from scplearn.results.publication import broken_down, groupings, in_order

YEAR = "2023/24"


def nhs_rounding(n):
    """Hand-written NHS rule: 0 stays 0, 1-7 withheld, others to the nearest 5, halves up."""
    if n is None or n == 0:
        return n
    if n < 8:
        return None
    return int(math.floor(n / 5 + 0.5)) * 5


def half_up(value, decimals):
    """Halves away from zero, as published figures are rounded."""
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def names(text) -> set[str]:
    return {name.strip() for name in (text or "").split(",") if name.strip()}


@pytest.fixture(scope="module")
def public(sample_store, tmp_path_factory):
    return build_public(sample_store, tmp_path_factory.mktemp("public") / "public.db")


@pytest.fixture(scope="module")
def pairs(sample_store, public):
    """``{(table, grouping, labels...): (evaluator, exact row, public row)}`` over every published grouping."""
    stage = results.Stage(sample_store)
    db = sqlite3.connect(public)
    db.row_factory = sqlite3.Row
    found = {}
    for evaluator in in_order(stage.evaluators):
        published = {}
        for row in db.execute(f"SELECT * FROM [{evaluator.name}_results]"):
            row = dict(row)
            by = row["grouping"].split(",")
            published[(row["grouping"], *(row[f] for f in (*by, *evaluator.row_labels)))] = row
        for by in groupings(evaluator, broken_down(sample_store)):
            for year in sample_store.years():
                for row in stage.rows(evaluator.name, by, year=year):
                    key = (",".join(by), *(row[f] for f in (*by, *evaluator.row_labels)))
                    found[(evaluator.name, *key)] = (evaluator, row, published.pop(key))
        assert published == {}, evaluator.name  # nothing published that is not an exact row
    return found


def test_one_public_row_per_exact_row_of_every_published_grouping(pairs, sample_store):
    grouped = {key[1] for key in pairs}
    assert {"year", "year,partnership", "year,course", "year,sector", "year,sector,agency", "year,mode",
            "year,priority", "year,partnership,course", "year,partnership,sector"} <= grouped
    assert len(pairs) > 2000


def test_every_count_of_people_is_rounded_by_the_nhs_rule_or_withheld_to_protect_another(pairs):
    checked = protecting = 0
    for key, (evaluator, exact, published) in pairs.items():
        for column, declared in evaluator.columns.items():
            if declared.kind == "count" and declared.people:
                if published[column] is None and column in names(published["protecting"]):
                    assert exact[column] >= 8, (key, column)
                    protecting += 1
                elif published[column] is None and exact[column] == 0:
                    assert column in names(published["suppressed"])  # a part of a small withheld total
                else:
                    assert published[column] == nhs_rounding(exact[column]), (key, column, exact[column])
                checked += 1
    assert checked > 10_000 and 0 < protecting < checked / 50


def test_counts_of_things_and_money_are_exact(pairs):
    for key, (evaluator, exact, published) in pairs.items():
        for column, declared in evaluator.columns.items():
            if declared.kind == "money" or (declared.kind == "count" and not declared.people):
                assert published[column] == exact[column], (key, column)


def test_rates_are_computed_from_the_published_counts(pairs):
    def percent(top, bottom):  # halves up, as published
        return None if top is None or not bottom else math.floor(100 * top / bottom + 0.5)

    checked = 0
    for key, (evaluator, _, row) in pairs.items():
        if evaluator.name == "uplift":
            assert row["pct_improved"] == percent(row["improved"], row["n"]), key
            assert row["net_score"] == (None if None in (row["improved"], row["worse"]) else
                                        percent(row["improved"] - row["worse"], row["n"])), key
        elif evaluator.name == "reach":
            assert row["attendance_rate"] == percent(row["places_taken"], row["spaces_offered"]), key
        elif evaluator.name == "impact":
            assert row["pct_used_learning"] == percent(row["used_learning_yes"], row["used_learning_answered"]), key
            assert row["response_rate"] == percent(row["followups"], row["due"]), key
        elif evaluator.name == "cost" and row["spend"] is not None:
            assert row["cost_per_delegate"] == (None if not row["unique_delegates"] else
                                                math.floor(row["spend"] / row["unique_delegates"] + 0.5)), key
        else:
            continue
        checked += 1
    assert checked > 1000


def test_means_are_shown_over_eight_or_more_published_people_only(pairs, sample_store):
    shown = withheld = 0
    for key, (evaluator, exact, row) in pairs.items():
        if evaluator.name != "uplift" or exact["mean_change"] is None:
            continue
        if exact["n"] >= 8 and row["n"] is not None:
            assert row["mean_change"] == half_up(exact["mean_change"], 1), key
            shown += 1
        else:
            assert row["mean_change"] is None and "mean_change" in names(row["suppressed"]), key
            withheld += 1
    assert shown > 100 and withheld > 50
    # The year's mean change, recounted from the evaluations themselves.
    mean = sample_store.db.execute(
        "SELECT avg(knowledge_post - knowledge_pre) FROM evaluations JOIN sessions ON sessions.code = session "
        "WHERE year = ? AND knowledge_pre IS NOT NULL AND knowledge_post IS NOT NULL", [YEAR]).fetchone()[0]
    (row,) = [row for key, (_, _, row) in pairs.items()
              if key[:3] == ("uplift", "year", YEAR) and key[3] == "knowledge"]
    assert row["mean_change"] == half_up(mean, 1) == 2.3


def test_the_distribution_matches_a_recount_of_the_evaluations(pairs, sample_store):
    published = {(key[2], key[3], key[4]): (row["before"], row["after"], names(row["protecting"]))
                 for key, (_, _, row) in pairs.items() if key[:2] == ("scores", "year")}
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
            got_before, got_after, protecting = published[(year, dimension, score)]
            assert got_before == (None if "before" in protecting else nhs_rounding(before))
            assert got_after == (None if "after" in protecting else nhs_rounding(after))


def test_quotes_are_consented_scrubbed_and_only_for_courses_with_enough_of_them(public, sample_store):
    db = sqlite3.connect(public)
    quotes = db.execute("SELECT course, year, role, quote FROM quotes").fetchall()
    assert [c[1] for c in db.execute("PRAGMA table_info(quotes)")] == ["course", "year", "role", "quote"]
    consented = sample_store.db.execute(
        "SELECT feedback.course, year, count(*) FROM feedback JOIN sessions ON sessions.code = session "
        "WHERE consent = 1 GROUP BY 1, 2").fetchall()
    enough = {(course, year) for course, year, count in consented if count >= 8}
    groups = {}
    for course, year, _, _ in quotes:
        groups[(course, year)] = groups.get((course, year), 0) + 1
    assert set(groups) == enough and set(groups.values()) == {3}
    named = [quote for *_, quote in quotes if "[name]" in quote]
    assert named == ["Working through the case with [name] from the community safety officer team made it click; "
                     "call me on [name] or write to [name] if you want the notes."]
    content = Path(public).read_bytes()
    refused = [q for (q,) in sample_store.db.execute("SELECT quote FROM feedback WHERE consent = 0")]
    assert refused and not [q for q in set(refused) - {q for *_, q in quotes} if q.encode() in content]


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
    assert b"07700" not in content


def test_about_says_what_the_figures_cover_and_by_which_rules(public, sample_store):
    about = dict(sqlite3.connect(public).execute("SELECT item, value FROM about"))
    assert about["years"] == ", ".join(sample_store.years())
    assert about["partnerships"] == "Leicester; Leicestershire and Rutland"
    assert about["last_import"] == sample_store.db.execute("SELECT max(imported_at) FROM imports").fetchone()[0]
    assert "from 1 to 7 are withheld" in about["disclosure"]
    assert (about["min_count"], about["rounding_base"], about["min_n_for_statistic"]) == ("8", "5", "8")


def test_faceted_columns_are_indexed(public):
    db = sqlite3.connect(public)
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%_results'"):
        indexed = {db.execute(f"PRAGMA index_info([{index[1]}])").fetchone()[2]
                   for index in db.execute(f"PRAGMA index_list([{table}])")}
        columns = {c[1] for c in db.execute(f"PRAGMA table_info([{table}])")}
        assert {"grouping", "year", "partnership", "course", "sector", "mode"} & columns <= indexed


def test_the_public_file_passes_the_audit_from_outside(public):
    years = scplearn.audit(public)
    assert [year.year for year in years] == SAMPLE_YEARS
    assert all(year.passed and year.protected > 3000 for year in years), [(y.protected, y.failures[:3]) for y in years]


def test_an_unchanged_publication_is_not_written_again_and_an_import_updates_it(sample_copy, tmp_path):
    path = build_public(sample_copy, tmp_path / "public.db")
    stamp = path.stat().st_mtime_ns
    assert build_public(sample_copy, path).stat().st_mtime_ns == stamp
    blocks = {row["year"]: row["digest"] for row in results.Published(sample_copy).blocks()}
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "bookings.csv").write_text("session,email,status,walk_in\n"
                                                    "CAS01-230524,someone.new@example.org,attended,yes\n")
    scplearn.import_files(sample_copy, [tmp_path / "more"])
    assert build_public(sample_copy, path).stat().st_mtime_ns != stamp
    after = {row["year"]: row["digest"] for row in results.Published(sample_copy).blocks()}
    assert after["2022/23"] == blocks["2022/23"] and after["2023/24"] != blocks["2023/24"]


class ToyEvaluator(Evaluator):
    """A plugin evaluator: people per course and their share of places, one course with few people."""

    name = "toy"
    description = "A toy evaluator"
    groupable = frozenset({"year", "course"})
    columns = {
        "places": Count("Places", people=False),
        "people": Count("People"),
        "share": Percent("people", "places", "People as a share of places"),
    }

    def compute(self, store, by, scope):
        def key(course):
            return tuple({"year": scope.year, "course": course}.get(field) for field in by)

        if "course" not in by:
            return {key(None): {"places": 40, "people": 15}}
        return {key("X"): {"places": 20, "people": 12}, key("Y"): {"places": 20, "people": 3}}


class BrokenEvaluator(ToyEvaluator):
    name = "broken"

    def compute(self, store, by, scope):
        raise RuntimeError("this evaluator fails")


class Plugin:
    __name__ = "test-publish-plugin"

    def __init__(self, evaluator):
        self.evaluator = evaluator

    @hookimpl
    def register_evaluators(self, register):
        register(self.evaluator)


def test_a_plugin_evaluator_gets_its_own_controlled_table(sample_copy, tmp_path):
    plugins.pm.register(Plugin(ToyEvaluator()), name="test-publish-plugin")
    try:
        path = build_public(sample_copy, tmp_path / "public.db")
    finally:
        plugins.pm.unregister(name="test-publish-plugin")
    rows = sqlite3.connect(path).execute(
        "SELECT course, places, people, share, suppressed FROM toy_results WHERE grouping = 'year,course' "
        "AND year = '2023/24' ORDER BY course").fetchall()
    assert rows == [("X", 20, 10, 50.0, None), ("Y", 20, None, None, "people, share")]


def test_a_failing_build_leaves_the_previous_file_alone(sample_copy, tmp_path):
    (tmp_path / "site").mkdir()
    path = build_public(sample_copy, tmp_path / "site" / "public.db")
    before = path.read_bytes()
    plugins.pm.register(Plugin(BrokenEvaluator()), name="test-publish-plugin")
    try:
        with pytest.raises(RuntimeError):
            build_public(sample_copy, path)
    finally:
        plugins.pm.unregister(name="test-publish-plugin")
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["public.db"]


def test_without_rounding_the_audit_withholds_what_subtraction_would_give_away(sample_copy, tmp_path):
    policy = DisclosurePolicy(rounding_base=1)
    path = build_public(sample_copy, tmp_path / "public.db", policy=policy)
    db = sqlite3.connect(path)
    protecting = db.execute("SELECT count(*) FROM reach_results WHERE protecting IS NOT NULL").fetchone()[0]
    assert protecting > 0
    assert db.execute("SELECT count(*) FROM reach_results WHERE attended % 5 != 0").fetchone()[0] > 0
    assert all(year.passed for year in scplearn.audit(path))
