"""``scplearn evaluators``, ``scplearn evaluate`` and ``scplearn.evaluate``: listing, output, saved tables, errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLE_YEARS, write_csv

import scplearn
from scplearn import plugins
from scplearn.cli import cli
from scplearn.results.stage import drop_results
from scplearn.commands.evaluate import format_table
from scplearn.evaluation import Scope
from scplearn.evaluators.reach import Reach
from scplearn.results import Stage

ROOT = Path(__file__).resolve().parents[1]
BUILT_IN = ("uplift", "reach", "impact", "cost", "scores", "events", "coverage", "resources")


@pytest.fixture
def sample_copy(sample_copy):
    """The copy of the sample with no results kept yet, whatever tests before published from the shared store."""
    with sample_copy.db.atomic():
        drop_results(sample_copy.db)
    return sample_copy


def invoke(*args):
    return CliRunner().invoke(cli, [str(arg) for arg in args])


def test_evaluators_lists_the_built_ins_with_their_columns():
    result = invoke("evaluators")
    assert result.exit_code == 0, result.output
    evaluators = plugins.get_evaluators()
    flat = " ".join(result.output.split())  # the column lists are wrapped
    for name in BUILT_IN:
        assert f"{name}  (built-in)\n    {evaluators[name].description}\n    columns: " in result.output
        columns = [*evaluators[name].row_labels, *evaluators[name].columns]
        assert f"{evaluators[name].description} columns: {', '.join(columns)}" in flat
    assert max(len(line) for line in result.output.splitlines()) <= 100
    listing = {item["name"]: item for item in json.loads(invoke("evaluators", "--json").output)}
    assert listing["reach"]["source"] == "built-in"
    assert listing["uplift"]["columns"][:5] == ["dimension", "n", "improved", "same", "worse"]
    # Each row's labels come first, as in the rows themselves.
    assert listing["scores"]["columns"] == ["dimension", "score", "before", "after"]
    assert listing["events"]["columns"][:2] == ["event", "event_course"]


def test_evaluate_json_is_the_library_result_and_is_saved(sample_copy):
    result = invoke("evaluate", sample_copy.path, "--evaluator", "reach", "--by", "year", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows == scplearn.evaluate(sample_copy.path, "reach", by=["year"])
    # What was kept and read back is what the evaluator computes.
    assert rows == Reach().evaluate(sample_copy, ["year"], Scope())
    assert [row["year"] for row in rows] == SAMPLE_YEARS
    assert list(rows[0])[:2] == ["year", "sessions"]
    saved = list(sample_copy.db.query("SELECT * FROM reach_results ORDER BY year"))
    assert [(row["year"], row["attended"], row["grouping"]) for row in saved] == [
        (row["year"], row["attended"], "year") for row in rows
    ]
    (run,) = sample_copy.db.query("SELECT * FROM evaluation_runs")
    assert (run["evaluator"], run["grouping"], run["parameters"], run["rows"]) == ("reach", "year", "{}", len(SAMPLE_YEARS))


def test_as_of_fixes_which_follow_ups_are_due(sample_copy):
    """Figures judged on a given day do not move as the calendar does; the day is kept with the results."""
    def due(day):
        result = invoke("evaluate", sample_copy.path, "-e", "impact", "--by", "year", "--as-of", day, "--json")
        assert result.exit_code == 0, result.output
        rows = json.loads(result.output)
        assert rows == scplearn.evaluate(sample_copy, "impact", by=["year"], as_of=day)
        return {row["year"]: row["due"] for row in rows if row["dimension"] == "knowledge"}

    early, late = due("2024-01-01"), due("1 January 2026")
    assert early["2023/24"] < late["2023/24"]
    assert late["2023/24"] == sample_copy.db.execute(
        "SELECT count(*) FROM bookings JOIN sessions ON sessions.code = bookings.session "
        "WHERE status = 'attended' AND year = '2023/24'").fetchone()[0]
    # One run per grouping and scope, judged as of the day last asked for; asked for the earlier day
    # again, the follow-ups due then are counted again, not read from the later run.
    runs = list(sample_copy.db.query("SELECT evaluator, parameters, as_of FROM evaluation_runs"))
    assert runs == [{"evaluator": "impact", "parameters": "{}", "as_of": "2026-01-01"}]
    assert due("2024-01-01") == early
    assert sample_copy.db.execute("SELECT as_of FROM evaluation_runs").fetchall() == [("2024-01-01",)]


def test_the_same_evaluation_again_reads_its_kept_rows(sample_copy):
    for _ in range(2):
        assert invoke("evaluate", sample_copy.path, "-e", "cost", "--by", "year").exit_code == 0
    assert sample_copy.db["cost_results"].count == len(SAMPLE_YEARS)
    assert sample_copy.db["evaluation_runs"].count == 1
    invoke("evaluate", sample_copy.path, "-e", "cost", "--by", "partnership")
    assert sample_copy.db["cost_results"].count == len(SAMPLE_YEARS) + 2  # a row per year, then per partnership
    assert sample_copy.db["evaluation_runs"].count == 2


def test_a_kept_result_is_read_until_an_import_changes_its_year(sample_copy, tmp_path):
    first, second = "2022/23", "2023/24"
    exact = {year: scplearn.evaluate(sample_copy, "reach", by=["year"], year=year, keep=True) for year in (first, second)}
    # Mark each kept row, so that a row read back can be told from one computed afresh.
    sample_copy.db.execute("UPDATE reach_results SET walk_ins = -1")
    sample_copy.db.conn.commit()
    for year in (first, second):
        (kept,) = scplearn.evaluate(sample_copy, "reach", by=["year"], year=year, keep=True)
        assert kept == {**exact[year][0], "walk_ins": -1}
    session = sample_copy.db.execute(
        "SELECT code FROM sessions WHERE year = ? AND headcount IS NULL AND capacity IS NOT NULL ORDER BY code",
        [second]).fetchone()[0]
    write_csv(tmp_path / "more" / "bookings.csv", f"session,email,status\n{session},newcomer@example.org,attended\n")
    report = scplearn.import_files(sample_copy, [tmp_path / "more"])
    assert report.files[0].added == {"delegates": 1, "bookings": 1}
    (untouched,) = scplearn.evaluate(sample_copy, "reach", by=["year"], year=first, keep=True)
    assert untouched["walk_ins"] == -1  # that year's data did not change: its kept row is read
    (recomputed,) = scplearn.evaluate(sample_copy, "reach", by=["year"], year=second, keep=True)
    before = exact[second][0]
    assert recomputed["walk_ins"] == before["walk_ins"]
    assert (recomputed["attended"], recomputed["places_taken"], recomputed["unique_delegates"]) == (
        before["attended"] + 1, before["places_taken"] + 1, before["unique_delegates"] + 1)
    assert recomputed == Reach().evaluate(sample_copy, ["year"], Scope(year=second))[0]
    assert sample_copy.db["evaluation_runs"].count == 2  # the new run replaced the stale one
    assert sample_copy.db.execute("SELECT count(*) FROM reach_results").fetchone()[0] == 2
    # Unscoped rows cover every year, so any import makes them stale.
    assert scplearn.evaluate(sample_copy, "reach", keep=True)[0]["attended"] == Reach().evaluate(
        sample_copy, [], Scope())[0]["attended"]


def test_evaluate_runs_every_evaluator_by_default(sample_copy):
    result = invoke("evaluate", sample_copy.path, "--year", "2023-24", "--partnership", "Leicester", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    names = set(plugins.get_evaluators())
    assert {row["evaluator"] for row in rows} == names >= set(BUILT_IN)
    impact = [row for row in rows if row["evaluator"] == "impact"]
    assert [row["dimension"] for row in impact] == ["knowledge", "skills", "confidence"]
    tables = set(sample_copy.db.table_names())
    assert {f"{name}_results" for name in names} <= tables
    parameters = {row["parameters"] for row in sample_copy.db.query("SELECT parameters FROM evaluation_runs")}
    assert parameters == {json.dumps({"partnership": "Leicester", "year": "2023/24"})}


def test_evaluate_prints_aligned_tables(sample_copy):
    result = invoke("evaluate", sample_copy.path, "-e", "reach", "-e", "uplift", "--by", "year", "--year", "2023/24")
    assert result.exit_code == 0, result.output
    reach, uplift = result.output.strip().split("\n\n")
    lines = reach.splitlines()
    assert lines[0] == "reach by year (2023/24)"
    header, rule, row = lines[1:]
    assert header.split() == ["year", *plugins.get_evaluators()["reach"].columns]
    widths = [len(dashes) for dashes in rule.split()]
    assert widths[0] == len("2023/24") and widths[1:] == [len(heading) for heading in header.split()[1:]]
    # Text is left-aligned; numbers end where their heading ends.
    assert row.startswith("2023/24  ")
    assert header.index("spaces_offered") + len("spaces_offered") == row.index("1,600") + len("1,600")
    assert uplift.splitlines()[0] == "uplift by year (2023/24)"
    assert len(uplift.splitlines()) == 2 + 3 + 1  # title, header, rule, three dimensions


def test_format_table_shows_blanks_numbers_and_text():
    table = format_table([
        {"group": "a", "count": 1234, "rate": 12.3456, "p": 0.000123, "empty": None},
        {"group": "longer", "count": 5, "rate": None, "p": 0.5, "empty": None},
    ])
    assert table.splitlines() == [
        "group   count   rate        p  empty",
        "------  -----  -----  -------  -----",
        "a       1,234  12.35  0.00012",
        "longer      5            0.50",
    ]


@pytest.mark.parametrize("args,message", [
    (["-e", "nonesuch"], "Error: no evaluator named 'nonesuch'; installed: "),
    (["--by", "colour"], "Invalid value for '--by': 'colour' is not one of"),
    (["--year", "2023/25"], "Invalid value for '--year': must be a financial year such as 2023/24"),
    (["--as-of", "31/02/2024"], "Invalid value for '--as-of'"),
    (["--partnership", "Leicster"],
     "Error: no partnership named 'Leicster'; known: Leicester, Leicestershire and Rutland\n"),
])
def test_bad_options_are_one_line_errors(sample_copy, args, message):
    result = invoke("evaluate", sample_copy.path, *args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_missing_database_is_an_error_not_a_new_file(tmp_path):
    result = invoke("evaluate", tmp_path / "nothing.db")
    assert result.exit_code == 2 and "does not exist" in result.output
    with pytest.raises(scplearn.ScplearnError, match="no such database"):
        scplearn.evaluate(tmp_path / "nothing.db", "reach")
    assert not (tmp_path / "nothing.db").exists()


def test_the_library_takes_a_store_or_a_path(sample_copy):
    from_store = scplearn.evaluate(sample_copy, "uplift", by=["year"])
    from_path = scplearn.evaluate(str(sample_copy.path), "uplift", by=["year"])
    assert from_store == from_path
    assert {(row["year"], row["dimension"]) for row in from_store} == {
        (year, dimension) for year in SAMPLE_YEARS for dimension in ("knowledge", "skills", "confidence")
    }


def test_every_column_of_every_built_in_evaluator_is_documented():
    text = (ROOT / "docs" / "evaluators.md").read_text()
    evaluators = plugins.get_evaluators()
    for name in BUILT_IN:
        section = re.search(rf"^## `{name}`\n(.*?)(?=^## |\Z)", text, re.S | re.M)
        assert section, f"docs/evaluators.md has no section for {name}"
        first_cells = re.findall(r"^\| (.*?) \|", section.group(1), re.M)
        documented = {entry.strip("`") for cell in first_cells for entry in cell.split(", ")}
        for column in evaluators[name].columns:
            assert column in documented, f"{name}.{column} is not in the table of docs/evaluators.md"


class Counting(scplearn.Evaluator):
    name = "counting"
    description = "Delegates, and a share"
    columns = {"delegates": scplearn.Count("Delegates"), "share": scplearn.Statistic("A share")}

    def __init__(self, rows=()):
        self.rows = list(rows)

    def compute(self, store, by, scope):
        return {tuple(row[field] for field in by): {k: v for k, v in row.items() if k not in by} for row in self.rows}


def runs(store) -> int:
    return store.db["evaluation_runs"].count if store.db["evaluation_runs"].exists() else 0


def test_the_library_reads_without_writing_unless_asked_to_keep(sample_copy):
    """``scplearn.evaluate`` computes what is not kept and writes nothing; ``keep=True`` keeps it, as the CLI does."""
    before = runs(sample_copy)
    rows = scplearn.evaluate(sample_copy, "reach", by=["year"])
    assert rows == Reach().evaluate(sample_copy, ["year"], Scope())
    assert runs(sample_copy) == before and not sample_copy.db["reach_results"].exists()
    assert scplearn.evaluate(sample_copy, "reach", by=["year"], keep=True) == rows
    assert runs(sample_copy) == before + 1 and sample_copy.db["reach_results"].count == len(rows)
    # Kept rows are what a later read returns: mark one to tell it from rows computed afresh.
    sample_copy.db.execute("UPDATE reach_results SET walk_ins = -1")
    sample_copy.db.conn.commit()
    assert {row["walk_ins"] for row in scplearn.evaluate(sample_copy, "reach", by=["year"])} == {-1}
    assert runs(sample_copy) == before + 1


def test_saving_rows_with_a_column_the_evaluator_does_not_declare_is_an_error_and_writes_nothing(sample_copy):
    before = runs(sample_copy)
    with pytest.raises(scplearn.ScplearnError, match="'counting' returned columns it does not declare: extra"):
        Stage(sample_copy).save(Counting(), ["year"], Scope(), [{"year": "2023/24", "delegates": 3, "extra": 1}])
    assert not sample_copy.db["counting_results"].exists()
    assert runs(sample_copy) == before


def test_saved_rows_keep_their_values_and_leave_undeclared_groupings_empty(sample_copy):
    rows = [{"year": "2023/24", "delegates": 3, "share": 0.5}, {"year": "2022/23", "delegates": 4, "share": None}]
    Stage(sample_copy).save(Counting(), ["year"], Scope(), rows)
    saved = list(sample_copy.db.query("SELECT year, course, delegates, share, grouping FROM counting_results ORDER BY rowid"))
    assert saved == [{**row, "course": None, "grouping": "year"} for row in rows]


@pytest.fixture
def registered():
    """Register evaluators for one test: ``registered(evaluator, ...)``."""
    names = []

    def register(*evaluators):
        class Plugin:
            @scplearn.hookimpl
            def register_evaluators(self, register):
                for evaluator in evaluators:
                    register(evaluator)

        names.append(f"test-evaluators-{len(names)}")
        plugins.pm.register(Plugin(), name=names[-1])

    yield register
    for name in names:
        plugins.pm.unregister(name=name)


def test_an_evaluator_that_is_not_an_evaluator_is_refused(sample_copy, registered):
    class Loose:  # the shape of an evaluator, without the base class that derives and declares its columns
        name = "loose"
        description = "Not a scplearn.Evaluator"
        columns = {"delegates": int}

        def evaluate(self, store, by, scope):
            return []

    registered(Loose())
    before = runs(sample_copy)
    with pytest.raises(scplearn.ScplearnError, match=r"'loose' \(Loose\) must be a scplearn.Evaluator"):
        scplearn.evaluate(sample_copy, "loose")
    with pytest.raises(scplearn.ScplearnError, match="must be a scplearn.Evaluator"):
        scplearn.evaluate(sample_copy, "reach")  # the installed evaluators are refused as a whole
    result = invoke("evaluate", sample_copy.path, "-e", "reach")
    assert result.exit_code != 0 and "must be a scplearn.Evaluator" in result.output
    assert "Traceback" not in result.output
    assert runs(sample_copy) == before


def test_an_evaluator_column_named_like_a_grouping_field_is_refused(sample_copy, registered):
    class Sectors(Counting):
        name = "sectors"
        columns = {"sector": scplearn.Count("Delegates of a sector")}

    registered(Sectors())
    with pytest.raises(scplearn.ScplearnError, match="'sectors' names a column like a grouping field or label: sector"):
        scplearn.evaluate(sample_copy, "sectors")


def test_a_plugin_evaluator_is_evaluated_kept_and_read_back(sample_copy, registered):
    registered(Counting([{"year": "2022/23", "delegates": 4, "share": None},
                         {"year": "2023/24", "delegates": 3, "share": 0.5}]))
    rows = scplearn.evaluate(sample_copy, "counting", by=["year"], keep=True)
    assert rows == [{"year": "2022/23", "delegates": 4, "share": None},
                    {"year": "2023/24", "delegates": 3, "share": 0.5}]
    assert scplearn.evaluate(sample_copy, "counting", by=["year"]) == rows
    assert sample_copy.db["counting_results"].count == 2
