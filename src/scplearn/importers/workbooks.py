"""Opening Excel workbooks safely: hostile files end in one clear line, never a traceback.

An ``.xlsx`` is a zip of XML files. Before openpyxl reads one, the zip's
directory is checked: the members may not unpack to more than
:data:`MAX_UNPACKED` bytes in all, nor any large member to more than
:data:`MAX_RATIO` times its packed size (a zip bomb unpacks a megabyte into
gigabytes). The XML is parsed by ``defusedxml`` (openpyxl uses it when it is
installed), which refuses entity declarations and external references, so an
entity bomb or an external entity fails at once. Malformed XML, a damaged zip
or an encrypted workbook is reported as unreadable. A legacy ``.xls`` is
refused with the way out: save it as ``.xlsx``.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Iterator

from . import UnreadableFile

SUFFIXES = (".xlsx", ".xls")
MAX_UNPACKED = 256 * 1024 * 1024
"""Bytes a workbook may unpack to: far above any register or survey export."""
MAX_RATIO = 200
"""How many times its packed size a member above :data:`RATIO_FROM` bytes may unpack to."""
RATIO_FROM = 1024 * 1024
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .xls files and of encrypted .xlsx ones


def check(path: Path) -> None:
    """Raise :class:`UnreadableFile` unless ``path`` looks like a workbook openpyxl may open safely."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            magic = handle.read(8)
    except OSError as error:
        raise UnreadableFile(f"{path.name}: cannot be read ({error.strerror})") from None
    if path.suffix.lower() == ".xls" or magic == _OLE2:
        raise UnreadableFile(
            f"{path.name}: an Excel 97-2003 workbook (.xls) or a password-protected one, which scplearn cannot read; "
            "open it in Excel and save it as .xlsx (Excel Workbook), without a password"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UnreadableFile(f"{path.name}: not a readable Excel workbook ({error})") from None
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED:
        raise UnreadableFile(
            f"{path.name}: refused: the workbook would unpack to {unpacked:,} bytes, more than the "
            f"{MAX_UNPACKED:,} scplearn allows (a zip bomb, or far larger than any register)"
        )
    for member in members:
        if member.file_size > RATIO_FROM and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise UnreadableFile(
                f"{path.name}: refused: its part {member.filename} would unpack to "
                f"{member.file_size // max(member.compress_size, 1):,} times its packed size (a zip bomb)"
            )


def open_workbook(path: Path):
    """An openpyxl workbook, read only, values not formulas, after :func:`check`."""
    import openpyxl

    check(path)
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl lets zip, XML and its own errors through as they come
        raise UnreadableFile(f"{path.name}: not a readable Excel workbook ({_reason(error)})") from None


def rows(path: Path, sheet: str | None = None) -> Iterator[tuple[int, list]]:
    """Every non-blank row of a sheet (the first unless named) as cell values, with its row number."""
    path = Path(path)
    workbook = open_workbook(path)
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise UnreadableFile(f"{path.name}: no sheet {sheet!r} (sheets: {', '.join(workbook.sheetnames)})")
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        try:
            for number, cells in enumerate(worksheet.iter_rows(values_only=True), start=1):
                cells = ["" if cell is None else cell for cell in cells]
                if any(str(cell).strip() for cell in cells):
                    yield number, cells
        except UnreadableFile:
            raise
        except Exception as error:  # the sheet's XML is read lazily, row by row
            raise UnreadableFile(f"{path.name}: not a readable Excel workbook ({_reason(error)})") from None
    finally:
        workbook.close()


def _reason(error: Exception) -> str:
    """One line saying what was wrong, without the traceback (openpyxl wraps the cause: it is looked for)."""
    while error.__cause__ or error.__context__:
        error = error.__cause__ or error.__context__
    name = type(error).__name__
    if name in ("EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden"):
        return "its XML declares entities or refers to outside files, which scplearn refuses"
    if name in ("ParseError", "ExpatError") or isinstance(error, SyntaxError):
        return f"malformed XML: {error}"
    text = str(error).splitlines()[0] if str(error) else name
    return text[:200]
