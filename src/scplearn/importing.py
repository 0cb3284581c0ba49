"""Importing files into a store: all or nothing, idempotent, with a full report.

Every file of one call is read and validated in one transaction. If any row is
bad, the transaction is rolled back and nothing is written (unless
``skip_invalid`` is set, in which case the good rows are written and the bad
ones still reported; a row with any bad value writes no record at all). A
problem with a whole file (no email column, no session, unreadable) fails the
import even with ``skip_invalid``, and so does a file or folder with nothing to
import. A file whose exact bytes were imported before is skipped (unless
``force``). Each imported file is recorded in the ``imports`` ledger, and what
it wrote in the journal that lets ``scplearn imports undo`` take it back.

Problems are kept in bounded memory and told once per kind
(:mod:`scplearn.issuelog`), however many rows share them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable, Iterable

import attrs

from . import journal, model, plugins
from .errors import ScplearnError
from .importers import Batch, Issue, Omitted, Parsed, RowsRead, UnreadableFile, tables, workbooks
from .issuelog import IssueLog
from .results import ledger
from .store import now
from .writer import ORDER, Writer, row_keys


@attrs.define
class FileReport:
    """What one file gave: rows read, records added and changed, rows superseded, left out and rejected."""

    path: Path
    importer: str | None = None
    rows: int = 0
    rejected: int = 0
    superseded: int = 0
    left_out: int = 0
    added: dict = attrs.field(factory=dict)
    changed: dict = attrs.field(factory=dict)
    skipped: str | None = None
    import_id: int | None = None
    created: list[tuple[str, str]] = attrs.field(factory=list)  # ("create" or "make", what): courses, sessions, agencies

    @property
    def written(self) -> int:
        return sum(self.added.values()) + sum(self.changed.values())


@attrs.define
class ImportReport:
    """What an import did (or, after a dry run or a failure, would have done).

    ``problems`` are the rows (or files) that could not be imported; ``notices``
    the rows left out on purpose, worth a look (a survey answered by someone on
    no register, staff in an attendance report). Both are :class:`IssueLog` s.
    """

    files: list[FileReport] = attrs.field(factory=list)
    problems: IssueLog = attrs.field(factory=IssueLog)
    notices: IssueLog = attrs.field(factory=IssueLog)
    fatal: bool = False
    written: bool = False
    dry_run: bool = False

    @property
    def issues(self) -> list[Issue]:
        """The first problems, word for word (all of them unless there are hundreds)."""
        return self.problems.issues

    @property
    def ok(self) -> bool:
        return not self.problems

    def totals(self, which: str) -> dict[str, int]:
        result = {}
        for report in self.files:
            for table, number in getattr(report, which).items():
                result[table] = result.get(table, 0) + number
        return {table: result[table] for table in ORDER if table in result}

    def summary(self) -> str:
        """A line per file: rows read, records written, superseded and left out, then what was added and changed."""
        done = self.written and not self.dry_run
        lines = []
        for report in self.files:
            if report.skipped:
                lines.append(f"{report.path.name}: skipped, {report.skipped}")
                continue
            written = f"{report.written} record{'' if report.written == 1 else 's'} {'written' if done else 'to write'}"
            line = (f"{report.path.name} ({report.importer}): {report.rows} row{'' if report.rows == 1 else 's'} read, "
                    f"{written}, {report.superseded} superseded, {report.left_out} left out")
            added = ", ".join(f"{n} {t}" for t, n in report.added.items() if n)
            changed = ", ".join(f"{n} {t}" for t, n in report.changed.items() if n)
            if added:
                line += f"; {'added' if done else 'would add'} {added}"
            if changed:
                line += f"; {'changed' if done else 'would change'} {changed}"
            if report.rejected:
                line += f"; rejected {report.rejected}"
            if report.import_id is not None and done:
                line += f" (import {report.import_id})"
            lines.append(line)
            lines.extend(f"  {(VERBS if done else WOULD)[verb]} {what}" for verb, what in report.created)
        return "\n".join(lines)


class ImportFailed(ScplearnError):
    """An import found bad rows (or a file it could not import) and wrote nothing."""

    def __init__(self, report: ImportReport):
        self.report = report
        count = len(report.problems)
        super().__init__(
            f"{count:,} problem{'s' if count != 1 else ''} found; nothing was imported:\n"
            + "\n".join(report.problems.lines())
        )


IMPORT_CACHE_KIB = 32 * 1024
"""SQLite's page cache while importing (its default is 2 MB). Each record written
looks up its delegate's key in two indexes, and pseudonyms are random: with the
larger cache most of those pages are found in memory: a 1,000,000-record import
is about 10 % faster, for a peak some 60 MB higher (the cache and its bookkeeping)."""


class _RollBack(Exception):
    """Raised inside the import's transaction to undo it: a dry run, or bad rows."""


