"""Datasette plugin: what one visitor's requests can cost everyone else.

Anyone may send the public database SQL of their own (the dashboards need
it), and some SQL never ends: a recursive query stops only at the time limit.
Queries run in the event loop's thread block every other request while they
run: twenty such queries at once made ``/-/versions.json`` wait twenty
seconds. Queries run in Datasette's thread pool (``num_sql_threads``) leave
the loop free, but handing a query to a thread costs about as much as a
published page's query itself (the database page makes some ninety of them).
So this plugin:

- sends to the thread pool the queries of every request that asks for
  something of its own (any query string: SQL, filters, sorting, facets,
  another page) or may come from someone signed in (whose pages of the
  evidence database can be long), and runs in the loop's thread only those
  of an anonymous visit to a page as published, which are Datasette's own
  and quick;
- gives SQL an anonymous visitor writes (``?sql=``, ``?_where=``) a time limit
  of :data:`ANONYMOUS_SQL_TIME_LIMIT_MS`, and with ``_where`` counts no rows
  and shows no facets (each would run the visitor's SQL again, under
  Datasette's own limits);
- caps any string or blob a query makes or reads at :data:`MAX_LENGTH` bytes,
  as one long step (``randomblob(400000000)``) is never interrupted by the
  time limit, and holds its memory while it runs;
- answers ``/-/password-tool`` (datasette-auth-passwords' hashing page, a
  deliberately slow hash a request) with a 404: ``scplearn password`` makes
  the hashes.

The module needs nothing but Datasette, so a published site can load it with
``--plugins-dir`` where scplearn is not installed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import sqlite3
import traceback
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.utils import await_me_maybe
from datasette.utils.asgi import Request, Response

ANONYMOUS_SQL_TIME_LIMIT_MS = 250
VISITOR_SQL = ("sql", "_where")
MAX_LENGTH = 1_000_000
CLOSED_PATHS = ("/-/password-tool",)

_off_the_loop: contextvars.ContextVar[bool] = contextvars.ContextVar("scplearn_off_the_loop", default=False)


class QueryExecutor(concurrent.futures.Executor):
    """Datasette's thread pool for the queries of requests :func:`asgi_wrapper` marks, the caller's thread for the rest."""

    def __init__(self, pool: concurrent.futures.Executor):
        self.pool = pool

    def submit(self, fn, /, *args, **kwargs):
        if _off_the_loop.get():
            return self.pool.submit(_in_pool, fn, *args, **kwargs)
        try:
            # The loop's own kind of future, done before it is awaited: asyncio hands it back as it is, and
            # awaiting it costs no trip round the loop (a thread pool's future would cost one, and a wake-up).
            future = asyncio.get_running_loop().create_future()
        except RuntimeError:  # not called from the event loop
            future = concurrent.futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as error:  # handed to the caller, as a thread pool would
            future.set_exception(error)
        return future

    def shutdown(self, wait=True, *, cancel_futures=False):
        self.pool.shutdown(wait=wait, cancel_futures=cancel_futures)


def _in_pool(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` in a pool thread, and if it raises, the locals of the frames the error holds
    are let go of here, not in the loop's thread.

    An interrupted query's error holds the frame that ran it, and so its
    cursor. Freed in the loop's thread, the cursor resets its statement, which
    waits for the connection: busy, by then, with the pool thread's next
    query. The loop would stand still until that query ended.
    """
    try:
        return fn(*args, **kwargs)
    except BaseException as error:
        seen = set()
        while error is not None and id(error) not in seen:
            seen.add(id(error))
            traceback.clear_frames(error.__traceback__)
            error = error.__cause__ or error.__context__
        raise


@hookimpl
def startup(datasette):
    if datasette.executor is not None and not isinstance(datasette.executor, QueryExecutor):
        datasette.executor = QueryExecutor(datasette.executor)


@hookimpl
def prepare_connection(conn):
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_LENGTH)


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def limited(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            if scope["path"] in CLOSED_PATHS:
                return await Response.text("Not found", status=404).asgi_send(send)
            query = scope.get("query_string") or b""
            if not query and not _may_be_signed_in(scope):
                return await app(scope, receive, send)
            token = _off_the_loop.set(True)
            try:
                arguments = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
                if any(name in VISITOR_SQL for name, _ in arguments) and not await _signed_in(datasette, scope):
                    scope = {**scope, "query_string": _limited(arguments).encode("latin-1")}
                await app(scope, receive, send)
            finally:
                _off_the_loop.reset(token)

        return limited

    return wrap


def _may_be_signed_in(scope) -> bool:
    """Whether the request carries anything that can sign someone in (a cookie of Datasette's, credentials)."""
    return any(name == b"authorization" or (name == b"cookie" and b"ds_actor" in value)
               for name, value in scope.get("headers") or ())


async def _signed_in(datasette, scope) -> bool:
    """Whether Datasette will see an actor for this request (asking the same hooks it asks)."""
    from datasette.plugins import pm  # imported here: the plugin manager loads this module

    request = Request(scope, None)
    for actor in pm.hook.actor_from_request(datasette=datasette, request=request):
        if await await_me_maybe(actor):
            return True
    return False


def _limited(arguments: list[tuple[str, str]]) -> str:
    """The query string with the anonymous time limit (or a shorter one asked for), and with ``_where``
    neither a row count nor facets, each of which would run the visitor's SQL again under a limit of its own."""
    asked = [value for name, value in arguments if name == "_timelimit"]
    limit = ANONYMOUS_SQL_TIME_LIMIT_MS
    if asked and asked[0].isdigit() and 0 < int(asked[0]) < limit:
        limit = int(asked[0])
    names = {name for name, _ in arguments}
    extra = [("_timelimit", str(limit))]
    if "_where" in names:
        extra += [(name, "1") for name in ("_nocount", "_nofacet") if name not in names]
    return urlencode([(name, value) for name, value in arguments if name != "_timelimit"] + extra)
