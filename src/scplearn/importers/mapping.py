"""Mapping files: which column is which field, how values are spelled, fixed values.

A mapping file is TOML or YAML. Every importer that reads ``--mapping`` uses
the same layout (see docs/importing.md)::

    records = ["delegates", "bookings"]      # only the mapped importer needs this
    header_row = 1                           # mapped importer: the row holding the headings (else found)
    sheet = "Register"                       # mapped importer: an .xlsx sheet other than the first

    [columns]                                # heading in the file = field
    "Email address" = "email"
    "Any other comments?" = ""               # "" leaves a column out

    [values.status]                          # spelling in the file = value
    "Y" = "attended"
    [values.agency]
    "Leics Police" = "Leicestershire Police"
    "Self-employed" = ""                     # "" means no value

    [fixed]                                  # field = value for every row
    session = "CAS01-2024-01-10"

Headings are compared trimmed, case-folded, with single spaces; spellings are
compared by their :func:`scplearn.values.slug`, so ``"Checked in"`` and
``"CHECKED-IN"`` are the same spelling.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import attrs

from .. import values
from ..errors import ScplearnError
from . import tables

IGNORE = ""


def _heading(name) -> str:
    return tables.header_key(name)


@attrs.frozen
class Mapping:
    path: Path | None = None
    records: tuple = ()
    columns: dict = attrs.field(factory=dict)
    values: dict = attrs.field(factory=dict)
    fixed: dict = attrs.field(factory=dict)
    header_row: int | None = None
    sheet: str | None = None

    @property
    def name(self) -> str:
        return self.path.name if self.path else "mapping"

    def field_of(self, heading):
        """The field a heading is mapped to; ``IGNORE`` if left out; ``None`` if the mapping does not say."""
        return self.columns.get(_heading(heading))

    def translate(self, field: str, raw):
        """A cell's value after the mapping's spellings for ``field``; ``None`` for a spelling mapped to ""."""
        spellings = self.values.get(field)
        if not spellings or isinstance(raw, bool):
            return raw
        key = values.slug(raw) if raw is not None else ""
        if key in spellings:
            mapped = spellings[key]
            return None if mapped == "" else mapped
        return raw

    def fields(self) -> set:
        return {field for field in self.columns.values() if field} | set(self.fixed) | set(self.values)

    def check_fields(self, allowed, what: str) -> None:
        """Refuse a mapping naming fields this importer does not know."""
        unknown = sorted(self.fields() - set(allowed))
        if unknown:
            raise ScplearnError(
                f"{self.name}: {', '.join(map(repr, unknown))} {'is not a field' if len(unknown) == 1 else 'are not fields'} "
                f"of {what}; known fields: {', '.join(sorted(allowed))}"
            )


EMPTY = Mapping()


def load(path) -> Mapping:
    """Read a TOML or YAML mapping file, checking its shape (not yet its field names)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ScplearnError(f"{path}: cannot read the mapping file ({error.strerror})") from None
    suffix = path.suffix.lower()
    try:
        if suffix == ".toml":
            content = tomllib.loads(data.decode("utf-8-sig"))
        elif suffix in (".yaml", ".yml"):
            import yaml

            content = yaml.safe_load(data.decode("utf-8-sig")) or {}
        else:
            raise ScplearnError(f"{path.name}: a mapping file must end in .toml, .yaml or .yml")
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ScplearnError(f"{path.name}: not valid TOML ({error})") from None
    except ScplearnError:
        raise
    except Exception as error:  # yaml.YAMLError and friends
        raise ScplearnError(f"{path.name}: not valid YAML ({str(error).splitlines()[0]})") from None
    return _build(path, content)


def _table(path, content, key) -> dict:
    table = content.get(key, {})
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise ScplearnError(f"{path.name}: '{key}' must be a table of names and values")
    return table


def _build(path: Path, content) -> Mapping:
    if not isinstance(content, dict):
        raise ScplearnError(f"{path.name}: a mapping file holds tables such as [columns] and [values.status]")
    known = {"records", "record", "header_row", "sheet", "columns", "values", "fixed"}
    extra = sorted(set(content) - known)
    if extra:
        raise ScplearnError(f"{path.name}: unknown key{'s' if len(extra) > 1 else ''} {', '.join(extra)}; "
                            f"expected: {', '.join(sorted(known))}")
    records = content.get("records", content.get("record", ()))
    if isinstance(records, str):
        records = (records,)
    columns = {}
    for heading, field in _table(path, content, "columns").items():
        if not isinstance(field, str):
            raise ScplearnError(f"{path.name}: column {heading!r} must map to a field name (or \"\" to leave it out)")
        columns[_heading(heading)] = field.strip()
    spellings = {}
    for field, table in _table(path, content, "values").items():
        if not isinstance(table, dict):
            raise ScplearnError(f"{path.name}: [values.{field}] must be a table of spellings and values")
        spellings[field] = {values.slug(key): value for key, value in table.items()}
    header_row = content.get("header_row")
    if header_row is not None and (not isinstance(header_row, int) or isinstance(header_row, bool) or header_row < 1):
        raise ScplearnError(f"{path.name}: header_row must be a row number, 1 or more")
    sheet = content.get("sheet")
    return Mapping(
        path=path, records=tuple(records), columns=columns, values=spellings,
        fixed=dict(_table(path, content, "fixed")), header_row=header_row,
        sheet=None if sheet is None else str(sheet),
    )


def from_options(options: dict) -> Mapping:
    """The mapping named by the ``mapping`` option (a path or a :class:`Mapping`), or an empty one."""
    given = options.get("mapping")
    if given is None:
        return EMPTY
    if isinstance(given, Mapping):
        return given
    return load(given)
