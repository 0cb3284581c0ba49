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
empty there.
"""

from __future__ import annotations

from .. import evaluation
from ..evaluator import (
    DELEGATE_FIELDS, SESSION_FIELDS, Count, Derived, Evaluator, Percent, Workforce, difference, percent,
)
from ..hookspecs import hookimpl



def _per_1000(row):
    return percent(row["known_workforce_delegates"], row["workforce"], per=1000)


def _representation(row):
    """Share of delegates ÷ share of workforce = this group's rate per 1,000 ÷ everyone's."""
    if not DELEGATE_FIELDS & set(row.labels):
        return None
    everyone = row.total()
    return percent(_per_1000(row), _per_1000(everyone), per=1)


COLUMNS = {
    "sessions": Count("Sessions held (not given for sectors and agencies)", people=False),
    "headcount_only_sessions": Count("Large events with no individual register, counted by headcount",
                                     people=False),
    "spaces_offered": Count("Delegate places offered on sessions with a register", people=False),
    "booked": Count("Places booked (walk-ins excluded)"),
    "cancelled": Count("Bookings cancelled"),
    "attended": Count("Attendances: delegates present, walk-ins included"),
    "did_not_attend": Count("Booked, not cancelled, and did not attend"),
    "walk_ins": Count("Delegates present without a booking"),
    "places_taken": Count("Attendances at sessions with a set number of places"),
    "headcount_only_attendance": Count("People counted at large events by headcount alone"),
    "headcount": Count("Attendances plus the headcount of large events (for sectors and agencies: attendances)",
                       adds_up_over=SESSION_FIELDS, covered_over=SESSION_FIELDS),
    "unique_delegates": Count("Different people who attended", adds_up_over=DELEGATE_FIELDS),
    "known_workforce_delegates": Count("Different people who attended from agencies whose workforce is known",
                                       adds_up_over=DELEGATE_FIELDS),
    "workforce": Workforce("Staff of the agencies whose workforce is known (for a year or a partnership: of every "
                           "such agency)"),
    "attendance_rate": Percent("places_taken", "spaces_offered", "Attendances as a % of the places offered"),
    "show_rate": Derived(
        "Booked, not cancelled places that were attended (%)", decimals=0,
        formula=lambda r: percent(difference(r["booked"], r["cancelled"], r["did_not_attend"]),
                                  difference(r["booked"], r["cancelled"]))),
    "per_1000_workforce": Derived("Delegates per 1,000 staff of the agencies whose workforce is known",
                                  formula=_per_1000),
    "representation_ratio": Derived(
        "Share of delegates ÷ share of the workforce (above 1: over-represented)", decimals=2,
        formula=_representation),
}


class Reach(Evaluator):
    name = "reach"
    description = "Sessions, places offered, bookings, attendance, show rate and reach into the workforce"
    columns = COLUMNS
    relations = (
        "booked = cancelled + did_not_attend + attended - walk_ins",
        "headcount = attended + headcount_only_attendance",
        "attended >= unique_delegates",
        "attended >= places_taken",
        "attended >= walk_ins",
        "unique_delegates >= known_workforce_delegates",
        "workforce >= known_workforce_delegates",
    )

    def compute(self, store, by, scope) -> dict:
        delegate_level = not evaluation.session_level(by)
        if delegate_level:
            counts = self.booking_counts_of_records(store, by, scope)
        else:
            sessions = self.session_counts(store, by, scope)
            people = evaluation.different_delegates(store, by, scope)
            counts = {key: {**row, **people.get(key, {})} for key, row in sessions.items()}
        total_workforce, group_workforces = evaluation.known_workforce(store, by)
        workforce_fields = [index for index, field in enumerate(by) if field in evaluation.WORKFORCE_GROUPINGS]
        rows = {}
        for key, c in counts.items():
            attended = c.get("attended") or 0
            if delegate_level:
                workforce = group_workforces.get(tuple(key[index] for index in workforce_fields))
                places = dict.fromkeys(("sessions", "headcount_only_sessions", "spaces_offered", "places_taken",
                                        "headcount_only_attendance"))
            else:
                # Every agency's workforce is set against a year's (or a partnership's) delegates, so that a
                # sector's share of them can be compared with its share of the workforce.
                workforce = total_workforce if set(by) <= {"year", "partnership"} else None
                large = c.get("headcount_only_attendance") or 0
                places = {
                    "sessions": c["sessions"],
                    "headcount_only_sessions": c["headcount_only_sessions"],
                    "spaces_offered": c["spaces_offered"],
                    "places_taken": c["places_taken"] if c["spaces_offered"] is not None else None,
                    "headcount_only_attendance": large,
                }
            known = c.get("known_workforce_delegates") or 0
            rows[key] = {
                **places,
                "booked": c.get("booked") or 0,
                "cancelled": c.get("cancelled") or 0,
                "attended": attended,
                "did_not_attend": c.get("did_not_attend") or 0,
                "walk_ins": c.get("walk_ins") or 0,
                "headcount": attended + (places["headcount_only_attendance"] or 0),
                "unique_delegates": c.get("unique_delegates") or 0,
                "known_workforce_delegates": known if workforce else None,
                "workforce": workforce,
            }
        return rows

    def session_counts(self, store, by, scope) -> dict:
        """Per group of sessions: sessions, headcount-only sessions and their attendance, places offered
        and the booking and attendance counts, added up from ``session_summaries``."""
        t = "session_summaries"
        return evaluation.grouped(
            store, by, scope,
            f"""count(*) AS sessions,
            count(sessions.headcount) AS headcount_only_sessions,
            sum(CASE WHEN sessions.headcount IS NULL THEN sessions.capacity END) AS spaces_offered,
            sum(sessions.headcount) AS headcount_only_attendance,
            sum({t}.booked) AS booked, sum({t}.cancelled) AS cancelled,
            sum({t}.attended) AS attended, sum({t}.did_not_attend) AS did_not_attend, sum({t}.walk_ins) AS walk_ins,
            sum(CASE WHEN sessions.headcount IS NULL AND sessions.capacity IS NOT NULL
                THEN coalesce({t}.attended, 0) ELSE 0 END) AS places_taken""",
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
            count(DISTINCT CASE WHEN {attended} THEN bookings.delegate END) AS unique_delegates,
            count(DISTINCT CASE WHEN {attended} AND agencies.workforce IS NOT NULL
                  THEN bookings.delegate END) AS known_workforce_delegates""",
            evaluation.joins("bookings", by, delegates=True),
            present="bookings",
        )


@hookimpl
def register_evaluators(register):
    register(Reach())
