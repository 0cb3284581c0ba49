"""``scplearn audit``: check a publication as an attacker would, year by year.

Given an evidence database, :func:`audit` brings its published results up to
date and audits each year with the exact figures known (the audit publishing
itself runs). Given a public database (or a published site's folder), it
audits what anyone can download, knowing only what is published there and
how scplearn's figures hang together:

1. every count of people is 0, withheld, or a multiple of the rounding base
   no smaller than the minimum count;
2. every figure derived from counts (a percentage, a rate, a cost per head)
   is the one its formula gives from the published counts;
3. the linear-programming audit of :mod:`.audit` on the model of
   :mod:`.model`: no withheld count can be narrowed to fewer than 3 values,
   no rounded one to a single value.
"""

from __future__ import annotations

import math
import sqlite3
from collections import defaultdict
from pathlib import Path

import attrs
import sqlite_utils

from .. import plugins
from ..disclosure import PROTECTING_COLUMN, DisclosurePolicy, rounded
from ..errors import ScplearnError
from ..evaluator import Row, Workforce
from . import audit as lp
from . import model
from .block import Block, Table
from .publication import broken_down, groupings, in_order, publish
from .stage import Stage

PUBLIC_NAME = "public.db"


@attrs.define
class YearAudit:
    """The audit of one year: how many counts were checked, and what failed (sentences naming each cell)."""

    year: str
    protected: int = 0
    programmes: int = 0
    failures: list[str] = attrs.field(factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def audit(target, *, policy: DisclosurePolicy | None = None, as_of=None) -> list[YearAudit]:
    """Audit ``target``: an open store, an evidence database, a public database or a site's folder."""
    from ..store import Store, open as open_store

    if isinstance(target, Store):
        return audit_store(target, policy=policy, as_of=as_of)
    path = Path(target)
    if path.is_dir():
        found = [candidate for candidate in (path / PUBLIC_NAME, *path.glob(f"*/{PUBLIC_NAME}")) if candidate.exists()]
        if not found:
            raise ScplearnError(f"{path}: no {PUBLIC_NAME} in this folder; give a database or a published site")
        path = found[0]
    if not path.exists():
        raise ScplearnError(f"{path}: no such file or folder")
    db = sqlite_utils.Database(path)
    try:
        tables = set(db.table_names())
    except sqlite3.DatabaseError as error:
        raise ScplearnError(f"cannot open {path}: {error}") from None
    finally:
        db.close()
    if "about" in tables:
        return audit_public(path)
    if "imports" in tables:
        with open_store(path) as store:
            return audit_store(store, policy=policy, as_of=as_of)
    raise ScplearnError(f"{path}: neither a scplearn database nor a public database")


def audit_store(store, *, policy=None, as_of=None) -> list[YearAudit]:
    """Publish ``store`` (if not up to date) and audit each year with its exact figures."""
    policy = policy or DisclosurePolicy()
    published = publish(store, policy, as_of=as_of)
    stage = Stage(store, as_of)
    evaluators = in_order(stage.evaluators)
    several = broken_down(store)
    found = []
    for year in published.years():
        pairs = [(evaluator, by) for evaluator in evaluators for by in groupings(evaluator, several)]
        exact = Block(year, [Table(evaluator, by, stage.rows(evaluator.name, by, year=year)) for evaluator, by in pairs])
        public = Block(year, [Table(evaluator, by, published.rows(evaluator.name, by, year=year))
                              for evaluator, by in pairs])
        secondary = set()
        for t, table in enumerate(public.tables):
            if len(table.rows) != len(exact.tables[t].rows):
                raise ScplearnError(f"the published {table.name} rows of {year} do not match its results; "
                                    "publish again")
            for r, row in enumerate(table.rows):
                secondary |= {(t, r, name) for name in _names(row.get(PROTECTING_COLUMN))}
        found.append(_check(year, public, policy, exact=exact, secondary=secondary))
    return found


def audit_public(path) -> list[YearAudit]:
    """Audit a public database from what it publishes alone."""
    db = sqlite_utils.Database(path)
    try:
        about = {row["item"]: row["value"] for row in db["about"].rows}
        policy = DisclosurePolicy(min_count=int(about.get("min_count", 8)),
                                  rounding_base=int(about.get("rounding_base", 5)),
                                  min_n_for_statistic=int(about.get("min_n_for_statistic", 8)))
        evaluators = [e for e in in_order(plugins.get_evaluators()) if f"{e.name}_results" in db.table_names()]
        by_year: dict = defaultdict(lambda: defaultdict(list))
        for evaluator in evaluators:
            for row in db.query(f"SELECT * FROM [{evaluator.name}_results]"):
                by_year[row.get("year")][(evaluator.name, row["grouping"])].append(row)
    finally:
        db.close()
    found = []
    workforces: dict = {}
    for year in sorted(key for key in by_year if key is not None):
        tables = []
        for evaluator in evaluators:
            for grouping in dict.fromkeys(g for name, g in by_year[year] if name == evaluator.name):
                tables.append(Table(evaluator, tuple(grouping.split(",")), by_year[year][(evaluator.name, grouping)]))
        block = Block(year, tables)
        result = _check(year, block, policy)
        result.failures += _workforce_differs(block, workforces)
        found.append(result)
    return found


def _workforce_differs(block: Block, seen: dict) -> list[str]:
    """Workforces published otherwise than in an earlier year: an agency's is the same in every year, so a
    figure withheld in one year and shown in another is not withheld at all."""
    failures = []
    for t, table in enumerate(block.tables):
        columns = [name for name, column in table.evaluator.columns.items() if isinstance(column, Workforce)]
        for r, row in enumerate(table.rows):
            for name in columns:
                if row.get(name) is None and not _withheld(row, name):
                    continue  # no known workforce
                agency = row.get("agency") if "agency" in table.grouping else None
                sector = row.get("sector") if "sector" in table.grouping and agency is None else None
                key = (table.name, name, sector, agency)
                earlier = seen.setdefault(key, (row.get(name), block.year))
                if earlier[0] != row.get(name):
                    failures.append(f"{block.describe((t, r, name))} is {_shown(row.get(name))}, but "
                                    f"{_shown(earlier[0])} in {earlier[1]}: the same workforce every year")
    return failures


def _shown(value) -> str:
    return "withheld" if value is None else str(value)


def _withheld(row: dict, name: str) -> bool:
    return name in _names(row.get("suppressed"))


def _names(text) -> set[str]:
    return {name.strip() for name in (text or "").split(",") if name.strip()}


def _check(year, public: Block, policy, *, exact: Block | None = None, secondary=frozenset()) -> YearAudit:
    result = YearAudit(year)
    result.failures += _underived(public)
    never = _bad_counts(public, policy)
    if never:
        result.failures += never
        return result  # figures the policy never publishes: no model of the policy holds them
    if exact is not None:
        found = model.build(public, policy, exact=exact, secondary=secondary)
        outcome = lp.audit(found)
    else:
        # The public tables say which withheld counts are withheld to protect others (at least the minimum).
        protecting = {(t, r, name) for t, table in enumerate(public.tables) for r, row in enumerate(table.rows)
                      for name in _names(row.get(PROTECTING_COLUMN))}
        found = model.build(public, policy, secondary=protecting)
        outcome = lp.audit(found)
        if outcome.inconsistent:
            # Some withheld counts were withheld to protect others, so are not all small: without the exact
            # figures nobody can tell which, so those of the contradicted tables may be any count from 1.
            tables = {cell[0] for group in outcome.inconsistent for var in group for cell in found.cells[var]}
            found = model.build(public, policy, secondary=protecting, unknown_withheld=tables)
            outcome = lp.audit(found)
    result.protected, result.programmes = outcome.protected, outcome.programmes
    for finding in outcome.findings:
        cell = found.cells[finding.var][0]
        low, high = round(finding.low), round(finding.high)
        result.failures.append(f"{public.describe(cell)} could be worked out to "
                               f"{low if low == high else f'{low} to {high}'} from the published figures")
    for group in outcome.inconsistent:
        result.failures.append(f"the published figures contradict each other around "
                               f"{public.describe(found.cells[group[0]][0])}")
    return result


def _bad_counts(block: Block, policy) -> list[str]:
    """Counts of people published that the policy would never publish (a small count, an unrounded one)."""
    failures = []
    for cell in block.cells():
        value = block.value(cell)
        if value is None:
            continue
        try:
            policy.feasible_range(value)
        except ValueError:
            failures.append(f"{block.describe(cell)} is published as {value}, which the policy never publishes")
    return failures


class _Reading(Row):
    """A row that remembers which of its figures a formula read."""

    def __init__(self, *args, read: set, **kwargs):
        super().__init__(*args, **kwargs)
        self.read = read

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)


