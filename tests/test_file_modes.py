"""Files only their owner may read: the private database and its journal files, the key, and warnings.

Each is created with mode 0600 under the most permissive umask; every command
that names a store warns, in one line, about any of them that other users can
read.
"""

from __future__ import annotations

import os
import stat

import pytest
from click.testing import CliRunner
from conftest import reference_files

import scplearn
from scplearn import filemodes
from scplearn.cli import cli


def mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def umask_zero():
    previous = os.umask(0)  # the most permissive umask: no mode may depend on it
    yield
    os.umask(previous)


@pytest.fixture
def store_path(tmp_path):
    db_path = tmp_path / "store" / "training.db"
    db_path.parent.mkdir()
    with scplearn.open(db_path) as store:
        scplearn.import_files(store, [reference_files(tmp_path / "in")])
    return db_path


def test_the_private_database_its_journal_files_and_the_key_are_owner_only(tmp_path, umask_zero):
    files = reference_files(tmp_path / "in")
    with scplearn.open(tmp_path / "training.db") as store:
        scplearn.import_files(store, [files])
        store.private.execute("SELECT count(*) FROM people").fetchall()  # open, so its -wal and -shm are there
        private = filemodes.database_files(store.private_path)
        assert [path.name for path in private if path.exists()] == [
            "training.private.db", "training.private.db-wal", "training.private.db-shm"]
        assert {path.name: mode(path) for path in private if path.exists()} == dict.fromkeys(
            ["training.private.db", "training.private.db-wal", "training.private.db-shm"], 0o600)
        assert mode(store.key_path) == 0o600


def test_an_owner_only_file_is_never_written_through_a_symlink(tmp_path, umask_zero):
    victim = tmp_path / "victim.txt"
    victim.write_text("theirs")
    link = tmp_path / "link"
    link.symlink_to(victim)
    with pytest.raises(FileExistsError):
        filemodes.write(link, b"names and emails")
    filemodes.write(link, b"names and emails", replace=True)
    assert victim.read_text() == "theirs"
    assert not link.is_symlink() and link.read_bytes() == b"names and emails" and mode(link) == 0o600


COMMANDS = {
    "imports": ["imports", "{db}"],
    "import": ["import", "{db}", "{db}.csv"],
    "evaluate": ["evaluate", "{db}", "-e", "reach"],
    "followups": ["followups", "{db}"],
    "report": ["report", "{db}", "--year", "2023/24", "--out", "{tmp}/report"],
    "serve": ["serve", "{db}", "--get", "/-/versions.json"],
    "publish": ["publish", "{db}", "--out", "{tmp}/site"],
    "password": ["password", "{db}", "--password", "a long passphrase"],
    "backup": ["backup", "{db}", "{tmp}/backups"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("exposed", ["private", "key"])
def test_every_command_warns_about_files_others_can_read(store_path, tmp_path, command, exposed, monkeypatch):
    monkeypatch.setattr("scplearn.publish.serve.run", lambda command, **options: 0)  # no Datasette process
    path = {"private": store_path.with_suffix(".private.db"), "key": store_path.with_suffix(".key")}[exposed]
    os.chmod(path, 0o644)
    (store_path.parent / "training.db.csv").write_text("session,email\n")
    args = [part.format(db=store_path, tmp=tmp_path) for part in COMMANDS[command]]
    result = CliRunner().invoke(cli, args)
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert warnings == [f"Warning: {path} holds {'names and emails' if exposed == 'private' else 'the pseudonym key'} "
                        f"and is readable or writable by other users (mode 0644); make it yours alone: chmod 600 {path}"]
    assert "Traceback" not in result.output


def test_no_warning_for_files_only_their_owner_can_read(store_path):
    result = CliRunner().invoke(cli, ["imports", str(store_path)])
    assert result.exit_code == 0 and "Warning" not in result.output
