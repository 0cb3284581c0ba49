"""The evidence database, the private database beside it, and their schema.

``training.db`` (the evidence) holds pseudonymous records and is what gets
analysed and published. ``training.private.db`` holds names and emails, needed
only to send follow-up surveys; ``training.key`` holds the pseudonym key. Both
sit beside the evidence database unless other paths are given, are created
readable by their owner only (see :mod:`.filemodes`), and are warned about
whenever a store is opened while other users can read them.
"""

from __future__ import annotations

import datetime as dt
import difflib
import sqlite3
from pathlib import Path

import sqlite_utils

from . import filemodes, identity, schema, summaries
from .errors import ScplearnError

SCHEMA_VERSION_KEY = "schema_version"


def _tables_v1(db: sqlite_utils.Database) -> None:
    """The tables of records (see :mod:`.schema`), ``score_counts`` and the ``imports`` ledger, and their indexes."""
    for table in schema.TABLES.values():
        schema.create(db, table, version=1)
    db["score_counts"].create(
        {"session": str, "dimension": str, "pre": int, "post": int, "n": int},
        pk=("session", "dimension", "pre", "post"),
        foreign_keys=[("session", "sessions", "code")],
    )
    db["imports"].create(
        {
            "id": int, "filename": str, "sha256": str, "importer": str, "rows": int,
            "added": int, "changed": int, "rejected": int, "imported_at": str,
        },
        pk="id",
    )
    db["imports"].create_index(["sha256"], unique=True)
    for table, columns in {
        "sessions": (["course"], ["year"], ["partnership"], ["mode"]),
        "agencies": (["sector"], ["partnership"]),
        "delegates": (["agency"],),
        "bookings": (["delegate"], ["status"]),
        "evaluations": (["delegate"],),
        "followups": (["delegate"],),
        "feedback": (["course"], ["session"]),
    }.items():
        for index in columns:
            db[table].create_index(index)


def _summaries_v2(db: sqlite_utils.Database) -> None:
    """Per-session summaries for every evaluator (replacing ``score_counts``), and the indexes that read them.

    ``attended_bookings`` lists each session's attending delegates, so that the
    different delegates of a group are counted without reading ``bookings``;
    the sessions indexes give the sessions of the usual groupings in group order.
    """
    db.execute("DROP TABLE IF EXISTS score_counts")
    summaries.create_tables(db)
    db.execute(
        "CREATE INDEX attended_bookings ON bookings (session, delegate) WHERE status = 'attended'"
    )
    for grouping in ("course", "partnership", "mode"):
        db.execute(f"CREATE INDEX idx_sessions_year_{grouping} ON sessions (year, {grouping})")
    summaries.refresh_all(db)


def _provenance_v3(db: sqlite_utils.Database) -> None:
    """What each import wrote, so that one import can be undone; agencies found in files marked unverified.

    ``import_ranges`` holds, per import and table, the range of rowids it
    inserted; ``import_journal`` the earlier values (as JSON) of each row it
    updated, by table and rowid (see :mod:`scplearn.journal`). The ledger's
    checksum index stops being unique: ``--force`` imports a file again.
    """
    schema.add_columns(db, version=3)  # agencies.verified
    db.execute("CREATE TABLE import_ranges (import INTEGER NOT NULL, tbl TEXT NOT NULL, first INTEGER NOT NULL, "
               "last INTEGER NOT NULL)")
    db.execute("CREATE INDEX import_ranges_import ON import_ranges (import)")
    db.execute("CREATE TABLE import_journal (import INTEGER NOT NULL, tbl TEXT NOT NULL, rid INTEGER NOT NULL, before TEXT)")
    db.execute("CREATE INDEX import_journal_import ON import_journal (import)")
    db.execute("CREATE INDEX import_journal_row ON import_journal (tbl, rid)")
    db.execute("DROP INDEX idx_imports_sha256")
    db.execute("CREATE INDEX idx_imports_sha256 ON imports (sha256)")


def _results_v4(db: sqlite_utils.Database) -> None:
    """The changes to the data by year (``data_changes``), which date the results stage's stored results;
    the results computed before, kept in a shape that has changed, are dropped (they are computed again)."""
    from .results import ledger, stage

    ledger.create_tables(db)
    db.execute(f"INSERT INTO {ledger.CHANGES} (import, year, at) SELECT id, NULL, imported_at FROM imports")
    stage.drop_results(db)


def _resources_v5(db: sqlite_utils.Database) -> None:
    """Learning resources (videos, recordings, e-learning, packs), how often they were reached, and follow-ups about them."""
    schema.create_tables(db, version=5)
    for table, columns in {
        "resources": (["course"], ["partnership"], ["kind"]),
        "resource_access": (["date"],),
        "resource_followups": (["delegate"],),
    }.items():
        for index in columns:
            db[table].create_index(index)


MIGRATIONS = (_tables_v1, _summaries_v2, _provenance_v3, _results_v4, _resources_v5)
"""Schema migrations, in order; the n-th brings a database to schema version n."""


def _private_tables_v1(db: sqlite_utils.Database) -> None:
    db["people"].create({"key": str, "email": str, "name": str}, pk="key", not_null={"email"})
    db["people"].create_index(["email"], unique=True)


PRIVATE_MIGRATIONS = (_private_tables_v1,)


def _connect(path: Path) -> sqlite_utils.Database:
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 10000")
    if db.journal_mode != "wal":
        db.enable_wal()
    return db


