"""The canonical import: all or nothing, idempotent, in dependency order, with a ledger."""


import pytest
from conftest import dump, reference_files, write_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scplearn
from scplearn import model, summaries


def test_a_directory_is_imported_in_dependency_order(tmp_store, tmp_path):
    files = reference_files(tmp_path / "in")
    # Name the files in reverse order: the import still puts references first.
    report = scplearn.import_files(tmp_store, sorted(files.iterdir(), reverse=True))
    assert report.ok and report.written
    counts = tmp_store.counts()
    assert {t: counts[t] for t in ("partnerships", "agencies", "courses", "sessions", "bookings", "evaluations")} == {
        "partnerships": 1, "agencies": 2, "courses": 1, "sessions": 3, "bookings": 4, "evaluations": 2}
    # The booking of an unlisted email creates a bare delegate; case differences do not.
    assert counts["delegates"] == 3
    assert tmp_store.db["sessions"].get("S1")["year"] == "2023/24"
    assert tmp_store.db["sessions"].get("FEST")["headcount"] == 284


def test_reimporting_changes_nothing(tmp_store, tmp_path):
    files = reference_files(tmp_path / "in")
    scplearn.import_files(tmp_store, [files])
    before = dump(tmp_store)
    again = scplearn.import_files(tmp_store, [files])
    assert all(f.skipped and "already imported" in f.skipped for f in again.files)
    assert dump(tmp_store)[1] == before[1]
    assert [line for line in dump(tmp_store)[0] if "INSERT INTO \"imports\"" not in line] == [
        line for line in before[0] if "INSERT INTO \"imports\"" not in line]


def test_the_same_records_under_another_file_name_change_nothing(tmp_store, tmp_path):
    files = reference_files(tmp_path / "in")
    scplearn.import_files(tmp_store, [files])
    copy = tmp_path / "copy" / "2023-24 evaluations.csv"
    write_csv(copy, (files / "evaluations.csv").read_text() + "\n")
    before = tmp_store.counts()
    report = scplearn.import_files(tmp_store, [copy])
    assert report.files[0].added == {} and report.files[0].changed == {}
    assert tmp_store.counts()["evaluations"] == before["evaluations"]


def test_a_corrected_row_is_reported_as_changed(tmp_store, tmp_path):
    files = reference_files(tmp_path / "in")
    scplearn.import_files(tmp_store, [files])
    fixed = write_csv(tmp_path / "fix" / "sessions.csv", """
        code,course,date,mode,capacity,partnership,headcount
        S1,CAS01,03/09/2023,Face to face,25,Leicester,
    """)
    report = scplearn.import_files(tmp_store, [fixed])
    assert report.files[0].changed == {"sessions": 1}
    assert tmp_store.db["sessions"].get("S1")["capacity"] == 25


def test_one_bad_row_means_nothing_is_written_and_every_problem_is_reported(tmp_store, tmp_path):
    files = reference_files(tmp_path / "in")
    write_csv(files / "evaluations.csv", """
        session,email,knowledge_pre,knowledge_post
        S1,zoe.o'brien@example.org,0,11
        S9,bob@example.org,5,6
        S2,not-an-email,5,6
    """)
    before = dump(tmp_store)
    with pytest.raises(scplearn.ImportFailed) as failure:
        scplearn.import_files(tmp_store, [files])
    problems = {(i.file, i.row, i.column, i.value) for i in failure.value.report.issues}
    assert problems == {
        ("evaluations.csv", 2, "knowledge_pre", "0"),
        ("evaluations.csv", 2, "knowledge_post", "11"),
        ("evaluations.csv", 3, "session", "S9"),
        ("evaluations.csv", 4, "email", "not-an-email"),
    }
    assert "evaluations.csv, row 3, column 'session': value 'S9': no such session" in str(failure.value)
    assert dump(tmp_store) == before
    assert not tmp_store.imports()


def test_skip_invalid_writes_the_good_rows_and_reports_the_bad(tmp_store, tmp_path):
    files = reference_files(tmp_path / "in")
    write_csv(files / "evaluations.csv", """
        session,email,knowledge_pre,knowledge_post
        S1,zoe.o'brien@example.org,0,11
        S2,bob@example.org,5,6
    """)
    report = scplearn.import_files(tmp_store, [files], skip_invalid=True)
    assert report.written and len(report.issues) == 2
    assert tmp_store.counts()["evaluations"] == 1
    ledger = {row["filename"]: row for row in tmp_store.imports()}
    assert ledger["evaluations.csv"]["rejected"] == 1 and ledger["evaluations.csv"]["added"] == 1


