"""The served site against a hostile visitor, through Datasette's own test client.

Heavy SQL must not hold up other requests, and stops early when anonymous;
no file path reaches a visitor by any route; every CSV the site serves,
signed in or not, opens in a spreadsheet without running a cell; a bad
argument is a 400 that says what is wrong. The site is the sample store's, as
``scplearn serve --include-private`` serves it, with formula-like text put
into the evidence database first.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from helpers.site import crawl

import scplearn
from scplearn.publish import limits_plugin, paths_plugin
from scplearn.publish.serve import PUBLISHED_PLUGINS, Site, build_site, datasette_app
from scplearn.spreadsheets import FORMULA_STARTS, PLAIN_NUMBER, CsvNeutraliser, safe_csv_cell

HOSTILE = {
    "courses": ("title", '=HYPERLINK("http://evil.example.org","Click")'),
    "feedback": ("quote", "+cmd|' /C calc'!A0"),
    "evaluations": ("action_1", "@SUM(1,2)"),
    "followups": ("comments", "-2+3+cmd|' /C calc'!A0"),
}
"""Formula-like text put into one row of each of these evidence tables (table: (column, value))."""

RECURSIVE = "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"
"""SQL that never ends: it stops only at the time limit."""


@pytest.fixture(scope="module")
def site(sample_store, tmp_path_factory):
    directory = tmp_path_factory.mktemp("hardened")
    sample_store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    sample_store.private.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for source in (sample_store.path, sample_store.private_path, sample_store.key_path):
        shutil.copy(source, directory / source.name)
    with scplearn.open(directory / sample_store.path.name) as store:
        for table, (column, value) in HOSTILE.items():
            store.db.execute(f"UPDATE [{table}] SET [{column}] = ? WHERE rowid = (SELECT min(rowid) FROM [{table}])",
                             [value])
        store.db.conn.commit()
        return build_site(store, Site(directory=directory, public="public.db", evidence=store.path.name,
                                      private=store.private_path.name))


@pytest.fixture
def ds(site):
    return datasette_app(site)


def signed_in(ds):
    return {"ds_actor": ds.sign({"a": {"id": "coordinator"}}, "actor")}


def sql(database: str, query: str, extension: str = ".json", **arguments) -> str:
    return f"/{database}{extension}?" + urllib.parse.urlencode({"sql": query, **arguments})


# Denial of service -----------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_heavy_anonymous_sql_does_not_hold_up_other_requests(ds):
    """Twelve never-ending queries at once: the site answers /-/versions.json before any of them ends."""
    heavy = [asyncio.create_task(ds.client.get(sql("public", RECURSIVE))) for _ in range(12)]
    await asyncio.sleep(0)  # every heavy request has started
    versions = await ds.client.get("/-/versions.json")
    finished_first = sum(task.done() for task in heavy)
    responses = await asyncio.gather(*heavy)
    assert versions.status_code == 200
    assert finished_first == 0, f"{finished_first} heavy queries ended before /-/versions.json was answered"
    assert {response.status_code for response in responses} == {400}
    assert all("SQL query took too long" in response.json()["error"] for response in responses)


@pytest.mark.asyncio
async def test_anonymous_sql_has_a_short_time_limit_and_signed_in_sql_the_usual_one(ds):
    async def elapsed(**options):
        started = time.perf_counter()
        response = await ds.client.get(sql("public", RECURSIVE), **options)
        assert response.status_code == 400 and "took too long" in response.json()["error"]
        return time.perf_counter() - started

    assert await elapsed() < 0.8  # 0.25 s, with room for a busy machine; Datasette's own limit is 1 s
    assert await elapsed(cookies=signed_in(ds)) >= 0.95


@pytest.mark.asyncio
async def test_an_anonymous_where_has_the_short_time_limit_too(ds):
    where = "code in (with recursive c(x) as (select 1 union all select x + 1 from c) select x from c)"
    started = time.perf_counter()
    response = await ds.client.get("/public/courses.json?" + urllib.parse.urlencode({"_where": where}))
    assert time.perf_counter() - started < 0.8
    assert response.status_code == 400 and "took too long" in response.text


@pytest.mark.parametrize("arguments, expected", [
    ([("sql", "select 1")], [("sql", "select 1"), ("_timelimit", "250")]),
    ([("sql", "select 1"), ("_timelimit", "100000")], [("sql", "select 1"), ("_timelimit", "250")]),
    ([("sql", "select 1"), ("_timelimit", "100")], [("sql", "select 1"), ("_timelimit", "100")]),
    ([("sql", "select 1"), ("_timelimit", "x")], [("sql", "select 1"), ("_timelimit", "250")]),
    ([("_where", "1"), ("_timelimit", "250"), ("_timelimit", "9999")],
     [("_where", "1"), ("_timelimit", "250"), ("_nocount", "1"), ("_nofacet", "1")]),
])
def test_a_visitor_cannot_ask_for_a_longer_time_limit(arguments, expected):
    assert urllib.parse.parse_qsl(limits_plugin._limited(arguments)) == expected


@pytest.mark.asyncio
async def test_a_published_pages_queries_run_in_the_loops_thread_without_waiting_on_the_loop():
    """Those queries are quick and many: handed to a thread, or to the loop again, each would cost more than it takes."""
    executor = limits_plugin.QueryExecutor(concurrent.futures.ThreadPoolExecutor(1))
    try:
        ran_in = await asyncio.get_running_loop().run_in_executor(executor, threading.current_thread)
        future = executor.submit(lambda: 42)
    finally:
        executor.shutdown()
    assert ran_in is threading.current_thread()
    assert asyncio.isfuture(future) and future.done() and future.result() == 42  # awaited without a trip round the loop


def test_what_a_failed_query_held_is_let_go_of_in_its_pool_thread():
    """A failed query's error holds its cursor; freed in the loop's thread, the cursor would wait there for its
    connection, busy with the pool thread's next query (see limits_plugin._in_pool)."""
    freed_in = []

    class Cursor:
        def __del__(self):
            freed_in.append(threading.current_thread().name)

    def query():
        cursor = Cursor()  # noqa: F841 - held by this frame, as Datasette's query function holds its cursor
        raise RuntimeError("interrupted")

    executor = limits_plugin.QueryExecutor(concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="pool"))
    token = limits_plugin._off_the_loop.set(True)
    try:
        error = executor.submit(query).exception()
    finally:
        limits_plugin._off_the_loop.reset(token)
        executor.shutdown()
    assert str(error) == "interrupted" and freed_in == ["pool_0"]


