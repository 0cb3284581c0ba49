"""The tables of records: each kind of record's table, columns, key and references, derived from the model.

Each record class of :mod:`scplearn.model` is stored in the table
:data:`TABLE_NAMES` gives it, one column per field, in field order. A column's
type follows the field's annotation (text, integer or real; a date is stored as
ISO text, a flag as 0 or 1), and it is ``NOT NULL`` unless the annotation
allows ``None`` or the column is part of the key. The field's metadata (see
:func:`scplearn.model.stored`) says whether it is part of the key, which table's
record it names, whether it is private, and which schema version added it;
a table added after the first schema is in :data:`TABLES_SINCE`.

Three things are stored otherwise than a field says, all of them here:

- an email is never stored in the evidence: the delegate's pseudonym is, as
  ``key`` in ``delegates`` and as ``delegate`` (naming a delegate) in every other
  table; a delegate's email and name are kept in the private database;
- ``sessions`` holds, after each session's date, its financial ``year``, by which
  the evaluators group;
- ``feedback`` has no natural key: its first column, ``id``, is hashed from the
  record's content by :func:`scplearn.writer.feedback_id`.

:mod:`scplearn.store` creates the tables from :data:`TABLES` and
:mod:`scplearn.writer` writes records to them. The tables that do not hold
records (the import ledger and journal, the per-session summaries, stored
results, the private ``people``) are created by the modules that keep them.
"""

from __future__ import annotations

import types
import typing

import attrs
import sqlite_utils

from . import model

TABLE_NAMES = {
    model.Partnership: "partnerships",
    model.Agency: "agencies",
    model.Course: "courses",
    model.Session: "sessions",
    model.Delegate: "delegates",
    model.Booking: "bookings",
    model.Evaluation: "evaluations",
    model.FollowUp: "followups",
    model.Feedback: "feedback",
    model.Spend: "spend",
    model.Resource: "resources",
    model.ResourceAccess: "resource_access",
    model.ResourceFollowUp: "resource_followups",
}
"""The table of each kind of record, in the order they are written (a record before those that name it)."""
TABLES_SINCE = {"resources": 5, "resource_access": 5, "resource_followups": 5}
"""The schema version that added each table made after the first (see ``store.MIGRATIONS``)."""


@attrs.frozen
class Column:
    """One column of a table of records.

    ``source`` is the attribute of the record whose value the column holds
    (``email`` for a pseudonym column: the writer puts the pseudonym in its
    place), or ``None`` for a value the writer computes. ``references`` is the
    table whose key the column names. ``since`` is the schema version that
    added the column, and ``default`` the field's default, which the rows
    already there take when it is added.
    """

    name: str
    type: type
    source: str | None
    not_null: bool = False
    references: str | None = None
    default: object = None
    since: int = 1


@attrs.frozen
class Table:
    """The table of one kind of record: its columns, its key and the fields that name other records."""

    name: str
    record_type: type
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    references: dict[str, str]
    """Field → the table whose record it names (the pseudonym's reference to ``delegates`` is not one: delegates are made as they come)."""
    since: int = 1
    """The schema version that added the table (:data:`TABLES_SINCE`)."""

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


def _python_type(annotation) -> tuple[type, bool]:
    """The type an annotation gives, and whether it allows ``None``."""
    if isinstance(annotation, types.UnionType):
        options = [option for option in annotation.__args__ if option is not type(None)]
        return options[0], len(options) < len(annotation.__args__)
    return annotation, False


def _column(record_type, field, annotation) -> Column:
    storage = field.metadata
    key = storage.get("key", False)
    python_type, optional = _python_type(annotation)
    name, references = field.name, storage.get("refers_to")
    if name == "email":  # stored as the delegate's pseudonym
        if record_type is model.Delegate:
            name = "key"
        else:
            name, references = "delegate", "delegates"
    return Column(
        name, python_type, source=field.name, not_null=not (optional or key), references=references,
        default=None if field.default is attrs.NOTHING else field.converter(field.default),
        since=storage.get("since", 1),
    )


def _table(record_type, name: str) -> Table:
    fields = [field for field in attrs.fields(record_type) if not field.metadata.get("private")]
    annotations = typing.get_type_hints(record_type)
    columns = [_column(record_type, field, annotations[field.name]) for field in fields]
    key = tuple(column.name for column, field in zip(columns, fields) if field.metadata.get("key"))
    if record_type is model.Session:  # the financial year of the date, after it (Session.year)
        columns.insert([c.name for c in columns].index("date") + 1, Column("year", str, source="year", not_null=True))
    if record_type is model.Feedback:  # no natural key: an id hashed from the content, first
        columns.insert(0, Column("id", str, source=None))
        key = ("id",)
    references = {field.name: field.metadata["refers_to"] for field in fields if field.metadata.get("refers_to")}
    return Table(name, record_type, tuple(columns), key, references, since=TABLES_SINCE.get(name, 1))


TABLES = {name: _table(record_type, name) for record_type, name in TABLE_NAMES.items()}
"""Every table of records by name, in :data:`TABLE_NAMES` order."""


def create(db: sqlite_utils.Database, table: Table, version: int) -> None:
    """Create ``table`` with the columns schema ``version`` had (later ones are added by :func:`add_columns`)."""
    if table.since > version:
        return  # created by the migration of its own version (see create_tables)
    columns = [column for column in table.columns if column.since <= version]
    db[table.name].create(
        {column.name: column.type for column in columns},
        pk=table.key[0] if len(table.key) == 1 else table.key,
        not_null={column.name for column in columns if column.not_null},
        foreign_keys=[(column.name, column.references, TABLES[column.references].key[0])
                      for column in columns if column.references],
    )


def create_tables(db: sqlite_utils.Database, version: int) -> None:
    """Create the tables of records schema ``version`` added (for a migration to call)."""
    for table in TABLES.values():
        if table.since == version:
            create(db, table, version)


def add_columns(db: sqlite_utils.Database, version: int) -> None:
    """Add the columns schema ``version`` added to the tables of records made before it (for a migration to call)."""
    for table in TABLES.values():
        if table.since >= version:
            continue  # made whole by its own migration
        for column in table.columns:
            if column.since == version:
                definition = f"{column.name} {sqlite_utils.db.COLUMN_TYPE_MAPPING[column.type]}"
                if column.not_null:  # SQLite needs a default for the rows already there
                    default = int(column.default) if isinstance(column.default, bool) else column.default
                    definition += f" NOT NULL DEFAULT {default!r}"
                db.execute(f"ALTER TABLE {table.name} ADD COLUMN {definition}")
