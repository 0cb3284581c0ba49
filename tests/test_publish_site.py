"""The served site, through Datasette's own test client: who may see what, and an anonymous crawl.

The site is the sample store's: the public database, the evidence database
and (to make the test harder) the private names-and-emails database too, as
``scplearn serve --include-private`` serves it. Anonymous visitors must reach
every public page, query and dashboard, and nothing else; a signed-in
coordinator reaches everything.
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
import urllib.parse

import pytest
from datasette.utils import tilde_encode
from datasette_auth_passwords.utils import hash_password
from helpers.site import crawl

from scplearn import plugins
from scplearn.publish.dashboards import SLUG
from scplearn.publish.metadata import SIGNED_IN
from scplearn.publish.serve import Site, build_site, datasette_app

YEAR = "2023/24"
PASSWORD = "correct horse battery staple"
PASSWORD_HASH = hash_password(PASSWORD)


@pytest.fixture(scope="module")
def site(sample_store, tmp_path_factory):
    sample_store.private  # opens (and so creates) the private database beside the store
    directory = tmp_path_factory.mktemp("site")
    site = Site(directory=directory, public="public.db", evidence=str(sample_store.path),
                private=str(sample_store.private_path))
    return build_site(sample_store, site)


@pytest.fixture
def ds(site, monkeypatch):
    monkeypatch.setenv("SCPLEARN_PASSWORD_HASH_COORDINATOR", PASSWORD_HASH)
    return datasette_app(site)


def signed_in(ds):
    return {"ds_actor": ds.sign({"a": {"id": "coordinator"}}, "actor")}


def tables_of(path):
    db = sqlite3.connect(path)
    try:
        # SQLite's own tables (sqlite_stat1, the planner's statistics) are hidden by Datasette.
        return [row[0] for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite^_%' ESCAPE '^' ORDER BY name"
        )]
    finally:
        db.close()


def row_path(path, table):
    """The URL path of the first row of ``table``, as Datasette spells it (primary keys or rowid)."""
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    try:
        pks = [c[1] for c in sorted(db.execute(f"PRAGMA table_info([{table}])"), key=lambda c: c[5]) if c[5]]
        row = db.execute(f"SELECT rowid AS rowid, * FROM [{table}] LIMIT 1").fetchone()
    finally:
        db.close()
    if row is None:
        return None
    return ",".join(tilde_encode(str(row[pk])) for pk in pks) if pks else str(row["rowid"])


def public_paths(site):
    metadata = site.read_metadata()
    paths = ["/", "/.json", "/public", "/public.json", "/-/metadata.json", "/-/databases.json", "/-/login",
             "/public.json?sql=select+count(*)+from+uplift_results",
             "/-/dashboards", f"/-/dashboards/{SLUG}?year={YEAR}", f"/-/dashboards/{SLUG}/embed?year={YEAR}"]
    for table in tables_of(site.path(site.public)):
        paths += [f"/public/{table}", f"/public/{table}.json", f"/public/{table}.csv", f"/public/{table}.json?_labels=on"]
        paths.append(f"/public/{table}/{row_path(site.path(site.public), table)}")
    for query in metadata["databases"]["public"]["queries"]:
        quoted = urllib.parse.quote(YEAR, safe="")
        paths += [f"/public/{query}?year={quoted}", f"/public/{query}.json?year={quoted}", f"/public/{query}.csv?year={quoted}"]
    for chart in metadata["plugins"]["datasette-dashboards"][SLUG]["charts"]:
        paths.append(f"/-/dashboards/{SLUG}/{chart}")
    return paths


def restricted_paths(site, name, path):
    paths = [f"/{name}", f"/{name}.json", f"/{name}.json?sql=select+*+from+sqlite_master"]
    for table in tables_of(path):
        paths += [f"/{name}/{table}", f"/{name}/{table}.json", f"/{name}/{table}.csv",
                  f"/{name}/{table}.json?_labels=on"]
        row = row_path(path, table)
        if row:
            paths.append(f"/{name}/{table}/{row}")
    return paths


def matrix(site):
    evidence = ("training", site.path(site.evidence))
    private = ("training~2Eprivate", site.path(site.private))
    cases = [(path, 200, 200) for path in public_paths(site)]
    # A dashboard without a year chosen redirects to the latest year (see the test below).
    cases += [(f"/-/dashboards/{SLUG}", 302, 302), (f"/-/dashboards/{SLUG}/embed", 302, 302)]
    cases += [(path, 403, 200) for name, path in (evidence, private) for path in restricted_paths(site, name, path)]
    # No downloads (allow_download off), whoever asks.
    cases += [("/public.db", 403, 403), ("/training.db", 403, 403)]
    return cases


@pytest.mark.asyncio
async def test_permission_matrix(site, ds):
    """Anonymous: every public page 200, everything else 403. Signed in: everything but downloads."""
    failures = []
    for path, anonymous, signed in matrix(site):
        response = await ds.client.get(path)
        if response.status_code != anonymous:
            failures.append(("anonymous", path, response.status_code))
        response = await ds.client.get(path, cookies=signed_in(ds))
        if response.status_code != signed:
            failures.append(("signed in", path, response.status_code))
    assert failures == []
    assert len(matrix(site)) > 150


@pytest.mark.asyncio
async def test_signed_in_coordinators_see_row_level_evidence(site, ds, sample_store):
    cookies = signed_in(ds)
    response = await ds.client.get("/training/delegates.json?_shape=array&_size=5", cookies=cookies)
    keys = {row[0] for row in sample_store.db.execute("SELECT key FROM delegates")}
    assert response.status_code == 200 and {row["key"] for row in response.json()} <= keys
    response = await ds.client.get("/training.json?sql=select+count(*)+as+n+from+bookings&_shape=array", cookies=cookies)
    assert response.json() == [{"n": sample_store.db["bookings"].count}]


@pytest.mark.asyncio
async def test_logging_in_with_the_password_from_the_environment(ds):
    page = await ds.client.get("/-/login")
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
    cookies = {"ds_csrftoken": page.cookies["ds_csrftoken"]}
    wrong = await ds.client.post("/-/login", data={"username": "coordinator", "password": "nope", "csrftoken": token},
                                 cookies=cookies)
    assert "Invalid username or password" in wrong.text
    response = await ds.client.post("/-/login", data={"username": "coordinator", "password": PASSWORD,
                                                      "csrftoken": token}, cookies=cookies)
    assert response.status_code == 302
    actor = await ds.client.get("/-/actor.json", cookies={"ds_actor": response.cookies["ds_actor"]})
    assert actor.json() == {"actor": {"id": "coordinator"}}
    evidence = await ds.client.get("/training", cookies={"ds_actor": response.cookies["ds_actor"]})
    assert evidence.status_code == 200


def test_metadata_guards_the_evidence_at_database_level_and_holds_no_secret(site):
    metadata = site.read_metadata()
    assert metadata["databases"]["training"]["allow"] == SIGNED_IN == {"id": "*"}
    assert metadata["databases"]["training.private"]["allow"] == SIGNED_IN
    assert "allow" not in metadata["databases"]["public"]
    assert metadata["plugins"]["datasette-auth-passwords"] == {
        "coordinator_password_hash": {"$env": "SCPLEARN_PASSWORD_HASH_COORDINATOR"}}
    assert "pbkdf2" not in json.dumps(metadata)


def test_every_faceted_column_is_indexed_and_suggested_facets_are_off(site):
    from scplearn.publish.serve import SETTINGS

    assert SETTINGS["suggest_facets"] is False
    db = sqlite3.connect(site.path(site.public))
    tables = site.read_metadata()["databases"]["public"]["tables"]
    faceted = 0
    for table, info in tables.items():
        indexed = {db.execute(f"PRAGMA index_info([{index[1]}])").fetchone()[2]
                   for index in db.execute(f"PRAGMA index_list([{table}])")}
        for facet in info.get("facets", []):
            assert facet in indexed, (table, facet)
            faceted += 1
    assert faceted > 20


@pytest.mark.asyncio
async def test_result_tables_open_newest_year_first_and_columns_can_be_hidden(ds, site):
    """Datasette 0.65 fails on a page sorted by a column the visitor hides, so no table is sorted by metadata."""
    response = await ds.client.get("/public/uplift_results.json?_shape=array&_size=1")
    assert response.json()[0]["year"] == YEAR
    db = sqlite3.connect(site.path(site.public))
    for table in tables_of(site.path(site.public)):
        for column in [c[1] for c in db.execute(f"PRAGMA table_info([{table}])") if not c[5]]:
            response = await ds.client.get(f"/public/{table}?_nocol={column}")
            assert response.status_code == 200, (table, column)


@pytest.mark.asyncio
async def test_canned_queries_answer_from_the_public_tables(ds, site):
    db = sqlite3.connect(site.path(site.public))
    response = await ds.client.get(f"/public/headline_figures.json?year={YEAR}&_shape=array")
    figures = {row["figure"]: row["value"] for row in response.json()}
    expected = db.execute("SELECT sessions, attended, attendance_rate FROM reach_results "
                          "WHERE grouping = 'year' AND year = ?", [YEAR]).fetchone()
    assert (figures["Sessions"], figures["Attendances"], figures["Attendance rate (% of places offered)"]) == expected
    knowledge = db.execute("SELECT mean_change FROM uplift_results WHERE grouping = 'year' AND year = ? "
                           "AND dimension = 'knowledge'", [YEAR]).fetchone()[0]
    assert figures["Mean change in knowledge (points, 1–10 scale)"] == knowledge

    response = await ds.client.get(f"/public/this_year_against_last.json?year={YEAR}&_shape=array")
    sessions = next(row for row in response.json() if row["figure"] == "Sessions")
    last = db.execute("SELECT sessions FROM reach_results WHERE grouping = 'year' AND year = '2022/23'").fetchone()[0]
    assert (sessions["this_year"], sessions["last_year"], sessions["compared_with"]) == (expected[0], last, "2022/23")
    assert sessions["change"] == expected[0] - last

    courses = db.execute("SELECT count(*) FROM uplift_results WHERE grouping = 'year,course' AND year = ? "
                         "AND dimension = 'knowledge'", [YEAR]).fetchone()[0]
    for asked, dimension in (("", "confidence"), ("&dimension=Knowledge", "knowledge")):
        response = await ds.client.get(f"/public/courses_by_uplift.json?year={YEAR}{asked}&_shape=array")
        assert {row["dimension"] for row in response.json()} == {dimension}
        assert len(response.json()) == courses
        rows = [row for row in response.json() if row["mean_change"] is not None]
        assert [row["mean_change"] for row in rows] == sorted((row["mean_change"] for row in rows), reverse=True)
        assert all(row["ci_low"] <= row["mean_change"] <= row["ci_high"] for row in rows)



@pytest.mark.asyncio
@pytest.mark.parametrize("query", ["headline_figures", "this_year_against_last", "courses_by_uplift"])
async def test_canned_queries_take_the_year_as_people_write_it_and_default_to_the_latest(ds, site, query):
    db = sqlite3.connect(site.path(site.public))
    years = [row[0] for row in db.execute("SELECT DISTINCT year FROM reach_results ORDER BY year")]
    latest = years[-1]

    async def rows(year=None):
        response = await ds.client.get(f"/public/{query}.json?_shape=array"
                                       + ("" if year is None else f"&year={urllib.parse.quote(year)}"))
        assert response.status_code == 200, response.text
        return response.json()

    written_as_published = await rows(latest)
    assert written_as_published and {row["year"] for row in written_as_published} == {latest}
    for written in (None, "", latest.replace("/", "-"), latest[:4]):
        assert await rows(written) == written_as_published, written
    first = years[0]
    assert {row["year"] for row in await rows(first[:4])} == {first}
    (unknown,) = await rows("1999/00")
    assert list(unknown.values())[0] == f"No figures for 1999/00; the years published are {', '.join(years)}"


@pytest.mark.asyncio
async def test_the_dashboard_opens_on_the_latest_year_and_its_filter_shows_it(ds, site):
    db = sqlite3.connect(site.path(site.public))
    try:
        latest, earlier = db.execute("SELECT max(year), min(year) FROM reach_results").fetchone()
    finally:
        db.close()
    assert latest != earlier
    response = await ds.client.get(f"/-/dashboards/{SLUG}")
    assert response.status_code == 302
    assert response.headers["location"] == f"/-/dashboards/{SLUG}?" + urllib.parse.urlencode({"year": latest})
    for year in (latest, earlier):
        page = await ds.client.get(f"/-/dashboards/{SLUG}?" + urllib.parse.urlencode({"year": year}))
        assert page.status_code == 200
        assert re.findall(r'<option value="([^"]*)" selected>', page.text) == [year]


@pytest.mark.asyncio
async def test_every_dashboard_chart_query_runs_for_anonymous_visitors(ds, site):
    charts = site.read_metadata()["plugins"]["datasette-dashboards"][SLUG]["charts"]
    assert {f"before-after-{d}" for d in ("knowledge", "skills", "confidence")} | {
        "uplift-by-course", "attendance-by-year", "uplift-by-year", "people-by-sector", "reach-by-agency",
        "change-by-course", "change-by-agency", "three-months-on"} <= set(charts)
    for slug, chart in charts.items():
        if chart["library"] == "markdown":
            continue
        for year in (None, YEAR):
            # As dashboards.js does: drop [[ ... ]] without a value, keep its inside with one.
            sql = re.sub(r"\[\[(.*?)\]\]", (lambda m: m.group(1)) if year else "", chart["query"])
            query = urllib.parse.urlencode({"sql": sql, "_shape": "objects", **({"year": year} if year else {})})
            response = await ds.client.get(f"/{chart['db']}.json?{query}")
            assert response.status_code == 200, (slug, response.text)
            assert response.json()["rows"], slug


# -- the crawl --------------------------------------------------------------------------------


async def dump_every_table(ds):
    """Every row of every table of every database anonymous visitors may query, by (database, table)."""
    databases = (await ds.client.get("/-/databases.json")).json()
    dumps = {}
    for database in [d["route"] for d in databases] + ["_memory"]:
        listing = await ds.client.get(
            f"/{database}.json?sql=" + urllib.parse.quote("select name from sqlite_master where type in ('table', 'view')")
            + "&_shape=arrayfirst")
        if listing.status_code != 200:
            continue
        for table in listing.json():
            rows, offset = [], 0
            while True:
                sql = f"select * from [{table}] limit 500 offset {offset}"
                page = await ds.client.get(f"/{database}.json?sql={urllib.parse.quote(sql)}&_shape=array")
                assert page.status_code == 200, (database, table, page.text)
                rows += page.json()
                if len(page.json()) < 500:
                    break
                offset += 500
            dumps[(database, table)] = rows
    return dumps


WORD = re.compile(r"\w[\w'’-]*")


def readable(bodies) -> str:
    """All bodies as one text, HTML entities and JSON \\u escapes undone."""
    text = html.unescape("\n".join(bodies))
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)


def leaks(text, sample_store) -> list[str]:
    """Personal data, delegate keys and unpublishable free text of the sample found in ``text``.

    Looking thousands of strings up one by one in megabytes of pages is slow,
    so emails and keys are matched as tokens, names as runs of words, and only
    the few distinct free texts by substring.
    """
    found = []
    people = sample_store.private.execute("SELECT email, name FROM people").fetchall()
    emails = {email.lower() for email, _ in people}
    found += sorted(emails & {token.lower() for token in re.findall(r"[\w.+'-]+@[\w.-]+", text)})
    keys = {key for (key,) in sample_store.db.execute("SELECT key FROM delegates")}
    found += sorted(keys & set(re.findall(r"[0-9a-f]{16,64}", text)))
    words = WORD.findall(text)
    pairs = {f"{a} {b}" for a, b in zip(words, words[1:])}
    for _, name in people:
        parts = WORD.findall(name or "")
        if len(parts) > 1 and all(f"{a} {b}" in pairs for a, b in zip(parts, parts[1:])) and name in text:
            found.append(name)
    free_text = {t for row in sample_store.db.execute("SELECT action_1, action_2, action_3 FROM evaluations")
                 for t in row if t and len(t) > 12}
    free_text |= {t for (t,) in sample_store.db.execute("SELECT comments FROM followups WHERE length(comments) > 12")}
    # Refused quotes, but for those whose very words someone else consented to publish.
    free_text |= {t for (t,) in sample_store.db.execute(
        "SELECT quote FROM feedback WHERE consent = 0 EXCEPT SELECT quote FROM feedback WHERE consent = 1")}
    found += [t for t in sorted(free_text) if t in text]
    assert len(emails) > 1000 and len(keys) > 1000 and len(free_text) > 10
    return found


@pytest.mark.asyncio
async def test_the_leak_detector_finds_what_it_looks_for(ds, sample_store):
    """The crawl's detector, pointed at what a signed-in coordinator sees, must find keys and names."""
    rows = (await ds.client.get("/training/delegates.json?_shape=array&_size=3", cookies=signed_in(ds))).json()
    name, email = sample_store.private.execute("SELECT name, email FROM people LIMIT 1").fetchone()
    text = readable([json.dumps(rows), f"<td>{html.escape(name)}</td>", json.dumps(email.upper())])
    found = leaks(text, sample_store)
    assert {row["key"] for row in rows} <= set(found) and name in found and email.lower() in found


