"""Hostile and huge inputs: one clear line naming the file and the reason, in bounded time and memory."""

import io
import time
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner

import scplearn
from scplearn import issuelog
from scplearn.cli import cli
from scplearn.importers import workbooks

SHEET = "xl/worksheets/sheet1.xml"


def workbook_with_sheet(path, sheet_xml: bytes):
    """A real workbook whose first sheet's XML is replaced by ``sheet_xml``."""
    buffer = io.BytesIO()
    book = openpyxl.Workbook()
    book.active.append(["session", "email", "status"])
    book.active.append(["S1", "a@example.org", "booked"])
    book.save(buffer)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, sheet_xml if item.filename == SHEET else source.read(item))
    return path


ROW = b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
ENTITY_BOMB = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
               + b"".join(b'<!ENTITY lol%d "%s">' % (n, b"".join(b"&lol%s;" % (b"" if n == 1 else str(n - 1).encode())
                                                                   for _ in range(10))) for n in range(1, 10))
               + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
               + ROW + b"</sheetData></worksheet>")
EXTERNAL = (b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            b'<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>')
MALFORMED = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c'


@pytest.mark.parametrize("sheet, reason", [
    (MALFORMED, "malformed XML"),
    (ENTITY_BOMB, "declares entities or refers to outside files"),
    (EXTERNAL, "declares entities or refers to outside files"),
], ids=["malformed", "entity-bomb", "external-entity"])
def test_hostile_workbook_xml_is_one_line_naming_file_and_reason(tmp_path, sheet, reason):
    path = workbook_with_sheet(tmp_path / "hostile.xlsx", sheet)
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["import", str(tmp_path / "t.db"), str(path)])
    assert time.monotonic() - started < 10
    assert result.exit_code == 1 and "Traceback" not in result.output
    [line] = result.output.strip().splitlines()
    assert line.startswith("Error: hostile.xlsx: ") and reason in line
    assert "root:" not in result.output  # nothing of /etc/passwd


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(SHEET, b"\0" * (20 * 1024 * 1024))  # 20 MB of zeros pack into about 20 kB
    assert path.stat().st_size < 100_000
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["import", str(tmp_path / "t.db"), str(path)])
    assert time.monotonic() - started < 5
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "bomb.xlsx: refused: its part xl/worksheets/sheet1.xml would unpack to" in result.output
    assert "times its packed size (a zip bomb)" in result.output


def test_a_workbook_unpacking_past_the_cap_is_refused(tmp_path, monkeypatch):
    path = workbook_with_sheet(tmp_path / "big.xlsx", b"<worksheet/>" + b" " * 50_000)
    monkeypatch.setattr(workbooks, "MAX_UNPACKED", 40_000)
    with pytest.raises(scplearn.ScplearnError, match="big.xlsx: refused: the workbook would unpack to"):
        scplearn.import_files(scplearn.open(tmp_path / "t.db"), [path])


@pytest.mark.parametrize("name, content, reason", [
    ("register.xls", b"PK\x03\x04", "register.xls: an Excel 97-2003 workbook .* save it as .xlsx"),
    ("register.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "or a password-protected one"),
    ("register.xlsx", b"PK\x03\x04 not really a zip", "register.xlsx: not a readable Excel workbook"),
])
def test_xls_and_damaged_workbooks_are_refused_with_the_way_out(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(scplearn.ScplearnError, match=reason):
        scplearn.import_files(scplearn.open(tmp_path / "t.db"), [path])


def test_an_xls_in_a_folder_is_named_not_passed_over(tmp_path):
    folder = tmp_path / "exports" / "2024"
    folder.mkdir(parents=True)
    (folder / "old register.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    result = CliRunner().invoke(cli, ["import", str(tmp_path / "t.db"), str(tmp_path / "exports")])
    assert result.exit_code == 1
    assert "old register.xls: an Excel 97-2003 workbook (.xls)" in result.output and "save it as .xlsx" in result.output


def test_a_file_of_bad_rows_keeps_few_messages_and_tells_each_kind_once(tmp_path):
    rows = 3 * issuelog.KEPT + 500
    path = tmp_path / "bookings.csv"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("session,email,status\n")
        for number in range(rows):
            handle.write(f"S{number},not-an-email-{number},maybe\n")
    with pytest.raises(scplearn.ImportFailed) as failure:
        scplearn.import_files(scplearn.open(tmp_path / "t.db"), [path])
    report = failure.value.report
    assert report.problems.count == 2 * rows              # a bad email and a bad status on every row
    assert len(report.issues) == issuelog.KEPT            # only the first few are kept word for word
    assert all(len(kind.rows) <= issuelog.ROWS_SHOWN for kind in report.problems.kinds.values())
    lines = str(failure.value).splitlines()
    assert len(lines) == 3                                # the heading line and one line per kind
    assert f"bookings.csv, rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 and {rows - 12:,} more, column 'email'" in lines[1]


def test_kinds_beyond_the_limit_are_counted_together():
    log = issuelog.IssueLog()
    from scplearn.importers import Issue
    for number in range(issuelog.KINDS + 50):
        log.add(Issue("f.csv", number, f"column {number}", "x", "is wrong"))
    assert len(log.kinds) == issuelog.KINDS
    assert log.lines()[-1] == "... and 50 more problems of other kinds"
