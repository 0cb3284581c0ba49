"""Datasette plugin: no visitor learns where the site's files are.

The folder that holds the public database may also hold the evidence
database, the private one and the pseudonym key, so no path of a file may
reach a visitor. Datasette 0.65 shows them in three places, each covered here:

- ``/-/databases`` (and ``.json``) lists each database's path: here, its file
  name only;
- ``/-/threads`` (and ``.json``), with a thread pool, lists the tasks running,
  each with the path of its source file: here, the file name only;
- SQL: ``select * from pragma_database_list`` gives the path of each database
  file, however it was opened. Every connection Datasette opens reads the
  ``file`` column of ``pragma_database_list`` as NULL (SQLite's authorizer),
  the other columns as they are.

The module needs nothing but Datasette, so a published site can load it with
``--plugins-dir`` where scplearn is not installed.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import PurePath

from datasette import hookimpl
from datasette.views.special import JsonDataView

DIRECTORIES = re.compile(r"(?:[A-Za-z]:)?[/\\](?:[^/\\\s:<>'\"]+[/\\])+")
"""The folders of an absolute path within text: ``/srv/site/`` of ``at /srv/site/app.py:12``."""


def without_directories(text: str) -> str:
    """``text`` with each absolute path cut to its file name."""
    return DIRECTORIES.sub("", text)


def _authorize(action, table, column, database, trigger):
    # SQLite passes the names as the SQL spelt them, so "PRAGMA_DATABASE_LIST" too.
    if action == sqlite3.SQLITE_READ and (table or "").lower() == "pragma_database_list" \
            and (column or "").lower() == "file":
        return sqlite3.SQLITE_IGNORE  # the column reads as NULL
    return sqlite3.SQLITE_OK


@hookimpl
def prepare_connection(conn):
    conn.set_authorizer(_authorize)


@hookimpl
def register_routes(datasette):
    def databases():
        return [{**database, "path": PurePath(database["path"]).name if database["path"] else None}
                for database in datasette._connected_databases()]

    def threads():
        found = datasette._threads()
        if "tasks" in found:
            found["tasks"] = [without_directories(task) for task in found["tasks"]]
        return found

    # Plugins' routes come before Datasette's own, so these answer in their place.
    return [
        (r"^/-/databases(\.(?P<format>json))?$", JsonDataView.as_view(datasette, "databases.json", databases)),
        (r"^/-/threads(\.(?P<format>json))?$", JsonDataView.as_view(datasette, "threads.json", threads)),
    ]
