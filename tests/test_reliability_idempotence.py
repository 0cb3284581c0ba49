"""Idempotence: importing the same data twice leaves the same database, for every importer.

``EXAMPLES`` (tests/helpers/examples.py) holds a valid input for every installed
importer, imported into the small store :func:`build_base` makes; the bad-input
tests mutate the same examples. A new importer without an example there fails
``test_every_importer_has_an_example``: add one.

Two ways of importing twice are checked: the very same files (the ledger
recognises their bytes and skips them) and the same content saved again with
different bytes (a trailing blank line, a re-saved workbook), which the ledger
cannot recognise, so every record goes through the upserts a second time.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import openpyxl
import pytest
from conftest import SAMPLE, copy_store
from helpers.examples import EXAMPLES, build_base

import scplearn
from scplearn import plugins


def resaved(path: Path, directory: Path) -> Path:
    """The same content as ``path`` with different bytes, so the ledger cannot recognise it."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / path.name
    if path.suffix.lower() == ".xlsx":
        workbook = openpyxl.load_workbook(path)
        workbook.properties.keywords = "saved again"
        workbook.save(target)
        return target
    data = path.read_bytes()
    newline = "\r\n" if b"\r\n" in data else "\n"
    encoding = "utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be" if data.startswith(b"\xfe\xff") else "utf-8"
    target.write_bytes(data + newline.encode(encoding))  # one blank line more: no new row
    return target


def dump(db_path: Path, *, ledger: bool = True) -> list[str]:
    """The SQL dump of the evidence database followed by the private one (checkpointed first)."""
    lines = []
    for path in (db_path, db_path.with_suffix(".private.db")):
        connection = sqlite3.connect(path)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            lines.extend(connection.iterdump())
        finally:
            connection.close()
    if not ledger:
        lines = [line for line in lines if not line.startswith('INSERT INTO "imports"')]
    return lines


def ledger(db_path: Path) -> list[tuple]:
    connection = sqlite3.connect(db_path)
    try:
        return connection.execute("SELECT filename, rows, added, changed, rejected FROM imports ORDER BY id").fetchall()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return build_base(tmp_path_factory.mktemp("base"))


def test_every_importer_has_an_example():
    missing = sorted(set(plugins.get_importers()) - set(EXAMPLES))
    assert not missing, f"add an example for {', '.join(missing)} to EXAMPLES in tests/helpers/examples.py"


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_importing_an_example_twice_changes_nothing(name, base, tmp_path):
    db_path = copy_store(base, tmp_path / "store")
    before = dump(db_path)
    (tmp_path / "files").mkdir()
    paths, options, format = EXAMPLES[name](tmp_path / "files")
    with scplearn.open(db_path) as store:
        first = scplearn.import_files(store, paths, format=format, options=options)
    assert first.written and first.files and all(report.importer == name for report in first.files)
    once = dump(db_path)
    assert once != before, "the example must add something, or the test proves nothing"

    with scplearn.open(db_path) as store:
        again = scplearn.import_files(store, paths, format=format, options=options)
    assert all(report.skipped for report in again.files)
    assert dump(db_path) == once

    copies = [resaved(path, tmp_path / "resaved") if path.is_file() else _resaved_directory(path, tmp_path / "resaved")
              for path in paths]
    entries = len(ledger(db_path))
    with scplearn.open(db_path) as store:
        third = scplearn.import_files(store, copies, format=format, options=options)
    assert third.written and not any(report.skipped for report in third.files)
    assert dump(db_path, ledger=False) == [line for line in once if not line.startswith('INSERT INTO "imports"')]
    for filename, rows, added, changed, rejected in ledger(db_path)[entries:]:
        assert (added, changed, rejected) == (0, 0, 0), filename
        assert rows > 0, filename


def _resaved_directory(directory: Path, target: Path) -> Path:
    target = target / directory.name
    for path in sorted(directory.iterdir()):
        if path.is_file():
            resaved(path, target)
    return target


def test_the_sample_data_imported_twice_leaves_an_identical_dump(tmp_path):
    db_path = tmp_path / "training.db"
    with scplearn.open(db_path) as store:
        scplearn.import_files(store, [SAMPLE])
    once = dump(db_path)
    with scplearn.open(db_path) as store:
        report = scplearn.import_files(store, [SAMPLE])
    assert report.files and all(file.skipped for file in report.files)
    assert dump(db_path) == once

    copy = _resaved_directory(SAMPLE, tmp_path / "resaved")
    with scplearn.open(db_path) as store:
        report = scplearn.import_files(store, [copy])
    assert report.written and len(report.files) == len(list(SAMPLE.glob("*.csv")))
    assert dump(db_path, ledger=False) == [line for line in once if not line.startswith('INSERT INTO "imports"')]
    assert all(sum(file.added.values()) == 0 and not file.changed for file in report.files)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_reference_holds_after_an_import(name, base, tmp_path):
    """The writer checks references itself (SQLite's own checks are off during an import):
    afterwards SQLite finds no broken reference, and enforces them again."""
    db_path = copy_store(base, tmp_path / "store")
    (tmp_path / "files").mkdir()
    paths, options, format = EXAMPLES[name](tmp_path / "files")
    with scplearn.open(db_path) as store:
        assert scplearn.import_files(store, paths, format=format, options=options).written
        assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []
