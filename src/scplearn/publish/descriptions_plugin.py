"""Datasette plugin: a database's descriptions, canned queries and charts from a file beside it.

For a served database file ``public.db``, the file ``public.metadata.json``
beside it (or beside this module, as in a published site's plugins
directory), when there is one, is a metadata document (``databases`` and
``plugins``, as in ``metadata.json``) that this plugin hands to Datasette
through its ``get_metadata`` hook.

Why not put it all in ``metadata.json``? Datasette 0.65.5 deep-copies the
whole of ``metadata.json`` for every table whose visibility it checks: twice
per table on the index and database pages. With column descriptions, canned
queries and the dashboard's charts in it, that copying alone took most of
those pages' time. So ``metadata.json`` keeps what permissions need (the
``allow`` blocks, the sign-in accounts) and this file holds the rest, which
Datasette reads without copying. What Datasette asks for by the key
``tables`` (each table-permission check, which deep-copies the answer, and
the facet size) gets only the ``facet_size`` of the tables that set one, and
nothing at all when none does, and the key ``plugins`` plugin settings only;
pages read a table's descriptions, facets, sort order and page size through
the key ``databases``. **So this file must
never hold an ``allow`` block**, which Datasette would not see here.

The module needs nothing but Datasette, so a published site can load it with
``--plugins-dir`` where scplearn is not installed.
"""

from __future__ import annotations

import json
import weakref
from pathlib import Path

from datasette import hookimpl

SUFFIX = ".metadata.json"
NARROW_KEYS = {"tables": ("facet_size",), "plugins": ("plugins",)}
"""For the keys Datasette asks for most (each table-permission check, which deep-copies the answer;
each text cell datasette-render-markdown looks at), the only entries of a database's or table's
metadata it reads through that key (``allow`` aside)."""

_documents: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
"""``{datasette: {key: document}}`` (see :func:`documents`), read once per instance."""


def sidecar(database_path) -> Path:
    """The descriptions file of the database file ``database_path``: ``public.db`` → ``public.metadata.json``."""
    path = Path(database_path)
    return path.with_name(path.stem + SUFFIX)


def find_sidecar(database_path) -> Path | None:
    """The descriptions file of ``database_path``, beside it or else beside this module."""
    beside = sidecar(database_path)
    for path in (beside, Path(__file__).with_name(beside.name)):
        if path.exists():
            return path
    return None


def documents(datasette) -> dict:
    """This instance's descriptions: ``{None: the whole document}``, and for each of
    :data:`NARROW_KEYS` the document cut to what Datasette reads through that key."""
    if datasette not in _documents:
        whole = {"databases": {}, "plugins": {}}
        for database in datasette.databases.values():
            path = find_sidecar(database.path) if database.path else None
            if path:
                document = json.loads(path.read_text())
                whole["databases"].update(document.get("databases") or {})
                whole["plugins"].update(document.get("plugins") or {})
        _documents[datasette] = {None: whole, **{key: _narrow(whole, kept) for key, kept in NARROW_KEYS.items()}}
    return _documents[datasette]


def _narrow(whole: dict, kept: tuple) -> dict:
    """``whole`` with only the ``kept`` entries of the root, of each database and of each table."""
    narrow = {"databases": {}, "plugins": whole["plugins"] if "plugins" in kept else {}}
    for name, described in whole["databases"].items():
        database = {key: described[key] for key in kept if key in described}
        tables = {table: {key: entry[key] for key in kept if key in entry}
                  for table, entry in (described.get("tables") or {}).items()}
        tables = {table: entry for table, entry in tables.items() if entry}
        if tables:
            database["tables"] = tables
        if database:
            narrow["databases"][name] = database
    return narrow


@hookimpl
def get_metadata(datasette, key):
    views = documents(datasette)
    chosen = views.get(key, views[None])
    if not chosen["databases"] and not chosen["plugins"]:
        return None
    # Fresh dicts down to each table's: Datasette merges metadata.json into what this returns, and
    # a table page adds the inherited source and licence to its table's, both in place.
    return {
        "databases": {name: _fresh(described) for name, described in chosen["databases"].items()},
        "plugins": dict(chosen["plugins"]),
    }


def _fresh(described: dict) -> dict:
    fresh = dict(described)
    if "tables" in fresh:
        fresh["tables"] = {table: dict(entry) for table, entry in fresh["tables"].items()}
    return fresh