def test_dry_run_reports_but_writes_nothing(tmp_store, tmp_path):
    files = reference_files(tmp_path / "in")
    before = dump(tmp_store)
    report = scplearn.import_files(tmp_store, [files], dry_run=True)
    assert not report.written
    assert report.totals("added")["bookings"] == 4
    assert "would add" in report.summary()
    assert dump(tmp_store) == before


def test_the_ledger_records_each_file(tmp_store, tmp_path):
    files = reference_files(tmp_path / "in")
    scplearn.import_files(tmp_store, [files])
    ledger = tmp_store.imports()
    assert [row["filename"] for row in ledger] == [
        "partnerships.csv", "agencies.csv", "courses.csv", "sessions.csv", "delegates.csv", "bookings.csv", "evaluations.csv"]
    import hashlib
    assert ledger[0]["sha256"] == hashlib.sha256((files / "partnerships.csv").read_bytes()).hexdigest()
    assert ledger[5]["added"] == 5  # four bookings and one new delegate


def test_header_problems_are_reported(tmp_store, tmp_path):
    bad = write_csv(tmp_path / "sessions.csv", """
        code,course,date,colour
        S1,C,2024-01-01,red
    """)
    with pytest.raises(scplearn.ImportFailed) as failure:
        scplearn.import_files(tmp_store, [bad])
    text = str(failure.value)
    assert "column 'colour': unknown column for sessions" in text
    assert "column 'mode': required column is missing" in text


def summary_rows(store) -> dict:
    """Every row of the per-session summary tables, keyed by session (and dimension)."""
    return {
        "sessions": {r["session"]: r for r in store.db.query("SELECT * FROM session_summaries")},
        "scores": {
            (r["session"], d): {field: r[f"{d}_{field}"] for field in summaries.SCORE_FIELDS}
            for r in store.db.query("SELECT * FROM score_summaries")
            for d in model.DIMENSIONS
            if r[f"{d}_rated"]
        },
    }


def test_summaries_are_the_sufficient_statistics_of_the_records(tmp_store, tmp_path):
    scplearn.import_files(tmp_store, [reference_files(tmp_path / "in")])
    found = summary_rows(tmp_store)
    assert set(found["sessions"]) == {"S1", "S2"}  # FEST has no bookings
    pick = ("bookings", "booked", "cancelled", "attended", "did_not_attend", "walk_ins", "gains", "gain_sixths")
    # S1: Zoe attended (gains 3, 3, 3: a mean of 3, 18 sixths), Bob cancelled.
    assert {k: found["sessions"]["S1"][k] for k in pick} == dict(zip(pick, (2, 2, 1, 1, 0, 0, 1, 18)))
    # S2: Bob walked in (gains 1 and 0: a mean of 1/2, 3 sixths), a booking did not attend.
    assert {k: found["sessions"]["S2"][k] for k in pick} == dict(zip(pick, (2, 1, 0, 1, 1, 1, 1, 3)))
    assert found["sessions"]["S1"]["followups"] == 0
    changed = {
        key: (r["rated"], r["pre_sum"], r["post_sum"],
              {name: r[name] for name in summaries.CHANGES if r[name]})
        for key, r in found["scores"].items()
    }
    assert changed == {
        ("S1", "knowledge"): (1, 5, 8, {"up_3": 1}), ("S1", "skills"): (1, 4, 7, {"up_3": 1}),
        ("S1", "confidence"): (1, 6, 9, {"up_3": 1}),
        ("S2", "knowledge"): (1, 6, 7, {"up_1": 1}), ("S2", "skills"): (1, 5, 5, {"same": 1}),
    }