def expand(paths: Iterable) -> list[Path]:
    """Files named directly, plus the table files anywhere inside any folder named.

    Hidden files and Excel's lock files (``~$name.xlsx``) are passed over. A
    folder holding no table file at all is an error, not an empty import.
    """
    files = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in tables.TABLE_SUFFIXES
                and not any(part.startswith((".", "~$")) for part in p.relative_to(path).parts)
            )
            if not found:
                raise ScplearnError(f"{path}: no file to import in this folder or the folders inside it "
                                    f"(looked for {', '.join(tables.TABLE_SUFFIXES)})")
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise ScplearnError(f"{path}: no such file or directory")
    return files


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def choose_importer(path: Path, format: str, importers: dict, options: dict | None = None):
    """The importer for a file: the one named (after checking it can read the file), or the first that recognises it."""
    if path.suffix.lower() in workbooks.SUFFIXES:
        try:
            tables.table(path)  # the zip checked, then its first rows parsed: a hostile workbook stops here
        except UnreadableFile as error:
            raise ScplearnError(str(error)) from None
    if format != "auto":
        if format not in importers:
            raise ScplearnError(f"unknown format {format!r}; installed: {', '.join(sorted(importers))}")
        importer = importers[format]
        check = getattr(importer, "check", None)
        problem = check(path, options or {}) if callable(check) else None
        if problem:
            raise ScplearnError(f"{path.name}: --format {format}: {problem}")
        return importer
    for importer in importers.values():
        if importer.recognises(path):
            return importer
    raise ScplearnError(
        f"{path}: no importer recognises this file; name the format with --format "
        f"(one of {', '.join(sorted(importers))}) or see docs/formats.md"
    )


def _dependency_rank(path: Path, importer) -> int:
    rank = getattr(importer, "rank", None)
    if callable(rank):
        return rank(path)
    return len(ORDER)


