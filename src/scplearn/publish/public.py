"""The public database: the published results, for anyone to browse, query and chart.

:func:`build_public` brings the published results up to date
(:func:`scplearn.results.publish`: every evaluator over the published
groupings, through the disclosure policy and its audit) and copies them into
``public.db``:

- one table per evaluator, named like its results table (``uplift_results``),
  with a ``grouping`` column saying which grouping a row belongs to and a
  ``suppressed`` column naming the figures withheld from that row;
- ``headlines``: every year's headline figures, gathered from the tables above
  for the canned queries (see :mod:`scplearn.publish.queries`);
- lookups: ``courses``, ``sectors``, ``modes``; ``quotes`` (consented feedback,
  scrubbed: see :mod:`scplearn.results.quotes`); and ``about`` (partnerships,
  years, last import, sources, the rules applied).

Nothing else leaves the evidence database: no row-level records, no delegate
keys, no free text but consented quotes. The file is written beside its
final name and moved into place only when complete; when the published
results have not changed since it was written, it is left as it is.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import sqlite_utils

from .. import results
from ..disclosure import DisclosurePolicy
from ..evaluation import GROUPINGS
from ..model import MODES, SECTORS
from ..results import ledger
from ..results.publication import published_table
from ..results.quotes import published_quotes
from ..spreadsheets import neutralise_database
from ..store import now
from . import queries
from .readable import write_readable_tables

FACETED = ("year", "partnership", "course", "sector", "mode")
"""Columns offered as facets: each is indexed in every table that has it."""
LOOKUPS = {"courses": "code", "sectors": "key", "modes": "key"}
FOREIGN_KEYS = {"course": ("courses", "code"), "sector": ("sectors", "key"), "mode": ("modes", "key")}
DISTRIBUTION = "scores_results"
"""The public table of how many delegates gave each self-rating before and after (the ``scores`` evaluator)."""


def result_table(name: str) -> str:
    """The public database's table of an evaluator's published results."""
    return f"{name}_results"


def build_public(store, path, *, policy: DisclosurePolicy | None = None, as_of=None) -> Path:
    """Write the public database for ``store`` at ``path`` (unless it is up to date); return its path."""
    path = Path(path)
    policy = policy or DisclosurePolicy()
    published = results.publish(store, policy, as_of=as_of)
    version = edition(store, published, policy)
    if path.exists() and _edition_of(path) == version:
        return path
    quotes = published_quotes(store, policy)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    db = sqlite_utils.Database(partial)
    try:
        # A half-written file is thrown away, never read: no need to sync each step to disk.
        db.execute("PRAGMA synchronous = OFF")
        db.execute("ATTACH DATABASE ? AS evidence", [str(store.path)])
        with db.atomic():
            write_lookups(db, store)
            for name in published.names():
                write_table(db, name)
            write_headlines(db)
            write_readable_tables(db)
            write_quotes(db, quotes)
            write_about(db, store, policy, version)
            neutralise_database(db)  # its CSV downloads open in spreadsheets
        db.execute("DETACH DATABASE evidence")
        # Statistics for the query planner: without them it reads a results table by year
        # (thousands of rows) where the grouping index finds the few rows a query wants.
        db.analyze()
        db.vacuum()
    finally:
        db.close()
    os.replace(partial, path)
    return path


def edition(store, published, policy) -> str:
    """A digest of everything a public database holds, to know when one is up to date: the published
    results, and the import ledger and policy that the lookups, quotes and ``about`` come from."""
    text = repr((published.digest(), ledger.stamp(store.db), policy))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _edition_of(path: Path) -> str | None:
    try:
        db = sqlite_utils.Database(path)
        try:
            row = db.execute("SELECT value FROM about WHERE item = 'edition'").fetchone()
        finally:
            db.close()
    except Exception:  # noqa: BLE001 - a missing or unreadable file is simply not up to date
        return None
    return row[0] if row else None


def _partnerships(store) -> list[str]:
    return [row[0] for row in store.db.execute("SELECT name FROM partnerships ORDER BY name")]


def write_table(db, name: str) -> None:
    """Copy an evaluator's published rows, with only the label columns they use."""
    source = f"evidence.[{published_table(name)}]"
    columns = [row[1] for row in db.execute(f"PRAGMA evidence.table_info([{published_table(name)}])")]
    used = [field for field in GROUPINGS
            if db.execute(f"SELECT EXISTS (SELECT 1 FROM {source} WHERE [{field}] IS NOT NULL)").fetchone()[0]]
    kept = ["grouping", *used, *(c for c in columns if c not in GROUPINGS and c != "grouping")]
    types = {row[1]: row[2] for row in db.execute(f"PRAGMA evidence.table_info([{published_table(name)}])")}
    table = result_table(name)
    foreign_keys = [(label, *FOREIGN_KEYS[label]) for label in used if label in FOREIGN_KEYS]
    db[table].create({column: _python_type(types.get(column, "TEXT")) for column in kept},
                     foreign_keys=foreign_keys)
    names = ", ".join(f"[{column}]" for column in kept)
    # Newest year first: stored in this order rather than sorted by metadata, because Datasette 0.65
    # fails on a page sorted by a column the visitor hides.
    db.execute(f"INSERT INTO [{table}] ({names}) SELECT {names} FROM {source} ORDER BY year DESC, rowid")
    for column in ("grouping", *FACETED, "dimension"):
        if column in kept:
            db[table].create_index([column])
    if {"grouping", "year"} <= set(kept):  # a grouping's rows of one year: headlines, charts
        db[table].create_index(["grouping", "year"])
    for label in ("course", "agency"):  # a course's or agency's row of the year before, beside this year's
        if {"grouping", "year", label} <= set(kept):
            db[table].create_index(["grouping", "year", label])


