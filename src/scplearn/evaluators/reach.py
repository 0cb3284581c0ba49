"""Reach: how many sessions were run, how many places offered, and who came.

A few ``GROUP BY`` passes, whatever the number of delegates. For
session-level groupings: one over ``sessions`` and their ``session_summaries``
(sessions, places offered, headcount-only events, booked, cancelled, attended,
walk-ins) and one counting the different delegates; for delegate-level
groupings, one over the bookings. Then one over ``agencies`` (the workforce of
each sector or agency). See docs/evaluators.md for every column's definition.

Session-level groupings (year, partnership, course, session, priority, mode)
count sessions and places. Delegate-level groupings (sector, agency) split
people, not places: a session's places and a large event's headcount cannot be
divided between the sectors of the people who came, so those columns are
empty there and the session count is of sessions the group attended.
"""

from __future__ import annotations

from .. import evaluation
from ..hookspecs import hookimpl

# How the workforce table is grouped, for the delegate-level groupings.
WORKFORCE_GROUPINGS = {"sector": "agencies.sector", "agency": "agencies.name"}

COLUMNS = {
    "sessions": int,
    "headcount_only_sessions": int,
    "spaces_offered": int,
    "booked": int,
    "cancelled": int,
    "attended": int,
    "did_not_attend": int,
    "walk_ins": int,
    "attendance_rate": float,
    "show_rate": float,
    "unique_delegates": int,
    "headcount": int,
    "per_1000_workforce": float,
    "representation_ratio": float,
}


def percent(numerator, denominator):
    """``100 × numerator ÷ denominator``, or ``None`` when the denominator is missing or zero."""
    if numerator is None or not denominator:
        return None
    return 100 * numerator / denominator


def sort_key(key: tuple) -> tuple:
    return tuple("" if value is None else str(value) for value in key)


def representation(by, known: dict, workforce: dict, total_workforce: int) -> dict:
    """``{group: share of delegates ÷ share of workforce}`` for delegate-level groups.

    ``known`` counts each group's attending delegates from agencies of known
    workforce and ``workforce`` is that workforce. Shares of delegates are
    taken among groups that agree on the session-level grouping fields (e.g.
    within each year); shares of workforce are of all agencies of known
    workforce. Groups with no known workforce are left out.
    """
    outer = [index for index, field in enumerate(by) if field not in evaluation.DELEGATE_LEVEL]
    delegates_within = {}
    for key, count in known.items():
        outer_key = tuple(key[i] for i in outer)
        delegates_within[outer_key] = delegates_within.get(outer_key, 0) + count
    ratios = {}
    for key, count in known.items():
        total = delegates_within[tuple(key[i] for i in outer)]
        if workforce[key] and total:
            ratios[key] = (count / total) / (workforce[key] / total_workforce)
    return ratios


