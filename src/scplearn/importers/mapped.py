"""Any CSV or XLSX through a mapping file: the hand-kept spreadsheet case.

The mapping (TOML or YAML, see :mod:`scplearn.importers.mapping`) says which
kinds of record each row holds (``records = ["delegates", "bookings"]``),
which column is which field, how values are spelled and which values are the
same for every row. Give it with ``--mapping FILE --format mapped``, or save
it beside the data file as ``NAME.mapping.toml`` (or ``.yaml``/``.yml``) and
the file is recognised on its own.

A row holding a session's date instead of its code is matched to the session
of the course (a ``course`` column, a fixed ``course`` or ``--course``) on that
date: map the date column to ``session_date``. ``--session`` gives the session
of every row when no column or fixed value does. Organisations are matched to
agencies ignoring case and punctuation. A row with any bad value gives no
record at all; when two rows give the same record, the later one wins. A row
giving a resource and its access (or a follow-up about it) names the resource
once: a column mapped to ``code`` or to ``resource`` gives both.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from .. import model, values
from ..errors import ScplearnError
from ..hookspecs import hookimpl
from ..schema import TABLE_NAMES
from . import RECORD_KINDS, Issue, Parsed, clock, lookup, mapping, tables, workbooks

MAPPING_SUFFIXES = (".mapping.toml", ".mapping.yaml", ".mapping.yml")
_EXTRA_FIELDS = ("session_date", "course", "first_name", "last_name", "sector")
"""Fields a mapping may name beyond the records': a session's day and course, a name in two parts, an agency's sector."""


def sibling_mapping(path: Path) -> Path | None:
    """The mapping file saved beside a data file, if any: ``register.xlsx`` → ``register.mapping.toml``."""
    path = Path(path)
    for suffix in MAPPING_SUFFIXES:
        candidate = path.with_name(path.stem + suffix)
        if candidate.exists():
            return candidate
    return None


def record_types(given: mapping.Mapping) -> list:
    if not given.records:
        raise ScplearnError(f"{given.name}: say which records each row holds, e.g. records = [\"delegates\", \"bookings\"]; "
                            f"one or more of: {', '.join(TABLE_NAMES.values())}")
    found = []
    for name in given.records:
        record_type = RECORD_KINDS.get(str(name).strip().casefold().replace(" ", "_"))
        if record_type is None:
            raise ScplearnError(f"{given.name}: unknown record kind {name!r}; one of: {', '.join(TABLE_NAMES.values())}")
        found.append(record_type)
    return sorted(set(found), key=model.RECORD_TYPES.index)


def _mapping_for(path: Path, options: dict) -> mapping.Mapping | None:
    if options.get("mapping") is not None:
        return mapping.from_options(options)
    sibling = sibling_mapping(path)
    return mapping.load(sibling) if sibling else None


def _rows(path: Path, given: mapping.Mapping):
    if given.sheet is None or path.suffix.lower() not in workbooks.SUFFIXES:
        return tables.raw_rows(path)
    return workbooks.rows(path, given.sheet)


class MappedImporter:
    name = "mapped"
    description = ("any CSV or XLSX through a mapping file (TOML or YAML): give --mapping FILE --format mapped, "
                   "or save it beside the data as NAME.mapping.toml")

    def recognises(self, path: Path) -> bool:
        path = Path(path)
        return path.suffix.lower() in tables.TABLE_SUFFIXES and sibling_mapping(path) is not None

    def rank(self, path: Path) -> int:
        """After every kind of record the file refers to (when its mapping can be read)."""
        try:
            sibling = sibling_mapping(path)
            kinds = record_types(mapping.load(sibling)) if sibling else []
        except ScplearnError:
            kinds = []
        return max((model.RECORD_TYPES.index(kind) for kind in kinds), default=len(model.RECORD_TYPES))

    def read(self, path: Path, options: dict):
        path = Path(path)
        given = _mapping_for(path, options)
        if given is None:
            yield Issue(path.name, None, None, None,
                        f"no mapping: give --mapping FILE, or save one beside the file as {path.stem}.mapping.toml")
            return
        yield from read_mapped(path, given, options)


def read_mapped(path: Path, given: mapping.Mapping, options: dict):
    """Records and issues of a table file read through a mapping."""
    kinds = record_types(given)
    allowed = {field.name for kind in kinds for field in attrs.fields(kind)} | set(_EXTRA_FIELDS)
    given.check_fields(allowed, " and ".join(TABLE_NAMES[kind] for kind in kinds))
    reader = _Reader(path, given, kinds, options)
    rows = _rows(path, given)
    if given.header_row is None:
        number, header, rows = tables.table(path, rows)
        if number is None:
            return
        problems = reader.start(header, number)
        if problems:
            yield from problems
            return
    for number, cells in rows:
        if number < (given.header_row or 0):
            continue
        if reader.header is None:
            if number != given.header_row:
                yield Issue(path.name, given.header_row, None, None, "the header row named in the mapping is blank")
                return
            problems = reader.start(cells, number)
            if problems:
                yield from problems
                return
            continue
        found = list(reader.read_row(number, cells))
        yield from reader.lookup.catalogue.take()
        yield from found