def _migrate(db: sqlite_utils.Database, migrations) -> int:
    db.execute("CREATE TABLE IF NOT EXISTS scplearn_meta (key TEXT PRIMARY KEY, value TEXT)")
    row = db.execute("SELECT value FROM scplearn_meta WHERE key = ?", [SCHEMA_VERSION_KEY]).fetchone()
    version = int(row[0]) if row else 0
    if version > len(migrations):
        raise ScplearnError(
            f"{db.conn.execute('PRAGMA database_list').fetchone()[2]} was made by a newer scplearn "
            f"(schema {version}); upgrade scplearn to open it"
        )
    with db.atomic():
        for number, migration in enumerate(migrations[version:], start=version + 1):
            migration(db)
            db.execute(
                "INSERT INTO scplearn_meta (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [SCHEMA_VERSION_KEY, str(number)],
            )
    return len(migrations)


class Store:
    """An open scplearn store: evidence database, private database and pseudonym key.

    Open one with :func:`scplearn.open`. ``store.db`` is the evidence database as
    a ``sqlite_utils.Database``; ``store.private`` and ``store.pseudonymiser``
    are opened only when first needed, so reading and evaluating never touch
    personal data or the key.
    """

    def __init__(self, path, *, private_path=None, key_path=None):
        self.path = Path(path)
        self.private_path, self.key_path = companion_paths(self.path, private_path, key_path)
        warn_if_open_to_others(self.private_path, self.key_path)
        self.db = _connect(self.path)
        self.schema_version = _migrate(self.db, MIGRATIONS)
        self._private = None
        self._pseudonymiser = None

    def __repr__(self) -> str:
        return f"<Store {self.path}>"

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self) -> None:
        self.db.close()
        if self._private is not None:
            self._private.close()

    @property
    def private(self) -> sqlite_utils.Database:
        if self._private is None:
            try:
                filemodes.create_if_missing(self.private_path)  # owner-only, and so are the -wal and -shm SQLite adds
                self._private = _connect(self.private_path)
            except (OSError, sqlite3.Error) as error:
                raise ScplearnError(f"cannot open the private database {self.private_path}: "
                                    f"{getattr(error, 'strerror', None) or error}") from None
            _migrate(self._private, PRIVATE_MIGRATIONS)
        return self._private

    @property
    def pseudonymiser(self) -> identity.Pseudonymiser:
        """The key, created on first use in a new store, checked against the store otherwise."""
        if self._pseudonymiser is None:
            recorded = self.meta("key_fingerprint")
            if recorded is None and not self.key_path.exists() and not self._holds_delegates():
                pseudonymiser = identity.create_key(self.key_path)
            else:
                pseudonymiser = identity.load_key(self.key_path)
            if recorded is None:
                self.set_meta("key_fingerprint", pseudonymiser.fingerprint)
            elif recorded != pseudonymiser.fingerprint:
                raise identity.PseudonymKeyError(
                    f"the pseudonym key in {self.key_path} is not the key {self.path} was built with; "
                    "importing with it would give known delegates new pseudonyms. Use the original key file"
                )
            self._pseudonymiser = pseudonymiser
        return self._pseudonymiser

    def _holds_delegates(self) -> bool:
        return self.db["delegates"].count > 0

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM scplearn_meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO scplearn_meta (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, value],
            )

    def counts(self) -> dict[str, int]:
        """Row counts of every table, for reports and tests."""
        return {table.name: table.count for table in self.db.tables}

    def check_partnership(self, name: str) -> None:
        """Refuse, with the partnerships there are, a partnership the store does not know."""
        known = [row[0] for row in self.db.execute("SELECT name FROM partnerships ORDER BY name")]
        if name not in known:
            raise ScplearnError(f"no partnership named {name!r}; known: {', '.join(known) or 'none'}")

    def check_agency(self, name: str) -> None:
        """Refuse, with the closest names the store knows, an agency it does not know."""
        if self.db.execute("SELECT 1 FROM agencies WHERE name = ?", [name]).fetchone():
            return
        known = [row[0] for row in self.db.execute("SELECT name FROM agencies")]
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
        raise ScplearnError(f"no agency named {name!r}" + (f"; did you mean {' or '.join(map(repr, close))}?"
                                                         if close else f"; {len(known)} agencies are known"))

    def years(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT DISTINCT year FROM sessions ORDER BY year")]

    def imports(self) -> list[dict]:
        return list(self.db["imports"].rows_where(order_by="id"))


def companion_paths(path, private_path=None, key_path=None) -> tuple[Path, Path]:
    """The private database and the key of the evidence database ``path``: those given, or beside it."""
    path = Path(path)
    return (Path(private_path) if private_path else path.with_suffix(".private.db"),
            Path(key_path) if key_path else path.with_suffix(".key"))


def warn_if_open_to_others(private_path, key_path) -> None:
    """Warn about the private database, its journal files or the key when other users may read them."""
    filemodes.warn_if_open(filemodes.database_files(private_path), "names and emails")
    filemodes.warn_if_open([key_path], "the pseudonym key")


def open(path, *, private_path=None, key_path=None) -> Store:  # noqa: A001 - mirrors sqlite_utils / builtins style
    """Open (creating if needed) the scplearn store at ``path``."""
    try:
        return Store(path, private_path=private_path, key_path=key_path)
    except sqlite3.DatabaseError as error:
        raise ScplearnError(f"cannot open {path}: {error}") from None


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