def count_columns():
    """The columns of each public table counting people, from each evaluator's own declaration."""
    return {f"{evaluator.name}_results": {name for name, column in evaluator.columns.items()
                                          if column.kind == "count" and column.people}
            for evaluator in plugins.get_evaluators().values()}


@pytest.mark.asyncio
async def test_an_anonymous_crawl_finds_no_personal_data_and_no_small_count(ds, site, sample_store):
    metadata = site.read_metadata()
    start = ["/"] + public_paths(site)
    start += restricted_paths(site, "training", site.path(site.evidence))
    start += restricted_paths(site, "training~2Eprivate", site.path(site.private))
    start += ["/_memory", "/_memory.json?sql=select+1", "/-/versions.json", "/-/plugins.json", "/-/settings.json",
              "/-/actor.json", "/-/password-tool"]
    for chart in metadata["plugins"]["datasette-dashboards"][SLUG]["charts"].values():
        if "query" not in chart:
            continue  # a heading
        sql = re.sub(r"\[\[(.*?)\]\]", "", chart["query"])
        start.append(f"/{chart['db']}.json?" + urllib.parse.urlencode({"sql": sql, "_shape": "objects"}))
    pages = await crawl(ds, list(dict.fromkeys(start)))
    dumps = await dump_every_table(ds)

    assert {database for database, _ in dumps} == {"public"}
    assert not [path for path, response in pages.items() if response.status_code >= 500]
    assert sum(response.status_code == 200 for response in pages.values()) > 300
    assert [path for path, response in pages.items() if path.startswith("/training") and response.status_code == 200] == []

    text = readable([response.text for response in pages.values()] + [json.dumps(rows) for rows in dumps.values()])
    assert leaks(text, sample_store) == []
    assert re.findall(r"[\w.+-]+@[\w-]+\.(?:org|net|com|uk|gov)\b", text) == []
    assert PASSWORD_HASH.split("$")[-1] not in text

    small = []
    for (database, table), rows in dumps.items():
        for column in count_columns().get(table, ()):
            small += [(table, column, row[column]) for row in rows if row.get(column) is not None and 1 <= row[column] <= 7]
    assert small == []
    assert sum(len(rows) for rows in dumps.values()) > 1500


