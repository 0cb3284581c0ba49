"""Plugins: the installed scplearn-kirkpatrick package, and a plugin registered inside a test.

The Kirkpatrick plugin lives in plugins/scplearn-kirkpatrick and is installed
with ``pip install -e plugins/scplearn-kirkpatrick``; nothing in the core
names it. Once installed it must show up everywhere a built-in evaluator does.
"""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLE_YEARS

import scplearn
from scplearn import plugins
from scplearn.cli import cli
from scplearn.results.stage import drop_results
from scplearn.hookspecs import hookimpl

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def sample_copy(sample_copy):
    """The copy of the sample with no results kept yet, whatever tests before published from the shared store."""
    with sample_copy.db.atomic():
        drop_results(sample_copy.db)
    return sample_copy


def invoke(*args):
    return CliRunner().invoke(cli, [str(arg) for arg in args])


def test_the_plugin_is_installed_through_the_scplearn_entry_point():
    try:
        distribution = importlib.metadata.distribution("scplearn-kirkpatrick")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - a setup problem, reported plainly
        pytest.fail("scplearn-kirkpatrick is not installed: pip install -e plugins/scplearn-kirkpatrick")
    (entry_point,) = [ep for ep in distribution.entry_points if ep.group == "scplearn"]
    assert (entry_point.name, entry_point.value) == ("kirkpatrick", "scplearn_kirkpatrick")


def test_the_core_does_not_name_the_plugin():
    assert not any("kirkpatrick" in name for name in plugins.DEFAULT_PLUGINS)
    for path in (ROOT / "src" / "scplearn").rglob("*.py"):
        assert "kirkpatrick" not in path.read_text(encoding="utf-8").lower(), path


def test_it_appears_in_evaluators_and_plugins():
    result = invoke("evaluators")
    assert result.exit_code == 0, result.output
    assert "kirkpatrick  (scplearn-kirkpatrick)\n    Modified Kirkpatrick levels" in result.output
    listed = {plugin["name"]: plugin for plugin in json.loads(invoke("plugins").output)}
    assert listed["scplearn-kirkpatrick"]["hooks"] == ["register_evaluators", "report_sections"]


def test_it_runs_in_evaluate_and_fills_its_results_table(sample_copy):
    result = invoke("evaluate", sample_copy.path, "-e", "kirkpatrick", "--by", "year", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [row["year"] for row in rows] == SAMPLE_YEARS
    saved = list(sample_copy.db.query("SELECT * FROM kirkpatrick_results ORDER BY year"))
    assert [{key: row[key] for key in rows[0]} for row in saved] == rows
    (run,) = sample_copy.db.query("SELECT * FROM evaluation_runs WHERE evaluator = 'kirkpatrick'")
    assert (run["grouping"], run["rows"]) == ("year", len(SAMPLE_YEARS))
    assert run["version"].startswith("1/")  # the plugin's version, then the shape of its rows
    table = invoke("evaluate", sample_copy.path, "-e", "kirkpatrick", "--year", "2023/24")
    assert table.output.startswith("kirkpatrick (2023/24)\nattended  level_1_feedback")


def test_its_levels_agree_with_the_data(sample_copy):
    # A copy: the evaluator reads reach's rows through the results stage, which keeps them.
    rows = {row["year"]: row for row in scplearn.evaluate(sample_copy, "kirkpatrick", by=["year"])}
    impact = {row["year"]: row for row in scplearn.evaluate(sample_copy, "impact", by=["year"])}
    db = sample_copy.db
    for year, row in rows.items():
        attended, feedback = db.execute(
            "SELECT (SELECT count(*) FROM bookings JOIN sessions ON sessions.code = bookings.session "
            "        WHERE status = 'attended' AND year = :year), "
            "       (SELECT count(*) FROM feedback JOIN sessions ON sessions.code = feedback.session "
            "        WHERE year = :year)", {"year": year}).fetchone()
        assert (row["attended"], row["level_1_feedback"]) == (attended, feedback)
        assert row["level_1_feedback_rate"] == pytest.approx(100 * feedback / attended)
        n, mean = db.execute(
            "SELECT count(*), avg(change) FROM ("
            " SELECT knowledge_post - knowledge_pre AS change, session FROM evaluations"
            " WHERE knowledge_post IS NOT NULL AND knowledge_pre IS NOT NULL UNION ALL"
            " SELECT skills_post - skills_pre, session FROM evaluations"
            " WHERE skills_post IS NOT NULL AND skills_pre IS NOT NULL"
            ") JOIN sessions ON sessions.code = session WHERE year = ?", [year]).fetchone()
        assert (row["level_2b_n"], row["level_2b_mean_change"]) == (n, pytest.approx(mean, abs=1e-9))
        assert row["level_3_used_learning"] == impact[year]["pct_used_learning"]
        assert row["level_3_specific_action"] == impact[year]["pct_specific_action"]


class SessionCount(scplearn.Evaluator):
    """A tiny evaluator, defined in the test, as a plugin author would write one."""

    name = "session_count"
    description = "Sessions per group"
    version = "0.1"
    columns = {"sessions": scplearn.Count("Sessions held", people=False)}
    groupable = frozenset({"year", "partnership", "course", "session", "priority", "mode"})

    def compute(self, store, by, scope):
        from scplearn import evaluation

        where, params = scope.sql()
        groups = evaluation.group_columns(by)
        sql = (f"SELECT {groups + ', ' if groups else ''}count(*) AS sessions "
               f"FROM sessions LEFT JOIN courses ON courses.code = sessions.course WHERE {where}"
               + (f" GROUP BY {evaluation.group_expressions(by)}" if by else ""))
        return {evaluation.group_key(row, by): {"sessions": row["sessions"]} for row in store.db.query(sql, params)}


class InTestPlugin:
    @hookimpl
    def register_evaluators(self, register):
        register(SessionCount())


class Clash:
    @hookimpl
    def register_evaluators(self, register):
        register(type("Reach", (SessionCount,), {"name": "reach"})())


@pytest.fixture
def registered():
    def register(plugin, name):
        plugins.load_plugins()
        plugins.pm.register(plugin, name=name)
        added.append(name)

    added = []
    yield register
    for name in added:
        plugins.pm.unregister(name=name)


def test_a_plugin_registered_in_a_test_works_like_a_built_in(registered, sample_copy):
    registered(InTestPlugin(), "in-test-plugin")
    result = invoke("evaluators")
    assert "session_count  (in-test-plugin)\n    Sessions per group\n    columns: sessions\n" in result.output
    result = invoke("evaluate", sample_copy.path, "-e", "session_count", "--by", "year", "--json")
    assert result.exit_code == 0, result.output
    reach = scplearn.evaluate(sample_copy, "reach", by=["year"])
    assert json.loads(result.output) == [{"year": row["year"], "sessions": row["sessions"]} for row in reach]
    assert sample_copy.db["session_count_results"].count == len(reach)


def test_the_plugin_is_gone_once_unregistered():
    plugins.load_plugins()
    plugins.pm.register(InTestPlugin(), name="short-lived")
    try:
        assert "session_count" in plugins.get_evaluators()
    finally:
        plugins.pm.unregister(name="short-lived")
    assert "session_count" not in plugins.get_evaluators()
    assert "session_count" not in invoke("evaluators").output


def test_two_evaluators_with_one_name_is_a_one_line_error(registered):
    registered(Clash(), "clash")
    result = invoke("evaluators")
    assert result.exit_code == 1
    assert result.output in {
        "Error: two plugins register 'reach': built-in and clash\n",
        "Error: two plugins register 'reach': clash and built-in\n",
    }
