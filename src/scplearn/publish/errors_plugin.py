"""Datasette plugin: a mistake in a URL's arguments is a 400 that says what is wrong, not a 500.

Datasette 0.65 answers some arguments it cannot use with a server error
(status 500): a table sorted by a column it does not have (``?_sort=nope``,
``?_sort_desc=nope``), both of them at once, a ``_timelimit`` that is not a
number and a ``_through`` that is not JSON. This plugin answers them as
Datasette answers other bad arguments: status 400 and a sentence naming the
argument, and for a sort the table's columns, on Datasette's own error page
(or in its JSON).

The module needs nothing but Datasette, so a published site can load it with
``--plugins-dir`` where scplearn is not installed.
"""

from __future__ import annotations

import json

from datasette import hookimpl
from datasette.utils import await_me_maybe, tilde_decode
from datasette.views.base import DatasetteError

CANNOT_SORT = "Cannot sort table by "


@hookimpl
def handle_exception(datasette, request, exception):
    explain = _explanation(request, exception)
    if explain is None:
        return None

    async def page():
        # Imported here: datasette.handle_exception imports the plugin manager, which loads this module.
        from datasette.handle_exception import handle_exception as error_page

        message = await explain(datasette, request)
        return await await_me_maybe(error_page(datasette, request, DatasetteError(message, status=400)))

    return page


def _explanation(request, exception):
    """An async function ``(datasette, request) -> message`` for a mistake this plugin knows, or None."""
    text = str(exception)
    if isinstance(exception, DatasetteError) and exception.status == 500:
        if text.startswith(CANNOT_SORT) and "table" in request.url_vars:
            return _cannot_sort(text[len(CANNOT_SORT):])
        if text == "Cannot use _sort and _sort_desc at the same time":
            return _say("Give _sort or _sort_desc, not both")
    if isinstance(exception, ValueError) and "_timelimit" in request.args and "int()" in text:
        return _say("_timelimit must be a whole number of milliseconds")
    if isinstance(exception, json.JSONDecodeError) and "_through" in request.args:
        return _say('_through must be JSON such as {"table": ..., "column": ..., "value": ...}')
    return None


def _say(message: str):
    async def explain(datasette, request):
        return message

    return explain


def _cannot_sort(column: str):
    async def explain(datasette, request):
        database = datasette.get_database(route=tilde_decode(request.url_vars["database"]))
        table = tilde_decode(request.url_vars["table"])
        columns = await database.table_columns(table)
        sortable = datasette.table_metadata(database.name, table).get("sortable_columns") or columns
        problem = "it cannot be sorted by that column" if column in columns else "it has no such column"
        return f"Cannot sort {table} by {column!r}: {problem}. Sort by one of: {', '.join(sortable)}"

    return explain
