"""Keeping text that leaves scplearn from running as a spreadsheet formula.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is read by spreadsheet programs as a formula (CSV injection). Text scplearn
writes for people to open gets a leading ``'`` there, which spreadsheets show
as text: the follow-up mail-merge list, the public database's text (so its
CSV downloads are safe wherever they are served from) and, as a Datasette
plugin, every CSV the site serves, of any database and of any SQL, signed in
or not. A CSV no longer says which cells were numbers, so there a plain
number such as ``-1.5``, which a spreadsheet reads as a number and never
runs, is left as it is.

The module needs nothing but Datasette, so a published site can load it with
``--plugins-dir`` where scplearn is not installed.
"""

from __future__ import annotations

import csv
import io
import re

from datasette import hookimpl

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
MAYBE_FORMULA = re.compile(rb'(?:^|[,\n])"?[=+\-@\t\r]')
"""A CSV field that may start like a formula: the cheap test before any CSV is parsed."""


def safe_cell(value) -> str:
    """A cell a spreadsheet will show as text: one starting like a formula gets a leading ``'``."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_csv_cell(text: str) -> str:
    """:func:`safe_cell` for a cell of a CSV file, where a plain number is left as it is."""
    return text if PLAIN_NUMBER.fullmatch(text) else safe_cell(text)


def neutralise_database(db) -> int:
    """Apply :func:`safe_cell` to every text value of every table of a sqlite-utils database; returns cells changed."""
    starts = " OR ".join("substr({column}, 1, 1) = ?" for _ in FORMULA_STARTS)
    changed = 0
    for table in db.tables:
        for column in table.columns:
            if column.type.upper() not in ("TEXT", ""):  # "": a column of no declared type holds any value
                continue
            condition = f"typeof([{column.name}]) = 'text' AND ({starts.format(column=f'[{column.name}]')})"
            cursor = db.execute(
                f"UPDATE [{table.name}] SET [{column.name}] = '''' || [{column.name}] WHERE {condition}",
                list(FORMULA_STARTS),
            )
            changed += cursor.rowcount
    return changed


class CsvNeutraliser:
    """Rewrites a CSV arriving in pieces, each cell through :func:`safe_csv_cell`, a whole record at a time.

    A record ends at a line break outside quotes; with quotes doubled inside
    quoted fields, a line break is outside quotes when the quotes before it
    are even in number. ``"`` and line breaks are single bytes in UTF-8, so
    the bytes can be cut there before they are decoded.
    """

    def __init__(self):
        self.pending = b""

    def feed(self, data: bytes, *, final: bool = False) -> bytes:
        self.pending += data
        end = len(self.pending) if final else self._last_record_end()
        ready, self.pending = self.pending[:end], self.pending[end:]
        if not MAYBE_FORMULA.search(ready):
            return ready
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")  # as Datasette writes
        for row in csv.reader(io.StringIO(ready.decode("utf-8", "surrogateescape"), newline="")):
            writer.writerow([safe_csv_cell(cell) for cell in row])
        return out.getvalue().encode("utf-8", "surrogateescape")

    def _last_record_end(self) -> int:
        end = start = quotes = 0
        while (newline := self.pending.find(b"\n", start)) != -1:
            quotes += self.pending.count(b'"', start, newline)
            start = newline + 1
            if quotes % 2 == 0:
                end = start
        return end


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def neutralised(scope, receive, send):
            if scope["type"] != "http" or not scope["path"].endswith(".csv"):
                return await app(scope, receive, send)
            # ?_trace wraps a CSV in an HTML page, where no cell could be told apart: never for a CSV.
            query = b"&".join(part for part in (scope.get("query_string") or b"").split(b"&")
                              if not part.startswith(b"_trace"))
            rewriter = None

            async def send_neutralised(message):
                nonlocal rewriter
                if message["type"] == "http.response.start" and message["status"] == 200:
                    rewriter = CsvNeutraliser()
                    message = {**message, "headers": [(name, value) for name, value in message.get("headers", [])
                                                      if name.lower() != b"content-length"]}
                elif message["type"] == "http.response.body" and rewriter:
                    final = not message.get("more_body")
                    message = {**message, "body": rewriter.feed(message.get("body", b""), final=final)}
                await send(message)

            await app({**scope, "query_string": query}, receive, send_neutralised)

        return neutralised

    return wrap