class Reach:
    name = "reach"
    description = "Sessions, places offered, bookings, attendance, show rate and reach into the workforce"
    version = "1"
    dimensions = False
    columns = COLUMNS
    # For the public database (scplearn.publish.control): the count each rate is over,
    # then the other counts it could give away if they were withheld.
    statistic_bases = {
        "attendance_rate": ("spaces_offered", "attended"),
        "show_rate": ("booked", "cancelled", "attended", "did_not_attend", "walk_ins"),
        "per_1000_workforce": ("unique_delegates",),
        "representation_ratio": ("unique_delegates",),
    }
    # Counts of a row that add up: booked = cancelled + did not attend + attended - walk-ins.
    count_totals = {"booked": ("cancelled", "did_not_attend", "attended", "-walk_ins")}

    def evaluate(self, store, by, scope) -> list[dict]:
        delegate_level = bool(evaluation.DELEGATE_LEVEL & set(by))
        if delegate_level:
            sessions, bookings = {}, self.booking_counts_of_records(store, by, scope)
        else:
            sessions = self.session_counts(store, by, scope)
            people = evaluation.different_delegates(store, by, scope)
            bookings = {key: {**row, **people.get(key, {})} for key, row in sessions.items() if row["bookings"]}
        total_workforce, group_workforces = self.workforce(store, by)
        workforce_fields = [index for index, field in enumerate(by) if field in WORKFORCE_GROUPINGS]

        rows, known, workforce = {}, {}, {}
        for key in sorted(set(sessions) | set(bookings), key=sort_key):
            s, b = sessions.get(key, {}), bookings.get(key, {})
            attended, walk_ins = b.get("attended", 0), b.get("walk_ins", 0)
            booked, cancelled = b.get("booked", 0), b.get("cancelled", 0)
            known[key] = b.get("known_workforce_delegates", 0)
            if delegate_level:
                workforce[key] = group_workforces.get(tuple(key[index] for index in workforce_fields))
                places = {
                    "sessions": b.get("sessions_attended", 0),
                    "headcount_only_sessions": None,
                    "spaces_offered": None,
                    "attendance_rate": None,
                    "headcount": attended,
                }
            else:
                workforce[key] = total_workforce
                places = {
                    "sessions": s.get("sessions", 0),
                    "headcount_only_sessions": s.get("headcount_only_sessions", 0),
                    "spaces_offered": s.get("spaces_offered"),
                    "attendance_rate": percent(b.get("attended_with_capacity", 0), s.get("spaces_offered")),
                    "headcount": attended + (s.get("headcount_only_attendance") or 0),
                }
            rows[key] = {
                **dict(zip(by, key)),
                "sessions": places["sessions"],
                "headcount_only_sessions": places["headcount_only_sessions"],
                "spaces_offered": places["spaces_offered"],
                "booked": booked,
                "cancelled": cancelled,
                "attended": attended,
                "did_not_attend": b.get("did_not_attend", 0),
                "walk_ins": walk_ins,
                "attendance_rate": places["attendance_rate"],
                "show_rate": percent(attended - walk_ins, booked - cancelled),
                "unique_delegates": b.get("unique_delegates", 0),
                "headcount": places["headcount"],
                "per_1000_workforce": 1000 * known[key] / workforce[key] if workforce[key] else None,
                "representation_ratio": None,
            }
        if delegate_level and total_workforce:
            for key, ratio in representation(by, known, workforce, total_workforce).items():
                rows[key]["representation_ratio"] = ratio
        return list(rows.values())

    def session_counts(self, store, by, scope) -> dict:
        """Per group of sessions: sessions, headcount-only sessions, places offered, headcount-only
        attendance and the booking and attendance counts, added up from ``session_summaries``.

        ``bookings`` and the other booking counts are ``None`` for a group without summaries.
        """
        t = "session_summaries"
        return evaluation.grouped(
            store, by, scope,
            f"""count(*) AS sessions,
            count(sessions.headcount) AS headcount_only_sessions,
            sum(CASE WHEN sessions.headcount IS NULL THEN sessions.capacity END) AS spaces_offered,
            sum(sessions.headcount) AS headcount_only_attendance,
            sum({t}.bookings) AS bookings, sum({t}.booked) AS booked, sum({t}.cancelled) AS cancelled,
            sum({t}.attended) AS attended, sum({t}.did_not_attend) AS did_not_attend, sum({t}.walk_ins) AS walk_ins,
            sum(CASE WHEN sessions.headcount IS NULL AND sessions.capacity IS NOT NULL THEN {t}.attended ELSE 0 END)
                AS attended_with_capacity""",
            f"sessions LEFT JOIN {t} ON {t}.session = sessions.code {evaluation.COURSE_OF_SESSION}",
            present="sessions",
        )

    def booking_counts_of_records(self, store, by, scope) -> dict:
        """Per group: the booking and attendance counts, in one pass over ``bookings``."""
        attended = "bookings.status = 'attended'"
        return evaluation.grouped(
            store, by, scope,
            f"""count(*) AS bookings,
            sum(bookings.walk_in = 0) AS booked,
            sum(bookings.walk_in = 0 AND bookings.status = 'cancelled') AS cancelled,
            sum({attended}) AS attended,
            sum(bookings.walk_in = 0 AND bookings.status NOT IN ('cancelled', 'attended')) AS did_not_attend,
            sum(bookings.walk_in = 1) AS walk_ins,
            sum({attended} AND sessions.headcount IS NULL AND sessions.capacity IS NOT NULL)
                AS attended_with_capacity,
            count(DISTINCT CASE WHEN {attended} THEN bookings.delegate END) AS unique_delegates,
            count(DISTINCT CASE WHEN {attended} AND agencies.workforce IS NOT NULL
                  THEN bookings.delegate END) AS known_workforce_delegates,
            count(DISTINCT CASE WHEN {attended} THEN bookings.session END) AS sessions_attended""",
            evaluation.joins("bookings", by, delegates=True),
            present="bookings",
        )

    def workforce(self, store, by) -> tuple[int | None, dict]:
        """The known workforce of all agencies, and of each sector and/or agency ``by`` names.

        Returns ``(total, {(sector/agency values in the order of by): workforce})``;
        agencies whose workforce is not known are left out of both.
        """
        total = store.db.execute("SELECT sum(workforce) FROM agencies WHERE workforce IS NOT NULL").fetchone()[0]
        columns = ", ".join(WORKFORCE_GROUPINGS[field] for field in by if field in WORKFORCE_GROUPINGS)
        groups = {}
        if columns:
            for row in store.db.execute(
                f"SELECT {columns}, sum(workforce) FROM agencies WHERE workforce IS NOT NULL GROUP BY {columns}"
            ):
                groups[tuple(row[:-1])] = row[-1]
        return total, groups


@hookimpl
def register_evaluators(register):
    register(Reach())
