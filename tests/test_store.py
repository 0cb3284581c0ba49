"""The store: schema, WAL, foreign keys, migrations and the pseudonym key."""

import os
import stat

import pytest
from conftest import write_csv

import scplearn
from scplearn import identity, store as store_module


def test_new_store_has_the_schema_in_wal_mode_with_foreign_keys(tmp_store):
    assert tmp_store.db.journal_mode == "wal"
    assert tmp_store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert tmp_store.meta("schema_version") == str(len(store_module.MIGRATIONS))
    assert {"partnerships", "agencies", "courses", "sessions", "delegates", "bookings", "evaluations",
            "followups", "feedback", "spend", "session_summaries", "score_summaries", "imports"} <= set(tmp_store.db.table_names())
    assert "score_counts" not in tmp_store.db.table_names()
    fks = {(fk.column, fk.other_table) for fk in tmp_store.db["bookings"].foreign_keys}
    assert fks == {("session", "sessions"), ("delegate", "delegates")}
    indexed = {tuple(index.columns) for index in tmp_store.db["sessions"].indexes}
    assert {("course",), ("year",), ("partnership",), ("mode",), ("year", "course")} <= indexed
    assert ["session", "delegate"] in [index.columns for index in tmp_store.db["bookings"].indexes]


def test_reopening_runs_no_migration_twice(tmp_path):
    path = tmp_path / "t.db"
    scplearn.open(path).close()
    with scplearn.open(path) as store:
        assert store.meta("schema_version") == str(len(store_module.MIGRATIONS))


def test_a_database_from_a_newer_scplearn_is_refused(tmp_path):
    path = tmp_path / "t.db"
    with scplearn.open(path) as store:
        store.set_meta("schema_version", "99")
    with pytest.raises(scplearn.ScplearnError, match="newer scplearn"):
        scplearn.open(path)


def test_the_key_file_is_private_and_never_in_a_database(tmp_store):
    pseudonymiser = tmp_store.pseudonymiser
    tmp_store.private  # created on first use
    mode = stat.S_IMODE(os.stat(tmp_store.key_path).st_mode)
    assert mode == 0o600
    secret = tmp_store.key_path.read_text().strip()
    assert len(bytes.fromhex(secret)) == 32
    tmp_store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for path in (tmp_store.path, tmp_store.private_path):
        data = path.read_bytes()
        assert secret.encode() not in data and bytes.fromhex(secret) not in data
    assert tmp_store.meta("key_fingerprint") == pseudonymiser.fingerprint


def test_pseudonyms_are_keyed(tmp_path):
    first = identity.create_key(tmp_path / "a.key")
    second = identity.create_key(tmp_path / "b.key")
    assert first.key_for("a@example.org") != second.key_for("a@example.org")
    assert first.key_for("a@example.org") == identity.load_key(tmp_path / "a.key").key_for("a@example.org")
    import hashlib
    assert first.key_for("a@example.org") not in hashlib.sha256(b"a@example.org").hexdigest()
    with pytest.raises(FileExistsError):
        identity.create_key(tmp_path / "a.key")


def _one_delegate(directory):
    return write_csv(directory / "delegates.csv", "email,name\nbob@example.org,Bob\n")


def test_an_import_without_the_key_is_refused(tmp_path):
    path = tmp_path / "t.db"
    with scplearn.open(path) as store:
        scplearn.import_files(store, [_one_delegate(tmp_path / "a")])
    (tmp_path / "t.key").unlink()
    with scplearn.open(path) as store:
        with pytest.raises(identity.PseudonymKeyError, match="key file .* is missing"):
            scplearn.import_files(store, [write_csv(tmp_path / "b" / "delegates.csv", "email\ncarol@example.org\n")])
        assert store.db["delegates"].count == 1


def test_an_import_with_another_key_is_refused(tmp_path):
    path = tmp_path / "t.db"
    with scplearn.open(path) as store:
        scplearn.import_files(store, [_one_delegate(tmp_path / "a")])
    (tmp_path / "t.key").unlink()
    identity.create_key(tmp_path / "t.key")
    with scplearn.open(path) as store:
        with pytest.raises(identity.PseudonymKeyError, match="not the key"):
            scplearn.import_files(store, [write_csv(tmp_path / "b" / "delegates.csv", "email\ncarol@example.org\n")])


def test_private_database_and_key_can_live_elsewhere(tmp_path):
    with scplearn.open(tmp_path / "t.db", private_path=tmp_path / "vault" / "p.db", key_path=tmp_path / "vault" / "k.key") as store:
        (tmp_path / "vault").mkdir()
        scplearn.import_files(store, [_one_delegate(tmp_path / "a")])
    assert (tmp_path / "vault" / "p.db").exists() and (tmp_path / "vault" / "k.key").exists()
    assert not (tmp_path / "t.private.db").exists()
