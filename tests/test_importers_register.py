"""Hand-kept registers recognised by their headings: no mapping file, sessions and courses from the rows."""

import pytest
from click.testing import CliRunner
from helpers.files.register import ROWS, TITLE, write_register

import scplearn
from scplearn.cli import cli
from scplearn.importers.register import RegisterImporter

BAD = [
    ["10/09/2024", TITLE, "Finn", "Grey", "finn@example", "", "Teacher", "Y", 5, 6, 5, 6],          # no dot after @
    ["31/09/2024", TITLE, "Gail", "Hope", "gail@example.org", "", "GP", "Y", 11, 6, 5, 6],          # no 31 September
]


def test_a_register_is_recognised_by_its_headings_without_a_mapping(tmp_path):
    path = write_register(tmp_path / "Neglect register.xlsx", ROWS, title="Neglect register, September 2024")
    assert RegisterImporter().recognises(path)
    assert not RegisterImporter().recognises(write_register(tmp_path / "bookings.csv", ROWS))  # the scplearn layout's name
    other = tmp_path / "other.csv"
    other.write_text("name,phone\nAlice,0116\n", encoding="utf-8")
    assert not RegisterImporter().recognises(other)


def test_the_course_and_sessions_come_from_the_rows(tmp_store, tmp_path):
    path = write_register(tmp_path / "register.xlsx", ROWS, title="Neglect register")
    report = scplearn.import_files(tmp_store, [path], options={"course": TITLE})
    assert report.files[0].importer == "register"
    assert [row["code"] for row in tmp_store.db["courses"].rows] == ["NRR01"]
    sessions = {row["code"]: (row["date"], row["mode"]) for row in tmp_store.db["sessions"].rows}
    assert sessions == {"NRR01-2024-09-03": ("2024-09-03", "face_to_face"),
                        "NRR01-2024-09-10": ("2024-09-10", "face_to_face")}
    statuses = dict(tmp_store.db.execute("SELECT status, count(*) FROM bookings GROUP BY 1").fetchall())
    assert statuses == {"attended": 4, "did_not_attend": 1}
    agencies = {row["name"]: (row["sector"], row["verified"]) for row in tmp_store.db["agencies"].rows}
    assert agencies["LCC Children's Services"] == ("unknown", 0)
    names = {row["email"]: row["name"] for row in tmp_store.private["people"].rows}
    assert names["alice@example.org"] == "Alice Brown"


def test_all_or_nothing_names_exactly_the_bad_rows(tmp_store, tmp_path):
    path = write_register(tmp_path / "register.csv", ROWS + BAD)
    with pytest.raises(scplearn.ImportFailed) as failure:
        scplearn.import_files(tmp_store, [path], options={"course": TITLE})
    assert sorted({issue.row for issue in failure.value.report.issues}) == [7, 8]
    assert tmp_store.db["bookings"].count == 0 and tmp_store.db["courses"].count == 0


def test_skip_invalid_gives_the_uplift_of_the_good_rows(tmp_store, tmp_path):
    path = write_register(tmp_path / "register.csv", ROWS + BAD)
    report = scplearn.import_files(tmp_store, [path], options={"course": TITLE}, skip_invalid=True)
    assert report.files[0].rejected == 2
    uplift = {row["dimension"]: row for row in scplearn.evaluate(tmp_store, "uplift", by=["course"])}
    # Knowledge: Alice 4→8, Bob 6→7, Dan 3→6, Eve 5→9 (Carol did not attend; Finn and Gail's rows are bad).
    assert uplift["knowledge"]["n"] == 4
    assert uplift["knowledge"]["mean_pre"] == pytest.approx(18 / 4)
    assert uplift["knowledge"]["mean_post"] == pytest.approx(30 / 4)
    # Confidence: Alice 5→7, Bob 6→9, Dan 4→4.
    assert uplift["confidence"]["n"] == 3
    assert uplift["confidence"]["mean_change"] == pytest.approx(5 / 3)


def test_the_command_line_with_the_course_title_alone(tmp_path):
    path = write_register(tmp_path / "register.csv", ROWS)
    db = tmp_path / "training.db"
    assert CliRunner().invoke(cli, ["init", str(db)]).exit_code == 0
    result = CliRunner().invoke(cli, ["import", str(db), str(path), "--course", TITLE])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("register.csv (register): 5 rows read")
    assert "  created course NRR01: Neglect: Recognising and Responding" in result.stdout
