"""The state of the import ledger, year by year: what the stored results are dated by.

Every import records in ``import_years`` the financial years whose figures
its writes can change: the years of the sessions it wrote records for, and
``NULL`` (every year) when it changed something every year reads (an
agency, a delegate's agency, a course, a partnership). A year's *stamp* is a
digest of the imports that touched it, so results computed from the data as
it was keep their stamp until an import (or an undone import) changes it.
"""

from __future__ import annotations

import hashlib

YEARS = "import_years"


def create_tables(db) -> None:
    db.execute(
        f"CREATE TABLE IF NOT EXISTS {YEARS} "
        "(import INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE, year TEXT)"
    )
    db.execute(f"CREATE INDEX IF NOT EXISTS {YEARS}_import ON {YEARS} (import)")
    db.execute(f"CREATE INDEX IF NOT EXISTS {YEARS}_year ON {YEARS} (year)")


def record(db, import_id: int, years) -> None:
    """Note that import ``import_id`` touched ``years`` (``None``: every year; empty: none)."""
    rows = [(import_id, None)] if years is None else [(import_id, year) for year in sorted(set(years))]
    db.conn.executemany(f"INSERT INTO {YEARS} (import, year) VALUES (?, ?)", rows)


def stamp(db, year: str | None = None) -> str:
    """A digest of the imports that touched ``year`` (``None``: of every import)."""
    if year is None:
        found = db.execute("SELECT id FROM imports ORDER BY id")
    else:
        found = db.execute(
            f"SELECT DISTINCT import FROM {YEARS} WHERE year = ? OR year IS NULL ORDER BY import", [year]
        )
    return hashlib.sha256(",".join(str(row[0]) for row in found).encode()).hexdigest()[:16]
