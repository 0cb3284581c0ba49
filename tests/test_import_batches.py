"""The canonical layout's batch path: the same records, problems and database as reading row by row."""

import datetime as dt
import hashlib
import hmac
import re

import pytest
from conftest import dump, reference_files, write_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scplearn
from scplearn import identity, model, writer
from scplearn.importers import canonical
from scplearn.importers.canonical import CanonicalImporter

EVALUATION_FIELDS = [field for field in model._recipe(model.Evaluation).names]


@pytest.fixture
def row_by_row(monkeypatch):
    """Import as every other importer does: one record at a time."""
    monkeypatch.setattr(CanonicalImporter, "read_batches", None)


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of two rows, written every three records, so that batches and flushes interleave."""
    monkeypatch.setattr(canonical, "BATCH_ROWS", 2)
    monkeypatch.setattr(writer, "BATCH", 3)


def messy_evaluations(directory):
    """Good rows between bad ones: bad scores, emails, unknown sessions, short and long rows."""
    return write_csv(directory / "evaluations.csv", """
        session,email,knowledge_pre,knowledge_post,skills_pre,skills_post,confidence_pre,confidence_post,action_1
        S1,zoe.o'brien@example.org,5,8,4,7/10,6,9 out of 10,Use the toolkit
        S9,bob@example.org,6,7,5,5,N/A,8,
        S2,not an email,11,7,5,5,,8,
        S2,Bob@Example.org,3,4
        S1,new.one@example.org,1,2,3,4,5,6,Act,,
        S1,extra@example.org,1,2,3,4,5,6,Act,surplus
        ,mailto:zed@example.org,2,2,2,2,2,2,
        S2,  spaced@example.org ,10,1,1,10,n/a,-,
        S3,bob@example.org,x,y,,,,,
        S2,bob@example.org,2,3,2,3,2,3,Late correction
    """)


def twin_stores(tmp_path):
    """Two empty stores with the same pseudonym key."""
    stores = []
    for name in ("batches", "rows"):
        (tmp_path / name).mkdir()
        if stores:
            (tmp_path / name / "training.key").write_bytes(stores[0].key_path.read_bytes())
            (tmp_path / name / "training.key").chmod(0o600)
        stores.append(scplearn.open(tmp_path / name / "training.db"))
        stores[-1].pseudonymiser
    return stores


TIME = re.compile(r"'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[^']*'")


def contents(store):
    """Both databases as SQL, without the ledger's times: the imports, and when each change to a year's data
    was noted (two imports a moment apart may fall either side of a second)."""
    return [[TIME.sub("'<time>'", line) if line.startswith('INSERT INTO "data_changes"') else line
             for line in lines if not line.startswith('INSERT INTO "imports"')] for lines in dump(store)]


def outcome(store, path):
    try:
        report = scplearn.import_files(store, [path])
    except scplearn.ImportFailed as failure:
        return str(failure), contents(store)
    return report.summary(), contents(store)


def test_bad_rows_are_reported_alike_with_and_without_batches(tmp_path, monkeypatch, small_batches):
    directory = reference_files(tmp_path / "in")
    stores = twin_stores(tmp_path)
    for store in stores:
        scplearn.import_files(store, [directory / f"{table}.csv" for table in
                                      ("partnerships", "agencies", "courses", "sessions", "delegates", "bookings")])
    path = messy_evaluations(tmp_path / "messy")
    batched = outcome(stores[0], path)
    monkeypatch.setattr(CanonicalImporter, "read_batches", None)
    assert outcome(stores[1], path) == batched
    message = batched[0]
    assert message.index("row 3, column 'session'") < message.index("row 4, column 'email'")
    assert message.index("rows 4, 10, column 'knowledge_pre'") < message.index("row 7: value 'surplus'")
    assert "row 3, column 'session': value 'S9': no such session" in message
    assert "row 7: value 'surplus': row has 10 cells but the header has 9" in message
    # The same problem on two rows is one line naming both rows.
    assert "rows 4, 10, column 'knowledge_pre': values '11', 'x': must be a whole number from 1 to 10" in message
    assert "row 10, column 'session': value 'S3': no such session" not in message  # a bad row is not looked up
    assert message.count("\n") == 6


def test_the_good_rows_kept_with_skip_invalid_are_the_same_with_and_without_batches(tmp_path, monkeypatch, small_batches):
    directory = reference_files(tmp_path / "in")
    stores = twin_stores(tmp_path)
    path = messy_evaluations(tmp_path / "messy")
    results = []
    for store in stores:
        scplearn.import_files(store, [directory / f"{table}.csv" for table in
                                      ("partnerships", "agencies", "courses", "sessions", "delegates", "bookings")])
        report = scplearn.import_files(store, [path], skip_invalid=True)
        results.append((report.summary(), [str(issue) for issue in report.issues], contents(store)))
        monkeypatch.setattr(CanonicalImporter, "read_batches", None)
    assert results[0] == results[1]
    assert results[0][0] == ("evaluations.csv (scplearn): 10 rows read, 7 records written, 0 superseded, 0 left out; "
                             "added 2 delegates, 4 evaluations; changed 1 evaluations; rejected 5 (import 7)")


def test_a_good_import_writes_the_same_database_with_and_without_batches(tmp_path, monkeypatch, small_batches):
    directory = reference_files(tmp_path / "in")
    batched, rows = twin_stores(tmp_path)
    batched_report = scplearn.import_files(batched, [directory])
    monkeypatch.setattr(CanonicalImporter, "read_batches", None)
    rows_report = scplearn.import_files(rows, [directory])
    assert batched_report.summary() == rows_report.summary()
    assert contents(batched) == contents(rows)
    assert batched.db.execute("SELECT count(*) FROM evaluations").fetchone()[0] == 2


def test_a_later_row_of_the_same_delegate_and_session_wins_in_a_batch(tmp_store, tmp_path):
    directory = reference_files(tmp_path / "in")
    scplearn.import_files(tmp_store, [directory])
    path = write_csv(tmp_path / "again" / "evaluations.csv", """
        session,email,knowledge_pre,knowledge_post
        S1,bob@example.org,1,2
        S1,bob@example.org,3,4
    """)
    scplearn.import_files(tmp_store, [path])
    key = tmp_store.pseudonymiser.key_for("bob@example.org")
    assert tmp_store.db.execute(
        "SELECT knowledge_pre, knowledge_post FROM evaluations WHERE session = 'S1' AND delegate = ?", [key]
    ).fetchone() == (3, 4)


def test_new_delegates_of_a_batch_are_written_to_both_databases_once(tmp_store, tmp_path):
    directory = reference_files(tmp_path / "in")
    scplearn.import_files(tmp_store, [directory])
    path = write_csv(tmp_path / "more" / "evaluations.csv", """
        session,email,knowledge_pre,knowledge_post
        S1,Brand.New@example.org,1,2
        S2,brand.new@example.org,3,4
        S2,zoe.o'brien@example.org,3,4
    """)
    report = scplearn.import_files(tmp_store, [path])
    assert report.totals("added") == {"delegates": 1, "evaluations": 3}
    key = tmp_store.pseudonymiser.key_for("brand.new@example.org")
    assert tmp_store.private.execute("SELECT email FROM people WHERE key = ?", [key]).fetchall() == [
        ("brand.new@example.org",)]
    assert tmp_store.db.execute("PRAGMA foreign_key_check").fetchall() == []


CELLS = st.sampled_from([
    "", " ", "N/A", "none given", "7", " 7 ", "7/10", "10", "0", "11", "7.0", "7.5", "x", "-",
    "S1", " S1 ", "S\u0065\u0301", "a@b.org", "A@B.org", "mailto:a@b.org", "a @b.org", "a@b", "@b.org",
    "é@b.org", "a@b.org ", "a:b@c.org", "\u00e9t\u00e9", "=1+1",
]) | st.integers(-2, 12) | st.floats(allow_nan=True) | st.booleans() | st.just(dt.date(2024, 1, 2))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(CELLS, min_size=len(EVALUATION_FIELDS), max_size=len(EVALUATION_FIELDS)),
                min_size=1, max_size=6),
       st.sets(st.sampled_from(EVALUATION_FIELDS)))
def test_columns_convert_as_rows_do(rows, absent):
    """Every cell a spreadsheet can give, column by column or row by row: the same values or the same problems."""
    present = [field for field in EVALUATION_FIELDS if field not in absent]
    dicts = [{field: cell for field, cell in zip(EVALUATION_FIELDS, row) if field in present} for row in rows]
    columns = {field: [row[field] for row in dicts] for field in present}
    converted, bad = model.build_columns(model.Evaluation, columns, len(rows))
    for index, row in enumerate(dicts):
        record, problems = model.build(model.Evaluation, row)
        assert (index in bad) == (record is None)
        if record is not None:
            assert model.make(model.Evaluation, {f: values[index] for f, values in converted.items()}) == record


def test_a_record_type_with_a_validator_across_fields_is_made_row_by_row():
    assert model.build_columns(model.Booking, {}, 0) is None
    assert model.build_columns(model.Evaluation, {}, 0) == ({field: [] for field in EVALUATION_FIELDS}, set())


@settings(max_examples=100)
@given(st.binary(min_size=32, max_size=32), st.text(min_size=0, max_size=40))
def test_pseudonyms_are_hmac_sha256_of_the_label_and_email(secret, email):
    expected = hmac.new(secret, identity.LABEL + email.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
    pseudonymiser = identity.Pseudonymiser(secret)
    assert pseudonymiser.key_for(email) == expected
    assert pseudonymiser.keys_for([email, None]) == [expected, None]
