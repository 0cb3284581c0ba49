"""Hand-kept spreadsheets through a mapping file: TOML or YAML, sheets, title rows, spellings, fixed values."""

import pytest
from click.testing import CliRunner
from conftest import bookings, people, snapshot, write_csv
from helpers.files.mapped import REGISTER, TOML, write_register

import scplearn
from scplearn.cli import cli
from scplearn.errors import ScplearnError
from scplearn.importers.mapped import MappedImporter

SESSION = "CAS01-2024-09-03"
YAML = """
records: [delegates, bookings]
sheet: Register
header_row: 3
columns:
  Delegate: name
  E-mail: email
  Job title: role
  Organisation: agency
  Attended?: status
  Comments: ""
values:
  status: {"Y": attended, "N": did_not_attend, "C": cancelled}
  agency: {Leics Police: Leicestershire Police}
fixed:
  session: CAS01-2024-09-03
"""


EXPECTED = {
    (SESSION, "zoe.obrien@example.org"): ("attended", False),
    (SESSION, "bob@example.org"): ("attended", False),
    (SESSION, "priya@example.org"): ("did_not_attend", False),
    (SESSION, "tom@example.org"): ("cancelled", False),
}


def test_a_register_through_a_toml_mapping(store, tmp_path):
    path = write_register(tmp_path / "register.xlsx")
    (tmp_path / "register.toml").write_text(TOML)
    report = scplearn.import_files(store, [path], format="mapped",
                                   options={"mapping": tmp_path / "register.toml", "session": SESSION})
    assert report.written and report.files[0].rows == 4
    assert bookings(store) == EXPECTED
    assert people(store)["zoe.obrien@example.org"] == "Zoë O'Brien"
    assert people(store)["bob@example.org"] == "Bob Smith"
    agencies = dict(store.db.execute("SELECT role, agency FROM delegates").fetchall())
    assert agencies == {"Teacher": "St Mary's Primary School", "PC": "Leicestershire Police",
                        "Nurse": "University Hospitals of Leicester NHS Trust", None: None}


def test_a_yaml_mapping_beside_the_file_is_found_on_its_own(store, tmp_path):
    path = write_register(tmp_path / "CAS01 register.xlsx")
    (tmp_path / "CAS01 register.mapping.yaml").write_text(YAML)
    assert MappedImporter().recognises(path)
    report = scplearn.import_files(store, [path])
    assert report.files[0].importer == "mapped"
    assert bookings(store) == EXPECTED


def test_sessions_found_by_date_and_course_columns(store, tmp_path):
    path = write_csv(tmp_path / "attendance.csv", """
        Course,Date,Email,Present
        NEG02,10/09/2024,alice@example.org,yes
        NEG02,15/10/2024,alice@example.org,no
        CAS01,2024-09-03,bob@example.org,yes
    """)
    (tmp_path / "attendance.toml").write_text(
        'records = "bookings"\n[columns]\nCourse = "course"\nDate = "session_date"\nEmail = "email"\n'
        'Present = "status"\n[values.status]\nyes = "attended"\nno = "did_not_attend"\n'
    )
    scplearn.import_files(store, [path], format="mapped", options={"mapping": tmp_path / "attendance.toml"})
    assert bookings(store) == {
        ("NEG02-2024-09-10", "alice@example.org"): ("attended", False),
        ("NEG02-2024-10-15", "alice@example.org"): ("did_not_attend", False),
        (SESSION, "bob@example.org"): ("attended", False),
    }


def test_a_bad_row_gives_no_record_at_all(store, tmp_path):
    rows = REGISTER + [("Ann Lee", "ann@example.org", "Manager", "Leicestershire Police", "Maybe", ""),
                       ("Kim Ward", "kim.example.org", "Childminder", "", "Y", "")]
    path = write_register(tmp_path / "register.xlsx", rows)
    (tmp_path / "register.toml").write_text(TOML)
    options = {"mapping": tmp_path / "register.toml", "session": SESSION}
    before = snapshot(store)
    with pytest.raises(scplearn.ImportFailed) as failure:
        scplearn.import_files(store, [path], format="mapped", options=options)
    found = [(i.file, i.row, i.column, i.value) for i in failure.value.report.issues]
    # Kim's email is wrong for her delegate and her booking alike: reported once.
    assert found == [("register.xlsx", 8, "Attended?", "Maybe"), ("register.xlsx", 9, "E-mail", "kim.example.org")]
    assert snapshot(store) == before
    report = scplearn.import_files(store, [path], format="mapped", options=options, skip_invalid=True)
    assert report.files[0].rejected == 2
    assert bookings(store) == EXPECTED
    assert "ann@example.org" not in people(store)  # her row was bad: no delegate either


@pytest.mark.parametrize("mapping, message", [
    ('[columns]\n"E-mail" = "email"\n', "say which records each row holds"),
    ('records = "registers"\n', "unknown record kind 'registers'"),
    ('records = "bookings"\n[columns]\n"E-mail" = "e_mail"\n', "'e_mail' is not a field of bookings"),
])
def test_a_wrong_mapping_is_one_clear_error(store, tmp_path, mapping, message):
    path = write_register(tmp_path / "register.xlsx")
    (tmp_path / "m.toml").write_text(mapping)
    with pytest.raises(ScplearnError, match=message):
        scplearn.import_files(store, [path], format="mapped", options={"mapping": tmp_path / "m.toml"})


def test_columns_the_mapping_names_must_be_in_the_file(store, tmp_path):
    path = write_register(tmp_path / "register.xlsx")
    (tmp_path / "m.toml").write_text(TOML.replace('"Job title" = "role"', '"Job role" = "role"'))
    with pytest.raises(scplearn.ImportFailed) as failure:
        scplearn.import_files(store, [path], format="mapped",
                              options={"mapping": tmp_path / "m.toml", "session": SESSION})
    [issue] = failure.value.report.issues
    assert (issue.row, issue.column) == (3, "job role") and "not in the file" in issue.reason


def test_without_a_session_nothing_is_imported(store, tmp_path):
    path = write_register(tmp_path / "register.xlsx")
    (tmp_path / "m.toml").write_text(TOML)
    with pytest.raises(scplearn.ImportFailed, match="no session column"):
        scplearn.import_files(store, [path], format="mapped", options={"mapping": tmp_path / "m.toml"})


def test_reimporting_changes_nothing_and_dry_run_writes_nothing(store, tmp_path):
    path = write_register(tmp_path / "register.xlsx")
    (tmp_path / "register.mapping.yaml").write_text(YAML)
    before = snapshot(store)
    dry = scplearn.import_files(store, [path], dry_run=True)
    assert snapshot(store) == before
    real = scplearn.import_files(store, [path])
    assert dry.files[0].added == real.files[0].added == {"delegates": 4, "bookings": 4}
    after = snapshot(store)
    again = write_register(tmp_path / "register (copy).xlsx")
    (tmp_path / "register (copy).mapping.yaml").write_text(YAML)
    report = scplearn.import_files(store, [again])
    assert report.files[0].added == {} and report.files[0].changed == {}
    assert snapshot(store) == after


def test_the_command_line(store, tmp_path):
    path = write_register(tmp_path / "register.xlsx")
    (tmp_path / "register.toml").write_text(TOML)
    result = CliRunner().invoke(cli, ["import", str(store.path), str(path), "--format", "mapped",
                                      "--mapping", str(tmp_path / "register.toml"), "--session", SESSION])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("register.xlsx (mapped): 4 rows read, 8 records written, 0 superseded, 0 left out; "
                                    "added 4 delegates, 4 bookings")
