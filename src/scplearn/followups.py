"""Closing the impact loop: who is due a follow-up survey, with contact details for a mail merge.

A delegate is due when they attended a session between ``min_weeks`` and
``max_weeks`` weeks ago (12 to 26 by default: about three to six months) and
no follow-up for that session is recorded yet; sessions longer ago are past
asking about. Their email and name come from the private database: this and
:mod:`scplearn.refreshers` are the places scplearn hands out personal data,
so callers should keep the result out of anything published.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from . import filemodes
from .errors import ScplearnError
from .spreadsheets import safe_cell

COLUMNS = ("email", "name", "session", "course", "course_title", "session_date")
MIN_WEEKS = 12
MAX_WEEKS = 26


def due(store, *, min_weeks: int = MIN_WEEKS, max_weeks: int | None = MAX_WEEKS,
        today: dt.date | None = None) -> list[dict]:
    """The attended delegates due a follow-up, one row per (person, session), oldest session first.

    A session is in the window when it was at least ``min_weeks`` and at most
    ``max_weeks`` weeks before ``today`` (both days included); ``max_weeks=None``
    sets no limit.
    """
    if min_weeks < 0:
        raise ValueError("min_weeks must be 0 or more")
    if max_weeks is not None and max_weeks < min_weeks:
        raise ValueError("max_weeks must be at least min_weeks")
    today = today or dt.date.today()
    latest = today - dt.timedelta(weeks=min_weeks)
    earliest = today - dt.timedelta(weeks=max_weeks) if max_weeks is not None else dt.date.min
    rows = store.db.execute(
        """
        SELECT b.delegate, b.session, s.course, c.title, s.date
        FROM bookings b
        JOIN sessions s ON s.code = b.session
        JOIN courses c ON c.code = s.course
        WHERE b.status = 'attended' AND s.date BETWEEN ? AND ?
          AND NOT EXISTS (SELECT 1 FROM followups f WHERE f.session = b.session AND f.delegate = b.delegate)
        ORDER BY s.date, b.session
        """,
        [earliest.isoformat(), latest.isoformat()],
    ).fetchall()
    people = contacts(store, {row[0] for row in rows})
    result = []
    for key, session, course, title, date in rows:
        if key not in people:
            continue
        email, name = people[key]
        result.append({"email": email, "name": name, "session": session, "course": course,
                       "course_title": title, "session_date": date})
    result.sort(key=lambda row: (row["session_date"], row["session"], row["email"]))
    return result


def counts(store, *, min_weeks: int = MIN_WEEKS, max_weeks: int | None = MAX_WEEKS,
           today: dt.date | None = None) -> dict:
    """How many follow-ups are recorded and how many are due, without naming anyone."""
    return {
        "recorded": store.db["followups"].count,
        "due": len(due(store, min_weeks=min_weeks, max_weeks=max_weeks, today=today)),
    }


def contacts(store, keys) -> dict[str, tuple[str, str | None]]:
    """``{delegate key: (email, name)}`` from the private database, for the keys given."""
    keys = sorted(keys)
    found = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        for key, email, name in store.private.execute(
            f"SELECT key, email, name FROM people WHERE key IN ({', '.join('?' * len(chunk))})", chunk
        ):
            found[key] = (email, name)
    return found


def write_csv(rows, handle, columns=COLUMNS) -> None:
    """Write rows as CSV for a mail merge, neutralising anything a spreadsheet would run as a formula."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row[column]) for column in columns])


def csv_bytes(rows, columns=COLUMNS) -> bytes:
    """The CSV of :func:`write_csv` as UTF-8 with a byte-order mark, by which Excel knows its encoding
    (without it, Excel reads "Zoë" as "ZoÃ«")."""
    text = io.StringIO()
    write_csv(rows, text, columns)
    return text.getvalue().encode("utf-8-sig")


def save_csv(rows, path, *, replace: bool = False, columns=COLUMNS) -> None:
    """Write :func:`csv_bytes` to a new file at ``path`` that only its owner may read, never through a
    symlink; a file already there is refused unless ``replace``, and then replaced, not written into."""
    try:
        filemodes.write(path, csv_bytes(rows, columns), replace=replace)
    except FileExistsError:
        raise ScplearnError(f"{path} already exists; choose a new file name or pass --force to replace it") from None
    except OSError as error:
        raise ScplearnError(f"cannot write {path}: {error.strerror or error}") from None
