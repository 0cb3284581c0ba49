"""Closing the impact loop: who is due a follow-up survey, with contact details for a mail merge.

A delegate is due when they attended a session at least ``weeks`` weeks ago
(12 by default, about three months) and no follow-up for that session is
recorded yet. Their email and name come from the private database: this is
the one place scplearn hands out personal data, so callers should keep the
result out of anything published.
"""

from __future__ import annotations

import csv
import datetime as dt

from .spreadsheets import safe_cell

COLUMNS = ("email", "name", "session", "course", "course_title", "session_date")


def due(store, *, weeks: int = 12, today: dt.date | None = None) -> list[dict]:
    """The attended delegates due a follow-up, one row per (person, session), oldest session first."""
    if weeks < 0:
        raise ValueError("weeks must be 0 or more")
    today = today or dt.date.today()
    cutoff = today - dt.timedelta(weeks=weeks)
    rows = store.db.execute(
        """
        SELECT b.delegate, b.session, s.course, c.title, s.date
        FROM bookings b
        JOIN sessions s ON s.code = b.session
        JOIN courses c ON c.code = s.course
        WHERE b.status = 'attended' AND s.date <= ?
          AND NOT EXISTS (SELECT 1 FROM followups f WHERE f.session = b.session AND f.delegate = b.delegate)
        ORDER BY s.date, b.session
        """,
        [cutoff.isoformat()],
    ).fetchall()
    people = _people(store, {row[0] for row in rows})
    result = []
    for key, session, course, title, date in rows:
        if key not in people:
            continue
        email, name = people[key]
        result.append({"email": email, "name": name, "session": session, "course": course,
                       "course_title": title, "session_date": date})
    result.sort(key=lambda row: (row["session_date"], row["session"], row["email"]))
    return result


def counts(store, *, weeks: int = 12, today: dt.date | None = None) -> dict:
    """How many follow-ups are recorded and how many are due, without naming anyone."""
    return {
        "recorded": store.db["followups"].count,
        "due": len(due(store, weeks=weeks, today=today)),
    }


def _people(store, keys) -> dict[str, tuple[str, str | None]]:
    keys = sorted(keys)
    found = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        for key, email, name in store.private.execute(
            f"SELECT key, email, name FROM people WHERE key IN ({', '.join('?' * len(chunk))})", chunk
        ):
            found[key] = (email, name)
    return found


def write_csv(rows, handle) -> None:
    """Write rows as CSV for a mail merge, neutralising anything a spreadsheet would run as a formula."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([safe_cell(row[column]) for column in COLUMNS])