def _python_type(declared: str):
    return {"INTEGER": int, "FLOAT": float, "REAL": float}.get(declared.upper(), str)


def write_lookups(db, store) -> None:
    db["courses"].create({"code": str, "title": str, "topic": str, "priority": str, "level": int}, pk="code")
    db.execute("INSERT INTO courses SELECT code, title, topic, priority, level FROM evidence.courses ORDER BY code")
    for name, labels in (("sectors", SECTORS), ("modes", MODES)):
        db[name].create({"key": str, "label": str}, pk="key")
        db[name].insert_all({"key": key, "label": label} for key, label in labels.items())


def write_headlines(db) -> None:
    """The headline figures of every year, gathered once from the published tables (see :mod:`.queries`)."""
    figures = queries.figures_sql({table.name: table.columns_dict for table in db.tables})
    if figures:
        db.execute(f"CREATE TABLE {queries.HEADLINES} AS SELECT * FROM ({figures}) ORDER BY year DESC, position")
        db[queries.HEADLINES].create_index(["year", "position"])


def write_quotes(db, quotes) -> None:
    """Consented feedback, scrubbed: course, year, role and quote, nothing else."""
    db["quotes"].create({"course": str, "year": str, "role": str, "quote": str},
                        foreign_keys=[("course", "courses", "code")])
    db["quotes"].insert_all(quotes)
    db["quotes"].create_index(["course"])
    db["quotes"].create_index(["year"])


def write_about(db, store, policy, version: str) -> None:
    imports = store.db.execute("SELECT max(imported_at), count(*) FROM imports").fetchone()
    importers = [row[0] for row in store.db.execute("SELECT DISTINCT importer FROM imports ORDER BY importer")]
    items = [
        ("partnerships", "; ".join(_partnerships(store)), "The Safeguarding Children Partnerships these figures cover"),
        ("years", ", ".join(store.years()), "Financial years (April to March) with sessions"),
        ("last_import", imports[0], "When data was last imported into the evidence database (UTC)"),
        ("sources", f"{imports[1]} files imported with the {', '.join(importers) or 'none'} importer(s): "
                    "booking registers and attendance, before-and-after self-ratings, follow-up impact "
                    "surveys, consented feedback and spend",
         "Where the figures come from"),
        ("disclosure", policy.describe(), "How small numbers are protected"),
        ("min_count", str(policy.min_count), "Counts of people below this are withheld"),
        ("rounding_base", str(policy.rounding_base), "Other counts of people are rounded to a multiple of this"),
        ("min_n_for_statistic", str(policy.min_n_for_statistic), "No mean is shown over fewer people than this"),
        ("built_at", now(), "When this public database was built (UTC)"),
        ("edition", version, "A digest of the published figures, which changes whenever they do"),
    ]
    db["about"].insert_all(
        ({"item": item, "value": value, "meaning": meaning} for item, value, meaning in items), pk="item"
    )
