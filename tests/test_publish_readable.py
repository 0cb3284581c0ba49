"""The board's view of the site: readable tables, short withheld marks, and dashboard panels that show the
published figures of the chosen year beside the year before."""

from __future__ import annotations

import re
import sqlite3
import urllib.parse

import pytest

from scplearn.model import RESOURCE_KINDS
from scplearn.publish import board, readable
from scplearn.publish.dashboards import SLUG
from scplearn.publish.serve import Site, build_site, datasette_app

LABELS = {"year": ["year"], "course": ["year", "course"], "sector": ["year", "sector"],
          "agency": ["year", "sector", "agency"]}


@pytest.fixture(scope="module")
def site(sample_store, tmp_path_factory):
    directory = tmp_path_factory.mktemp("site")
    return build_site(sample_store, Site(directory=directory, public="public.db"))


@pytest.fixture(scope="module")
def public(site):
    db = sqlite3.connect(site.path(site.public))
    db.row_factory = sqlite3.Row
    yield db
    db.close()


@pytest.fixture
def ds(site):
    return datasette_app(site)


def withheld(row, column) -> bool:
    return column in [name.strip() for name in (row["suppressed"] or "").split(",")]


def test_every_question_has_a_readable_table_by_year_course_sector_and_agency(public):
    names = {row[0] for row in public.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {name for name in names if "_by_" in name} == {f"{q}_by_{g}" for q in ("reach", "uplift", "followup")
                     for g in ("year", "course", "sector", "agency")} | {
        f"coverage_by_{g}" for g in ("year", "sector", "agency")} | {"resources_by_year"}


@pytest.mark.parametrize("question", readable.QUESTIONS, ids=lambda q: q.name)
@pytest.mark.parametrize("grouping", readable.GROUPINGS, ids=lambda g: g.name)
def test_a_readable_table_shows_the_published_figures_and_withheld_where_the_policy_withheld_them(public, question,
                                                                                       grouping):
    """Worked out again in Python from the results table: each figure as published, or 'withheld'."""
    columns = {row[1] for row in public.execute(f"PRAGMA table_info({question.table})")}
    if not set(grouping.grouping.split(",")) <= columns:  # coverage is not published by course
        assert not public.execute("SELECT 1 FROM sqlite_master WHERE name = ?",
                                  [readable.table_name(question, grouping)]).fetchone()
        return
    where = "grouping = ?" + (" AND dimension = ?" if question.dimension else "")
    parameters = [grouping.grouping, *([question.dimension] if question.dimension else [])]
    rows = public.execute(f"SELECT * FROM {question.table} WHERE {where}", parameters).fetchall()
    shown = [c for c in question.columns if c.delegate_level in (None, grouping.delegate_level)]
    expected = []
    for row in rows:
        figures = []
        for column in shown:
            if row[column.source] is None:
                figures.append(readable.WITHHELD if withheld(row, column.source) else None)
            elif column.source == "kind":  # a resource's kind, by its label
                figures.append(RESOURCE_KINDS[row["kind"]])
            elif column.expression:  # an interval, its minus signs U+2212
                low, high = (row[column.source], row[column.source.replace("low", "high")])
                places = 1 if column.title == "95% interval" else 0
                figures.append(f"{low:.{places}f} to {high:.{places}f}".replace("-", "\u2212"))
            else:
                figures.append(row[column.source])
        expected.append((row["year"], *figures))
    copied = public.execute(f"SELECT * FROM {readable.table_name(question, grouping)}").fetchall()
    titles = copied[0].keys()
    assert titles[:len(grouping.labels)] == [title for title, _, _ in grouping.labels]
    assert titles[len(grouping.labels):] == [c.title for c in shown]
    got = [(row["Year"], *row[len(grouping.labels):]) for row in copied]
    assert sorted(got, key=repr) == sorted(expected, key=repr)
    assert len(copied) == len(rows) > 0
    assert [row["Year"] for row in copied] == sorted((row["Year"] for row in copied), reverse=True)


def test_the_sample_has_withheld_figures_in_its_agency_table(public):
    marks = public.execute("SELECT count(*) FROM reach_by_agency WHERE People = 'withheld'").fetchone()[0]
    assert marks > 0


@pytest.mark.asyncio
async def test_a_readable_table_has_readable_titles_explains_withheld_once_and_links_to_its_detail_table(ds):
    page = await ds.client.get("/public/uplift_by_agency")
    assert page.status_code == 200
    headers = [name for name in re.findall(r'<th [^>]*data-column="([^"]+)"', page.text)
               if name not in ("Link", "rowid")]  # Datasette's own columns of a table without a primary key
    assert headers[:7] == ["Year", "Sector", "Agency", "Dimension", "Delegates", "Before", "After"]
    assert "Mean change" in headers and "95% interval" in headers and "hedges_gz" not in headers
    assert page.text.count("marks a figure withheld to protect small groups") == 1
    assert 'href="/public/uplift_results?grouping=year,sector,agency"' in page.text
    assert "What do these columns mean?" in page.text  # the script folding the descriptions away
    assert '<dt>95% interval</dt><dd>95% confidence interval of the mean change</dd>' in page.text


@pytest.mark.asyncio
async def test_a_results_table_page_marks_withheld_cells_and_counts_the_withheld_columns(ds, public):
    row = public.execute("SELECT rowid, * FROM reach_results WHERE unique_delegates IS NULL AND suppressed LIKE "
                         "'%unique_delegates%' LIMIT 1").fetchone()
    page = await ds.client.get(f"/public/reach_results/{row['rowid']}")
    assert page.status_code == 200
    cell = re.search(r'<td class="col-unique_delegates[^"]*"[^>]*>(.*?)</td>', page.text, re.S).group(1)
    assert cell.strip() == '<span class="withheld">withheld</span>'
    names = [name.strip() for name in row["suppressed"].split(",")]
    listed = re.search(r'<td class="col-suppressed[^"]*"[^>]*>(.*?)</td>', page.text, re.S).group(1).strip()
    assert listed == f'<span title="{", ".join(names)}">{len(names)} figures</span>'


def chart_rows(ds, chart, year):
    sql = re.sub(r"\[\[(.*?)\]\]", (lambda m: m.group(1)) if year else "", chart["query"])
    query = urllib.parse.urlencode({"sql": sql, "_shape": "objects", **({"year": year} if year else {})})
    return ds.client.get(f"/{chart['db']}.json?{query}")


@pytest.mark.asyncio
@pytest.mark.parametrize("year", [None, "2023/24", "2022/23"])
async def test_the_follow_up_panel_shows_the_chosen_year_beside_the_one_before(ds, site, public, year):
    charts = site.read_metadata()["plugins"]["datasette-dashboards"][SLUG]["charts"]
    response = await chart_rows(ds, charts["three-months-on"], year)
    rows = {row["Measure"]: (row["This year"], row["Year before"]) for row in response.json()["rows"]}
    chosen = year or "2023/24"
    before = {"2023/24": "2022/23", "2022/23": "2021/22"}[chosen]
    assert rows["Financial year"] == (chosen, before)

    def published(y):
        found = public.execute("SELECT * FROM impact_results WHERE grouping = 'year' AND dimension = 'confidence' "
                               "AND year = ?", [y]).fetchone()
        return found

    this, earlier = published(chosen), published(before)
    assert rows["Used the learning in everyday work"] == (f"{this['pct_used_learning']:.0f}%",
                                                          f"{earlier['pct_used_learning']:.0f}%" if earlier else "")
    assert rows["Respondents"][0] == this["followups"]
    assert rows["Confidence three months on"][0] == f"{this['mean_followup']:.1f}"


@pytest.mark.asyncio
async def test_the_agency_panels_show_each_agencys_published_people_and_confidence_change(ds, site, public):
    charts = site.read_metadata()["plugins"]["datasette-dashboards"][SLUG]["charts"]
    reach = (await chart_rows(ds, charts["reach-by-agency"], "2023/24")).json()["rows"]
    published = {row["agency"]: row for row in public.execute(
        "SELECT * FROM reach_results WHERE grouping = 'year,sector,agency' AND year = '2023/24'")}
    assert len(reach) == len(published) > 10
    for row in reach:
        source = published[row["Agency"]]
        want = source["unique_delegates"]
        assert row["People"] == (want if want is not None else
                                 "withheld" if withheld(source, "unique_delegates") else "")
    change = (await chart_rows(ds, charts["change-by-agency"], "2023/24")).json()["rows"]
    confidence = {row["agency"]: row for row in public.execute(
        "SELECT * FROM uplift_results WHERE grouping = 'year,sector,agency' AND year = '2023/24' "
        "AND dimension = 'confidence'")}
    for row in change:
        source = confidence[row["Agency"]]
        if source["mean_change"] is None:
            assert row["Confidence"] == ("withheld" if withheld(source, "mean_change") else "")
        else:
            assert row["Confidence"] == (f"{source['mean_change']:+.1f} "
                                         f"({source['ci_low']:+.1f} to {source['ci_high']:+.1f})")


def test_text_in_a_table_panel_is_escaped_for_html():
    """The dashboard writes a table panel's cells with innerHTML: an agency's name must not become markup."""
    db = sqlite3.connect(":memory:")
    name = '<img src=x onerror="alert(1)"> & Co'
    escaped = db.execute(f"SELECT {board.html_text('?')}", [name]).fetchone()[0]
    assert escaped == '&lt;img src=x onerror="alert(1)"&gt; &amp; Co'


def test_every_panel_heading_links_to_readable_tables_that_exist(site, public):
    charts = site.read_metadata()["plugins"]["datasette-dashboards"][SLUG]["charts"]
    names = {row[0] for row in public.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    headings = [chart["display"] for chart in charts.values() if chart["library"] == "markdown"]
    assert len(headings) == 4
    links = [link for text in headings for link in re.findall(r"\]\(/public/(\w+)\)", text)]
    assert len(links) == 11 and set(links) <= names


def test_no_statistic_is_left_empty_and_unlisted_beside_a_withheld_count(public):
    """An empty standard deviation beside a withheld number of delegates would say there was one: every
    statistic over a withheld or small count is listed as withheld, whatever its exact value."""
    from scplearn import plugins

    checked = 0
    for evaluator in plugins.get_evaluators().values():
        statistics = {name: column.bases for name, column in evaluator.columns.items() if column.kind == "statistic"}
        if not statistics:
            continue
        for row in public.execute(f"SELECT * FROM {evaluator.name}_results WHERE suppressed IS NOT NULL"):
            listed = {name.strip() for name in row["suppressed"].split(",")}
            for name, bases in statistics.items():
                if listed & set(bases):
                    checked += 1
                    assert name in listed, (evaluator.name, dict(row), name)
    assert checked > 100


def test_the_home_page_says_when_data_was_last_imported_as_a_reader_writes_it():
    from scplearn.publish.metadata import readable_time

    assert readable_time("2026-12-04T09:05:00+00:00") == "4 December 2026 at 09:05 UTC"
    assert readable_time("2026-07-01T00:30:00+01:00") == "30 June 2026 at 23:30 UTC"
    assert readable_time(None) == "never"


@pytest.mark.asyncio
async def test_the_home_page_shows_no_raw_timestamp(ds):
    page = await ds.client.get("/")
    assert re.search(r"Data last imported \d{1,2} [A-Z][a-z]+ \d{4} at \d\d:\d\d UTC", page.text)
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", page.text)
