"""The whole plugin written out in docs/plugins.md works: registered as its entry point says, run on the sample
data, its figures are those of an independent count."""

import re
import sqlite3
import tomllib
import types
from pathlib import Path

import pytest

import scplearn
from scplearn import plugins

ROOT = Path(__file__).resolve().parents[1]


def guide_section() -> str:
    text = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    match = re.search(r"^## A whole plugin on one page\n(.*?)(?=^## )", text, re.S | re.M)
    assert match, "docs/plugins.md has no section 'A whole plugin on one page'"
    return match.group(1)


def code_block(language: str) -> str:
    (block,) = re.findall(rf"^```{language}\n(.*?)^```", guide_section(), re.S | re.M)
    return block


@pytest.fixture
def plugin():
    """The guide's module, registered under the distribution name its pyproject.toml gives, then unregistered."""
    project = tomllib.loads(code_block("toml"))
    (module_name,) = project["project"]["entry-points"]["scplearn"].values()
    assert project["tool"]["setuptools"]["py-modules"] == [module_name]
    module = types.ModuleType(module_name)
    exec(compile(code_block("python"), "docs/plugins.md", "exec"), module.__dict__)
    plugins.load_plugins()
    plugins.pm.register(module, name=project["project"]["name"])
    yield module
    plugins.pm.unregister(name=project["project"]["name"])


def counted(store, by_sql: str, join: str = "") -> dict:
    """Attendances and those at virtual sessions by ``by_sql``, straight from the records with plain sqlite3."""
    connection = sqlite3.connect(store.path)
    try:
        rows = connection.execute(f"""
            SELECT {by_sql}, count(*), sum(CASE WHEN s.mode = 'virtual' THEN 1 ELSE 0 END)
            FROM bookings AS b JOIN sessions AS s ON s.code = b.session {join}
            WHERE b.status = 'attended' GROUP BY 1""").fetchall()
    finally:
        connection.close()
    return {key: (attended, virtual) for key, attended, virtual in rows}


def test_the_guides_plugin_lists_its_evaluator(plugin):
    evaluator = plugins.get_evaluators()["virtual_share"]
    assert isinstance(evaluator, plugin.VirtualShare)
    assert plugins.sources("register_evaluators")["virtual_share"] == "scplearn-virtual"
    assert list(evaluator.columns) == ["attended", "virtual", "virtual_share"]


def test_the_guides_plugin_counts_virtual_attendances_by_year(plugin, sample_store):
    rows = scplearn.evaluate(sample_store, "virtual_share", by=["year"])
    expected = counted(sample_store, "s.year")
    assert len(expected) >= 2 and all(virtual for _, virtual in expected.values())
    assert {row["year"]: (row["attended"], row["virtual"]) for row in rows} == expected
    for row in rows:
        assert row["virtual_share"] == pytest.approx(100 * row["virtual"] / row["attended"])
        assert 0 < row["virtual_share"] < 100


def test_the_guides_plugin_splits_attendances_by_sector(plugin, sample_store):
    rows = scplearn.evaluate(sample_store, "virtual_share", by=["sector"])
    expected = counted(sample_store, "a.sector",
                       "LEFT JOIN delegates AS d ON d.key = b.delegate LEFT JOIN agencies AS a ON a.name = d.agency")
    assert len(expected) >= 3
    assert {row["sector"]: (row["attended"], row["virtual"]) for row in rows} == expected
    (everyone,) = scplearn.evaluate(sample_store, "virtual_share")
    assert everyone["attended"] == sum(attended for attended, _ in expected.values())
