"""Who is due a refresher: people whose last safeguarding session was more than a few years ago.

A person is due when the last session they attended was on or before the day
``years`` years before ``today`` (three by default, as the ``coverage``
evaluator counts them) and they have attended none since. Large events
counted by headcount have no register, so they refresh no one. Names and
emails come from the private database: like :mod:`scplearn.followups`, this
hands out personal data for the coordinator, never for anything published.
"""

from __future__ import annotations

import datetime as dt

from .evaluators.coverage import REFRESH_YEARS, window
from .followups import contacts

COLUMNS = ("email", "name", "agency", "last_session", "course", "course_title", "last_date")


def due(store, *, years: int = REFRESH_YEARS, today: dt.date | None = None, agency: str | None = None) -> list[dict]:
    """The people due a refresher on ``today``, one row each, longest since training first.

    ``agency`` keeps only that agency's people (an agency the store does not know is refused).
    """
    if years < 1:
        raise ValueError("years must be 1 or more")
    today = today or dt.date.today()
    start = window(today, years).isoformat()
    where, parameters = "", [today.isoformat(), start]
    if agency is not None:
        store.check_agency(agency)
        where, parameters = " AND d.agency = ?", [*parameters, agency]
    rows = store.db.execute(
        f"""
        WITH attended AS (
            SELECT b.delegate, s.code AS session, s.course, s.date,
                   row_number() OVER (PARTITION BY b.delegate ORDER BY s.date DESC, s.code DESC) AS latest
            FROM bookings b JOIN sessions s ON s.code = b.session
            WHERE b.status = 'attended' AND s.date <= ?
        )
        SELECT a.delegate, d.agency, a.session, a.course, c.title, a.date
        FROM attended a JOIN delegates d ON d.key = a.delegate LEFT JOIN courses c ON c.code = a.course
        WHERE a.latest = 1 AND a.date < ?{where}
        """,
        parameters,
    ).fetchall()
    people = contacts(store, {row[0] for row in rows})
    found = []
    for key, agency_name, session, course, title, date in rows:
        if key in people:
            email, name = people[key]
            found.append({"email": email, "name": name, "agency": agency_name, "last_session": session,
                          "course": course, "course_title": title, "last_date": date})
    found.sort(key=lambda row: (row["last_date"], row["last_session"], row["email"]))
    return found

