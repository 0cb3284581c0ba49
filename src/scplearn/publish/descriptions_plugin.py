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
nothing at all when none does; pages read a table's descriptions, facets,
sort order and page size through the key ``databases``. **So this file must
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
TABLE_SETTINGS = ("facet_size",)
"""What a table's entry keeps when Datasette asks for ``tables``: all it reads through that key but ``allow``."""

_documents: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
"""``{datasette: (whole document, document with table settings only)}``, read once per instance."""


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


def documents(datasette) -> tuple[dict, dict]:
    """This instance's merged descriptions, and what of them the key ``tables`` answers (see :data:`TABLE_SETTINGS`)."""
    if datasette not in _documents:
        whole = {"databases": {}, "plugins": {}}
        for database in datasette.databases.values():
            path = find_sidecar(database.path) if database.path else None
            if path:
                document = json.loads(path.read_text())
                whole["databases"].update(document.get("databases") or {})
                whole["plugins"].update(document.get("plugins") or {})
        settings = {"databases": {}}
        for name, described in whole["databases"].items():
            for table, entry in (described.get("tables") or {}).items():
                kept = {key: value for key, value in entry.items() if key in TABLE_SETTINGS}
                if kept:
                    settings["databases"].setdefault(name, {"tables": {}})["tables"][table] = kept
        _documents[datasette] = (whole, settings)
    return _documents[datasette]


@hookimpl
def get_metadata(datasette, key):
    whole, settings = documents(datasette)
    chosen = settings if key == "tables" else whole
    if not chosen["databases"] and not chosen.get("plugins"):
        return None
    # Fresh outer dicts: Datasette merges metadata.json into what this returns, in place.
    return {
        "databases": {name: dict(described) for name, described in chosen["databases"].items()},
        "plugins": dict(chosen.get("plugins") or {}),
    }
