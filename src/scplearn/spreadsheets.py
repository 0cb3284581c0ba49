"""Keeping text that leaves scplearn from running as a spreadsheet formula.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is read by spreadsheet programs as a formula (CSV injection). Text scplearn
writes for people to open, the follow-up mail-merge list and the public
database's CSV downloads, gets a leading ``'`` there, which spreadsheets
show as text.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A cell a spreadsheet will show as text: one starting like a formula gets a leading ``'``."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def neutralise_database(db) -> int:
    """Apply :func:`safe_cell` to every text value of every table of a sqlite-utils database; returns cells changed."""
    starts = " OR ".join("substr({column}, 1, 1) = ?" for _ in FORMULA_STARTS)
    changed = 0
    for table in db.tables:
        for column in table.columns:
            if column.type.upper() != "TEXT":
                continue
            condition = starts.format(column=f"[{column.name}]")
            cursor = db.execute(
                f"UPDATE [{table.name}] SET [{column.name}] = '''' || [{column.name}] WHERE {condition}",
                list(FORMULA_STARTS),
            )
            changed += cursor.rowcount
    return changed
