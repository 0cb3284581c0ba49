"""Per-session summaries kept at import: the sufficient statistics the evaluators read.

Every import recounts, in its own transaction, the summaries of each session
whose records it wrote, so the summaries always agree with the records.
"""

from __future__ import annotations

from . import model

SOURCES = ("evaluations",)
"""The tables a summary is counted from."""


def refresh(db, sessions) -> None:
    """Recount the summaries of ``sessions``."""
    refresh_score_counts(db, sessions)


def refresh_score_counts(db, sessions) -> None:
    """Recount the (pre, post) score table of each session: the sufficient statistics of uplift."""
    db.execute("CREATE TEMP TABLE IF NOT EXISTS touched_sessions (code TEXT PRIMARY KEY)")
    db.execute("DELETE FROM temp.touched_sessions")
    db.conn.executemany("INSERT OR IGNORE INTO temp.touched_sessions VALUES (?)", [(s,) for s in sessions])
    db.execute("DELETE FROM score_counts WHERE session IN (SELECT code FROM temp.touched_sessions)")
    for dimension in model.DIMENSIONS:
        db.execute(
            f"""INSERT INTO score_counts (session, dimension, pre, post, n)
            SELECT session, '{dimension}', {dimension}_pre, {dimension}_post, count(*)
            FROM evaluations
            WHERE session IN (SELECT code FROM temp.touched_sessions)
              AND {dimension}_pre IS NOT NULL AND {dimension}_post IS NOT NULL
            GROUP BY session, {dimension}_pre, {dimension}_post"""
        )
    db.execute("DELETE FROM temp.touched_sessions")
