"""The published results: every evaluator over the published groupings, put through the disclosure policy.

:func:`publish` brings the published results of a store up to date, a
financial year (a :class:`~.block.Block`) at a time: a year whose exact
results and policy are unchanged since it was last published keeps its
published rows; any other is published again, audited, and its rows replace
the old ones in the evidence database's ``<evaluator>_published`` tables.
Everything public reads those tables: the public database (a copy of them),
the dashboards and canned queries (on the public database), the report and
its charts, and plugins' report sections.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict

import sqlite_utils

from ..disclosure import PROTECTING_COLUMN, SUPPRESSED_COLUMN, DisclosurePolicy
from ..errors import ScplearnError
from ..evaluation import GROUPINGS
from ..store import now
from .block import Block, Table
from .stage import Stage, label_types, signature
from .workforce import Decision, decide

PUBLISHED_GROUPINGS = (
    ("year",),
    ("year", "partnership"),
    ("year", "course"),
    ("year", "sector"),
    ("year", "sector", "agency"),
    ("year", "mode"),
    ("year", "priority"),
)
"""The groupings published for every year."""
PARTNERSHIP_BREAKDOWNS = (("year", "partnership"), ("year", "partnership", "course"), ("year", "partnership", "sector"))
"""Published too when a few partnerships share a database, for each partnership's own report."""
MOST_PARTNERSHIPS_BROKEN_DOWN = 6
"""Beyond this many partnerships (a regional or national pool), each partnership's figures are published as
totals only: split further by course or sector, nearly every figure would be small enough to withhold."""
BLOCKS = "published_blocks"


def published_table(name: str) -> str:
    """The evidence database's table of an evaluator's published results."""
    return f"{name}_published"


def in_order(evaluators: dict) -> list:
    """Evaluators, each after those it ``requires``."""
    ordered, seen = [], set()

    def visit(name, path=()):
        if name in seen:
            return
        if name in path:
            raise ScplearnError(f"evaluators require each other in a circle: {' -> '.join((*path, name))}")
        if name not in evaluators:
            raise ScplearnError(f"evaluator {path[-1]!r} requires {name!r}, which is not installed")
        for required in evaluators[name].requires:
            visit(required, (*path, name))
        seen.add(name)
        ordered.append(evaluators[name])

    for name in sorted(evaluators):
        visit(name)
    return ordered


def groupings(evaluator, broken_down: bool) -> list[tuple[str, ...]]:
    """The published groupings of ``evaluator`` (with the partnership breakdowns when ``broken_down``)."""
    if not broken_down:
        return [by for by in PUBLISHED_GROUPINGS if set(by) <= evaluator.groupable | {"year"}]
    allowed = evaluator.groupable | {"year", "partnership"}
    return [by for by in dict.fromkeys(PUBLISHED_GROUPINGS + PARTNERSHIP_BREAKDOWNS) if set(by) <= allowed]


def broken_down(store) -> bool:
    """Whether each partnership's figures are published split by course and sector too."""
    partnerships = store.db.execute("SELECT count(DISTINCT partnership) FROM sessions").fetchone()[0]
    return 2 <= partnerships <= MOST_PARTNERSHIPS_BROKEN_DOWN


def publish(store, policy: DisclosurePolicy | None = None, *, as_of=None) -> "Published":
    """Bring the published results of ``store`` up to date under ``policy``; return them.

    Raises :class:`scplearn.disclosure.DisclosureError`, having published
    nothing of that year, when a year cannot be published safely.
    """
    policy = policy or DisclosurePolicy()
    stage = Stage(store, as_of)
    evaluators = in_order(stage.evaluators)
    several = broken_down(store)
    _create_blocks(store.db)
    years = store.years()
    tables = [(evaluator, by) for evaluator in evaluators for by in groupings(evaluator, several)]
    described = [(evaluator.name, signature(evaluator), by) for evaluator, by in tables]
    workforce = decide(store.db, policy)
    with _Auditors() as auditors:
        for year in years:
            kept = [stage.fresh_id(evaluator.name, by, year=year) for evaluator, by in tables]
            if None not in kept and _published_digest(store.db, year) == _digest(policy, described, kept, workforce):
                continue
            runs = [stage.run(evaluator.name, by, year=year) for evaluator, by in tables]
            digest = _digest(policy, described, [run_id for run_id, _ in runs], workforce)
            if _published_digest(store.db, year) != digest:
                auditors.submit(year, digest, policy, workforce,
                                [(evaluator.name, by, rows) for (evaluator, by), (_, rows) in zip(tables, runs)])
        for year, digest, published in auditors.results():
            _save(store.db, year, digest, policy, published)
    _forget_other_years(store.db, years)
    return Published(store)


PARALLEL_ROWS = 50_000
"""Rows of exact results above which the years are published in parallel, one process per core."""


def publish_block(year: str, policy, tables: list[tuple[str, tuple, list[dict]]], workforce: Decision | None = None):
    """One year's tables (evaluator name, grouping, exact rows) through ``policy``, with the workforces as
    ``workforce`` decided them: the published block."""
    from .. import plugins

    evaluators = plugins.get_evaluators()
    block = Block(year, [Table(evaluators[name], tuple(by), rows) for name, by, rows in tables])
    return policy.publish(block, settled=(workforce or Decision()).settle(block))


def _block_to_save(year, policy, workforce, tables):
    """:func:`publish_block`'s result as :func:`_save` takes it (and as a worker process can send it back)."""
    published = publish_block(year, policy, tables, workforce)
    return ([(table.name, table.grouping, table.rows) for table in published.block.tables],
            published.audit.protected, published.audit.programmes, published.secondary)