@pytest.mark.asyncio
async def test_a_huge_string_or_blob_is_refused_at_once(ds):
    """One step of SQL is never interrupted by the time limit, so its size is capped instead."""
    started = time.perf_counter()
    response = await ds.client.get(sql("public", "select length(randomblob(400000000))"))
    assert time.perf_counter() - started < 1
    assert response.status_code == 400 and response.json()["error"] == "string or blob too big"


@pytest.mark.asyncio
@pytest.mark.parametrize("cookies", [None, "signed in"])
async def test_the_password_hashing_page_is_not_on_the_site(ds, cookies):
    response = await ds.client.get("/-/password-tool", cookies=signed_in(ds) if cookies else None)
    assert response.status_code == 404
    assert (await ds.client.get("/-/login")).status_code == 200


# No path reaches a visitor ---------------------------------------------------------------------

def paths_to_hide(site) -> list[str]:
    """The folders an absolute path could give away: the site's, and those of Python and scplearn."""
    found = {str(site.directory.resolve()), str(Path(scplearn.__file__).resolve().parents[1]),
             sys.prefix, sys.base_prefix, str(Path.home()), os.getcwd()}
    return sorted(path for path in found if len(path) > 1)


PROBES = [
    "/-/databases", "/-/databases.json", "/-/threads", "/-/threads.json", "/-/versions.json", "/-/settings.json",
    "/-/metadata.json", "/-/plugins.json?all=1", "/.json", "/-/actor.json", "/-/allow-debug", "/-/patterns",
    "/-/messages", "/-/permissions", "/-/auth-token", "/-/login", "/public.db", "/training.db", "/nowhere",
    "/public/nowhere", "/public/courses/nowhere", "/-/static/../../../etc/passwd", "/public/courses?_sort=nope",
    "/public/courses.json?_trace=1", "/public.json?sql=select+*+from+nowhere",
    sql("public", "select * from pragma_database_list"),
    sql("public", 'select file, "FILE" as again from "PRAGMA_DATABASE_LIST"'),
    sql("public", "select * from pragma_database_list", extension=".csv"),
    sql("public", "select group_concat(file) from pragma_database_list"),
    sql("public", "select * from pragma_database_list where file like '/%'"),
    sql("public", "explain select * from pragma_database_list"),
    sql("training", "select * from pragma_database_list"),
]


@pytest.mark.asyncio
async def test_no_path_of_a_file_reaches_anyone_by_any_route(ds, site):
    hidden = paths_to_hide(site)
    for cookies in (None, signed_in(ds)):
        pages = {path: await ds.client.get(path, cookies=cookies) for path in PROBES}
        pages.update(await crawl(ds, ["/", "/-/dashboards"]) if cookies is None else {})
        for path, response in pages.items():
            for folder in hidden:
                assert folder not in response.text, f"{path} shows {folder}"
    databases = (await ds.client.get("/-/databases.json")).json()
    assert {database["path"] for database in databases} == {"public.db", "training.db", "training.private.db"}
    listed = (await ds.client.get(sql("public", "select seq, name, file from pragma_database_list"))).json()
    assert listed["rows"] == [[0, "main", None]]


def test_paths_in_text_are_cut_to_file_names():
    text = "<Task coro=<main() running at /srv/site/app.py:22> cb=[f() at C:\\Python\\lib\\base.py:180]>"
    assert paths_plugin.without_directories(text) == "<Task coro=<main() running at app.py:22> cb=[f() at base.py:180]>"


