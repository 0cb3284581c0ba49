"""Table pages drawn by :mod:`scplearn.publish.rows_plugin` hold the same HTML as Datasette's own ``_table.html``."""

from __future__ import annotations

import re

import pytest
from datasette.app import Datasette
from datasette.plugins import pm

from scplearn.publish import rows_plugin
from scplearn.publish.serve import SETTINGS, Site, build_site, datasette_app


@pytest.fixture(scope="module")
def site(sample_store, tmp_path_factory):
    return build_site(sample_store, Site(directory=tmp_path_factory.mktemp("rows"), public="public.db",
                                         evidence=str(sample_store.path)))


async def started(ds):
    await ds.invoke_startup()  # where Datasette runs the plugins' prepare_jinja2_environment
    return ds


async def datasette_without_the_plugin(make):
    """``make()``, started with the plugin unregistered, so that Datasette draws the table itself."""
    name = pm.get_name(rows_plugin)
    pm.unregister(rows_plugin)
    try:
        return await started(make())
    finally:
        pm.register(rows_plugin, name=name)


def table_of(page: str) -> str:
    """The part of a page ``_table.html`` draws, with runs of white space, and white space beside tags, dropped."""
    found = re.search(r'<div class="table-wrapper">.*?</table>\s*</div>|<p class="zero-results">.*?</p>', page, re.S)
    assert found, page[-2000:]
    return re.sub(r"\s*([<>])\s*", r"\1", re.sub(r"\s+", " ", found.group(0)))


async def tables(ds, paths) -> dict[str, str]:
    drawn = {}
    for path in paths:
        response = await ds.client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        drawn[path] = table_of(response.text)
    return drawn


@pytest.mark.asyncio
async def test_every_public_table_is_drawn_as_datasette_draws_it(site):
    with_plugin = await started(datasette_app(site))
    without = await datasette_without_the_plugin(lambda: datasette_app(site))
    names = await with_plugin.get_database("public").table_names()
    paths = [f"/public/{name}" for name in names]
    paths += ["/public/uplift_results?_sort=mean_change", "/public/uplift_results?_sort_desc=mean_change",
              "/public/reach_results?year=2023/24&_sort=course", "/public/courses?code=none-such",
              "/public/uplift_results?_size=3&_next=3&dimension__not=skills&grouping=year%2Ccourse",
              "/public/courses/" + (await with_plugin.get_database("public").execute(
                  "SELECT code FROM courses LIMIT 1")).first()[0]]
    ours, datasettes = await tables(with_plugin, paths), await tables(without, paths)
    assert ours == datasettes
    assert "<td class=" in ours["/public/uplift_results"]
    assert "&nbsp;▼" in ours["/public/uplift_results?_sort=mean_change"]
    assert "&nbsp;▲" in ours["/public/uplift_results?_sort_desc=mean_change"]
    assert "0 records" in ours["/public/courses?code=none-such"]
    paged = ours["/public/uplift_results?_size=3&_next=3&dimension__not=skills&grouping=year%2Ccourse"]
    assert "dimension__not=skills&amp;grouping=year%2Ccourse&amp;_sort=" in paged and "_next" not in paged


@pytest.mark.asyncio
async def test_keys_labels_and_links_of_the_evidence_database_are_drawn_as_datasette_draws_them(site):
    def make():
        return Datasette([str(site.path(site.evidence))], settings=SETTINGS)

    with_plugin, without = await started(make()), await datasette_without_the_plugin(make)
    database = with_plugin.get_database()
    session = (await database.execute("SELECT code FROM sessions LIMIT 1")).first()[0]
    paths = [f"/{database.name}/bookings", f"/{database.name}/sessions?_sort_desc=date",
             f"/{database.name}/sessions/{session}", f"/{database.name}/evaluations?_size=50"]
    ours, datasettes = await tables(with_plugin, paths), await tables(without, paths)
    assert ours == datasettes
    assert 'data-is-pk="1"' in ours[f"/{database.name}/sessions?_sort_desc=date"]
    assert "<a href=" in ours[f"/{database.name}/bookings"]  # the labelled foreign keys


@pytest.mark.asyncio
async def test_a_sites_own_table_template_still_wins(site, tmp_path):
    (tmp_path / "_table.html").write_text('<div class="table-wrapper">our own</table></div>')
    ds = Datasette([str(site.path(site.public))], settings=SETTINGS, template_dir=str(tmp_path))
    page = await ds.client.get("/public/courses")
    assert "our own" in page.text
