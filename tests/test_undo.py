"""scplearn imports undo ID: exactly what one import wrote goes, summaries recounted; --force imports again."""

import pytest
from click.testing import CliRunner
from conftest import bookings, snapshot
from helpers.files.teams import GOOD, SESSION, booked_store, write_current

import scplearn
from scplearn import journal
from scplearn.cli import cli
from scplearn.errors import ScplearnError


@pytest.fixture
def booked(tmp_store, tmp_path):
    """The reference records, and people booked on NEG02-2024-09-10 (tests/helpers/files/teams.py)."""
    return booked_store(tmp_store, tmp_path)


def summaries(store):
    return sorted(store.db.execute("SELECT session, bookings, attended, walk_ins FROM session_summaries").fetchall())


def notes(store):
    """The ledger's notes of changed years (``data_changes``): (id, import, year, what)."""
    return store.db.execute("SELECT id, import, year, what FROM data_changes ORDER BY id").fetchall()


def records(store):
    """Everything :func:`snapshot` holds but the ledger's notes of changed years, which an undo adds to."""
    counts, evidence, private = snapshot(store)
    counts = {table: number for table, number in counts.items() if table != "data_changes"}
    return counts, [line for line in evidence if not line.startswith('INSERT INTO "data_changes"')], private


def assert_undone(store, import_id, filename, before_notes, import_notes):
    """The import's notes are gone, and one note of its undo dates the same years anew."""
    years = sorted({year for _, _, year, _ in import_notes})
    after = notes(store)
    assert after[:len(before_notes)] == before_notes
    added = after[len(before_notes):]
    assert [(imported, year, what) for _, imported, year, what in added] == [
        (None, year, f"import {import_id} ({filename}) undone") for year in years]
    assert min(number for number, *_ in added) > max(number for number, *_ in import_notes)


def test_a_wrong_session_is_undone_and_the_file_imported_again_rightly(booked, tmp_path):
    store = booked
    path = write_current(tmp_path / "report.csv", GOOD)
    before, summaries_before, notes_before = records(store), summaries(store), notes(store)
    wrong = scplearn.import_files(store, [path], options={"session": "VIR03-2024-09-12"})
    assert summaries(store) != summaries_before
    wrong_id = wrong.files[0].import_id
    wrong_notes = [note for note in notes(store) if note[1] == wrong_id]
    assert [year for _, _, year, _ in wrong_notes] == ["2024/25"]
    result = CliRunner().invoke(cli, ["imports", "undo", str(store.path), str(wrong_id)])
    assert result.exit_code == 0, result.output
    assert "removed 1 delegates, 1 bookings" in result.output and "restored 4 bookings" in result.output
    assert records(store) == before and summaries(store) == summaries_before
    assert_undone(store, wrong_id, "report.csv", notes_before, wrong_notes)
    right = scplearn.import_files(store, [path], options={"session": SESSION})
    assert not right.files[0].skipped
    assert bookings(store)[(SESSION, "eve@example.org")] == ("attended", True)


def test_undo_puts_back_the_values_an_import_changed(store, tmp_path):
    from conftest import write_csv
    first = write_csv(tmp_path / "a" / "bookings.csv", "session,email,status\nNEG02-2024-09-10,ann@example.org,booked\n")
    scplearn.import_files(store, [first])
    before, notes_before = records(store), notes(store)
    second = write_csv(tmp_path / "b" / "bookings.csv", "session,email,status\nNEG02-2024-09-10,ann@example.org,attended\n")
    report = scplearn.import_files(store, [second])
    assert report.files[0].changed == {"bookings": 1}
    second_id = report.files[0].import_id
    second_notes = [note for note in notes(store) if note[1] == second_id]
    done = journal.undo(store, second_id)
    assert done["restored"] == {"bookings": 1} and done["removed"] == {}
    assert records(store) == before
    assert_undone(store, second_id, "bookings.csv", notes_before, second_notes)


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
    from helpers.files.register import ROWS, TITLE, write_register
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


def test_imports_undone_one_after_another_leave_no_note_of_a_missing_import(store, tmp_path):
    from conftest import write_csv
    before = records(store)
    first, second = (
        scplearn.import_files(store, [write_csv(tmp_path / name / "bookings.csv",
                                                f"session,email,status\nNEG02-2024-09-10,{name}@example.org,booked\n")])
        .files[0].import_id for name in ("ann", "bob"))
    journal.undo(store, second)
    journal.undo(store, first)  # the second undo's check of references finds no note of the first
    assert records(store) == before
    assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []
    left = store.db.execute("SELECT count(*) FROM data_changes WHERE import IN (?, ?)", [first, second])
    assert left.fetchone()[0] == 0


def test_results_kept_while_an_undone_import_was_in_place_are_computed_again(store, tmp_path):
    """An undo, and an import after it, each make the results kept for the years they change stale."""
    from conftest import write_csv

    def attended():
        (kept,) = scplearn.evaluate(store, "reach", year="2024/25", keep=True)
        return kept["attended"]

    def attend(directory, *names):
        rows = "".join(f"NEG02-2024-09-10,{name}@example.org,attended\n" for name in names)
        return scplearn.import_files(store, [write_csv(tmp_path / directory / "bookings.csv",
                                                       "session,email,status\n" + rows)]).files[0].import_id

    assert attended() == 0
    wrong = attend("wrong", "ann")
    assert attended() == 1
    journal.undo(store, wrong)
    assert attended() == 0
    assert attended() == 0
    # Undone, then another file imported before anyone asks: its notes are numbered after the undo's.
    wrong = attend("wrong-again", "ann")
    assert attended() == 1
    journal.undo(store, wrong)
    attend("right", "bob", "cat")
    assert attended() == 2
