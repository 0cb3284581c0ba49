"""Bad input: whatever a file holds, an import ends cleanly and a failed import writes nothing.

Hypothesis writes malformed files for every installed importer (named with
``format=NAME``, so a new importer is covered as soon as it is registered):
tables with wrong encodings, truncated rows, extra and missing columns, huge
fields, formula-like text and scores of every type; valid examples of each
importer with bytes cut out, repeated or changed; workbooks with cells of
every type; random bytes. Every import must either succeed or raise a
:class:`scplearn.ScplearnError` (``ImportFailed`` lists the problems), never
anything else, and after a failure the evidence and private databases must be
exactly as before: the same SQL dump and, after a checkpoint, the same bytes.

Set ``SCPLEARN_LONG_TESTS=1`` for the long profile (many more examples).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
import sqlite3
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from conftest import copy_store
from helpers.examples import EXAMPLES, build_base

import scplearn
from scplearn import plugins

LONG = os.environ.get("SCPLEARN_LONG_TESTS") == "1"
EXAMPLES_PER_TEST = 300 if LONG else 12  # per importer and test
IMPORTERS = sorted(plugins.get_importers())

# Cells: the values real exports hold, and the ones that break naive parsers.
SESSIONS = ["NEG02-2024-09-10", "CAS01-2024-09-03", "VIR03-2024-09-12", "NO-SUCH-SESSION"]
EMAILS = ["alice@example.org", "BOB@Example.org ", "zoe@example.org", "not-an-email", "a@b", "mailto:dan@example.org"]
SCORES = ["7", "10", "1", "0", "11", "-1", "7.5", "7.0", "1e1", "NaN", "inf", "-inf", "seven", "7/10", "7 out of 10",
          "\u0667", "\u096d", "\uff17", "0x7", "7\u00a0", "", " ", "N/A", "TRUE", "None", "[]", "{}", "9" * 400]
FORMULAS = ['=HYPERLINK("http://example.org/x","click")', "=1+1", "+SUM(A1:A9)", "-2+3", "@SUM(1)",
            "=cmd|' /C calc'!A0", "\t=1+1", "=" + "A" * 300]
AWKWARD = ["", " ", "n/a", "\u2014", "\x00", "\r", "\n", '"', '""', "\ufeff", "Zoe\u0308", "\u202e", "\U0001f600",
           "yes", "no", "attended", "did not attend", "walk-in", "03/09/2024", "2024-02-30", "31/31/2031", "Leicester"]
HEADINGS = sorted({
    "session", "email", "name", "role", "agency", "status", "walk_in", "knowledge_pre", "knowledge_post",
    "skills_pre", "skills_post", "confidence_pre", "confidence_post", "action_1", "code", "course", "date", "mode",
    "year", "partnership", "amount", "quote", "consent", "title", "sector", "Email", "Name", "Timestamp",
    "Email address", "Attendee Status", "First Name", "Last Name", "Full Name", "User Action", "Join Time",
    "Leave Time", "Duration", "Role", "ID", "Start time", "Completion time", "Which course did you attend?",
    "How would you rate your knowledge before the training?", "Company", "Job Title", "Order #", "",
})
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1", "shift_jis", "utf-32",
             "cp437", "koi8-r"]
NAMES = ["evaluations.csv", "bookings.csv", "delegates.csv", "sessions.csv", "followups.csv", "feedback.csv",
         "spend.csv", "agencies.csv", "Attendee Summary Report.csv", "meetingAttendanceReport.csv",
         "responses.csv", "register.tsv", "export.txt", "Evaluation form.xlsx", "register.xlsx", "data.csv"]
OPTIONS = [{}, {"session": "NEG02-2024-09-10"}, {"session": "CAS01-2024-09-03"}, {"session": "NO-SUCH"},
           {"course": "NEG02", "date": "2024-09-10"}, {"threshold": "0.5"}, {"threshold": "-3"}]

cells = st.one_of(
    st.sampled_from(SESSIONS + EMAILS + SCORES + FORMULAS + AWKWARD),
    st.text(max_size=40),
    st.integers(-10**12, 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.just("x" * 70_000),  # a huge field
)


@st.composite
def tables(draw):
    """A header and rows, the rows sometimes shorter or longer than the header."""
    width = draw(st.integers(0, 12))
    header = draw(st.lists(st.sampled_from(HEADINGS), min_size=width, max_size=width))
    rows = draw(st.lists(st.lists(cells, max_size=width + 3), max_size=8))
    return [header] + rows


@st.composite
def text_tables(draw):
    """A table written as delimited text in some encoding, perhaps cut short."""
    rows = draw(tables())
    delimiter = draw(st.sampled_from([",", "\t", ";", "|"]))
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"]))).writerows(rows)
    text = buffer.getvalue()
    if draw(st.booleans()):
        text = text.replace('"', "")  # unbalanced quoting
    data = text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    if data and draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]  # truncated mid-row, mid-character
    return data


@st.composite
def mutated_examples(draw, examples):
    """A valid example file of some importer with a few byte-level changes."""
    data = draw(st.sampled_from(examples))
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        start = draw(st.integers(0, len(data) - 1))
        end = draw(st.integers(start, min(len(data), start + 64)))
        choice = draw(st.integers(0, 4))
        if choice == 0:
            data = data[:start] + data[end:]  # cut out
        elif choice == 1:
            data = data[:end] + data[start:]  # repeated
        elif choice == 2:
            data = data[:start] + draw(st.binary(min_size=1, max_size=16)) + data[end:]  # changed
        elif choice == 3:
            data = data[:start]  # truncated
        else:
            data = data[:start] + draw(st.sampled_from(FORMULAS + SCORES)).encode() + data[start:]
    return data


workbook_cells = st.one_of(
    cells, st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)), st.none(),
)


@st.composite
def workbooks(draw):
    """An .xlsx whose cells hold every type openpyxl writes (a leading '=' makes a formula)."""
    header = draw(st.lists(st.sampled_from(HEADINGS), max_size=12))
    rows = draw(st.lists(st.lists(workbook_cells, max_size=14), max_size=6))
    cut = draw(st.none() | st.floats(0, 1))  # drawn before saving: the saved bytes vary with the clock
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:  # openpyxl refuses control characters and cells over 32,767 characters
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value)[:32767] if isinstance(value, str) else value
                      for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    return data if cut is None else data[: int(len(data) * cut)]  # a workbook cut short


def state(db_path: Path) -> tuple:
    """SQL dumps and bytes of the evidence and private databases, after a checkpoint."""
    result = []
    for path in (db_path, db_path.with_suffix(".private.db")):
        connection = sqlite3.connect(path)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            result.append(tuple(connection.iterdump()))
        finally:
            connection.close()
        result.append(path.read_bytes())
    return tuple(result)


class World:
    """The base store, its state, and the example files of every importer as bytes."""

    def __init__(self, tmp_path_factory):
        self.base = build_base(tmp_path_factory.mktemp("base"))
        self.before = state(self.base)
        self.examples = {}
        for name, make in EXAMPLES.items():
            directory = tmp_path_factory.mktemp(f"example-{name}")
            paths, _, _ = make(directory)
            files = [p for path in paths for p in ([path] if path.is_file() else sorted(path.iterdir()))]
            self.examples[name] = [path.read_bytes() for path in files]
        self.work = tmp_path_factory.mktemp("work")
        self.cases = 0

    def __repr__(self) -> str:  # hypothesis prints the arguments of a failing example
        return f"<World {self.base}>"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return World(tmp_path_factory)


def attempt(world: World, importer: str, filename: str, data: bytes, options: dict) -> None:
    world.cases += 1
    directory = world.work / f"case{world.cases}"
    db_path = copy_store(world.base, directory / "store")
    path = directory / filename
    path.write_bytes(data)
    try:
        try:
            with scplearn.open(db_path) as store:
                report = scplearn.import_files(store, [path], format=importer, options=dict(options))
        except scplearn.ScplearnError as error:
            assert str(error).strip(), "an error must say what went wrong"
            assert state(db_path) == world.before, f"a failed import changed the database: {error}"
        else:
            assert report.written and report.ok
            connection = sqlite3.connect(db_path)
            try:
                assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
                assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
            finally:
                connection.close()
    finally:
        shutil.rmtree(directory, ignore_errors=True)  # thousands of cases in the long profile


SETTINGS = settings(max_examples=EXAMPLES_PER_TEST, deadline=None, derandomize=not LONG,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("importer", IMPORTERS)
@SETTINGS
@given(filename=st.sampled_from(NAMES), data=text_tables(),
       options=st.sampled_from(OPTIONS))
def test_malformed_tables(world, importer, filename, data, options):
    attempt(world, importer, filename, data, options)


@pytest.mark.parametrize("importer", IMPORTERS)
@SETTINGS
@given(data=st.data(), options=st.sampled_from(OPTIONS))
def test_damaged_examples_of_every_importer(world, importer, data, options):
    name = data.draw(st.sampled_from(sorted(world.examples)))
    damaged = data.draw(mutated_examples(world.examples[name]))
    filename = data.draw(st.sampled_from(NAMES + ["meetingAttendanceReport.csv", "Neglect evaluation.xlsx"]))
    attempt(world, importer, filename, damaged, options)


@pytest.mark.parametrize("importer", IMPORTERS)
@SETTINGS
@given(filename=st.sampled_from([n for n in NAMES if n.endswith(".xlsx")]),
       data=workbooks(), options=st.sampled_from(OPTIONS))
def test_workbooks_with_cells_of_every_type(world, importer, filename, data, options):
    attempt(world, importer, filename, data, options)


@pytest.mark.parametrize("importer", IMPORTERS)
@SETTINGS
@given(filename=st.sampled_from(NAMES), data=st.binary(max_size=4096),
       options=st.sampled_from(OPTIONS))
def test_random_bytes(world, importer, filename, data, options):
    attempt(world, importer, filename, data, options)


@pytest.mark.parametrize("importer", IMPORTERS)
def test_every_importer_survives_the_classic_bad_files(world, importer):
    """A fixed set every run sees, whatever hypothesis draws: the same checks on known troublemakers."""
    header = "session,email,knowledge_pre,knowledge_post,action_1\n"
    classic = {
        "empty.csv": b"",
        "header only.csv": header.encode(),
        "bom only.csv": b"\xef\xbb\xbf",
        "nul bytes.csv": header.encode() + b"NEG02-2024-09-10,\x00\x00,7,8,\n",
        "latin1.csv": (header + "NEG02-2024-09-10,zo\xeb@example.org,7,8,Caf\xe9\n").encode("latin-1"),
        "utf16 no bom.csv": (header + "NEG02-2024-09-10,alice@example.org,7,8,x\n").encode("utf-16-le"),
        "formula.csv": (header + 'NEG02-2024-09-10,alice@example.org,=1+9,"=HYPERLINK(""http://x"",""y"")",'
                        '=HYPERLINK("http://evil.example","click")\n').encode(),
        "huge field.csv": (header + "NEG02-2024-09-10,alice@example.org,7,8," + "x" * 20_000_000 + "\n").encode(),
        "unclosed quote.csv": (header + 'NEG02-2024-09-10,"alice@example.org,7,8,x\n').encode(),
        "ragged.csv": (header + "NEG02-2024-09-10,alice@example.org\nNEG02-2024-09-10,bob@example.org,1,2,3,4,5\n")
        .encode(),
        "fake.xlsx": b"PK\x03\x04 this is not a workbook",
    }
    for filename, data in classic.items():
        for options in ({}, {"session": "NEG02-2024-09-10"}):
            attempt(world, importer, filename, data, options)