def _underived(block: Block) -> list[str]:
    """Derived figures, computed from counts alone, that are not what their formula gives from the published
    counts (a figure computed from an exact count gives that count away)."""
    indexes = {(table.name, table.grouping): {table.key(row): row for row in table.rows} for table in block.tables}

    def finder(grouping):
        def find(name, regroup, labels):
            by = tuple(regroup(list(grouping)) if regroup else grouping)
            for (other, other_by), rows in indexes.items():
                if other == name and other_by == by:
                    table = next(t for t in block.tables if t.name == name and t.grouping == by)
                    row = rows.get(tuple(labels.get(label) for label in table.labels))
                    return None if row is None else Row(row)
            return None
        return find

    failures = []
    for table in block.tables:
        evaluator = table.evaluator
        statistics = {name for name, column in evaluator.columns.items() if column.kind == "statistic"}
        for row in table.rows:
            labels = {label: row.get(label) for label in table.labels}
            for name, column in evaluator.columns.items():
                if column.kind != "derived" or row.get(name) is None:
                    continue
                read: set = set()
                value = column.formula(_Reading(row, finder(table.grouping), evaluator.name, labels, read=read))
                if read & statistics or not any(evaluator.columns.get(key) is not None for key in read):
                    continue  # computed from a statistic's full precision, or from another table: not checked here
                decimals = column.decimals if column.decimals is not None else 6
                if value is None or not math.isclose(rounded(value, decimals), row[name], abs_tol=10 ** -(decimals + 3)):
                    failures.append(f"{table.name}_results, {', '.join(f'{k} {v}' for k, v in labels.items())}: "
                                    f"{name} = {row[name]} is not computed from the published figures")
    return failures
