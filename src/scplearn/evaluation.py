"""Running evaluators: groupings, scopes, result tables and the record of runs.

An evaluator computes rows for groups of the data. The groupings a user can ask
for, alone or combined, are :data:`GROUPINGS`. Session-level groupings (year,
partnership, course, session, priority, mode) describe where and when training
happened; delegate-level groupings (sector, agency) describe who came.
"""

from __future__ import annotations

import json

import attrs

from . import plugins, values
from .errors import ScplearnError
from .store import now

GROUPINGS = {
    "year": "sessions.year",
    "partnership": "sessions.partnership",
    "course": "sessions.course",
    "session": "sessions.code",
    "priority": "courses.priority",
    "mode": "sessions.mode",
    "sector": "agencies.sector",
    "agency": "delegates.agency",
}
DELEGATE_LEVEL = frozenset({"sector", "agency"})


@attrs.frozen
class Scope:
    """Which sessions an evaluation covers: a financial year and/or a partnership."""

    year: str | None = attrs.field(default=None, converter=values.financial_year)
    partnership: str | None = None

    def sql(self) -> tuple[str, list]:
        """A WHERE clause on ``sessions`` (always valid SQL) and its parameters."""
        clauses, params = ["1 = 1"], []
        if self.year:
            clauses.append("sessions.year = ?")
            params.append(self.year)
        if self.partnership:
            clauses.append("sessions.partnership = ?")
            params.append(self.partnership)
        return " AND ".join(clauses), params

    def as_dict(self) -> dict:
        return {key: value for key, value in attrs.asdict(self).items() if value is not None}


def check_grouping(by) -> list[str]:
    by = list(dict.fromkeys(by or ()))
    unknown = [field for field in by if field not in GROUPINGS]
    if unknown:
        raise ScplearnError(f"cannot group by {', '.join(unknown)}; choose from {', '.join(GROUPINGS)}")
    return by


def group_columns(by) -> str:
    """``sessions.year AS year, ...`` for a SELECT list (empty string when ungrouped)."""
    return ", ".join(f"{GROUPINGS[field]} AS {field}" for field in by)


def group_expressions(by) -> str:
    return ", ".join(GROUPINGS[field] for field in by)


def joins(source: str, by, *, delegates: bool | None = None) -> str:
    """The FROM clause joining ``source`` (a table with a ``session`` column) to what ``by`` needs.

    ``delegates`` forces (or forbids) the join to delegates and agencies; by
    default it is made when a delegate-level grouping is asked for and
    ``source`` has a ``delegate`` column.
    """
    clause = f"{source} JOIN sessions ON sessions.code = {source}.session LEFT JOIN courses ON courses.code = sessions.course"
    if delegates is None:
        delegates = bool(DELEGATE_LEVEL & set(by))
    if delegates:
        clause += (
            f" LEFT JOIN delegates ON delegates.key = {source}.delegate"
            " LEFT JOIN agencies ON agencies.name = delegates.agency"
        )
    return clause


def group_key(row, by) -> tuple:
    return tuple(row[field] for field in by)


def result_table(name: str) -> str:
    return f"{name}_results"


def evaluate(store, name: str, *, by=(), year=None, partnership=None, save: bool = True) -> list[dict]:
    """Run the evaluator ``name`` over ``store`` grouped ``by`` the given fields.

    Returns one dict per group (and per dimension where the evaluator has
    dimensions), keyed by the grouping fields then the evaluator's columns.
    With ``save`` the rows also replace that grouping's rows in the
    ``<name>_results`` table, and the run is recorded in ``evaluation_runs``.
    """
    evaluators = plugins.get_evaluators()
    if name not in evaluators:
        raise ScplearnError(f"no evaluator named {name!r}; installed: {', '.join(sorted(evaluators))}")
    evaluator = evaluators[name]
    by = check_grouping(by)
    scope = Scope(year=year, partnership=partnership)
    rows = evaluator.evaluate(store, by, scope)
    if save:
        save_results(store, evaluator, by, scope, rows)
    return rows


def save_results(store, evaluator, by, scope: Scope, rows) -> None:
    """Replace the stored results of this evaluator, grouping and scope with ``rows``."""
    grouping = ",".join(by)
    parameters = json.dumps(scope.as_dict(), sort_keys=True)
    table = store.db[result_table(evaluator.name)]
    columns = {"run": int, "grouping": str, "parameters": str}
    columns.update({field: str for field in GROUPINGS})
    if getattr(evaluator, "dimensions", False):
        columns["dimension"] = str
    columns.update(evaluator.columns)
    with store.db.atomic():
        runs = store.db["evaluation_runs"]
        if not runs.exists():
            runs.create({"id": int, "evaluator": str, "version": str, "grouping": str,
                         "parameters": str, "rows": int, "run_at": str}, pk="id")
        if not table.exists():
            table.create(columns, foreign_keys=[("run", "evaluation_runs", "id")])
            table.create_index(["grouping", "parameters"])
            for field in ("year", "partnership", "course", "sector", "mode"):
                table.create_index([field])
        else:
            table.add_missing_columns([columns])
            store.db.execute(
                f"DELETE FROM [{table.name}] WHERE grouping = ? AND parameters = ?", [grouping, parameters]
            )
        run = runs.insert({
            "evaluator": evaluator.name, "version": str(getattr(evaluator, "version", "")),
            "grouping": grouping, "parameters": parameters, "rows": len(rows), "run_at": now(),
        }).last_pk
        table.insert_all(
            ({"run": run, "grouping": grouping, "parameters": parameters, **row} for row in rows),
            batch_size=1000,
        )
