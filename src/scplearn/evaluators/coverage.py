"""Coverage and currency: each agency's staff trained in the last few years, against its workforce.

Safeguarding training is not done once: partnerships expect staff to refresh
it every few years (three by default, :data:`REFRESH_YEARS`). So at the end
of each financial year, for each agency, sector and everyone:

- **coverage**: the different people who attended any session in the
  window (the three years up to the year's end), as a share of the
  workforce where it is known;
- **currency**: ``due_refresher``, the people whose last session was before
  the window, so are due a refresher.

A row per competency level (``level``): ``all`` counts every course, and
``1`` to ``4`` only the courses of that level (a person trained on a level 2
course in the window is covered at level 2). Large events counted by
headcount have no register, so they cover no one.

Computed from the attended bookings, one pass a year: each delegate's last
session up to the year's end, for every level, grouped by sector and agency.
Without a year (``scplearn evaluate --by agency``), the window ends on the
scope's ``as_of`` day, today by default.
"""

from __future__ import annotations

import datetime as dt

from .. import evaluation
from ..evaluator import DELEGATE_FIELDS, Count, Evaluator, Percent, Workforce
from ..hookspecs import hookimpl
from ..values import year_bounds

REFRESH_YEARS = 3
"""The years within which training counts as current."""
LEVELS = ("all", "1", "2", "3", "4")
COLUMNS = {
    "trained": Count(f"Different people who attended a session in the {REFRESH_YEARS} years to the year's end",
                     adds_up_over=DELEGATE_FIELDS),
    "known_workforce_trained": Count("Of them, people from agencies whose workforce is known",
                                     adds_up_over=DELEGATE_FIELDS),
    "workforce": Workforce("Staff of the agencies whose workforce is known"),
    "coverage": Percent("known_workforce_trained", "workforce",
                        f"Share of the known workforce trained in the {REFRESH_YEARS} years to the year's end (%)"),
    "due_refresher": Count(f"People whose last session was more than {REFRESH_YEARS} years before the year's "
                           "end: due a refresher", adds_up_over=DELEGATE_FIELDS),
}
GROUPS = {"sector": "agencies.sector", "agency": "delegates.agency"}


def window(end: dt.date, years: int = REFRESH_YEARS) -> dt.date:
    """The first day of the ``years`` years that end on ``end``: 2024-03-31 → 2021-04-01."""
    start = dt.date(end.year - years, end.month, 28 if (end.month, end.day) == (2, 29) else end.day)
    return start + dt.timedelta(days=1)


def last_sessions(partnership: str | None = None) -> str:
    """SQL with ``?`` for the last day (and the partnership when given): each delegate's last attended
    session up to that day, for each level of course (``''`` for a course without one)."""
    where = "bookings.status = 'attended' AND sessions.date <= ?"
    if partnership:
        where += " AND sessions.partnership = ?"
    return (
        "SELECT bookings.delegate AS delegate, coalesce(CAST(courses.level AS TEXT), '') AS level, "
        "max(sessions.date) AS last FROM bookings JOIN sessions ON sessions.code = bookings.session "
        f"LEFT JOIN courses ON courses.code = sessions.course WHERE {where} "
        "GROUP BY bookings.delegate, courses.level"
    )


class Coverage(Evaluator):
    name = "coverage"
    description = f"Staff trained in the {REFRESH_YEARS} years to each year's end, and those due a refresher"
    columns = COLUMNS
    row_labels = ("level",)
    repeated = ("workforce",)
    groupable = DELEGATE_FIELDS
    relations = ("trained >= known_workforce_trained", "workforce >= known_workforce_trained")

    def compute(self, store, by, scope) -> dict:
        if not set(by) <= DELEGATE_FIELDS | {"year"}:
            return {}  # a session's course or mode says nothing of whom an agency has trained
        if scope.year:
            ends = {scope.year: year_bounds(scope.year)[1]}
        elif "year" in by:
            ends = {year: year_bounds(year)[1] for year in store.years()}
        else:
            ends = {None: scope.as_of or dt.date.today()}
        total, groups = evaluation.known_workforce(store, by)
        rows = {}
        for year, end in ends.items():
            for key, row in self.counts(store, by, year, end, scope.partnership).items():
                group = tuple(value for field, value in zip(by, key) if field in GROUPS)
                known = groups.get(group) if group else total
                rows[key] = {**row, "known_workforce_trained": row["known_workforce_trained"] if known else None,
                             "workforce": known}
        return rows

    def counts(self, store, by, year, end: dt.date, partnership) -> dict:
        """``{(group..., level): {trained, known_workforce_trained, due_refresher}}`` at ``end``."""
        start = window(end).isoformat()
        fields = [field for field in by if field in GROUPS]
        columns = "".join(f"{GROUPS[field]} AS {field}, " for field in fields)
        sql = (
            f"WITH last AS ({last_sessions(partnership)}), "
            "every_level AS (SELECT delegate, level, last FROM last "
            "UNION ALL SELECT delegate, 'all', max(last) FROM last GROUP BY delegate) "
            f"SELECT {columns}every_level.level AS level, "
            "sum(every_level.last >= ?) AS trained, "
            "sum(every_level.last >= ? AND agencies.workforce IS NOT NULL) AS known_workforce_trained, "
            "sum(every_level.last < ?) AS due_refresher "
            "FROM every_level LEFT JOIN delegates ON delegates.key = every_level.delegate "
            "LEFT JOIN agencies ON agencies.name = delegates.agency WHERE every_level.level != '' "
            f"GROUP BY {''.join(GROUPS[field] + ', ' for field in fields)}every_level.level"
        )
        parameters = [end.isoformat(), *([partnership] if partnership else []), start, start, start]
        found = {}
        for row in store.db.execute(sql, parameters):
            values = dict(zip([*fields, "level", "trained", "known_workforce_trained", "due_refresher"], row))
            group = tuple(year if field == "year" else values[field] for field in by)
            found[(*group, values["level"])] = {name: values[name] for name in
                                                ("trained", "known_workforce_trained", "due_refresher")}
        order = {level: position for position, level in enumerate(LEVELS)}
        return dict(sorted(found.items(), key=lambda item: order.get(item[0][-1], len(order))))


@hookimpl
def register_evaluators(register):
    register(Coverage())
