"""Cost: the training spend of each financial year and partnership, per delegate and per attendance.

The spend comes from the ``spend`` table (year, partnership, amount), imported
like any other file (``spend.csv``). Money is known only per financial year
and partnership, so the money columns are filled only for groupings by year
and/or partnership; grouped any other way (by course, sector...), a row keeps
its counts and leaves ``spend`` and the costs empty rather than inventing a
split of the money.

The counts are taken over the sessions whose year and partnership have a
recorded spend, so that the money and the people it paid for cover the same
training. See docs/evaluators.md.
"""

from __future__ import annotations

from .. import evaluation
from ..evaluator import DELEGATE_FIELDS, Count, Derived, Evaluator, Money, percent
from ..hookspecs import hookimpl

COSTABLE = frozenset({"year", "partnership"})
COSTED = "EXISTS (SELECT 1 FROM spend WHERE spend.year = sessions.year AND spend.partnership = sessions.partnership)"

COLUMNS = {
    "spend": Money("Training spend (£)"),
    "unique_delegates": Count("Different people who attended the sessions with a recorded spend",
                              adds_up_over=DELEGATE_FIELDS),
    "attendances": Count("Attendances on sessions with a recorded spend, large events' headcount included"),
    "cost_per_delegate": Derived("Spend per different person who attended (£)", decimals=0,
                                 formula=lambda r: percent(r["spend"], r["unique_delegates"], per=1)),
    "cost_per_attendance": Derived("Spend per attendance (£)", decimals=0,
                                   formula=lambda r: percent(r["spend"], r["attendances"], per=1)),
}


class Cost(Evaluator):
    name = "cost"
    description = "Training spend per financial year and partnership, per delegate and per attendance"
    columns = COLUMNS
    groupable = COSTABLE
    relations = ("attendances <= reach.headcount", "unique_delegates <= reach.unique_delegates")

    def compute(self, store, by, scope) -> dict:
        costable = set(by) <= COSTABLE
        spend = self.spend(store, by, scope) if costable else {}
        people = self.people(store, by, scope)
        rows = {}
        for key in dict.fromkeys([*spend, *people]):
            unique_delegates, attendances = people.get(key, (0, 0))
            rows[key] = {"spend": spend.get(key), "unique_delegates": unique_delegates, "attendances": attendances}
        return rows

    def spend(self, store, by, scope) -> dict:
        """``{group: total spend}`` for a grouping by year and/or partnership."""
        clauses, params = ["1 = 1"], []
        for field in COSTABLE:
            value = getattr(scope, field)
            if value is not None:
                clauses.append(f"spend.{field} = ?")
                params.append(value)
        columns = ", ".join(f"spend.{field} AS {field}" for field in by)
        sql = (
            f"SELECT {columns + ', ' if columns else ''}count(*) AS entries, sum(amount) AS spend "
            f"FROM spend WHERE {' AND '.join(clauses)}"
            + (f" GROUP BY {', '.join(f'spend.{field}' for field in by)}" if by else "")
        )
        return {
            evaluation.group_key(row, by): row["spend"]
            for row in store.db.query(sql, params)
            if row["entries"]
        }

    def uncosted_sessions(self, store, scope) -> bool:
        """Whether any session in scope falls in a year and partnership with no recorded spend."""
        where, params = scope.sql()
        return bool(store.db.execute(
            f"""SELECT EXISTS (SELECT 1 FROM (SELECT DISTINCT year, partnership FROM sessions WHERE {where}) AS sessions
            WHERE NOT {COSTED})""", params,
        ).fetchone()[0])

    def people(self, store, by, scope) -> dict:
        """``{group: (unique delegates, attendances)}`` over the sessions with a recorded spend.

        Attendances are attended bookings plus the headcount of headcount-only
        events (for delegate-level groupings, attended bookings only).
        Session-level groupings sum the attendances of ``session_summaries``.
        """
        if evaluation.session_level(by):
            # When every session in scope is costed, the delegates are those ``reach`` counts: count them once.
            costed = COSTED if self.uncosted_sessions(store, scope) else "1 = 1"
            attendances = evaluation.grouped(
                store, by, scope, "sum(session_summaries.attended) AS attended",
                evaluation.summary_source("session_summaries"), where=costed, present="attended",
            )
            delegates = evaluation.different_delegates(store, by, scope, where=costed)
            people = {
                key: (delegates.get(key, {}).get("unique_delegates", 0), row["attended"])
                for key, row in attendances.items()
            }
        else:
            people = {
                key: (row["delegates"], row["attended"])
                for key, row in evaluation.grouped(
                    store, by, scope,
                    "count(DISTINCT bookings.delegate) AS delegates, count(*) AS attended",
                    evaluation.joins("bookings", by), where=f"bookings.status = 'attended' AND {COSTED}",
                    present="attended",
                ).items()
            }
        if not evaluation.DELEGATE_LEVEL & set(by):
            headcounts = evaluation.grouped(
                store, by, scope, "count(*) AS sessions, sum(sessions.headcount) AS headcount",
                f"sessions {evaluation.COURSE_OF_SESSION}",
                where=f"sessions.headcount IS NOT NULL AND {COSTED}", present="sessions",
            )
            for key, row in headcounts.items():
                delegates, attended = people.get(key, (0, 0))
                people[key] = (delegates, attended + row["headcount"])
        return people


@hookimpl
def register_evaluators(register):
    register(Cost())