class _Auditors:
    """Years to publish: in this process while there is little to do, else spread over the machine's cores."""

    def __init__(self):
        self.waiting: list = []
        self.rows = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.waiting.clear()

    def submit(self, year, digest, policy, workforce, tables) -> None:
        self.waiting.append((year, digest, policy, workforce, tables))
        self.rows += sum(len(rows) for _, _, rows in tables)

    def results(self):
        import multiprocessing
        import os

        workers = min(len(self.waiting), os.cpu_count() or 1)
        forking = "fork" in multiprocessing.get_all_start_methods()
        if workers < 2 or self.rows < PARALLEL_ROWS or not forking:
            for year, digest, policy, workforce, tables in self.waiting:
                yield year, digest, _block_to_save(year, policy, workforce, tables)
            return
        from concurrent.futures import ProcessPoolExecutor

        # Forked workers share this process's evaluators and read nothing from the databases.
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = [(year, digest, pool.submit(_block_to_save, year, policy, workforce, tables))
                       for year, digest, policy, workforce, tables in self.waiting]
            for year, digest, future in futures:
                yield year, digest, future.result()


def _digest(policy, tables, run_ids, workforce: Decision) -> str:
    text = json.dumps([repr(policy), [list(t[:2]) + [",".join(t[2])] for t in tables], run_ids, workforce.digest()])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _create_blocks(db) -> None:
    if not db[BLOCKS].exists():
        db[BLOCKS].create({"year": str, "digest": str, "policy": str, "protected": int, "programmes": int,
                           "secondary": int, "published_at": str}, pk="year")


def _published_digest(db, year: str) -> str | None:
    found = db.execute(f"SELECT digest FROM {BLOCKS} WHERE year = ?", [year]).fetchone()
    return found[0] if found else None


def _save(db, year: str, digest: str, policy, published) -> None:
    """Replace the year's published rows; ``published`` is (tables as (name, grouping, rows), cells audited,
    programmes solved, cells withheld to protect others)."""
    from .. import plugins

    tables, protected, programmes, secondary = published
    evaluators = plugins.get_evaluators()
    rows_of = defaultdict(list)
    for name, _, rows in tables:
        rows_of[name] += rows
    with db.atomic():
        for name, rows in rows_of.items():
            evaluator = evaluators[name]
            target = db[published_table(name)]
            columns = {"grouping": str, **{field: str for field in GROUPINGS}}
            columns.update(label_types(evaluator, rows))
            columns.update(evaluator.column_types())
            columns[SUPPRESSED_COLUMN] = columns[PROTECTING_COLUMN] = str
            if not target.exists():
                target.create(columns)
                target.create_index(["year", "grouping"])
            else:
                target.add_missing_columns([columns])
            db.execute(f"DELETE FROM [{published_table(name)}] WHERE year = ?", [year])
        for name, by, rows in tables:
            evaluator = evaluators[name]
            fields = [*GROUPINGS, *evaluator.row_labels, *evaluator.columns, SUPPRESSED_COLUMN, PROTECTING_COLUMN]
            db.conn.executemany(
                f"INSERT INTO [{published_table(name)}] (grouping, {', '.join(f'[{f}]' for f in fields)}) "
                f"VALUES ({', '.join('?' * (1 + len(fields)))})",
                ([",".join(by), *map(row.get, fields)] for row in rows),
            )
        db[BLOCKS].upsert({
            "year": year, "digest": digest, "policy": repr(policy), "protected": protected,
            "programmes": programmes, "secondary": secondary, "published_at": now(),
        }, pk="year")


def _forget_other_years(db, years) -> None:
    known = [row[0] for row in db.execute(f"SELECT year FROM {BLOCKS}")]
    gone = [year for year in known if year not in years]
    if not gone:
        return
    with db.atomic():
        for name in published_names(db):
            for year in gone:
                db.execute(f"DELETE FROM [{published_table(name)}] WHERE year = ?", [year])
        for year in gone:
            db.execute(f"DELETE FROM {BLOCKS} WHERE year = ?", [year])


def published_names(db) -> list[str]:
    """The evaluators with published results in ``db``."""
    return sorted(name[: -len("_published")] for name in db.table_names() if name.endswith("_published"))


class Published:
    """Reading the published results of a store (see :func:`publish`)."""

    def __init__(self, store):
        self.store = store

    @property
    def db(self) -> sqlite_utils.Database:
        return self.store.db

    def names(self) -> list[str]:
        return published_names(self.db)

    def rows(self, name: str, by, **where) -> list[dict]:
        """The published rows of ``name`` grouped ``by``, matching ``where`` (``year="2023/24"``)."""
        if name not in self.names():
            return []
        by = tuple(by)
        clauses, params = ["grouping = ?"], [",".join(by)]
        for field, value in where.items():
            clauses.append(f"[{field}] IS ?")
            params.append(value)
        found = self.db.query(
            f"SELECT * FROM [{published_table(name)}] WHERE {' AND '.join(clauses)} ORDER BY rowid", params)
        unused = set(GROUPINGS) - set(by)
        return [{key: value for key, value in row.items() if key not in unused and key != "grouping"}
                for row in found]

    def years(self) -> list[str]:
        return [row[0] for row in self.db.execute(f"SELECT year FROM {BLOCKS} ORDER BY year")]

    def blocks(self) -> list[dict]:
        return list(self.db.query(f"SELECT * FROM {BLOCKS} ORDER BY year"))

    def summary(self) -> list[str]:
        """What the audit did, a line per year."""
        return [f"{block['year']}: {block['protected']:,} published counts audited, "
                f"{block['secondary']:,} more withheld to protect others" for block in self.blocks()]

    def digest(self) -> str:
        """A digest of everything published, for knowing whether a public database is up to date."""
        text = json.dumps([[row["year"], row["digest"]] for row in self.blocks()])
        return hashlib.sha256(text.encode()).hexdigest()[:16]
