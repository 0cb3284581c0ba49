"""The scplearn layout: one CSV or XLSX file per kind of record (see docs/formats.md).

A file is recognised by its name (``sessions.csv``, ``2023-24 bookings.xlsx``)
or, failing that, by a header that holds every required column of one kind of
record. Column headings are the model's field names, in any case and order.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from .. import model
from ..hookspecs import hookimpl
from . import Issue, Parsed, tables

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
}
_BY_NAME = {name: record_type for record_type, name in TABLE_NAMES.items()}
_BY_NAME.update({"follow_ups": model.FollowUp, "follow-ups": model.FollowUp, "evaluation": model.Evaluation})


def _required(record_type) -> set[str]:
    return {field.name for field in attrs.fields(record_type) if field.default is attrs.NOTHING}


def record_type_of(path: Path):
    """The kind of record a canonical file holds, from its name or its header; ``None`` if neither says."""
    stem = tables.header_key(Path(path).stem).replace(" ", "_")
    for name, record_type in _BY_NAME.items():
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
        fields = {field.name for field in attrs.fields(record_type)}
        rows = tables.raw_rows(path)
        try:
            _, cells = next(rows)
        except StopIteration:
            return
        header = [str(cell).replace("\ufeff", "").strip() for cell in cells]
        width, keys, name, build = len(header), None, path.name, model.build
        for number, cells in rows:
            if keys is None:
                problems = list(_header_issues(path, header, record_type, fields))
                yield from problems
                if problems:
                    return
                # No two columns share a key (that is a header issue), so a row's
                # cells line up with the header's keys.
                keys = [tables.header_key(column) for column in header]
            if len(cells) > width:
                extra = [cell for cell in cells[width:] if str(cell).strip()]
                if extra:
                    yield Issue(name, number, None, ", ".join(map(str, extra)),
                                f"row has {width + len(extra)} cells but the header has {width}")
                    continue
            record, field_problems = build(record_type, dict(zip(keys, cells)))
            if record is None:
                for problem in field_problems:
                    yield Issue(name, number, problem.field, problem.value, problem.reason)
            else:
                yield Parsed(number, record, _NO_COLUMNS)


_NO_COLUMNS: dict = {}  # the file's columns are the fields' names; shared by every record read, never changed


def _header_issues(path: Path, header, record_type, fields):
    seen = set()
    for column in header:
        key = tables.header_key(column)
        if key in seen:
            yield Issue(path.name, 1, column, None, "column appears twice")
        seen.add(key)
        if key not in fields:
            yield Issue(path.name, 1, column, None,
                        f"unknown column for {TABLE_NAMES[record_type]}; expected: {', '.join(sorted(fields))}")
    for missing in sorted(_required(record_type) - seen):
        yield Issue(path.name, 1, missing, None, f"required column is missing from {path.name}")


@hookimpl
def register_importers(register):
    register(CanonicalImporter())
