"""scplearn imports undo ID: exactly what one import wrote goes, summaries recounted; --force imports again."""

import pytest
from click.testing import CliRunner
from test_importers_helpers import bookings, reference, snapshot
from test_importers_teams import GOOD, SESSION, booked_store, write_current

import scplearn
from scplearn import journal
from scplearn.cli import cli
from scplearn.errors import ScplearnError


@pytest.fixture
def booked(tmp_store, tmp_path):
    """The reference records, and people booked on NEG02-2024-09-10 (tests/test_importers_teams.py)."""
    return booked_store(tmp_store, tmp_path)


@pytest.fixture
def store(tmp_store, tmp_path):
    reference(tmp_store, tmp_path / "reference")
    return tmp_store


def summaries(store):
    return sorted(store.db.execute("SELECT session, bookings, attended, walk_ins FROM session_summaries").fetchall())


def test_a_wrong_session_is_undone_and_the_file_imported_again_rightly(booked, tmp_path):
    store = booked
    path = write_current(tmp_path / "report.csv", GOOD)
    before, summaries_before = snapshot(store), summaries(store)
    wrong = scplearn.import_files(store, [path], options={"session": "VIR03-2024-09-12"})
    assert summaries(store) != summaries_before
    result = CliRunner().invoke(cli, ["imports", "undo", str(store.path), str(wrong.files[0].import_id)])
    assert result.exit_code == 0, result.output
    assert "removed 1 delegates, 1 bookings" in result.output and "restored 4 bookings" in result.output
    assert snapshot(store) == before and summaries(store) == summaries_before
    right = scplearn.import_files(store, [path], options={"session": SESSION})
    assert not right.files[0].skipped
    assert bookings(store)[(SESSION, "eve@example.org")] == ("attended", True)


def test_undo_puts_back_the_values_an_import_changed(store, tmp_path):
    from conftest import write_csv
    first = write_csv(tmp_path / "a" / "bookings.csv", "session,email,status\nNEG02-2024-09-10,ann@example.org,booked\n")
    scplearn.import_files(store, [first])
    before = snapshot(store)
    second = write_csv(tmp_path / "b" / "bookings.csv", "session,email,status\nNEG02-2024-09-10,ann@example.org,attended\n")
    report = scplearn.import_files(store, [second])
    assert report.files[0].changed == {"bookings": 1}
    done = journal.undo(store, report.files[0].import_id)
    assert done["restored"] == {"bookings": 1} and done["removed"] == {}
    assert snapshot(store) == before


def test_an_import_whose_records_later_imports_changed_is_not_undone(store, tmp_path):
    from conftest import write_csv
    first = scplearn.import_files(store, [write_csv(tmp_path / "a" / "bookings.csv",
                                                    "session,email,status\nNEG02-2024-09-10,ann@example.org,booked\n")])
    scplearn.import_files(store, [write_csv(tmp_path / "b" / "bookings.csv",
                                            "session,email,status\nNEG02-2024-09-10,ann@example.org,attended\n")])
    before = snapshot(store)
    with pytest.raises(ScplearnError, match="changed the same records since; undo import"):
        journal.undo(store, first.files[0].import_id)
    assert snapshot(store) == before
    with pytest.raises(ScplearnError, match="no import 99"):
        journal.undo(store, 99)


def test_undoing_a_created_session_that_later_records_use_is_refused(tmp_store, tmp_path):
    from test_importers_register import ROWS, TITLE, write_register
    created = scplearn.import_files(tmp_store, [write_register(tmp_path / "register.csv", ROWS)],
                                    options={"course": TITLE})
    from conftest import write_csv
    scplearn.import_files(tmp_store, [write_csv(tmp_path / "more" / "bookings.csv",
                                                "session,email,status\nNRR01-2024-09-03,zed@example.org,booked\n")])
    before = snapshot(tmp_store)
    with pytest.raises(ScplearnError, match="records written since refer to what it created"):
        journal.undo(tmp_store, created.files[0].import_id)
    assert snapshot(tmp_store) == before


def test_force_imports_a_file_already_imported(booked, tmp_path):
    store = booked
    path = write_current(tmp_path / "report.csv", GOOD)
    scplearn.import_files(store, [path], options={"session": SESSION})
    again = scplearn.import_files(store, [path], options={"session": SESSION})
    assert "already imported" in again.files[0].skipped and "--force" in again.files[0].skipped
    forced = scplearn.import_files(store, [path], options={"session": SESSION}, force=True)
    assert not forced.files[0].skipped and forced.files[0].rows == 9
    assert [row["filename"] for row in store.imports()].count("report.csv") == 2