class _Reader:
    def __init__(self, path, given, kinds, options):
        self.path, self.mapping, self.kinds, self.options = path, given, kinds, options
        self.lookup = lookup.Lookup(options.get("store"))
        self.header = None
        self.columns = {}  # field -> (index, heading)
        self.session = None

    def start(self, cells, number: int) -> list[Issue]:
        self.header = [str(cell).replace("\ufeff", "").strip() for cell in cells]
        problems = []
        keys = {tables.header_key(heading) for heading in self.header}
        for key, field in self.mapping.columns.items():
            if field and key not in keys:
                problems.append(Issue(self.path.name, number, key, None,
                                      f"column named in {self.mapping.name} is not in the file", whole_file=True))
        for index, heading in enumerate(self.header):
            field = self.mapping.field_of(heading)
            if field:
                self.columns.setdefault(field, (index, heading))
        needs_session = any("session" in attrs.fields_dict(kind) and kind is not model.Feedback for kind in self.kinds)
        given_session = "session" in self.columns or "session" in self.mapping.fixed or "session_date" in self.columns
        if needs_session and not given_session:
            self.session, problem = lookup.session_from_options(self.lookup, self.options)
            if problem or self.session is None:
                problems.append(Issue(self.path.name, None, None, self.options.get("session"), problem or (
                    "no session column: map one (session or session_date), fix one under [fixed], "
                    "or give --session CODE / --course CODE --date DATE")))
        return problems

    def read_row(self, number, cells):
        row, headings = {}, {}
        for field, (index, heading) in self.columns.items():
            raw = cells[index] if index < len(cells) else None
            row[field] = self.mapping.translate(field, raw)
            headings[field] = heading
        for field, value in self.mapping.fixed.items():
            if values.is_missing(row.get(field)):
                row[field] = value
                headings.setdefault(field, f"[fixed] {field}")
        if values.is_missing(row.get("name")) and not (values.is_missing(row.get("first_name"))
                                                       and values.is_missing(row.get("last_name"))):
            row["name"] = " ".join(part for part in map(values.text, (row.get("first_name"), row.get("last_name"))) if part)
            headings["name"] = headings.get("first_name") or headings.get("last_name")
        if model.Resource in self.kinds:  # a resource and its access or follow-up: the resource is named once
            for given, other in (("code", "resource"), ("resource", "code")):
                if values.is_missing(row.get(other)) and not values.is_missing(row.get(given)):
                    row[other], headings[other] = row[given], headings.get(given, given)
        problems = []
        if self.session is not None and values.is_missing(row.get("session")):
            row["session"], headings["session"] = self.session, "--session"
        if not values.is_missing(row.get("session_date")) and values.is_missing(row.get("session")):
            problem = self.session_by_date(row)
            if problem:
                problems.append(Issue(self.path.name, number, headings.get("session_date"), row["session_date"], problem))
        if not values.is_missing(row.get("agency")) and model.Delegate in self.kinds:
            row["agency"], problem = self.lookup.catalogue.agency(row["agency"], row.get("sector"))
            if problem:
                problems.append(Issue(self.path.name, number, headings.get("agency"), row["agency"], problem))
        records = []
        for kind in self.kinds:
            record, field_problems = model.build(kind, row)
            for problem in field_problems:
                issue = Issue(self.path.name, number, headings.get(problem.field, problem.field),
                              problem.value, problem.reason)
                if issue not in problems and not (problem.field == "session" and problems):
                    problems.append(issue)  # a value shared by two records is reported once
            if record is not None:
                records.append(record)
        if problems:
            yield from problems
            return
        for record in records:
            yield Parsed(number, record, headings)

    def session_by_date(self, row) -> str | None:
        """Find (or create) the session of the row's course on the row's day; the problem, if any."""
        course = self.options.get("course")  # what the coordinator says wins over a column's spelling of it
        if values.is_missing(course):
            course = row.get("course")
        if values.is_missing(course):
            return "a session date needs its course: map a course column, fix course under [fixed], or give --course"
        catalogue = self.lookup.catalogue
        code, problem = catalogue.course(course)
        if code is None:
            return f"course {course}: {problem}"
        try:
            label = clock.DayLabel(values.date(row["session_date"]))
        except ValueError as error:
            label = clock.day_label(row["session_date"])
            if label is None:
                return str(error)
        row["session"], problem = catalogue.session(code, label.day, part=label.part)
        return problem


@hookimpl
def register_importers(register):
    register(MappedImporter())