def test_corrections_and_reimports_keep_the_summaries_equal_to_a_fresh_recount(tmp_store, tmp_path):
    scplearn.import_files(tmp_store, [reference_files(tmp_path / "in")])
    first = summary_rows(tmp_store)
    scplearn.import_files(tmp_store, [tmp_path / "in" / "evaluations.csv"])  # the same file again
    assert summary_rows(tmp_store) == first
    write_csv(tmp_path / "fix" / "evaluations.csv", """
        session,email,knowledge_pre,knowledge_post,skills_pre,skills_post,confidence_pre,confidence_post,action_1
        S2,bob@example.org,2,9,5,4,3,8,
    """)
    write_csv(tmp_path / "fix" / "bookings.csv", """
        session,email,status,walk_in
        S1,bob@example.org,attended,no
    """)
    write_csv(tmp_path / "fix" / "followups.csv", """
        session,email,date,used_learning,specific_action,knowledge,skills,confidence
        S1,bob@example.org,2023-12-01,yes,no,7,6,
    """)
    scplearn.import_files(tmp_store, [tmp_path / "fix"])
    corrected = summary_rows(tmp_store)
    assert corrected != first
    assert corrected["scores"][("S2", "confidence")]["up_5"] == 1
    assert corrected["sessions"]["S1"]["attended"] == 2
    assert corrected["sessions"]["S1"]["followups"] == 1
    with tmp_store.db.atomic():
        tmp_store.db.execute("DELETE FROM session_summaries")
        tmp_store.db.execute("DELETE FROM score_summaries")
        summaries.refresh_all(tmp_store.db)
    assert summary_rows(tmp_store) == corrected


def test_references_hold_though_sqlite_does_not_check_them_during_an_import(tmp_store, tmp_path):
    # new.person@example.org is booked without a delegates row: the writer must create one.
    scplearn.import_files(tmp_store, [reference_files(tmp_path / "all")])
    assert tmp_store.db.execute("SELECT count(*) FROM delegates").fetchone()[0] == 3
    assert tmp_store.db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert tmp_store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_an_import_without_bookings_keeps_the_booking_counts_and_agrees_with_a_recount(tmp_store, tmp_path):
    reference_files(tmp_path / "all")
    evaluations = (tmp_path / "all" / "evaluations.csv").read_text()
    (tmp_path / "all" / "evaluations.csv").unlink()
    scplearn.import_files(tmp_store, [tmp_path / "all"])
    booked = {session: {column: row[column] for column in summaries.BOOKING_COLUMNS}
              for session, row in summary_rows(tmp_store)["sessions"].items()}
    (tmp_path / "later").mkdir()
    (tmp_path / "later" / "evaluations.csv").write_text(evaluations)
    scplearn.import_files(tmp_store, [tmp_path / "later"])
    after = summary_rows(tmp_store)
    assert after["scores"], "the evaluations must add score summaries, or the test proves nothing"
    assert {session: {column: row[column] for column in summaries.BOOKING_COLUMNS}
            for session, row in after["sessions"].items()} == booked
    with tmp_store.db.atomic():
        tmp_store.db.execute("DELETE FROM session_summaries")
        tmp_store.db.execute("DELETE FROM score_summaries")
        summaries.refresh_all(tmp_store.db)
    assert summary_rows(tmp_store) == after


evaluation_rows = st.lists(
    st.fixed_dictionaries({
        "who": st.integers(0, 30),
        **{f"{d}_{side}": st.one_of(st.none(), st.integers(1, 10)) for d in model.DIMENSIONS for side in ("pre", "post")},
        "action_1": st.one_of(st.none(), st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)
                              .filter(lambda s: scplearn.values.text(s) == s)),
    }),
    min_size=1, max_size=25, unique_by=lambda row: row["who"],
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=evaluation_rows)
def test_valid_values_round_trip_through_the_store_unchanged(tmp_path_factory, rows):
    directory = tmp_path_factory.mktemp("roundtrip")
    reference_files(directory)
    (directory / "evaluations.csv").unlink()
    import csv
    columns = ["session", "email", *[f"{d}_{s}" for d in model.DIMENSIONS for s in ("pre", "post")], "action_1"]
    with open(directory / "evaluations.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["S1", f"person{row['who']}@example.org", *["" if row[c] is None else row[c] for c in columns[2:]]])
    with scplearn.open(directory / "t.db") as store:
        scplearn.import_files(store, [directory])
        stored = {r["delegate"]: r for r in store.db["evaluations"].rows}
        for row in rows:
            got = stored[store.pseudonymiser.key_for(f"person{row['who']}@example.org")]
            assert {c: got[c] for c in columns[2:]} == {c: row[c] for c in columns[2:]}


def test_names_and_emails_stay_out_of_the_evidence_database(tmp_store, tmp_path):
    scplearn.import_files(tmp_store, [reference_files(tmp_path / "in")])
    tmp_store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = tmp_store.path.read_bytes().lower()
    for secret in (b"example.org", b"bob smith", "zoë".encode()):
        assert secret not in raw
    people = {row["email"]: row["name"] for row in tmp_store.private["people"].rows}
    assert people["zoe.o'brien@example.org"] == "Zoë O'Brien"
    assert people["new.person@example.org"] is None
