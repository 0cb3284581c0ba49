"""Importers turn source files into validated records.

An importer is any object with a ``name``, a one-line ``description``, a
``recognises(path)`` method and a ``read(path, options)`` method yielding
:class:`Parsed` records and :class:`Issue` problems. Importers are registered
through the ``register_importers`` plugin hook, the built-in ones included.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, Protocol

import attrs


@attrs.frozen
class Issue:
    """A problem with one value in a source file."""

    file: str
    row: int | None
    column: str | None
    value: object
    reason: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        shown = "" if self.value is None else f" value {_show(self.value)}:"
        return f"{', '.join(where)}:{shown} {self.reason}"


def _show(value) -> str:
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


class Importer(Protocol):
    name: str
    description: str

    def recognises(self, path: Path) -> bool: ...

    def read(self, path: Path, options: dict) -> Iterator[Parsed | Issue]: ...
