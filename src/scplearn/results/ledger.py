"""The state of the data, year by year: what the stored results are dated by.

Every change to the evidence database is noted in ``data_changes`` with the
financial year whose figures it can change, or ``NULL`` for every year: an
import notes the years of the sessions it wrote records for (every year
when it changed something every year reads: an agency, a delegate's agency, a
course, a partnership), and an edit (a course's capacity, an agency merged
into another) notes what it changed. Undoing an import removes its notes. A
year's *stamp* is a digest of the notes about it, so results computed from
the data as it was keep their stamp until the data changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib

CHANGES = "data_changes"


def create_tables(db) -> None:
    db.execute(
        f"CREATE TABLE IF NOT EXISTS {CHANGES} (id INTEGER PRIMARY KEY, "
        "import INTEGER REFERENCES imports(id) ON DELETE CASCADE, year TEXT, what TEXT, at TEXT)"
    )
    db.execute(f"CREATE INDEX IF NOT EXISTS {CHANGES}_import ON {CHANGES} (import)")
    db.execute(f"CREATE INDEX IF NOT EXISTS {CHANGES}_year ON {CHANGES} (year)")


def record(db, import_id: int, years) -> None:
    """Note that import ``import_id`` changed ``years`` (``None``: every year; empty: none)."""
    _note(db, import_id, years, None)


def record_edit(db, what: str, years=None) -> None:
    """Note an edit made outside any import (``years``: those it changes; ``None``: every year)."""
    _note(db, None, years, what)


def _note(db, import_id, years, what) -> None:
    at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    rows = [(import_id, None, what, at)] if years is None else [(import_id, year, what, at) for year in sorted(set(years))]
    db.conn.executemany(f"INSERT INTO {CHANGES} (import, year, what, at) VALUES (?, ?, ?, ?)", rows)


def stamp(db, year: str | None = None) -> str:
    """A digest of the changes to ``year`` (``None``: of every change)."""
    if year is None:
        found = db.execute(f"SELECT id FROM {CHANGES} ORDER BY id")
    else:
        found = db.execute(f"SELECT id FROM {CHANGES} WHERE year = ? OR year IS NULL ORDER BY id", [year])
    return hashlib.sha256(",".join(str(row[0]) for row in found).encode()).hexdigest()[:16]
