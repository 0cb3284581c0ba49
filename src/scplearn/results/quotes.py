"""Feedback quotes fit to publish: consented, scrubbed of people, and never few enough to count anyone.

A quote is published only when its author consented. Before it is, every
email address and phone number in it, and every name of a person in the
private database, becomes "[name]". Quotes are grouped by course and
financial year: a group is published only when at least ``min_count`` of its
quotes are consented (the number of quotes is a count of people), and then
at most :data:`PER_GROUP` of them (the longest), so the number shown says
nothing of how many there were.
"""

from __future__ import annotations

from ..redact import people_names, scrub

PER_GROUP = 3
"""Quotes published, at most, for one course in one year."""


def published_quotes(store, policy) -> list[dict]:
    """The quotes to publish: course, year, role and quote, scrubbed, by course and year."""
    rows = store.db.query(
        """SELECT feedback.course, sessions.year, feedback.role, feedback.quote
        FROM feedback JOIN sessions ON sessions.code = feedback.session
        WHERE feedback.consent = 1 ORDER BY sessions.year, feedback.course, length(feedback.quote) DESC, feedback.id"""
    )
    groups: dict = {}
    for row in rows:
        groups.setdefault((row["course"], row["year"]), []).append(row)
    names = people_names(store.private) if store.private_path.exists() else set()
    chosen = []
    for quotes in groups.values():
        if len(quotes) < policy.min_count:
            continue
        for row in quotes[:PER_GROUP]:
            chosen.append({**row, "quote": scrub(row["quote"], names),
                           "role": scrub(row["role"], names) if row["role"] else None})
    return chosen
