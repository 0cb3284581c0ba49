"""Privacy: names and emails stay in the private database; the key stays in its file.

The evidence database, its results tables and the published site are scanned,
every text column of every table and the raw bytes of every file, for every
email and name the private database holds and for the pseudonym key. The key
file is created with mode 0600 whatever the umask; pseudonyms are HMAC-SHA256
under the key (checked against the ``hmac`` module) and change with it; an
import with a missing, damaged or different key is refused with a clear
message and writes nothing; and the one spreadsheet scplearn exports (the
follow-ups due, for a mail merge) neutralises cells a spreadsheet would run as
formulas.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import os
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLE, write_csv

import scplearn
from scplearn import samples
from scplearn.cli import cli
from scplearn.identity import PseudonymKeyError

PEOPLE_FILES = [SAMPLE / f"{name}.csv" for name in ("partnerships", "agencies", "delegates")]
# What OWASP lists as the first characters of a cell a spreadsheet treats as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def people(db_path: Path) -> list[tuple[str, str | None]]:
    with sqlite3.connect(db_path.with_suffix(".private.db")) as connection:
        return connection.execute("SELECT email, name FROM people").fetchall()


def text_columns(db_path: Path):
    """(table, column, every text value of that column joined by NUL lines) for every column of every table."""
    connection = sqlite3.connect(db_path)
    try:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for column in [row[1] for row in connection.execute(f"PRAGMA table_info([{table}])")]:
                found = [value for (value,) in connection.execute(
                    f"SELECT [{column}] FROM [{table}] WHERE typeof([{column}]) = 'text'")]
                if found:
                    yield table, column, "\n\x00\n".join(found), len(found)
    finally:
        connection.close()


def file_bytes(db_path: Path) -> bytes:
    """The database file and anything beside it (-wal, -shm) after a checkpoint."""
    with sqlite3.connect(db_path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return b"".join(path.read_bytes() for path in sorted(db_path.parent.glob(db_path.name + "*")))


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    """The sample data imported, every evaluator run over the usual groupings, and the site published."""
    directory = tmp_path_factory.mktemp("evaluated")
    with scplearn.open(directory / "training.db") as store:
        scplearn.import_files(store, [SAMPLE])
        for _ in samples.run_everything(store):
            pass
    result = CliRunner().invoke(cli, ["publish", str(directory / "training.db"), "--out", str(directory / "site")])
    assert result.exit_code == 0, result.output
    return directory / "training.db"


def exposed(text: str, emails: set[str], names: set[str]) -> set[str]:
    """The emails and names (all case-folded) that occur anywhere in ``text``, as substrings.

    Fast enough for thousands of people and whole database files: an email can
    only occur around an ``@`` of the text and a name only where its first word
    does, so only those places are compared.
    """
    text = text.casefold()
    found = set()
    around = "\n".join(text[max(0, at.start() - 80):at.start() + 80] for at in re.finditer("@", text))
    found.update(email for email in emails if email in around)
    by_first: dict[str, list[str]] = {}
    for name in names:
        by_first.setdefault(name.split(" ")[0], []).append(name)
    for first, candidates in by_first.items():
        position = text.find(first)
        while position != -1:
            found.update(name for name in candidates if text.startswith(name, position))
            position = text.find(first, position + 1)
    return found


def secrets_of(db_path: Path) -> tuple[set[str], set[str]]:
    found = people(db_path)
    emails = {email.casefold() for email, _ in found}
    names = {" ".join(name.casefold().split()) for _, name in found if name}
    assert all(" " in name for name in names), "names of one word could not be told from ordinary words"
    return emails, names


def test_the_scan_finds_what_it_looks_for():
    emails, names = {"zoe.obrien@example.org"}, {"zoë o'brien"}
    assert exposed("Ask Zoë O'Brien (ZOE.OBrien@example.org).", emails, names) == emails | names
    assert exposed("\x00\x17zoë o'brienzoe.obrien@example.org\x00", emails, names) == emails | names
    assert exposed("zoe.obrien@example.com and Zoë Brien", emails, names) == set()


def test_no_email_or_name_appears_in_any_text_column(evaluated):
    emails, names = secrets_of(evaluated)
    assert len(emails) > 100 and names, "the sample data must hold names and emails, or the test proves nothing"
    databases = [evaluated, *sorted((evaluated.parent / "site").glob("*.db"))]
    assert any(path.name == "public.db" for path in databases)
    scanned = 0
    for db_path in databases:
        for table, column, text, values in text_columns(db_path):
            scanned += values
            leaked = exposed(text, emails, names)
            assert not leaked, f"{db_path.name}: {table}.{column} holds {sorted(leaked)[:3]}"
    assert scanned > 1000


def test_no_email_or_name_appears_in_the_database_files(evaluated):
    """Also the bytes: free pages and the WAL hold what was ever written, not only what is in a table."""
    emails, names = secrets_of(evaluated)
    for db_path in (evaluated, *sorted((evaluated.parent / "site").glob("*.db"))):
        leaked = exposed(file_bytes(db_path).decode("utf-8", "replace"), emails, names)
        assert not leaked, f"{db_path.name} holds {sorted(leaked)[:3]}"
    # and the scan does find them where they are
    assert exposed(file_bytes(evaluated.with_suffix(".private.db")).decode("utf-8", "replace"), emails, names)


def test_the_key_never_appears_in_any_database(evaluated):
    text = evaluated.with_suffix(".key").read_text().strip()
    secret = bytes.fromhex(text)
    for db_path in (evaluated, evaluated.with_suffix(".private.db"), *(evaluated.parent / "site").glob("*.db")):
        data = file_bytes(db_path)
        for form in (secret, text.encode(), text.upper().encode(), secret.hex().encode()):
            assert form not in data, f"{db_path.name} holds the key"


def test_the_key_file_is_created_readable_by_its_owner_only(tmp_path):
    previous = os.umask(0)  # the most permissive umask: the mode must not depend on it
    try:
        result = CliRunner().invoke(cli, ["init", str(tmp_path / "training.db")])
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "training.key").stat().st_mode & 0o777 == 0o600


def test_pseudonyms_are_hmac_sha256_under_the_key(evaluated):
    secret = bytes.fromhex(evaluated.with_suffix(".key").read_text().strip())
    with sqlite3.connect(evaluated.with_suffix(".private.db")) as connection:
        pairs = connection.execute("SELECT key, email FROM people").fetchall()
    with sqlite3.connect(evaluated) as connection:
        delegates = {row[0] for row in connection.execute("SELECT key FROM delegates")}
    for key, email in pairs:
        expected = hmac.new(secret, b"scplearn:delegate:v1:" + email.encode(), hashlib.sha256).hexdigest()[:32]
        assert key == expected
    assert delegates == {key for key, _ in pairs}


def delegate_keys(db_path: Path) -> set[str]:
    with sqlite3.connect(db_path) as connection:
        return {row[0] for row in connection.execute("SELECT key FROM delegates")}


def test_pseudonyms_change_when_the_key_changes(tmp_path):
    first, second, same = (tmp_path / name / "training.db" for name in ("first", "second", "same"))
    for db_path in (first, second):
        db_path.parent.mkdir()
        with scplearn.open(db_path) as store:
            scplearn.import_files(store, PEOPLE_FILES)
    same.parent.mkdir()
    shutil.copy(first.with_suffix(".key"), same.with_suffix(".key"))
    with scplearn.open(same) as store:
        scplearn.import_files(store, PEOPLE_FILES)
    keys = {path.parent.name: delegate_keys(path) for path in (first, second, same)}
    assert len(keys["first"]) == len(keys["second"]) > 100
    assert not keys["first"] & keys["second"], "another key must give other pseudonyms"
    assert keys["same"] == keys["first"], "the same key must give the same pseudonyms"


def dump(db_path: Path) -> list[str]:
    lines = []
    for path in (db_path, db_path.with_suffix(".private.db")):
        with sqlite3.connect(path) as connection:
            lines += list(connection.iterdump())
    return lines


@pytest.mark.parametrize("problem, message", [
    ("missing", "is missing"),
    ("other", "is not the key"),
    ("damaged", "is damaged"),
])
def test_an_import_without_the_right_key_is_refused_and_writes_nothing(tmp_path, problem, message):
    db_path = tmp_path / "training.db"
    with scplearn.open(db_path) as store:
        scplearn.import_files(store, PEOPLE_FILES)
    key = db_path.with_suffix(".key")
    if problem == "missing":
        key.unlink()
    elif problem == "other":
        key.write_text(os.urandom(32).hex() + "\n")
    else:
        key.write_text("not a key\n")
    before = dump(db_path)
    with scplearn.open(db_path) as store, pytest.raises(PseudonymKeyError, match=message):
        scplearn.import_files(store, [SAMPLE])
    result = CliRunner().invoke(cli, ["import", str(db_path), str(SAMPLE)])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert dump(db_path) == before
    assert problem != "missing" or not key.exists(), "a missing key must not be replaced by a new one"


def test_the_follow_ups_export_neutralises_formula_like_cells(tmp_path):
    """Names, emails and course titles that a spreadsheet would run are written as text."""
    dangerous = {
        "=cmd|'/Ccalc'!A0@evil.example.org": '=HYPERLINK("http://evil.example.org","Click")',
        "+441234@example.org": "+SUM(A1:A2)",
        "-2+3@example.org": "-2+3",
        "plain@example.org": "@SUM(1,2)",
        "tabbed@example.org": "\tTabbed Name",
    }
    write_csv(tmp_path / "data" / "courses.csv", """
        code,title
        F1,"=HYPERLINK(""http://evil.example.org"",""Course"")"
    """)
    write_csv(tmp_path / "data" / "sessions.csv", """
        code,course,date,mode
        F1-A,F1,2024-01-10,virtual
    """)
    delegates = io.StringIO()
    writer = csv.writer(delegates, lineterminator="\n")
    writer.writerow(["email", "name"])
    writer.writerows(dangerous.items())
    (tmp_path / "data" / "delegates.csv").write_text(delegates.getvalue())
    bookings = "session,email,status\n" + "".join(f'F1-A,"{email}",attended\n' for email in dangerous)
    (tmp_path / "data" / "bookings.csv").write_text(bookings)
    db_path = tmp_path / "training.db"
    with scplearn.open(db_path) as store:
        scplearn.import_files(store, [tmp_path / "data"])
    result = CliRunner().invoke(cli, ["followups", str(db_path), "--due", "--as-of", "2024-06-01"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert len(body) == len(dangerous)
    for row in body:
        for heading, cell in zip(header, row):
            assert not cell.startswith(FORMULA_STARTS), f"{heading}: {cell!r} would run as a formula"
    emails = {row[header.index("email")] for row in body}
    assert emails == {"'" + email if email.startswith(FORMULA_STARTS) else email
                      for email in map(str.casefold, dangerous)}
    names = {row[header.index("name")] for row in body}
    stored = {name.strip() for name in dangerous.values()}  # the import trims names
    assert names == {"'" + name if name.startswith(FORMULA_STARTS) else name for name in stored}
    titles = {row[header.index("course_title")] for row in body}
    assert titles == {"'" + '=HYPERLINK("http://evil.example.org","Course")'}


def test_emails_and_phone_numbers_typed_into_free_text_never_reach_the_evidence(tmp_path):
    write_csv(tmp_path / "data" / "courses.csv", """
        code,title
        C1,Core awareness
    """)
    write_csv(tmp_path / "data" / "feedback.csv", """
        course,quote,consent
        C1,"Ask jo.bloggs@example.org or ring 0116 454 1004 (or +44 7700 900123), she knows",yes
    """)
    with scplearn.open(tmp_path / "training.db") as store:
        scplearn.import_files(store, [tmp_path / "data"])
        (quote,) = store.db.execute("SELECT quote FROM feedback").fetchone()
    assert quote == "Ask [name] or ring [name] (or [name]), she knows"
    assert b"bloggs" not in file_bytes(tmp_path / "training.db")
