"""The baseline for the import benchmark: the same rows into the same tables, with no validation.

    python bench/raw_import.py DB FILE.csv [FILE.csv ...]

Creates the scplearn schema in DB (``scplearn.open``, not timed), then reads
each canonical CSV file with the ``csv`` module and writes its rows with one
``executemany`` per file, all in one transaction, on a plain ``sqlite3``
connection: no converters, no pseudonyms (the email goes where the delegate
key would), no reference checks, no ledger, no score counts. Only the
``year`` of a session, a NOT NULL column, is derived, from the ISO date.
Prints ``{"rows": ..., "seconds": ...}`` as JSON.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import sys
import time
from pathlib import Path

import scplearn


def _year(iso_date: str) -> str:
    start = int(iso_date[:4]) if iso_date[5:7] >= "04" else int(iso_date[:4]) - 1
    return f"{start}/{(start + 1) % 100:02d}"


def rows_of(path: Path):
    """The table, its columns and an iterator over the file's rows, ready for executemany."""
    table = path.stem
    handle = open(path, newline="", encoding="utf-8")
    reader = csv.reader(handle)
    header = next(reader)
    columns = ["key" if c == "email" and table == "delegates" else "delegate" if c == "email" else c for c in header]
    rows = reader
    if table == "sessions":
        date = header.index("date")
        columns.append("year")
        rows = ([*row, _year(row[date])] for row in reader)
    if table == "delegates":
        name = columns.index("name")
        del columns[name]
        rows = ([*row[:name], *row[name + 1:]] for row in reader)
    return table, columns, rows, handle


def main(argv=None) -> None:
    db_path, *files = argv or sys.argv[1:]
    scplearn.open(db_path).close()
    connection = sqlite3.connect(db_path, isolation_level=None)
    started = time.perf_counter()
    total = 0
    connection.execute("BEGIN")
    for path in map(Path, files):
        table, columns, rows, handle = rows_of(path)
        before = connection.total_changes
        connection.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows
        )
        total += connection.total_changes - before
        handle.close()
    connection.execute("COMMIT")
    seconds = time.perf_counter() - started
    connection.close()
    print(json.dumps({"rows": total, "seconds": seconds}))


if __name__ == "__main__":
    main()