def test_serve_without_the_flag_never_names_the_private_database(sample_store, tmp_path):
    site = build_site(sample_store, Site(directory=tmp_path, public="public.db", evidence=str(sample_store.path)))
    assert site.files() == ["public.db", str(sample_store.path)]
    assert "training.private" not in json.dumps(site.read_metadata())


def test_every_published_column_is_a_declared_figure_or_a_label(site):
    """No column of an evaluator's public table escapes the policy (it would be published raw)."""
    db = sqlite3.connect(site.path(site.public))
    labels = {"grouping", "year", "partnership", "course", "priority", "mode", "sector", "agency", "suppressed",
              "protecting"}
    for evaluator in plugins.get_evaluators().values():
        columns = [c[1] for c in db.execute(f"PRAGMA table_info([{evaluator.name}_results])")]
        assert columns, evaluator.name
        assert set(columns) - set(evaluator.columns) - set(evaluator.row_labels) <= labels, evaluator.name


def test_every_public_table_and_column_is_described(site):
    tables = site.read_metadata()["databases"]["public"]["tables"]
    db = sqlite3.connect(site.path(site.public))
    for table in tables_of(site.path(site.public)):
        assert tables[table]["description"], table
        for column in [c[1] for c in db.execute(f"PRAGMA table_info([{table}])")]:
            assert tables[table]["columns"].get(column) not in (None, "", column), (table, column)
    assert "scores are self-rated 1–10" in tables["uplift_results"]["columns"]["mean_pre"]
    assert tables["reach_results"]["columns"]["attended"].endswith("(rounded to the nearest 5; 1–7 withheld)")
