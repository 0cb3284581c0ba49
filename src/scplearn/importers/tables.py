"""Reading rows from CSV and XLSX files the way people save them.

CSV files may come in UTF-8 (with or without a byte-order mark), UTF-16 (as
Microsoft Teams writes them) or Windows-1252, separated by commas, tabs or
semicolons (as Excel saves them where the comma is the decimal mark). Rows
are numbered as a spreadsheet shows them. Blank rows are skipped but still
counted, so row numbers match the file, and title rows above the headings
are found and stepped over (:func:`table`).

Workbooks are checked before they are opened (:mod:`scplearn.importers.workbooks`):
a legacy ``.xls`` is refused, and so is a zip bomb or hostile XML.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from pathlib import Path
from typing import Iterator

from . import UnreadableFile, workbooks

TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xls")
"""What a folder is searched for; a ``.xls`` is found so that it is refused with a reason, not passed over."""


def detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _looks_like_utf16(head):
        return "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        # A multi-byte character cut off by the end of the sample is still UTF-8.
        if error.start >= len(head) - 3:
            return "utf-8"
        return "cp1252"


def _looks_like_utf16(head: bytes) -> bool:
    """UTF-16 text saved without a byte-order mark: mostly ASCII, so every other byte is NUL."""
    sample = head[: len(head) // 2 * 2]
    if len(sample) < 4:
        return False
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    return max(odd, even) >= 0.9 * (len(sample) // 2) and min(odd, even) == 0


def open_text(path: Path) -> io.TextIOBase:
    """Open a text file in the encoding its bytes show."""
    with open(path, "rb") as handle:
        head = handle.read(65536)
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not _looks_like_utf16(head):
        raise UnreadableFile(f"{path.name}: not a text file (it contains NUL bytes)")
    return open(path, encoding=detect_encoding(head), newline="", errors="strict")


def read_lines(path: Path) -> list[str]:
    """All lines of a small text file (Teams reports are read whole to find their sections)."""
    try:
        with open_text(path) as handle:
            return handle.read().splitlines()
    except UnicodeDecodeError as error:
        raise UnreadableFile(f"{path.name}: cannot be decoded as text ({error.reason})") from None


def sniff_delimiter(line: str) -> str:
    """Tab, semicolon or comma: whichever the header line holds most of (comma on a tie)."""
    counts = {",": line.count(","), "\t": line.count("\t"), ";": line.count(";")}
    best = max(counts, key=lambda delimiter: (counts[delimiter], delimiter == ","))
    return best if counts[best] else ","


def raw_rows(path: Path) -> Iterator[tuple[int, list]]:
    """Every non-blank row as a list of cell values, with its row number."""
    path = Path(path)
    if path.suffix.lower() in workbooks.SUFFIXES:
        yield from workbooks.rows(path)
        return
    csv.field_size_limit(16 * 1024 * 1024)
    try:
        with open_text(path) as handle:
            first = handle.readline()
            handle.seek(0)
            reader = csv.reader(handle, delimiter=sniff_delimiter(first))
            for number, cells in enumerate(reader, start=1):
                if "".join(cells).strip():  # some cell is not blank
                    yield number, cells
    except UnicodeDecodeError as error:
        raise UnreadableFile(f"{path.name}: cannot be decoded as text ({error.reason})") from None
    except csv.Error as error:
        raise UnreadableFile(f"{path.name}: not a readable CSV file ({error})") from None


def header_key(name) -> str:
    """How column headings are compared: trimmed, case-folded, single spaces."""
    return " ".join(str(name).replace("\ufeff", "").split()).casefold()


def filled(cells) -> int:
    return sum(1 for cell in cells if str(cell).strip())


HEADER_SEARCH = 10
"""How many non-blank rows at the top of a file are looked at for its headings."""


def table(path: Path, rows=None) -> tuple[int | None, list[str], Iterator[tuple[int, list]]]:
    """The heading row's number, its headings and the rows after it.

    Title rows above the headings (a report's name, "Register: September
    2024", a blank-but-for-one-cell note) are stepped over: the headings are
    the first row filled at least half as wide as the widest of the first
    few rows. ``(None, [], empty)`` for a file with no rows.
    """
    rows = iter(raw_rows(path) if rows is None else rows)
    top = list(itertools.islice(rows, HEADER_SEARCH))
    if not top:
        return None, [], iter(())
    widest = max(filled(cells) for _, cells in top)
    needed = min(widest, max(2, -(-widest // 2)))
    at = next(index for index, (_, cells) in enumerate(top) if filled(cells) >= needed)
    number, header = top[at]
    header = [str(cell).replace("\ufeff", "").strip() for cell in header]
    return number, header, itertools.chain(top[at + 1:], rows)


def read_dicts(path: Path) -> Iterator[tuple[int, dict, list[str]]]:
    """Rows as dicts keyed by their header, with the header itself.

    A row with more cells than the header yields the extra cells under ``None``
    so the importer can report it.
    """
    _, header, rows = table(path)
    for number, cells in rows:
        row = dict(zip(header, cells))
        if len(cells) > len(header):
            extra = [cell for cell in cells[len(header):] if str(cell).strip()]
            if extra:
                row[None] = extra
        yield number, row, header


def head(path: Path) -> list[str]:
    """The header row of a table file, or an empty list."""
    try:
        return table(path)[1]
    except (UnreadableFile, OSError):
        return []
