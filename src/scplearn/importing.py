"""Importing files into a store: all or nothing, idempotent, with a full report.

Every file of one call is read and validated in one transaction. If any row is
bad, the transaction is rolled back and nothing is written (unless
``skip_invalid`` is set, in which case the good rows are written and the bad
ones still reported). A file whose exact bytes were imported before is
skipped. Each imported file is recorded in the ``imports`` ledger.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable, Iterable

import attrs

from . import plugins
from .errors import ScplearnError
from .importers import Issue, tables
from .importers.canonical import Batch
from .results import ledger
from .store import now
from .writer import ORDER, Writer


@attrs.define
class FileReport:
    path: Path
    importer: str | None = None
    rows: int = 0
    rejected: int = 0
    added: dict = attrs.field(factory=dict)
    changed: dict = attrs.field(factory=dict)
    skipped: str | None = None


@attrs.define
class ImportReport:
    """What an import did (or, after a dry run or a failure, would have done)."""

    files: list[FileReport] = attrs.field(factory=list)
    issues: list[Issue] = attrs.field(factory=list)
    written: bool = False
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.issues

    def totals(self, which: str) -> dict[str, int]:
        result = {}
        for report in self.files:
            for table, number in getattr(report, which).items():
                result[table] = result.get(table, 0) + number
        return {table: result[table] for table in ORDER if table in result}

    def summary(self) -> str:
        """A few human lines: per file what was read, added, changed and rejected."""
        verb = "would add" if self.dry_run or not self.written else "added"
        lines = []
        for report in self.files:
            if report.skipped:
                lines.append(f"{report.path.name}: skipped, {report.skipped}")
                continue
            added = ", ".join(f"{n} {t}" for t, n in report.added.items() if n) or "nothing new"
            changed = ", ".join(f"{n} {t}" for t, n in report.changed.items() if n)
            line = f"{report.path.name} ({report.importer}): {report.rows} row{'' if report.rows == 1 else 's'}; {verb} {added}"
            if changed:
                line += f"; {'would change' if verb != 'added' else 'changed'} {changed}"
            if report.rejected:
                line += f"; rejected {report.rejected}"
            lines.append(line)
        return "\n".join(lines)


class ImportFailed(ScplearnError):
    """An import found bad rows and wrote nothing."""

    def __init__(self, report: ImportReport):
        self.report = report
        count = len(report.issues)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} found; nothing was imported:\n"
            + "\n".join(str(issue) for issue in report.issues)
        )


IMPORT_CACHE_KIB = 32 * 1024
"""SQLite's page cache while importing (its default is 2 MB). Each record written
looks up its delegate's key in two indexes, and pseudonyms are random: with the
larger cache most of those pages are found in memory: a 1,000,000-record import
is about 10 % faster, for a peak some 60 MB higher (the cache and its bookkeeping)."""


class _RollBack(Exception):
    """Raised inside the import's transaction to undo it: a dry run, or bad rows."""


def expand(paths: Iterable) -> list[Path]:
    """Files named directly, plus the table files inside any directory named."""
    files = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in tables.TABLE_SUFFIXES))
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


def choose_importer(path: Path, format: str, importers: dict):
    if format != "auto":
        if format not in importers:
            raise ScplearnError(f"unknown format {format!r}; installed: {', '.join(sorted(importers))}")
        return importers[format]
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
    options: dict | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import ``paths`` (files or directories) into ``store`` in one transaction.

    Raises :class:`ImportFailed` (having written nothing) when any row is bad
    and ``skip_invalid`` is false. With ``dry_run`` nothing is written and the
    report says what would have been added, changed and rejected.
    """
    options = dict(options or {})
    options.setdefault("store", store)  # importers that look up sessions, bookings or names need it
    importers = plugins.get_importers()
    chosen = [(path, choose_importer(path, format, importers)) for path in expand(paths)]
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
            _run(store, chosen, options, report, progress)
            if dry_run or (report.issues and not skip_invalid):
                raise _RollBack
    except _RollBack:
        pass
    else:
        report.written = True
    finally:
        store.db.execute("PRAGMA foreign_keys = ON")
        store.db.execute(f"PRAGMA cache_size = {cache_size}")
    if report.issues and not skip_invalid:
        raise ImportFailed(report)
    return report


def _run(store, chosen, options, report: ImportReport, progress) -> None:
    writer = Writer(store)
    imported = {row["sha256"]: row for row in store.db["imports"].rows}
    seen_in_call = set()
    for path, importer in chosen:
        file_report = FileReport(path=path, importer=importer.name)
        report.files.append(file_report)
        digest = sha256_of(path)
        if digest in imported:
            file_report.skipped = f"already imported on {imported[digest]['imported_at']}"
            continue
        if digest in seen_in_call:
            file_report.skipped = "the same file is named twice in this import"
            continue
        seen_in_call.add(digest)
        before = _counts(store)
        valid, batched, rows_read, unparsed, unreferenced = 0, 0, RowNumbers(), set(), set()
        filename = path.name
        # An importer may offer its valid rows in batches made a column at a time.
        read = getattr(importer, "read_batches", None) or importer.read
        try:
            for item in read(path, options):
                if isinstance(item, Batch):
                    problems = writer.add_batch(item, filename)
                    for issue in item.issues:
                        unparsed.add(issue.row)
                        rows_read.add(issue.row)
                    unreferenced.update(issue.row for issue in problems)
                    report.issues.extend(sorted([*item.issues, *problems], key=_row_of) if problems else item.issues)
                    batched += len(item.rows)  # rows no other item names
                    valid += len(item.rows)
                    if progress and item.rows:
                        progress(len(item.rows))
                    continue
                if isinstance(item, Issue):
                    report.issues.append(item)
                    unparsed.add(item.row)
                    rows_read.add(item.row)
                    continue
                valid += 1
                rows_read.add(item.row)
                problems = writer.add(item, filename)
                if problems:
                    report.issues.extend(problems)
                    unreferenced.add(item.row)
                if progress and valid % 1000 == 0:
                    progress(1000)
        except tables.UnreadableFile as error:
            report.issues.append(Issue(path.name, None, None, None, str(error).split(": ", 1)[-1]))
            continue
        unparsed.discard(None)
        file_report.rows = len(rows_read) + batched  # a row may give several records (a delegate and a booking)
        file_report.rejected = len(unparsed | unreferenced)
        writer.flush()
        after = _counts(store)
        file_report.added = {t: after[t] - before[t] for t in ORDER if after[t] != before[t]}
        file_report.changed = {
            table: number - file_report.added.get(table, 0)
            for table, number in writer.take_changes().items()
            if number > file_report.added.get(table, 0)
        }
        import_id = store.db["imports"].insert({
            "filename": path.name, "sha256": digest, "importer": importer.name,
            "rows": file_report.rows, "added": sum(file_report.added.values()),
            "changed": sum(file_report.changed.values()),
            "rejected": file_report.rejected, "imported_at": now(),
        }).last_pk
        ledger.record(store.db, import_id, _years_touched(writer, file_report))
    writer.refresh()


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


def _row_of(issue: Issue) -> int:
    return issue.row


EVERY_YEAR_READS = ("partnerships", "agencies", "courses", "delegates")
"""Tables every year's figures read: a change to one of their rows (an agency's workforce or sector, a
delegate's agency, a course's priority) can change any year's results."""


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
