"""Writing validated records to the store: pseudonyms, references and upserts.

Records are buffered by kind and written with ``executemany`` in dependency
order (partnerships before agencies before delegates before bookings...), so a
file may refer to records of an earlier file of the same import. Every write
is an upsert keyed on the record's natural key: the same record imported twice
changes nothing; a corrected record replaces the old values. The table,
columns and key of each kind of record are :mod:`scplearn.schema`'s.
"""

from __future__ import annotations

import hashlib
import json
import operator

import attrs

from . import model, redact, summaries, values
from .importers import Issue, Parsed
from .schema import TABLE_NAMES, TABLES

ORDER = list(TABLES)
COLUMNS = {name: table.column_names for name, table in TABLES.items()}
PRIMARY_KEYS = {name: table.key for name, table in TABLES.items()}
REFERENCES = {table.record_type: table.references for table in TABLES.values() if table.references}
"""Record type → {field: the table whose key it must name}."""
_REFERENCED = tuple(sorted({referenced for fields in REFERENCES.values() for referenced in fields.values()}))
NAMED = frozenset({"partnerships", "agencies"})
"""Tables keyed by a name, which files spell with any case and punctuation: ``leicestershire police`` is ``Leicestershire Police``."""
BATCH = 20_000
DATED = {"sessions": ("date",), "spend": ("year",), **{table: ("session",) for table in (*summaries.SOURCES, "feedback")},
         "resource_access": ("date",), "resource_followups": ("date",)}
"""Tables whose records belong to a financial year, and the fields that say which."""
DAY_DATED = frozenset({"sessions", "resource_access", "resource_followups"})
"""Tables of :data:`DATED` whose records fall in the financial year of their ``date`` (a period of access, that of its first day)."""
FREE_TEXT = {"feedback": ("quote", "role"), "followups": ("comments",), "evaluations": ("action_1", "action_2", "action_3"),
             "resource_followups": ("comments",)}
"""Fields written as people typed them: emails and phone numbers are taken out of them (see :mod:`.redact`)."""
SUMMARISED = frozenset(summaries.SOURCES)
"""Tables whose rows feed the per-session summaries: writing one marks its session for a recount."""


def _upsert_sql(table: str, keep_known: bool = False) -> str:
    columns, keys = COLUMNS[table], PRIMARY_KEYS[table]
    others = [column for column in columns if column not in keys]
    if keep_known:
        values = {column: f"coalesce(excluded.{column}, {table}.{column})" for column in others}
    else:
        values = {column: f"excluded.{column}" for column in others}
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
        f"ON CONFLICT({', '.join(keys)}) DO "
    )
    if not others:
        return sql + "NOTHING"
    return sql + (
        f"UPDATE SET {', '.join(f'{c} = {v}' for c, v in values.items())} "
        f"WHERE {' OR '.join(f'{table}.{c} IS NOT {v}' for c, v in values.items())}"
    )


KEEP_KNOWN = frozenset({"delegates", "resources"})
"""Tables where a blank value leaves the one recorded: an export that does not know a delegate's agency, or a
resource's course or topic, leaves what another file gave."""
UPSERTS = {table: _upsert_sql(table, keep_known=(table in KEEP_KNOWN)) for table in COLUMNS}
KEY_AT = {table: [COLUMNS[table].index(key) for key in PRIMARY_KEYS[table]] for table in COLUMNS}


def feedback_id(record: model.Feedback) -> str:
    content = "\x1f".join(str(part or "") for part in (record.course, record.session, record.role, record.quote))
    return hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]


_PLAIN = frozenset({str, int, float, bool, type(None)})  # written as they are (sqlite3 writes True as 1)
_NONE: dict = {}


