"""The public database: disclosure-controlled figures anyone may browse, query and chart.

:func:`build_public` runs every installed evaluator (built in or from a plugin)
over the standard groupings and writes ``public.db``:

- one table per evaluator, named like its results table (``uplift_results``),
  with a ``grouping`` column saying which grouping a row belongs to, counts
  rounded and small ones withheld, statistics over too few delegates withheld
  (see :mod:`scplearn.publish.control`), and a ``suppressed`` column naming
  the figures withheld from that row;
- ``score_distribution``: per year and dimension, how many delegates gave each
  score from 1 to 10 before and after training (controlled the same way);
- ``headlines``: every year's headline figures, gathered from the tables above
  for the canned queries (see :mod:`scplearn.publish.queries`);
- lookups: ``courses``, ``sectors``, ``modes``; ``quotes`` (feedback whose
  author consented to publication: role, course and quote only); and
  ``about`` (partnerships, years, last import, sources, the rules applied).

Nothing else leaves the evidence database: no row-level records, no delegate
keys, no free text but consented quotes. The file is written beside its
final name and moved into place only when complete.
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlite_utils

from .. import evaluation, plugins
from ..disclosure import DisclosurePolicy
from ..errors import ScplearnError
from ..model import DIMENSIONS, MODES, SECTORS
from ..spreadsheets import neutralise_database
from ..store import now
from . import control, queries

STANDARD_GROUPINGS = (
    ("year",),
    ("year", "partnership"),
    ("year", "course"),
    ("year", "sector"),
    ("year", "agency"),
    ("year", "mode"),
    ("year", "priority"),
)
LABELS = ("grouping", "year", "partnership", "course", "priority", "mode", "sector", "agency")
FACETED = ("year", "partnership", "course", "sector", "mode")
"""Columns offered as facets: each is indexed in every table that has it."""
DISTRIBUTION = "score_distribution"
SCORES = range(1, 11)
LOOKUPS = {"courses": "code", "sectors": "key", "modes": "key"}
FOREIGN_KEYS = {"course": ("courses", "code"), "sector": ("sectors", "key"), "mode": ("modes", "key")}


def build_public(store, path, *, policy: DisclosurePolicy | None = None, groupings=STANDARD_GROUPINGS) -> Path:
    """Write the public database for ``store`` at ``path`` (replacing any file there); return its path."""
    path = Path(path)
    policy = policy or DisclosurePolicy()
    tables = [evaluator_table(store, evaluator, groupings) for evaluator in plugins.get_evaluators().values()]
    distribution = distribution_table(store)
    tables.append(distribution)
    published = control.control(tables, policy, extra_sums=distribution_sums(distribution))
    check_counts(tables, published, policy)

    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    db = sqlite_utils.Database(partial)
    try:
        # A half-written file is thrown away, never read: no need to sync each step to disk.
        db.execute("PRAGMA synchronous = OFF")
        with db.atomic():
            write_lookups(db, store)
            for table in tables:
                write_table(db, table, published[table.name])
            write_headlines(db)
            write_quotes(db, store)
            write_about(db, store, policy)
            neutralise_database(db)  # its CSV downloads open in spreadsheets
        # Statistics for the query planner: without them it reads a results table by year
        # (thousands of rows) where the grouping index finds the few rows a query wants.
        db.analyze()
        db.vacuum()
    finally:
        db.close()
    os.replace(partial, path)
    return path


def evaluator_table(store, evaluator, groupings) -> control.RawTable:
    """The unrounded rows of one evaluator over ``groupings``, each tagged with its grouping."""
    used = {field for by in groupings for field in by}
    labels = tuple(label for label in LABELS if label == "grouping" or label in used)
    if getattr(evaluator, "dimensions", False):
        labels += ("dimension",)
    rows = []
    for by in groupings:
        found = evaluation.evaluate(store, evaluator.name, by=by, save=False)
        # Newest year first (a stable sort keeps the evaluator's order within a year). Stored in this
        # order rather than sorted by metadata: Datasette 0.65 fails on a page sorted by a hidden column.
        found.sort(key=lambda row: row.get("year") or "", reverse=True)
        rows += [{"grouping": ",".join(by), **row} for row in found]
    return control.RawTable(
        evaluation.result_table(evaluator.name), labels, rows, control.ColumnRules.for_evaluator(evaluator)
    )


def distribution_table(store) -> control.RawTable:
    """Per year and dimension, how many paired ratings gave each score before and after."""
    tables = plugins.get_evaluators()["uplift"].count_tables(store, ["year"], evaluation.Scope())
    counts = {}
    for (year, dimension), table in tables.items():
        for (pre, post), n in table.items():
            for side, score in (("pre", pre), ("post", post)):
                key = (year, dimension, side, score)
                counts[key] = counts.get(key, 0) + n
    groups = sorted({key[:2] for key in counts}, key=lambda g: (g[0], _order(DIMENSIONS, g[1])))
    rows = [
        {
            "year": year, "dimension": dimension, "score": score,
            "before": counts.get((year, dimension, "pre", score), 0),
            "after": counts.get((year, dimension, "post", score), 0),
        }
        for year, dimension in groups
        for score in SCORES
    ]
    rules = control.ColumnRules(counts=("before", "after"), statistics=())
    return control.RawTable(DISTRIBUTION, ("year", "dimension", "score"), rows, rules)


def distribution_sums(table: control.RawTable) -> list[list[control.Cell]]:
    """Before and after counts of one year and dimension add up to the same number of delegates."""
    groups = {}
    for index, row in enumerate(table.rows):
        groups.setdefault((row["year"], row["dimension"]), []).append(index)
    return [
        [(table.name, index, side) for side in ("before", "after") for index in indexes]
        for indexes in groups.values()
    ]


def check_counts(tables, published, policy) -> None:
    """Refuse to write a count the policy would withhold (a guard against bugs, not a rule)."""
    for table in tables:
        for row in published[table.name]:
            for column in table.rules.counts:
                value = row[column]
                if value is not None and 0 < value < policy.min_count:
                    raise ScplearnError(f"internal error: {table.name}.{column} would publish a count of {value}")


def write_lookups(db, store) -> None:
    db["courses"].create({"code": str, "title": str, "topic": str, "priority": str, "level": int}, pk="code")
    db["courses"].insert_all(store.db.query("SELECT code, title, topic, priority, level FROM courses ORDER BY code"))
    for name, labels in (("sectors", SECTORS), ("modes", MODES)):
        db[name].create({"key": str, "label": str}, pk="key")
        db[name].insert_all({"key": key, "label": label} for key, label in labels.items())


def write_table(db, table: control.RawTable, rows: list[dict]) -> None:
    columns = {label: int if label == "score" else str for label in table.labels}
    columns.update({column: int for column in table.rules.counts})
    columns.update({column: float for column in table.rules.statistics})
    columns["suppressed"] = str
    foreign_keys = [(label, *FOREIGN_KEYS[label]) for label in table.labels if label in FOREIGN_KEYS]
    db[table.name].create(columns, foreign_keys=foreign_keys)
    db[table.name].insert_all(rows)
    for column in ("grouping", *FACETED, "dimension"):
        if column in table.labels:
            db[table.name].create_index([column])
    if {"grouping", "year"} <= set(table.labels):  # a grouping's rows of one year: headlines, charts
        db[table.name].create_index(["grouping", "year"])


def write_headlines(db) -> None:
    """The headline figures of every year, gathered once from the controlled tables (see :mod:`.queries`)."""
    figures = queries.figures_sql({table.name: table.columns_dict for table in db.tables})
    if figures:
        db.execute(f"CREATE TABLE {queries.HEADLINES} AS SELECT * FROM ({figures}) ORDER BY year DESC, position")
        db[queries.HEADLINES].create_index(["year", "position"])


def write_quotes(db, store) -> None:
    """Feedback whose author consented to publication: course, role and quote, nothing else."""
    db["quotes"].create({"course": str, "role": str, "quote": str}, foreign_keys=[("course", "courses", "code")])
    db["quotes"].insert_all(
        store.db.query("SELECT course, role, quote FROM feedback WHERE consent = 1 ORDER BY course, id")
    )
    db["quotes"].create_index(["course"])


def write_about(db, store, policy) -> None:
    partnerships = [row["name"] for row in store.db.query("SELECT name FROM partnerships ORDER BY name")]
    imports = store.db.execute("SELECT max(imported_at), count(*) FROM imports").fetchone()
    importers = [row[0] for row in store.db.execute("SELECT DISTINCT importer FROM imports ORDER BY importer")]
    items = [
        ("partnerships", "; ".join(partnerships), "The Safeguarding Children Partnerships these figures cover"),
        ("years", ", ".join(store.years()), "Financial years (April to March) with sessions"),
        ("last_import", imports[0], "When data was last imported into the evidence database (UTC)"),
        ("sources", f"{imports[1]} files imported with the {', '.join(importers) or 'none'} importer(s): "
                    "booking registers and attendance, before-and-after self-ratings, follow-up impact "
                    "surveys, consented feedback and spend",
         "Where the figures come from"),
        ("disclosure", describe_policy(policy), "How small numbers are protected"),
        ("built_at", now(), "When this public database was built (UTC)"),
    ]
    db["about"].insert_all(
        ({"item": item, "value": value, "meaning": meaning} for item, value, meaning in items), pk="item"
    )


def describe_policy(policy) -> str:
    """The disclosure rules in one sentence, for the ``about`` table and the home page."""
    rounding = (
        f"other counts are rounded to the nearest {policy.rounding_base}"
        if policy.rounding_base > 1
        else "other counts are exact, and a further count is withheld wherever a withheld one could be worked out by subtraction"
    )
    return (
        f"Counts from 1 to {policy.min_count - 1} are withheld (shown empty); {rounding}; "
        f"no mean, percentage or rate is shown over fewer than {policy.min_n_for_statistic} delegates, "
        "nor next to a withheld count it could reveal."
    )


def _order(sequence, value) -> int:
    return sequence.index(value) if value in sequence else len(sequence)
