"""Learning resources: how often each was reached, and what those who used it said months later.

Resource packs, recorded sessions, e-learning modules and briefings have no
register, so they never add to the people trained: they sit beside the
sessions as views and downloads, one row per resource. A platform's count is
of visits, not of people, so it is published as it is; the follow-up answers
about a resource (did they use it, did they use the learning, did they take a
specific action) are counts of people, under the disclosure policy like the
sessions' follow-ups.

An access period counts in the financial year of its first day, a follow-up
answer in the year it was given. Groupings: by year and by the resource's
partnership (a resource with none belongs to no partnership's rows).
"""

from __future__ import annotations

from ..evaluator import Count, Evaluator, Percent, Text
from ..hookspecs import hookimpl
from ..model import RESOURCE_KINDS

ANSWERS = {"used_resource": "used the resource", "used_learning": "used the learning in their work",
           "specific_action": "took a specific action in the workplace"}


def financial_year(column: str) -> str:
    """SQL: the financial year (April to March, ``2023/24``) of the ISO date in ``column``."""
    start = f"(CAST(substr({column}, 1, 4) AS INTEGER) - (substr({column}, 6, 2) < '04'))"
    return f"({start} || '/' || printf('%02d', ({start} + 1) % 100))"


def _answers(answer: str, words: str) -> dict:
    return {
        f"{answer}_yes": Count(f"Respondents who said they {words}"),
        f"{answer}_answered": Count("Respondents who answered the question"),
        f"pct_{answer}": Percent(f"{answer}_yes", f"{answer}_answered", f"Respondents who {words} (%)"),
    }


COLUMNS = {
    "title": Text("The resource's title"),
    "kind": Text(f"What it is: {', '.join(RESOURCE_KINDS)}"),
    "topic": Text("Its subject area"),
    "views": Count("Views or visits the platforms counted (of visits, not people)", people=False),
    "downloads": Count("Downloads the platforms counted", people=False),
    "watch_hours": Count("Hours watched, for videos and recordings (whole hours)", people=False),
    "respondents": Count("People who answered a follow-up question about the resource"),
    **{name: column for answer, words in ANSWERS.items() for name, column in _answers(answer, words).items()},
}
GROUPS = {"year": None, "partnership": "resources.partnership"}


class Resources(Evaluator):
    name = "resources"
    description = "Learning resources: views, downloads and hours watched, and the follow-up answers about them"
    row_labels = ("resource",)
    columns = COLUMNS
    groupable = frozenset({"partnership"})
    relations = tuple(f"respondents >= {answer}_answered" for answer in ANSWERS) + tuple(
        f"{answer}_answered >= {answer}_yes" for answer in ANSWERS)

    def compute(self, store, by, scope) -> dict:
        if not set(by) <= set(GROUPS):
            return {}  # a resource has no session, course of session, sector or agency of its own
        access = self._grouped(store, by, scope, "resource_access", "date", """
            sum(resource_access.views) AS views, sum(resource_access.downloads) AS downloads,
            CAST(round(sum(resource_access.watch_hours)) AS INTEGER) AS watch_hours""")
        answers = self._grouped(store, by, scope, "resource_followups", "date", "count(*) AS respondents, " + ", ".join(
            f"sum(resource_followups.{answer} = 1) AS {answer}_yes, "
            f"count(resource_followups.{answer}) AS {answer}_answered" for answer in ANSWERS))
        rows = {}
        for key in sorted({*access, *answers}, key=lambda key: tuple("" if v is None else str(v) for v in key)):
            found = {**access.get(key, {}), **answers.get(key, {})}
            rows[key] = {name: found.get(name) for name in self.columns}
            for name in ("respondents", *(f"{a}_{part}" for a in ANSWERS for part in ("yes", "answered"))):
                rows[key][name] = rows[key][name] or 0
        return rows

    def _grouped(self, store, by, scope, table: str, dated: str, aggregates: str) -> dict:
        year = financial_year(f"{table}.{dated}")
        keys = [f"{year} AS year" if field == "year" else f"{GROUPS[field]} AS {field}" for field in by]
        where, params = ["1 = 1"], []
        if scope.year:
            where.append(f"{year} = ?")
            params.append(scope.year)
        if scope.partnership:
            where.append("resources.partnership = ?")
            params.append(scope.partnership)
        sql = (f"SELECT {''.join(key + ', ' for key in keys)}resources.code AS resource, resources.title AS title, "
               f"resources.kind AS kind, resources.topic AS topic, {aggregates} "
               f"FROM {table} JOIN resources ON resources.code = {table}.resource "
               f"WHERE {' AND '.join(where)} GROUP BY {''.join(f'{i + 1}, ' for i in range(len(by)))}resources.code")
        return {(*(row[field] for field in by), row["resource"]): dict(row) for row in store.db.query(sql, params)}


@hookimpl
def register_evaluators(register):
    register(Resources())
