"""The public database's descriptions, canned queries and charts, served from beside it.

``metadata.json`` keeps only what permissions need, because Datasette 0.65.5
deep-copies it for every table whose visibility it checks; the rest reaches
Datasette through :mod:`scplearn.publish.descriptions_plugin`.
"""

from __future__ import annotations

import json

import pytest

from scplearn.publish import descriptions_plugin
from scplearn.publish.metadata import SIGNED_IN, split_descriptions
from scplearn.publish.serve import Site, build_site, datasette_app


@pytest.fixture(scope="module")
def site(sample_store, tmp_path_factory):
    directory = tmp_path_factory.mktemp("described")
    return build_site(sample_store, Site(directory=directory, public="site/public.db", evidence=str(sample_store.path),
                                         metadata="site/metadata.json"))


def test_the_descriptions_file_sits_beside_the_public_database(site):
    assert site.descriptions == "site/public.metadata.json"
    assert descriptions_plugin.find_sidecar(site.path(site.public)) == site.path(site.descriptions)


def test_metadata_json_keeps_permissions_and_accounts_only(site):
    metadata = json.loads(site.path(site.metadata).read_text())
    assert "public" not in metadata["databases"]
    assert metadata["databases"]["training"]["allow"] == SIGNED_IN
    assert set(metadata["plugins"]) == {"datasette-auth-passwords"}
    described = json.loads(site.path(site.descriptions).read_text())
    assert "allow" not in json.dumps(described)
    assert "columns" in described["databases"]["public"]["tables"]["uplift_results"]
    assert set(described["plugins"]) == {"datasette-dashboards"}


def test_split_keeps_allow_blocks_where_datasette_checks_them():
    metadata = {"title": "t", "databases": {"public": {"description": "d", "allow": {"id": "*"}, "queries": {}}},
                "plugins": {"datasette-dashboards": {"x": {}}, "datasette-auth-passwords": {"a": 1}}}
    kept, described = split_descriptions(metadata, "public")
    assert kept == {"title": "t", "databases": {"public": {"allow": {"id": "*"}}},
                    "plugins": {"datasette-auth-passwords": {"a": 1}}}
    assert described == {"databases": {"public": {"description": "d", "queries": {}}},
                         "plugins": {"datasette-dashboards": {"x": {}}}}
    assert "public" in metadata["databases"] and "datasette-dashboards" in metadata["plugins"]  # not changed
    with pytest.raises(ValueError, match="public.t: a table's allow block belongs in metadata.json"):
        split_descriptions({"databases": {"public": {"tables": {"t": {"allow": False}}}}}, "public")


@pytest.mark.asyncio
async def test_datasette_sees_the_whole_metadata(site):
    ds = datasette_app(site)
    tables = site.read_metadata()["databases"]["public"]["tables"]
    assert ds.table_metadata("public", "uplift_results") == tables["uplift_results"]
    assert ds.metadata("queries", database="public", fallback=False).keys() == \
        site.read_metadata()["databases"]["public"]["queries"].keys()
    assert "training" in ds.plugin_config("datasette-dashboards")
    response = await ds.client.get("/-/metadata.json")
    assert response.json() == site.read_metadata()
    page = await ds.client.get("/public/uplift_results")
    assert tables["uplift_results"]["columns"]["mean_change"] in page.text


@pytest.mark.asyncio
async def test_permission_checks_get_nothing_to_copy_yet_display_settings_apply(site):
    ds = datasette_app(site)
    # No table sets a facet size, so the key every table-permission check deep-copies has no answer here...
    assert ds.metadata("tables", database="public") is None
    # ...while facets, page size and sort order still apply (Datasette reads them by the key "databases").
    tables = site.read_metadata()["databases"]["public"]["tables"]
    page = await ds.client.get("/public/scores_results.json")
    assert set(page.json()["facet_results"]) == set(tables["scores_results"]["facets"]) >= {"grouping", "year",
                                                                                            "dimension"}
    page = await ds.client.get("/public/uplift_results.json?_shape=objects")
    assert len(page.json()["rows"]) == tables["uplift_results"]["size"] < page.json()["filtered_table_rows_count"]


@pytest.mark.asyncio
async def test_the_keys_datasette_asks_most_answer_only_what_it_reads_through_them(tmp_path):
    import sqlite3

    from datasette.app import Datasette

    with sqlite3.connect(tmp_path / "shop.db") as db:
        db.execute("CREATE TABLE t (kind TEXT)")
        db.executemany("INSERT INTO t VALUES (?)", [(f"k{i}",) for i in range(9)])
    (tmp_path / "shop.metadata.json").write_text(json.dumps({"plugins": {"p": {"level": "root"}}, "databases": {
        "shop": {"description": "Shop", "tables": {
            "t": {"description": "Kinds", "facets": ["kind"], "facet_size": 3, "size": 5,
                  "plugins": {"p": {"level": "table"}}},
            "u": {"description": "U"}}}}}))
    ds = Datasette([str(tmp_path / "shop.db")])
    assert ds.metadata("tables", database="shop") == {"t": {"facet_size": 3}}
    assert descriptions_plugin.get_metadata(ds, "plugins") == {
        "plugins": {"p": {"level": "root"}},
        "databases": {"shop": {"tables": {"t": {"plugins": {"p": {"level": "table"}}}}}}}
    assert ds.plugin_config("p", database="shop", table="t") == {"level": "table"}
    assert ds.plugin_config("p", database="shop", table="u") == {"level": "root"}
    page = (await ds.client.get("/shop/t.json?_shape=objects")).json()
    assert len(page["facet_results"]["kind"]["results"]) == 3 and len(page["rows"]) == 5
    assert ds.table_metadata("shop", "t")["description"] == "Kinds"


@pytest.mark.asyncio
async def test_merging_metadata_json_leaves_the_descriptions_unchanged(site):
    ds = datasette_app(site)
    await ds.client.get("/public")  # Datasette names each canned query in place, as it does in its own metadata
    views = descriptions_plugin.documents(ds)
    before = json.dumps({str(key): view for key, view in views.items()}, sort_keys=True)
    for _ in range(2):
        ds.metadata()
        ds.metadata("tables", database="public")
        ds.plugin_config("datasette-dashboards", database="public", table="uplift_results")
        await ds.client.get("/public")
        await ds.client.get("/public/uplift_results")
    assert json.dumps({str(key): view for key, view in views.items()}, sort_keys=True) == before
    assert "training" not in views[None]["databases"]


def test_a_database_without_descriptions_gets_none(tmp_path):
    from datasette.app import Datasette

    (tmp_path / "other.db").write_bytes(b"")
    ds = Datasette([str(tmp_path / "other.db")])
    assert descriptions_plugin.get_metadata(ds, None) is None