# Every CSV opens safely in a spreadsheet -------------------------------------------------------

def cells(response) -> list[list[str]]:
    assert response.status_code == 200, response.text[:300]
    return list(csv.reader(io.StringIO(response.text)))


def runnable(rows) -> list[str]:
    """Cells a spreadsheet would run as a formula: starting like one, and not a plain number."""
    return [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(cell)]


@pytest.mark.asyncio
@pytest.mark.parametrize("table", sorted(HOSTILE))
@pytest.mark.parametrize("options", ["", "&_dl=1", "&_trace=1", "&_labels=on"])
async def test_signed_in_csv_downloads_of_the_evidence_run_nothing(ds, table, options):
    rows = cells(await ds.client.get(f"/training/{table}.csv?_stream=on{options}", cookies=signed_in(ds)))
    column, value = HOSTILE[table]
    assert runnable(rows) == []
    assert "'" + value in [row[rows[0].index(column)] for row in rows[1:]]


@pytest.mark.asyncio
async def test_csv_of_a_visitors_own_sql_runs_nothing_and_keeps_numbers(ds):
    query = ("select '=HYPERLINK(\"http://evil.example.org\")' as a, '+1+1' as b, '@SUM(1)' as c, "
             "char(9) || 'x' as d, -1.5 as e, '-2' as f, 3 as \"=g\"")
    rows = cells(await ds.client.get(sql("public", query, extension=".csv")))
    assert rows == [["a", "b", "c", "d", "e", "f", "'=g"],
                    ["'=HYPERLINK(\"http://evil.example.org\")", "'+1+1", "'@SUM(1)", "'\tx", "-1.5", "-2", "3"]]


@pytest.mark.asyncio
async def test_every_public_csv_runs_nothing(ds, site):
    for table in json.loads((await ds.client.get("/public.json?sql=select+name+from+sqlite_master+where+type='table'"
                                                 "&_shape=arrayfirst")).text):
        assert runnable(cells(await ds.client.get(f"/public/{table}.csv?_stream=on"))) == [], table


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.lists(st.text(alphabet=st.sampled_from('ab=+-@\t\r\n", 1.é'), max_size=6),
                              min_size=1, max_size=4), min_size=1, max_size=6),
       cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=8))
def test_a_csv_is_neutralised_the_same_however_it_arrives_in_pieces(rows, cuts):
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    data = text.getvalue().encode()
    neutraliser, pieces, start = CsvNeutraliser(), [], 0
    for cut in sorted({min(cut, len(data)) for cut in cuts}):
        pieces.append(neutraliser.feed(data[start:cut]))
        start = cut
    pieces.append(neutraliser.feed(data[start:], final=True))
    result = list(csv.reader(io.StringIO(b"".join(pieces).decode(), newline="")))
    assert result == [[safe_csv_cell(cell) for cell in row] for row in csv.reader(io.StringIO(text.getvalue(), newline=""))]


# Bad arguments ---------------------------------------------------------------------------------

@pytest.mark.asyncio
@pytest.mark.parametrize("path, message", [
    ("/public/courses.json?_sort=nope",
     "Cannot sort courses by 'nope': it has no such column. Sort by one of: code, title, topic, priority, level"),
    ("/public/courses.json?_sort_desc=nope", "Cannot sort courses by 'nope': it has no such column."),
    ("/public/courses.json?_sort=code&_sort_desc=code", "Give _sort or _sort_desc, not both"),
    ("/public/courses.json?_timelimit=soon", "_timelimit must be a whole number of milliseconds"),
    ("/public/courses.json?_through=nope", "_through must be JSON"),
])
async def test_a_bad_argument_is_a_400_that_says_what_is_wrong(ds, path, message):
    response = await ds.client.get(path)
    assert response.status_code == 400
    assert response.json()["error"].startswith(message)
    page = await ds.client.get(path.replace(".json", ""))
    assert page.status_code == 400 and "<h1>Error 400</h1>" in page.text


# The plugins load whatever is imported first ---------------------------------------------------

def test_every_plugin_registers_its_hooks_even_when_imported_before_datasettes_plugin_manager():
    """Datasette loads plugins while its plugin manager is first imported: a plugin module that imports
    it at its top would be registered half-made, without its hooks. scplearn's serve module imports them all."""
    modules = sorted(module.__name__ for module in PUBLISHED_PLUGINS.values())
    script = f"""
import scplearn.publish.serve
from datasette.plugins import pm
for plugin in pm.get_plugins():
    if getattr(plugin, "__name__", None) in {modules!r}:
        hooks = sorted(name for name, caller in vars(pm.hook).items()
                       if any(impl.plugin is plugin for impl in caller.get_hookimpls()))
        print(plugin.__name__, *hooks)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    registered = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()}
    expected = {name: sorted(attribute for attribute, value in vars(sys.modules[name]).items()
                             if hasattr(value, "datasette_impl"))
                for name in modules}
    assert registered == expected
