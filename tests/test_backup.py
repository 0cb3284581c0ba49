"""``scplearn backup``: a consistent copy, even while the database is being written, that restores.

A backup is compared with the database it copies (SQL dumps); backups taken
while an import runs in another process must each hold exactly the state
before the import or after it; backups taken while another connection commits
small transactions must keep those transactions' invariant; a restored backup
opens with scplearn, holds what was backed up and accepts further imports.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLE

import scplearn
from scplearn.backup import backup
from scplearn.cli import cli
from scplearn.errors import ScplearnError

ROOT = Path(__file__).resolve().parents[1]
_TIME = re.compile(r"'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[^']*'")


def dump(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [_TIME.sub("'<time>'", line) if line.startswith('INSERT INTO "imports"') else line
                for line in connection.iterdump()]
    finally:
        connection.close()


def integrity(path: Path) -> list:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("PRAGMA integrity_check").fetchall()
    finally:
        connection.close()


@pytest.fixture
def store_path(sample_copy):
    path = sample_copy.path
    sample_copy.close()
    return path


def test_a_backup_holds_the_database_and_by_default_nothing_else(store_path, tmp_path):
    copies = backup(store_path, tmp_path / "backup")  # a directory that does not exist yet is a file name
    dest = tmp_path / "backup"
    assert [copy.dest for copy in copies] == [dest]
    assert dump(dest) == dump(store_path)
    assert integrity(dest) == [("ok",)]
    assert not dest.with_suffix(".private.db").exists() and not dest.with_suffix(".key").exists()
    assert not list(tmp_path.glob("backup-*")) and not list(tmp_path.glob(".backup*")), "no -wal or partial file left"


def test_private_and_key_only_when_asked(store_path, tmp_path):
    (tmp_path / "backups").mkdir()
    copies = backup(store_path, tmp_path / "backups", private=True, key=True)
    dest = tmp_path / "backups" / store_path.name
    assert [copy.dest for copy in copies] == [dest, dest.with_suffix(".private.db"), dest.with_suffix(".key")]
    assert dump(dest.with_suffix(".private.db")) == dump(store_path.with_suffix(".private.db"))
    assert dest.with_suffix(".key").read_bytes() == store_path.with_suffix(".key").read_bytes()
    assert dest.with_suffix(".key").stat().st_mode & 0o777 == 0o600
    assert dest.with_suffix(".private.db").stat().st_mode & 0o777 == 0o600, "names and emails: owner only"


def test_the_command_line(store_path, tmp_path):
    runner = CliRunner()
    dest = tmp_path / "copy.db"
    result = runner.invoke(cli, ["backup", str(store_path), str(dest), "--private"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 2 and "integrity ok" in lines[0] and str(dest.with_suffix(".private.db")) in lines[1]
    again = runner.invoke(cli, ["backup", str(store_path), str(dest)])
    assert again.exit_code == 1 and "already exists" in again.output and "Traceback" not in again.output
    assert runner.invoke(cli, ["backup", str(store_path), str(dest), "--overwrite"]).exit_code == 0
    itself = runner.invoke(cli, ["backup", str(store_path), str(store_path), "--overwrite"])
    assert itself.exit_code == 1 and "the database itself" in itself.output


def test_a_missing_private_database_is_a_clear_error(store_path, tmp_path):
    store_path.with_suffix(".private.db").unlink()
    with pytest.raises(ScplearnError, match="no private database"):
        backup(store_path, tmp_path / "copy.db", private=True)


def test_a_restored_backup_is_the_store_as_backed_up(store_path, tmp_path):
    backup(store_path, tmp_path / "safe" / "training.db", private=True, key=True)
    with scplearn.open(store_path) as store:  # life goes on after the backup...
        store.db.execute("DELETE FROM evaluations")
        store.db.conn.commit()
    restored = tmp_path / "restored"
    restored.mkdir()
    for name in ("training.db", "training.private.db", "training.key"):
        shutil.copy2(tmp_path / "safe" / name, restored / name)  # ...until it is restored
    with scplearn.open(restored / "training.db") as store:
        assert store.db["evaluations"].count > 0
        report = scplearn.import_files(store, [SAMPLE / "evaluations.csv"])  # already there: nothing changes
        assert report.files[0].added == {}
        assert store.pseudonymiser.fingerprint == store.meta("key_fingerprint")


def load_generator():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_backups_during_an_import_hold_the_state_before_or_after(tmp_path):
    files = tmp_path / "programme"
    load_generator().generate(files, 30_000, seed=40)
    db_path = tmp_path / "training.db"
    with scplearn.open(db_path) as store:
        scplearn.import_files(store, [files / f"{name}.csv" for name in ("partnerships", "agencies", "courses", "sessions")])
    before = dump(db_path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    child = subprocess.Popen(
        [sys.executable, "-m", "scplearn", "import", str(db_path),
         *(str(files / f"{name}.csv") for name in ("delegates", "bookings", "evaluations"))],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    copies = []
    while child.poll() is None or len(copies) < 2:
        dest = tmp_path / "backups" / f"{len(copies)}.db"
        dest.parent.mkdir(exist_ok=True)
        backup(db_path, dest)
        copies.append((dest, child.poll() is None))
    output = child.communicate()[0]
    assert child.returncode == 0, output
    after = dump(db_path)
    assert after != before
    states = []
    for dest, during in copies:
        assert integrity(dest) == [("ok",)]
        found = dump(dest)
        assert found in (before, after), f"{dest.name} is neither before nor after the import"
        states.append("before" if found == before else "after")
    assert sum(during for _, during in copies) >= 1, "no backup was taken while the import ran"
    assert states[-1] == "after" and "before" in states


def test_backups_during_many_small_commits_keep_every_transaction_whole(tmp_path):
    """Another connection commits pairs of rows that always sum to zero; every backup must too."""
    db_path = tmp_path / "training.db"
    scplearn.open(db_path).close()
    stop = threading.Event()
    committed = [0]

    def writer():
        connection = sqlite3.connect(db_path, isolation_level=None, timeout=30)
        number = 0
        while not stop.is_set():
            number += 1
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("INSERT INTO scplearn_meta (key, value) VALUES (?, ?)", [f"plus{number}", str(number)])
            connection.execute("INSERT INTO scplearn_meta (key, value) VALUES (?, ?)", [f"minus{number}", str(-number)])
            connection.execute("COMMIT")
            committed[0] = number
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        copies = []
        for index in range(15):
            dest = tmp_path / f"copy{index}.db"
            backup(db_path, dest)
            copies.append(dest)
    finally:
        stop.set()
        thread.join()
    seen = set()
    for dest in copies:
        assert integrity(dest) == [("ok",)]
        connection = sqlite3.connect(dest)
        pairs, total = connection.execute(
            "SELECT count(*), coalesce(sum(CAST(value AS INTEGER)), 0) FROM scplearn_meta "
            "WHERE key LIKE 'plus%' OR key LIKE 'minus%'").fetchone()
        connection.close()
        assert pairs % 2 == 0 and total == 0, f"{dest.name} holds half a transaction"
        seen.add(pairs)
    assert committed[0] > 15 and len(seen) > 1, "the writer must have committed between backups"
