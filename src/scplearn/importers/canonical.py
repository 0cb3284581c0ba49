"""The scplearn layout: one CSV or XLSX file per kind of record (see docs/formats.md).

A file is recognised by its name (``sessions.csv``, ``2023-24 bookings.xlsx``)
or, failing that, by a header that holds every required column of one kind of
record. Column headings are the model's field names, in any case and order.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Iterator

import attrs

from .. import model
from ..hookspecs import hookimpl
from ..schema import TABLE_NAMES
from . import RECORD_KINDS, Batch, Issue, Parsed, tables


def _required(record_type) -> set[str]:
    return {field.name for field in attrs.fields(record_type) if field.default is attrs.NOTHING}


_LONGEST_FIRST = sorted(RECORD_KINDS.items(), key=lambda item: -len(item[0]))
"""The names of the kinds of record, the longest first: ``resource_followups.csv`` is not ``followups``."""


def record_type_of(path: Path):
    """The kind of record a canonical file holds, from its name or its header; ``None`` if neither says."""
    stem = tables.header_key(Path(path).stem).replace(" ", "_")
    for name, record_type in _LONGEST_FIRST:
        if stem == name or stem.endswith(("_" + name, "-" + name)):
            return record_type
    columns = {tables.header_key(column) for column in tables.head(Path(path))}
    matches = [
        record_type for record_type in model.RECORD_TYPES
        if _required(record_type) <= columns
        and columns <= {field.name for field in attrs.fields(record_type)}
    ]
    return matches[0] if len(matches) == 1 else None


class CanonicalImporter:
    name = "scplearn"
    description = "scplearn's own layout: one CSV or XLSX file per kind of record, columns named as the model's fields"

    def recognises(self, path: Path) -> bool:
        return Path(path).suffix.lower() in tables.TABLE_SUFFIXES and record_type_of(path) is not None

    def rank(self, path: Path) -> int:
        """Where this file comes in an import of several: referenced records first."""
        record_type = record_type_of(path)
        return model.RECORD_TYPES.index(record_type) if record_type else len(model.RECORD_TYPES)

    def read(self, path: Path, options: dict):
        path = Path(path)
        record_type = record_type_of(path)
        if record_type is None:
            yield Issue(path.name, None, None, None,
                        "cannot tell which kind of record this file holds; name it after one "
                        "(e.g. sessions.csv) as described in docs/formats.md")
            return
        problems, keys, rows = _body(path, record_type)
        yield from problems
        for number, cells in rows:
            yield from _read_row(record_type, keys, len(keys), number, cells, path.name)

    def read_batches(self, path: Path, options: dict):
        """What :meth:`read` gives, but with the valid rows in batches converted a column at a time (:class:`Batch`).

        Rows that cannot go in a batch (a row of the wrong width) come as
        :meth:`read` gives them, in file order: a batch is handed on before them.
        A record type made row by row (a validator across fields) is read by :meth:`read`.
        """
        path = Path(path)
        record_type = record_type_of(path)
        if record_type is None or model.build_columns(record_type, {}, 0) is None:
            yield from self.read(path, options)
            return
        problems, keys, rows = _body(path, record_type)
        yield from problems
        width, name = len(keys), path.name
        numbers, batch = [], []
        for number, cells in rows:
            if len(cells) != width:
                if len(cells) > width and not any(str(cell).strip() for cell in cells[width:]):
                    cells = cells[:width]
                else:
                    if batch:
                        yield _batch(record_type, keys, numbers, batch, name)
                        numbers, batch = [], []
                    yield from _read_row(record_type, keys, width, number, cells, name)
                    continue
            numbers.append(number)
            batch.append(cells)
            if len(batch) >= BATCH_ROWS:
                yield _batch(record_type, keys, numbers, batch, name)
                numbers, batch = [], []
        if batch:
            yield _batch(record_type, keys, numbers, batch, name)


def _body(path: Path, record_type) -> tuple[list[Issue], list[str], Iterator]:
    """The header's problems, its keys and the rows after it as ``(number, cells)``.

    The header is checked only if a row follows it; a header with problems
    comes with no rows. No two columns share a key (that is a header problem),
    so a row's cells line up with the keys.
    """
    number, header, rows = tables.table(path)
    first = next(rows, None)
    if first is None:
        return [], [], iter(())
    fields = {field.name for field in attrs.fields(record_type)}
    problems = list(_header_issues(path, number, header, record_type, fields))
    if problems:
        return problems, [], iter(())
    return [], [tables.header_key(column) for column in header], itertools.chain([first], rows)


BATCH_ROWS = 5000


def _batch(record_type, keys, numbers, cells, name) -> Batch:
    converted, bad = model.build_columns(record_type, dict(zip(keys, zip(*cells))), len(cells))
    issues = []
    if bad:
        # The problems, worded exactly as row by row: converters are pure, so the row fails again.
        for index in sorted(bad):
            _, problems = model.build(record_type, dict(zip(keys, cells[index])))
            issues.extend(Issue(name, numbers[index], p.field, p.value, p.reason) for p in problems)
        kept = [index for index in range(len(cells)) if index not in bad]
        numbers = [numbers[index] for index in kept]
        converted = {field: [values[index] for index in kept] for field, values in converted.items()}
    return Batch(record_type, numbers, converted, issues)


def _read_row(record_type, keys, width, number, cells, name):
    """One row as :meth:`CanonicalImporter.read` reads it: a record or its problems."""
    if len(cells) > width:
        extra = [cell for cell in cells[width:] if str(cell).strip()]
        if extra:
            yield Issue(name, number, None, ", ".join(map(str, extra)),
                        f"row has {width + len(extra)} cells but the header has {width}")
            return
    record, field_problems = model.build(record_type, dict(zip(keys, cells)))
    if record is None:
        for problem in field_problems:
            yield Issue(name, number, problem.field, problem.value, problem.reason)
    else:
        yield Parsed(number, record, _NO_COLUMNS)


_NO_COLUMNS: dict = {}  # the file's columns are the fields' names; shared by every record read, never changed


def _header_issues(path: Path, number: int, header, record_type, fields):
    seen = set()
    for column in header:
        key = tables.header_key(column)
        if key in seen:
            yield Issue(path.name, number, column, None, "column appears twice", whole_file=True)
        seen.add(key)
        if key not in fields:
            yield Issue(path.name, number, column, None,
                        f"unknown column for {TABLE_NAMES[record_type]}; expected: {', '.join(sorted(fields))}",
                        whole_file=True)
    for missing in sorted(_required(record_type) - seen):
        yield Issue(path.name, number, missing, None, f"required column is missing from {path.name}", whole_file=True)


@hookimpl
def register_importers(register):
    register(CanonicalImporter())
