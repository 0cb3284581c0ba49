"""``scplearn backup`` and ``scplearn restore``: consistent copies, even while the database is being written.

A backup is a new dated folder of the three files, each compared with what it
copies (SQL dumps, bytes) and readable by its owner only; copies taken while
an import runs in another process must each hold exactly the state before the
import or after it; copies taken while another connection commits small
transactions must keep those transactions' invariant. ``restore`` checks the
backup before writing anything (integrity, the key), puts it back over a
store in WAL mode, and the restored store accepts further imports.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import re
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLE

import scplearn
from scplearn.backup import backup, copy_database
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


NOON = dt.datetime(2024, 6, 30, 12, 0, 0)
STORE_FILES = ["training.db", "training.key", "training.private.db"]


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_backup_is_a_new_dated_folder_of_the_three_files_for_their_owner_only(store_path, tmp_path):
    previous = os.umask(0)  # the most permissive umask: no mode may depend on it
    try:
        copies = backup(store_path, tmp_path / "backups", now=NOON)
    finally:
        os.umask(previous)
    folder = tmp_path / "backups" / "2024-06-30-120000"
    assert [copy.dest for copy in copies] == [folder / name for name in ("training.db", "training.private.db", "training.key")]
    assert sorted(p.name for p in folder.iterdir()) == STORE_FILES, "no -wal, journal or partial file left"
    assert [p.name for p in (tmp_path / "backups").iterdir()] == ["2024-06-30-120000"]
    for name in ("training.db", "training.private.db"):
        assert dump(folder / name) == dump(store_path.with_name(name))
        assert integrity(folder / name) == [("ok",)]
    assert (folder / "training.key").read_bytes() == store_path.with_suffix(".key").read_bytes()
    assert {p.name: mode(p) for p in folder.iterdir()} == dict.fromkeys(STORE_FILES, 0o600)
    assert mode(folder) == 0o700


def test_a_second_backup_makes_its_own_folder(store_path, tmp_path):
    first = backup(store_path, tmp_path / "backups", now=NOON)
    second = backup(store_path, tmp_path / "backups", now=NOON)
    assert first[0].dest.parent.name == "2024-06-30-120000" and second[0].dest.parent.name == "2024-06-30-120000-2"
    assert dump(second[0].dest) == dump(first[0].dest)


def test_a_backup_never_goes_through_a_symlink_in_its_place(store_path, tmp_path):
    (tmp_path / "backups").mkdir()
    (tmp_path / "backups" / "2024-06-30-120000").symlink_to(tmp_path / "elsewhere")  # dangling
    copies = backup(store_path, tmp_path / "backups", now=NOON)
    assert copies[0].dest.parent.name == "2024-06-30-120000-2"
    assert not (tmp_path / "elsewhere").exists()


def test_the_private_database_and_the_key_can_be_left_out(store_path, tmp_path):
    copies = backup(store_path, tmp_path / "backups", private=False, key=False, now=NOON)
    assert [copy.dest.name for copy in copies] == ["training.db"]
    assert [p.name for p in copies[0].dest.parent.iterdir()] == ["training.db"]


def test_the_command_line(store_path, tmp_path):
    runner = CliRunner()
    for _ in range(2):  # a second run needs no option: it makes another folder
        result = runner.invoke(cli, ["backup", str(store_path), str(tmp_path / "backups")])
        assert result.exit_code == 0, result.output
        lines = result.stdout.strip().splitlines()
        assert len(lines) == 3 and "integrity ok" in lines[0] and lines[2].endswith("training.key (mode 0600)")
    assert len(list((tmp_path / "backups").iterdir())) == 2
    result = runner.invoke(cli, ["backup", str(store_path), str(store_path)])
    assert result.exit_code == 2 and "is a file" in result.output
    result = runner.invoke(cli, ["backup", str(store_path), str(tmp_path / "more"), "--no-private", "--no-key"])
    assert result.exit_code == 0 and len(result.stdout.strip().splitlines()) == 1


def test_a_missing_private_database_is_a_clear_error_and_writes_nothing(store_path, tmp_path):
    store_path.with_suffix(".private.db").unlink()
    with pytest.raises(ScplearnError, match="no private database to back up"):
        backup(store_path, tmp_path / "backups")
    assert not (tmp_path / "backups").exists() or not list((tmp_path / "backups").iterdir())


@pytest.fixture
def backed_up(store_path, tmp_path):
    """A backup of the sample store, and the store changed since."""
    folder = backup(store_path, tmp_path / "backups", now=NOON)[0].dest.parent
    expected = {name: dump(store_path.with_name(name)) for name in ("training.db", "training.private.db")}
    with scplearn.open(store_path) as store:  # life goes on after the backup...
        store.db.execute("DELETE FROM evaluations")
        store.db.conn.commit()
    return folder, expected


def test_restore_puts_a_backup_back_over_the_store(store_path, tmp_path):
    folder = backup(store_path, tmp_path / "backups", now=NOON)[0].dest.parent
    expected = {name: dump(store_path.with_name(name)) for name in ("training.db", "training.private.db")}
    reader = sqlite3.connect(store_path)  # still open, so the change below stays in the store's -wal
    reader.execute("SELECT count(*) FROM evaluations").fetchone()
    with scplearn.open(store_path) as store:
        store.db.execute("DELETE FROM evaluations")
        store.db.conn.commit()
    assert store_path.with_name("training.db-wal").stat().st_size > 0
    result = CliRunner().invoke(cli, ["restore", str(folder), str(store_path), "--force"])
    reader.close()
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1] == "The pseudonym key fits the restored database."
    assert {name: dump(store_path.with_name(name)) for name in expected} == expected
    with scplearn.open(store_path) as store:
        assert store.db["evaluations"].count > 0
        report = scplearn.import_files(store, [SAMPLE / "evaluations.csv"])  # already there: nothing changes
        assert report.files[0].added == {}
        assert store.pseudonymiser.fingerprint == store.meta("key_fingerprint")


def test_restore_to_a_new_place_needs_no_force_and_is_owner_only(backed_up, tmp_path):
    folder, expected = backed_up
    target = tmp_path / "restored" / "training.db"
    target.parent.mkdir()
    (target.with_suffix(".key")).write_bytes((folder / "training.key").read_bytes())  # the same key is no obstacle
    os.chmod(target.with_suffix(".key"), 0o644)
    result = CliRunner().invoke(cli, ["restore", str(folder), str(target)])
    assert result.exit_code == 0, result.output
    assert {name: dump(target.with_name(name)) for name in expected} == expected
    assert mode(target.with_suffix(".private.db")) == mode(target.with_suffix(".key")) == 0o600
    with scplearn.open(target) as store:
        assert store.pseudonymiser.fingerprint == store.meta("key_fingerprint")


def store_state(db_path: Path) -> dict:
    return {path.name: path.read_bytes() for path in sorted(db_path.parent.iterdir()) if path.is_file()}


@pytest.mark.parametrize("damage, message", [
    (None, "already exist; pass --force"),
    ("key", "does not fit"),
    ("database", "failed its integrity check|is not a usable database"),
    ("garbage", "is not a usable database"),
])
def test_restore_refuses_and_writes_nothing(store_path, backed_up, damage, message):
    folder, _ = backed_up
    force = []
    if damage == "key":
        (folder / "training.key").write_text(os.urandom(32).hex() + "\n")
        force = ["--force"]
    elif damage == "database":
        # The root page of the bookings table overwritten with junk: a page in use, whatever the file's layout
        # (a page picked by its place in the file may be a free one, and its damage go unseen).
        with sqlite3.connect(folder / "training.db") as connection:
            root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'bookings'").fetchone()[0]
            size = connection.execute("PRAGMA page_size").fetchone()[0]
        connection.close()
        data = bytearray((folder / "training.db").read_bytes())
        start = (root - 1) * size
        data[start:start + 300] = b"\xff" * 300
        (folder / "training.db").write_bytes(bytes(data))
        force = ["--force"]
    elif damage == "garbage":
        (folder / "training.private.db").write_bytes(b"not a database" * 100)
        force = ["--force"]
    before = store_state(store_path)
    result = CliRunner().invoke(cli, ["restore", str(folder), str(store_path), *force])
    assert result.exit_code == 1 and re.search(message, result.output) and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert store_state(store_path) == before


def test_restore_names_what_is_not_a_backup(tmp_path):
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(cli, ["restore", str(tmp_path / "empty"), str(tmp_path / "training.db")])
    assert result.exit_code == 1 and "is not a scplearn backup" in result.output


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
        copy_database(db_path, dest)
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
            copy_database(db_path, dest)
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
