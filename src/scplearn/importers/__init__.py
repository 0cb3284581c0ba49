"""Importers turn source files into validated records.

An importer is any object with a ``name``, a one-line ``description``, a
``recognises(path)`` method and a ``read(path, options)`` method yielding
:class:`Parsed` records and :class:`Issue` problems. An importer that can
convert rows a column at a time may also have ``read_batches(path, options)``,
which yields :class:`Batch` items too. Importers are registered through the
``register_importers`` plugin hook, the built-in ones included.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, Protocol

import attrs

from .. import model
from ..errors import ScplearnError
from ..schema import TABLE_NAMES

RECORD_KINDS = {name: record_type for record_type, name in TABLE_NAMES.items()} | {
    "follow_ups": model.FollowUp, "follow-ups": model.FollowUp, "evaluation": model.Evaluation,
    "resource_follow_ups": model.ResourceFollowUp, "resource-follow-ups": model.ResourceFollowUp,
}
"""Each kind of record by the names a file or a mapping may give it: its table's name, and a few other spellings."""


class UnreadableFile(ScplearnError):
    """The file is not a table scplearn can read."""


@attrs.frozen
class Issue:
    """A problem with one value in a source file.

    ``whole_file`` marks a problem that stops the whole file being read (a
    missing column, no session): the import fails even with ``skip_invalid``.
    An issue with no row is always one.
    """

    file: str
    row: int | None
    column: str | None
    value: object
    reason: str
    whole_file: bool = attrs.field(default=False, eq=False)

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        shown = "" if self.value is None else f" value {show_value(self.value)}:"
        return f"{', '.join(where)}:{shown} {self.reason}"


def show_value(value) -> str:
    """A cell's value as a message quotes it, cut short past 60 characters."""
    text = repr(value) if isinstance(value, str) else repr(str(value))
    return text if len(text) <= 60 else text[:57] + "...'"


@attrs.frozen
class Parsed:
    """A valid record read from ``row`` of a file; ``columns`` maps field names to the file's column names."""

    row: int
    record: object
    columns: dict = attrs.field(factory=dict)

    def column(self, field: str) -> str:
        return self.columns.get(field, field)


@attrs.define
class Batch:
    """Valid rows of a file made a column at a time: ``columns`` maps every field to its converted values.

    ``rows`` are the rows' numbers, which no other item read from the file names;
    ``issues`` the problems of the rows between them that were left out (bad
    fields), in row order.
    """

    record_type: type
    rows: list[int]
    columns: dict[str, list]
    issues: list[Issue]


class Importer(Protocol):
    """What an importer registered through ``register_importers`` offers.

    Besides these, an importer may define ``rank(path) -> int``: where its
    file comes in an import of several, lowest first, so that files of the
    records others refer to (courses, sessions, people) are written before
    those that refer to them (without it, a file comes after every ranked
    one); and ``check(path, options) -> str | None``: why a file named with
    ``--format`` cannot be read as this format, or ``None``.
    """

    name: str
    description: str

    def recognises(self, path: Path) -> bool: ...

    def read(self, path: Path, options: dict) -> Iterator[Parsed | Issue]: ...


@attrs.frozen
class Omitted:
    """A row read and deliberately not written, with why: superseded by a later row of the
    same file (a form sent twice), or left out (staff, below the attendance threshold, on no register).

    Not a problem: the import goes ahead, and the summary counts and names these rows.
    """

    file: str
    row: int | None
    column: str | None
    value: object
    reason: str
    superseded: bool = False

    __str__ = Issue.__str__


@attrs.frozen
class RowsRead:
    """How many rows of data an importer read from its file, when its records do not show it
    (several rows making one record, or rows giving none)."""

    count: int