def _cell(value):
    if type(value) in _PLAIN:
        return value
    if isinstance(value, bool):
        return int(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


SOURCES = {name: [column.source for column in table.columns if column.source] for name, table in TABLES.items()}
"""The record attribute behind each column the record gives (the pseudonym comes from ``email``; feedback's id is computed)."""
COLUMNAR = frozenset(
    name for name, table in TABLES.items()
    if len(SOURCES[name]) == len(COLUMNS[name])
    and set(SOURCES[name]) <= {field.name for field in attrs.fields(table.record_type)}
)
"""Tables whose every column is a field of the record (or its pseudonymised email), so a batch is written as it comes."""
GETTERS = {table: operator.attrgetter(*sources) for table, sources in SOURCES.items()}  # each gives a tuple
EMAIL_AT = {table: sources.index("email") for table, sources in SOURCES.items() if "email" in sources}
TEXT_AT = {table: frozenset(SOURCES[table].index(field) for field in fields) for table, fields in FREE_TEXT.items()}


def row_keys(group: list[Parsed]) -> frozenset:
    """``(table, key)`` of the records of one row that other records refer to (see :meth:`Writer.check`)."""
    if len(group) < 2:
        return frozenset()
    keys = set()
    for parsed in group:
        table = TABLE_NAMES[type(parsed.record)]
        if table in _REFERENCED:
            keys.add((table, getattr(parsed.record, PRIMARY_KEYS[table][0])))
    return frozenset(keys)


def _unknown(filename: str, row: int, column: str, value, table: str) -> Issue:
    """The problem of a value naming a record ``table`` does not hold."""
    what = table[:-1] if table != "agencies" else "agency"
    return Issue(filename, row, column, value, f"no such {what} (import the {table} file first or in the same import)")


def _missing(connection, table: str, keys_json: str) -> list[str]:
    """The keys of a JSON list, in order, that ``table`` has no row for."""
    return [key for (key,) in connection.execute(
        f"SELECT value FROM json_each(?) WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE key = value) ORDER BY value",
        [keys_json],
    )]


class Writer:
    """Buffers records and writes them inside the caller's transaction."""

    def __init__(self, store):
        self.store = store
        self.db = store.db
        self.buffers = {table: [] for table in ORDER}
        self.new_delegates: dict[str, str] = {}
        self.people: dict[str, tuple[str, str | None]] = {}
        self.touched_sessions: set[str] = set()
        self.file_sessions: set[str] = set()
        self.file_years: set[str] = set()
        self.changed_sources: set[str] = set()
        self.known = {table: None for table in _REFERENCED}
        self.spellings: dict[str, dict] = {}
        self.pending = 0
        self.changes = dict.fromkeys(ORDER, 0)
        self.import_id = None  # the ledger id of the file being written: its updates are journalled under it
        self._key_for = None  # the pseudonymiser's key_for, looked up on the first email

    def _known(self, table: str) -> set:
        if self.known[table] is None:
            key = PRIMARY_KEYS[table][0]
            self.known[table] = {row[0] for row in self.db.execute(f"SELECT {key} FROM {table}")}
        return self.known[table]

    def add(self, parsed: Parsed, filename: str) -> list[Issue]:
        """Check a record's references and queue it; returns the issues if it refers to unknown records."""
        issues = self.check(parsed, filename)
        if not issues:
            self.queue(parsed)
        return issues

    def check(self, parsed: Parsed, filename: str, same_row: frozenset = frozenset()) -> list[Issue]:
        """The issues of a record naming records the store does not hold (names compared ignoring case and punctuation).

        ``same_row`` holds ``(table, key)`` of the records read from the same row, which the record may name
        (a resource and its access, given by one row of a mapped file): see :func:`row_keys`.
        """
        record = parsed.record
        issues = []
        for field, table in REFERENCES.get(type(record), _NONE).items():
            value = getattr(record, field)
            if value is not None and (table, value) not in same_row:
                known = self.known[table]
                if value not in (self._known(table) if known is None else known) and self.spelled(table, value) is None:
                    issues.append(_unknown(filename, parsed.row, parsed.column(field), value, table))
        return issues

    def queue(self, parsed: Parsed) -> None:
        """Queue a checked record, with the store's spelling of the names it gives or refers to."""
        record = parsed.record
        record_type = type(record)
        changes = {}
        for field, table in REFERENCES.get(record_type, _NONE).items():
            value = getattr(record, field)
            if value is not None and value not in self._known(table):
                changes[field] = self.spelled(table, value)
        table = TABLE_NAMES[record_type]
        if table in NAMED:
            name = self.spelled(table, record.name)
            if name is not None and name != record.name:
                changes["name"] = name
        if changes:
            record = attrs.evolve(record, **changes)
        self._queue(record, table)

    def holds(self, table: str, key) -> bool:
        """True when ``table`` (one that records refer to) holds, or has queued, this key."""
        return key in self._known(table)

    def spelled(self, table: str, value) -> str | None:
        """The key ``table`` holds for a name spelled ``value`` with other case or punctuation, if any."""
        if table not in NAMED or not isinstance(value, str):
            return None
        known = self._known(table)
        if value in known:
            return value
        spellings = self.spellings.get(table)
        if spellings is None or len(spellings) != len(known):
            spellings = self.spellings[table] = {values.slug(name): name for name in sorted(known, reverse=True)}
        return spellings.get(values.slug(value))

    def add_batch(self, batch, filename: str) -> list[Issue]:
        """Check and queue a :class:`~scplearn.importers.Batch`; returns the issues of rows referring to unknown records.

        Does what :meth:`add` does for each of its records, a column at a time
        where the table's columns are the record's fields.
        """
        record_type, columns = batch.record_type, batch.columns
        table = TABLE_NAMES[record_type]
        issues, unknown = [], set()
        for field, referenced in REFERENCES.get(record_type, _NONE).items():
            values = columns[field]
            known = self._known(referenced)
            if known.issuperset(values) or not set(values).difference(known).difference((None,)):
                continue
            values = columns[field] = list(values)
            for index, value in enumerate(values):
                if value is not None and value not in known:
                    spelled = self.spelled(referenced, value)
                    if spelled is not None:
                        values[index] = spelled
                        continue
                    unknown.add(index)
                    issues.append(_unknown(filename, batch.rows[index], field, value, referenced))
        if table in NAMED:
            columns = dict(columns)
            columns["name"] = [self.spelled(table, name) or name for name in columns["name"]]
        count = len(batch.rows)
        if unknown:
            kept = [index for index in range(count) if index not in unknown]
            columns = {field: [values[index] for index in kept] for field, values in columns.items()}
            count = len(kept)
            issues.sort(key=lambda issue: issue.row)
        if not count:
            return issues
        if table not in COLUMNAR:
            for values in zip(*columns.values()):
                self._queue(model.make(record_type, dict(zip(columns, values))), table)
            return issues
        sources = [columns[source] for source in SOURCES[table]]
        for at, values in enumerate(sources):
            if not _PLAIN.issuperset(map(type, values)):  # dates among the values
                sources[at] = list(map(_cell, values))
        at = EMAIL_AT.get(table)
        if at is not None:
            emails = sources[at]
            sources[at] = keys = self.store.pseudonymiser.keys_for(emails)
            if table == "delegates":
                self.people.update(zip(keys, zip(emails, columns["name"])))
            else:
                people = self.people
                self.new_delegates.update(
                    (key, email) for key, email in zip(keys, emails) if key is not None and key not in people
                )
        for at in TEXT_AT.get(table, ()):
            sources[at] = list(map(redact.contact_details, sources[at]))
        self.buffers[table].extend(zip(*sources))
        if table in self.known:
            self._known(table).update(columns[PRIMARY_KEYS[table][0]])
        if table in SUMMARISED:
            self.touched_sessions.update(columns["session"])
        self._note_years(table, columns)
        self.pending += count
        if self.pending >= BATCH:
            self.flush()
        return issues

    def _queue(self, record, table: str) -> None:
        self.buffers[table].append(self._row(record, table))
        if table in self.known:
            self._known(table).add(getattr(record, PRIMARY_KEYS[table][0]))
        self.pending += 1
        if self.pending >= BATCH:
            self.flush()

    def _row(self, record, table: str) -> tuple:
        row = GETTERS[table](record)
        if not _PLAIN.issuperset(map(type, row)):  # a date among the values
            row = tuple(map(_cell, row))
        at = EMAIL_AT.get(table)
        if at is not None and row[at] is not None:
            email = row[at]
            if self._key_for is None:
                self._key_for = self.store.pseudonymiser.key_for
            key = self._key_for(email)
            row = (*row[:at], key, *row[at + 1:])
            if table == "delegates":
                self.people[key] = (email, record.name)
            elif key not in self.people:
                self.new_delegates[key] = email
        texts = TEXT_AT.get(table)
        if texts:
            row = tuple(redact.contact_details(value) if at in texts else value for at, value in enumerate(row))
        if table == "feedback":
            row = (feedback_id(record), *row)
        if table in SUMMARISED:
            self.touched_sessions.add(record.session)
        if table in DATED:
            self._note_years(table, {field: [getattr(record, field)] for field in DATED[table]})
        return row

    def flush(self) -> None:
        """Write everything buffered, in dependency order."""
        for table in ORDER:
            if table == "bookings":
                self._write_people()
            rows = self.buffers[table]
            if rows:
                self._execute(table, UPSERTS[table], rows)
                rows.clear()
        self._write_people()
        self.pending = 0

    def _write_people(self) -> None:
        # In key order: each statement then walks the key index from one end to
        # the other instead of jumping about it (pseudonyms are random).
        if self.people:
            self.store.private.conn.executemany(
                "INSERT INTO people (key, email, name) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE "
                "SET name = coalesce(excluded.name, people.name) WHERE people.name IS NOT coalesce(excluded.name, people.name)",
                [(key, email, name) for key, (email, name) in sorted(self.people.items())],
            )
            self.people.clear()
        if self.new_delegates:
            # Most of them are known: ask each database which are not (one query
            # a batch) and write only those.
            keys = json.dumps(sorted(self.new_delegates))
            missing = _missing(self.db.conn, "delegates", keys)
            if missing:
                self._execute("delegates", "INSERT INTO delegates (key) VALUES (?) ON CONFLICT(key) DO NOTHING",
                              [(key,) for key in missing])
            missing = _missing(self.store.private.conn, "people", keys)
            if missing:
                self.store.private.conn.executemany(
                    "INSERT INTO people (key, email) VALUES (?, ?) ON CONFLICT(key) DO NOTHING",
                    [(key, self.new_delegates[key]) for key in missing],
                )
            self.new_delegates.clear()

    def _execute(self, table: str, sql: str, rows: list) -> None:
        earlier = self._existing(table, rows) if self.import_id is not None and "DO NOTHING" not in sql else None
        changed = self.db.conn.executemany(sql, rows).rowcount
        if earlier:
            self.journal_updates(table, earlier)
        self.changes[table] += changed
        if changed and table in SUMMARISED:
            self.changed_sources.add(table)

    def _note_years(self, table: str, columns: dict) -> None:
        if table in DAY_DATED:
            self.file_years.update(map(values.year_of, columns["date"]))
        elif table == "spend":
            self.file_years.update(columns["year"])
        elif table in DATED:
            self.file_sessions.update(columns["session"])

    def take_years(self) -> set[str]:
        """The financial years of the records written since the last call (sessions, spend, resource access
        and follow-ups, and the sessions of bookings, evaluations, follow-ups and feedback)."""
        sessions = json.dumps(sorted(code for code in self.file_sessions if code is not None))
        years = self.file_years | {year for (year,) in self.db.execute(
            "SELECT DISTINCT year FROM sessions WHERE code IN (SELECT value FROM json_each(?))", [sessions])}
        self.file_sessions, self.file_years = set(), set()
        return years

    def _existing(self, table: str, rows: list) -> dict[int, tuple]:
        """rowid → values of the rows of ``table`` that ``rows`` (about to be upserted) name by their key."""
        at = KEY_AT[table]
        keys = json.dumps([[row[i] for i in at] for row in rows])
        match = " AND ".join(f"{table}.{column} = json_extract(json_each.value, '$[{n}]')"
                             for n, column in enumerate(PRIMARY_KEYS[table]))
        columns = ", ".join(f"{table}.{column}" for column in COLUMNS[table])
        return {row[0]: row[1:] for row in self.db.conn.execute(
            f"SELECT {table}.rowid, {columns} FROM json_each(?) CROSS JOIN {table} ON {match}", [keys])}

    def journal_updates(self, table: str, earlier: dict[int, tuple]) -> None:
        """Note in ``import_journal`` the earlier values of the rows an upsert changed (see :mod:`scplearn.journal`)."""
        now = self._existing_by_rowid(table, list(earlier))
        notes = [(self.import_id, table, rowid, json.dumps(dict(zip(COLUMNS[table], values))))
                 for rowid, values in earlier.items() if now.get(rowid) != values]
        if notes:
            self.db.conn.executemany("INSERT INTO import_journal (import, tbl, rid, before) VALUES (?, ?, ?, ?)", notes)

    def _existing_by_rowid(self, table: str, rowids: list[int]) -> dict[int, tuple]:
        return {row[0]: row[1:] for row in self.db.conn.execute(
            f"SELECT rowid, {', '.join(COLUMNS[table])} FROM {table} WHERE rowid IN (SELECT value FROM json_each(?))",
            [json.dumps(rowids)])}

    def take_changes(self) -> dict[str, int]:
        """Rows inserted or updated per table since the last call."""
        changes, self.changes = self.changes, dict.fromkeys(ORDER, 0)
        return {table: number for table, number in changes.items() if number}

    def refresh(self) -> None:
        """Recount the per-session summaries of every session whose records were written."""
        if self.touched_sessions and self.changed_sources:
            summaries.refresh(self.db, self.touched_sessions, written=self.changed_sources)
        self.touched_sessions.clear()
        self.changed_sources.clear()
