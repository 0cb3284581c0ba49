"""Events: the large events counted by headcount alone (conferences, webinars, festivals of learning).

Such an event has no individual register, only the number of people present;
the annual report names each one with its headcount.
"""

from __future__ import annotations

from .. import evaluation
from ..evaluator import Count, Evaluator, Text
from ..hookspecs import hookimpl


class Events(Evaluator):
    name = "events"
    description = "Large events counted by headcount alone: each event's course, mode, date and headcount"
    row_labels = ("event",)
    columns = {
        "event_course": Text("The event's course (see the courses table)"),
        "event_mode": Text("How the event was delivered (see the modes table)"),
        "event_date": Text("The day of the event"),
        "headcount": Count("People present, counted by headcount"),
    }
    groupable = frozenset({"year", "partnership"})
    relations = ("sum(headcount) = reach.headcount_only_attendance",)

    def compute(self, store, by, scope) -> dict:
        if not evaluation.session_level(by):
            return {}  # nobody is registered at a large event: it has no sectors or agencies
        where, params = scope.sql()
        groups = evaluation.group_columns(by)
        rows = store.db.query(
            f"SELECT {groups + ', ' if groups else ''}sessions.code AS event, sessions.course AS event_course, "
            f"sessions.mode AS event_mode, sessions.date AS event_date, sessions.headcount AS headcount "
            f"FROM sessions {evaluation.COURSE_OF_SESSION} "
            f"WHERE sessions.headcount IS NOT NULL AND {where} ORDER BY sessions.date, sessions.code",
            params,
        )
        return {(*evaluation.group_key(row, by), row["event"]): {
            name: row[name] for name in self.columns} for row in rows}


@hookimpl
def register_evaluators(register):
    register(Events())