def import_files(
    store,
    paths,
    *,
    format: str = "auto",
    dry_run: bool = False,
    skip_invalid: bool = False,
    force: bool = False,
    options: dict | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import ``paths`` (files or directories) into ``store`` in one transaction.

    Raises :class:`ImportFailed` (having written nothing) when any row is bad
    and ``skip_invalid`` is false, or when a file has a problem as a whole or
    gives nothing to import. With ``dry_run`` nothing is written and the
    report says what would have been added, changed and rejected. ``force``
    imports again a file whose exact bytes were imported before.
    """
    options = dict(options or {})
    options.setdefault("store", store)  # importers that look up sessions, bookings or names need it
    importers = plugins.get_importers()
    chosen = [(path, choose_importer(path, format, importers, options)) for path in expand(paths)]
    chosen.sort(key=lambda pair: _dependency_rank(*pair))
    report = ImportReport(dry_run=dry_run)
    store.pseudonymiser  # refuse early if the key is missing or wrong
    cache_size = store.db.execute("PRAGMA cache_size").fetchone()[0]
    store.db.execute(f"PRAGMA cache_size = {-IMPORT_CACHE_KIB}")
    # The writer checks every reference of every row itself (naming the file, row and
    # value of a bad one) and creates the delegates rows refer to, so SQLite checking
    # the same references again would only double the import's index lookups.
    store.db.execute("PRAGMA foreign_keys = OFF")
    try:
        with store.db.atomic(), store.private.atomic():
            _run(store, chosen, options, report, progress, force)
            if dry_run or report.fatal or (report.problems and not skip_invalid):
                raise _RollBack
    except _RollBack:
        pass
    else:
        report.written = True
    finally:
        store.db.execute("PRAGMA foreign_keys = ON")
        store.db.execute(f"PRAGMA cache_size = {cache_size}")
    if report.fatal or (report.problems and not skip_invalid):
        raise ImportFailed(report)
    return report


def _run(store, chosen, options, report: ImportReport, progress, force: bool) -> None:
    writer = Writer(store)
    imported = {row["sha256"]: row for row in store.db["imports"].rows_where(order_by="id")}
    seen_in_call = set()
    for path, importer in chosen:
        file_report = FileReport(path=path, importer=importer.name)
        report.files.append(file_report)
        digest = sha256_of(path)
        if digest in imported and not force:
            file_report.skipped = (f"already imported on {imported[digest]['imported_at']} (import {imported[digest]['id']}; "
                                   "--force imports it again)")
            continue
        if digest in seen_in_call:
            file_report.skipped = "the same file is named twice in this import"
            continue
        seen_in_call.add(digest)
        file_report.import_id = store.db.execute(
            "INSERT INTO imports (filename, sha256, importer, imported_at) VALUES (?, ?, ?, ?)",
            [path.name, digest, importer.name, now()],
        ).lastrowid
        marks = journal.mark(store.db)
        writer.import_id = file_report.import_id
        before = _counts(store)
        _read_file(path, importer, options, writer, report, file_report, progress)
        writer.flush()
        journal.note_inserts(store.db, file_report.import_id, marks)
        after = _counts(store)
        file_report.added = {t: after[t] - before[t] for t in ORDER if after[t] != before[t]}
        file_report.changed = {
            table: number - file_report.added.get(table, 0)
            for table, number in writer.take_changes().items()
            if number > file_report.added.get(table, 0)
        }
        if not file_report.rows and not file_report.rejected and not report.fatal:
            _fail(report, Issue(path.name, None, None, None,
                                "no rows of data to import (only headings, or an empty file)"))
        store.db.execute(
            "UPDATE imports SET rows = ?, added = ?, changed = ?, rejected = ? WHERE id = ?",
            [file_report.rows, sum(file_report.added.values()), sum(file_report.changed.values()),
             file_report.rejected, file_report.import_id],
        )
        ledger.record(store.db, file_report.import_id, _years_touched(writer, file_report))
    writer.refresh()


VERBS = {"create": "created", "make": "made"}
WOULD = {"create": "would create", "make": "would make"}


def _describe(record, writer) -> tuple[str, str]:
    """What a course, session or agency a file named does to the store: ``("create", "course NRR01: ...")``."""
    if isinstance(record, model.Course):
        return "create", f"course {record.code}: {record.title}"
    if isinstance(record, model.Session):
        mode = model.MODES[record.mode].lower()
        if writer.holds("sessions", record.code):
            return "make", f"session {record.code} {mode}, as the file shows"
        return "create", f"session {record.code} on {record.date.isoformat()} ({mode})"
    if isinstance(record, model.Agency):
        return "create", f"agency {record.name!r}, unverified, sector {record.sector} (see scplearn agencies --unverified)"
    return "create", type(record).__name__.lower()


def _fail(report: ImportReport, issue: Issue) -> None:
    """A problem with a whole file: the import fails even with ``skip_invalid``."""
    report.fatal = True
    report.problems.add(issue)


def _read_file(path, importer, options, writer, report: ImportReport, file_report: FileReport, progress) -> None:
    """Read one file, checking and queueing its records a row at a time.

    A row's records (a delegate, a booking, an evaluation) are queued together
    only if none of them refers to something unknown and the row had no
    problem: a row with any bad value gives no record at all.
    """
    filename = path.name
    rows_read, bad_rows, omitted = RowNumbers(), RowNumbers(), RowNumbers()
    batched, counted, records = 0, None, 0
    group: list[Parsed] = []

    def queue_group():
        if not group:
            return
        row = group[0].row
        if row is not None and bad_rows.has(row):
            group.clear()
            return
        same_row = row_keys(group)
        problems = [problem for parsed in group for problem in writer.check(parsed, filename, same_row)]
        if problems:
            report.problems.extend(problems)
            bad_rows.add(row)
        else:
            for parsed in group:
                writer.queue(parsed)
        group.clear()

    # An importer may offer its valid rows in batches made a column at a time.
    read = getattr(importer, "read_batches", None) or importer.read
    try:
        for item in read(path, options):
            if isinstance(item, Parsed):
                if group and (item.row != group[0].row or item.row is None):
                    queue_group()  # records of no row (a course or session a file names) go one by one
                if item.row is None:
                    file_report.created.append(_describe(item.record, writer))
                group.append(item)
                rows_read.add(item.row)
                records += 1
                if progress and records % 1000 == 0:
                    progress(1000)
                continue
            queue_group()
            if isinstance(item, Batch):
                problems = writer.add_batch(item, filename)
                for issue in item.issues:
                    bad_rows.add(issue.row)
                    rows_read.add(issue.row)
                for issue in problems:
                    bad_rows.add(issue.row)
                report.problems.extend(sorted([*item.issues, *problems], key=_row_of) if problems else item.issues)
                batched += len(item.rows)  # rows no other item names
                if progress and item.rows:
                    progress(len(item.rows))
            elif isinstance(item, Issue):
                if item.row is None or item.whole_file:
                    _fail(report, item)
                else:
                    report.problems.add(item)
                    bad_rows.add(item.row)
                    rows_read.add(item.row)
            elif isinstance(item, Omitted):
                rows_read.add(item.row)
                if item.superseded:
                    file_report.superseded += 1
                else:
                    omitted.add(item.row)
                    report.notices.add(item)
            elif isinstance(item, RowsRead):
                counted = item.count
        queue_group()
    except UnreadableFile as error:
        _fail(report, Issue(filename, None, None, None, str(error).split(": ", 1)[-1]))
        return
    file_report.rows = max(counted or 0, len(rows_read) + batched)  # a row may give several records
    file_report.rejected = len(bad_rows)
    file_report.left_out = len(omitted)


class RowNumbers:
    """The distinct row numbers of a file, one bit each, so a million-row file costs 125 kB, not a set of ints.

    ``None`` (an issue about the whole file) is not a row; any other value that
    is not a whole number of zero or more is kept in an ordinary set.
    """

    def __init__(self):
        self.bits = bytearray()
        self.others: set = set()
        self.count = 0

    def add(self, row) -> None:
        if row is None:
            return
        if type(row) is not int or row < 0:
            self.others.add(row)
            return
        index, bit = row >> 3, 1 << (row & 7)
        if index >= len(self.bits):
            self.bits.extend(bytes(max(index + 1 - len(self.bits), len(self.bits))))
        if not self.bits[index] & bit:
            self.bits[index] |= bit
            self.count += 1

    def __len__(self) -> int:
        return self.count + len(self.others)

    def has(self, row) -> bool:
        if type(row) is not int or row < 0:
            return row in self.others
        index = row >> 3
        return index < len(self.bits) and bool(self.bits[index] & (1 << (row & 7)))


def _row_of(issue: Issue) -> int:
    return issue.row


EVERY_YEAR_READS = ("partnerships", "agencies", "courses", "delegates", "resources")
"""Tables every year's figures read: a change to one of their rows (an agency's workforce or sector, a
delegate's agency, a course's priority, a resource's course) can change any year's results."""


def _years_touched(writer: Writer, file_report: FileReport):
    """The years whose results a file's writes can change: ``None`` for every year."""
    years = writer.take_years()
    if "agencies" in file_report.added or any(table in file_report.changed for table in EVERY_YEAR_READS):
        return None
    if not file_report.added and not file_report.changed:
        return set()
    return years


def _counts(store) -> dict[str, int]:
    return {table: store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in ORDER}
