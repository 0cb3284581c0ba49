"""Exact results, each computed once and kept in the evidence database with the ledger state it came from.

:class:`Stage` answers "the rows of evaluator E grouped by G, in scope S":
from the ``<E>_results`` table when the run that wrote them is still fresh,
otherwise by running the evaluator and keeping its rows (replacing that
run's). A run is fresh while the import ledger's stamp for its scope is
unchanged (see :mod:`.ledger`), the evaluator's version is the same, and, for
an evaluator that judges by the day (``impact``), no session's follow-up
window opened or closed between the day it was computed for and the day asked
for. Runs are listed in ``evaluation_runs``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from .. import plugins
from ..errors import ScplearnError
from ..evaluation import GROUPINGS, Scope, check_grouping
from ..evaluator import index_rows, row_key
from ..store import now
from . import ledger

RUNS = "evaluation_runs"


def results_table(name: str) -> str:
    """The evidence database's table of an evaluator's exact results."""
    return f"{name}_results"


def drop_results(db) -> None:
    """Drop every stored result (they are computed again when next asked for)."""
    names = set()
    if db[RUNS].exists():
        names = {row[0] for row in db.execute(f"SELECT DISTINCT evaluator FROM {RUNS}")}
    for name in names | {"uplift", "reach", "impact", "cost"}:
        db.execute(f"DROP TABLE IF EXISTS [{results_table(name)}]")
    db.execute(f"DROP TABLE IF EXISTS {RUNS}")


def _create_runs(db) -> None:
    if not db[RUNS].exists():
        db[RUNS].create({"id": int, "evaluator": str, "version": str, "grouping": str, "parameters": str,
                         "stamp": str, "as_of": str, "rows": int, "run_at": str}, pk="id")
        db[RUNS].create_index(["evaluator", "grouping", "parameters"])


class Stage:
    """Exact results of ``store`` as of the day ``as_of`` (default today), computed once and kept.

    With ``keep=False`` the stage only reads: fresh kept rows are read, and
    rows that are not kept are computed and returned, nothing written.
    """

    def __init__(self, store, as_of: dt.date | None = None, *, keep: bool = True):
        self.store = store
        self.keep = keep
        self.as_of = Scope(as_of=as_of).as_of or dt.date.today()
        self.evaluators = plugins.get_evaluators()
        self.known: dict = {}
        self.stamps: dict = {}

    def evaluator(self, name: str):
        if name not in self.evaluators:
            raise ScplearnError(f"no evaluator named {name!r}; installed: {', '.join(sorted(self.evaluators))}")
        return self.evaluators[name]

    def rows(self, name: str, by=(), *, year: str | None = None, partnership: str | None = None) -> list[dict]:
        """The exact rows, fresh."""
        return self.run(name, by, year=year, partnership=partnership)[1]

    def run(self, name: str, by=(), *, year=None, partnership=None) -> tuple[int, list[dict]]:
        """``(run id, rows)``: the stored run when fresh, else a new one (its id ``None`` when not kept)."""
        evaluator = self.evaluator(name)
        by = tuple(check_grouping(by))
        scope = Scope(year=year, partnership=partnership, as_of=self.as_of)
        key = (name, by, scope.year, scope.partnership)
        if key not in self.known:
            run = self.fresh_run(evaluator, by, scope)
            if run is not None:
                self.known[key] = (run["id"], self.read(evaluator, by, run["id"]))
            else:
                rows = evaluator.evaluate(self.store, list(by), scope, find=self.lookup(by, scope))
                self.known[key] = (self.save(evaluator, by, scope, rows) if self.keep else None, rows)
        return self.known[key]

    def fresh_id(self, name: str, by=(), *, year=None, partnership=None) -> int | None:
        """The id of the stored run when it is fresh (reading none of its rows), else ``None``."""
        evaluator = self.evaluator(name)
        by = tuple(check_grouping(by))
        scope = Scope(year=year, partnership=partnership, as_of=self.as_of)
        run = self.fresh_run(evaluator, by, scope)
        return None if run is None else run["id"]

    def lookup(self, by, scope):
        """``find`` for the derived figures of rows grouped ``by`` in ``scope`` (see :class:`scplearn.Row`)."""
        indexes: dict = {}

        def find(name, regroup, labels):
            grouping = tuple(regroup(list(by)) if regroup else by)
            if (name, grouping) not in indexes:
                rows = self.rows(name, grouping, year=scope.year, partnership=scope.partnership)
                indexes[(name, grouping)] = index_rows(self.evaluator(name), grouping, rows)
            indexed = indexes[(name, grouping)]
            return indexed.get(row_key(indexed, grouping, labels))
        return find

    # -- freshness -----------------------------------------------------------------

    def stamp(self, year) -> str:
        if year not in self.stamps:
            self.stamps[year] = ledger.stamp(self.store.db, year)
        return self.stamps[year]

    def fresh_run(self, evaluator, by, scope) -> dict | None:
        """The stored run of ``evaluator`` for ``by`` and ``scope``, if it is fresh."""
        db = self.store.db
        if not db[RUNS].exists() or not db[results_table(evaluator.name)].exists():
            return None
        found = db.execute(
            f"SELECT id, version, stamp, as_of FROM {RUNS} WHERE evaluator = ? AND grouping = ? AND parameters = ?",
            [evaluator.name, ",".join(by), parameters(scope)],
        ).fetchone()
        if found is None:
            return None
        run_id, version, stamp, as_of = found
        if version != signature(evaluator) or stamp != self.stamp(scope.year):
            return None
        if getattr(evaluator, "uses_as_of", False) and as_of != self.as_of.isoformat():
            if evaluator.due_changes(self.store, scope, dt.date.fromisoformat(as_of), self.as_of):
                return None
        return {"id": run_id}

    # -- storage -------------------------------------------------------------------

    def read(self, evaluator, by, run_id: int) -> list[dict]:
        fields = [*by, *evaluator.row_labels, *evaluator.columns]
        names = ", ".join(f"[{field}]" for field in fields)
        return [dict(zip(fields, values)) for values in self.store.db.execute(
            f"SELECT {names} FROM [{results_table(evaluator.name)}] WHERE run = ? ORDER BY rowid", [run_id])]

    def save(self, evaluator, by, scope, rows) -> int:
        """Replace the stored rows of ``evaluator`` for ``by`` and ``scope`` with ``rows``; the new run's id."""
        db = self.store.db
        grouping, params = ",".join(by), parameters(scope)
        table = db[results_table(evaluator.name)]
        columns = {"run": int, "grouping": str, "parameters": str, **{field: str for field in GROUPINGS}}
        columns.update(label_types(evaluator, rows))
        columns.update(evaluator.column_types())
        unknown = set().union(*rows) - set(columns) if rows else set()
        if unknown:
            raise ScplearnError(f"evaluator {evaluator.name!r} returned columns it does not declare: "
                                f"{', '.join(sorted(unknown))}")
        with db.atomic():
            _create_runs(db)
            if not table.exists():
                table.create(columns, foreign_keys=[("run", RUNS, "id")])
                table.create_index(["run"])
            else:
                table.add_missing_columns([columns])
            for (old,) in db.execute(f"SELECT id FROM {RUNS} WHERE evaluator = ? AND grouping = ? AND parameters = ?",
                                     [evaluator.name, grouping, params]).fetchall():
                db.execute(f"DELETE FROM [{table.name}] WHERE run = ?", [old])
                db.execute(f"DELETE FROM {RUNS} WHERE id = ?", [old])
            run = db[RUNS].insert({
                "evaluator": evaluator.name, "version": signature(evaluator), "grouping": grouping,
                "parameters": params, "stamp": self.stamp(scope.year),
                "as_of": self.as_of.isoformat() if getattr(evaluator, "uses_as_of", False) else None,
                "rows": len(rows), "run_at": now(),
            }).last_pk
            fields = [name for name in columns if name not in ("run", "grouping", "parameters")]
            names = ", ".join(f"[{name}]" for name in ("run", "grouping", "parameters", *fields))
            db.conn.executemany(
                f"INSERT INTO [{table.name}] ({names}) VALUES ({', '.join('?' * (3 + len(fields)))})",
                ([run, grouping, params, *map(row.get, fields)] for row in rows),
            )
        return run


def signature(evaluator) -> str:
    """The evaluator's version and the shape of its rows: stored results of another shape are stale."""
    shape = ",".join([*evaluator.row_labels, "|", *evaluator.columns])
    return f"{evaluator.version}/{hashlib.sha256(shape.encode()).hexdigest()[:8]}"


def label_types(evaluator, rows) -> dict[str, type]:
    """The column type of each of ``evaluator``'s row labels: whole numbers (a score) stay numbers."""
    found = {}
    for label in evaluator.row_labels:
        values = [row.get(label) for row in rows if row.get(label) is not None]
        found[label] = int if values and all(type(value) is int for value in values) else str
    return found


def parameters(scope: Scope) -> str:
    """The scope of a run as it is recorded (JSON): its year and partnership."""
    return json.dumps({key: value for key, value in (("partnership", scope.partnership), ("year", scope.year))
                       if value is not None}, sort_keys=True)
