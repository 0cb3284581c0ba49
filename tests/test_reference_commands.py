"""scplearn courses, sessions and agencies: listing, adding, editing, confirming and merging."""

import pytest
from click.testing import CliRunner

import scplearn
from scplearn import reference
from scplearn.cli import cli
from scplearn.errors import ScplearnError


def run(*args):
    result = CliRunner().invoke(cli, [str(arg) for arg in args])
    assert "Traceback" not in result.output
    return result


def test_courses_are_listed_added_and_edited(store):
    assert run("courses", "add", store.path, "Domestic Abuse and Children", "--level", "2").exit_code == 0
    result = run("courses", "edit", store.path, "domestic abuse and children", "--priority", "Domestic abuse",
                 "--duration-hours", "3")
    assert result.exit_code == 0, result.output
    course = store.db["courses"].get("DAC01")
    assert (course["title"], course["level"], course["priority"], course["duration_hours"]) == (
        "Domestic Abuse and Children", 2, "Domestic abuse", 3.0)
    listing = run("courses", store.path).output
    assert "DAC01" in listing and "NEG02" in listing
    bad = run("courses", "edit", store.path, "DAC01", "--level", "7")
    assert bad.exit_code == 1 and "level '7': must be a competency level from 1 to 4" in bad.output
    near = run("courses", "edit", store.path, "Neglect: Recognising and Respondng", "--level", "1")
    assert near.exit_code == 1 and "did you mean Neglect: Recognising and Responding (NEG02)?" in near.output


def test_sessions_get_what_the_files_cannot_say(store):
    result = run("sessions", "edit", store.path, "NEG02-2024-09-10", "--capacity", "24", "--trainer", "Tess Trainer")
    assert result.exit_code == 0, result.output
    row = store.db["sessions"].get("NEG02-2024-09-10")
    assert (row["capacity"], row["trainer"]) == (24, "Tess Trainer")
    added = run("sessions", "add", store.path, "Neglect: Recognising and Responding", "05/03/2025", "--mode", "virtual")
    assert added.exit_code == 0 and "NEG02-2025-03-05" in added.output
    assert store.db["sessions"].get("NEG02-2025-03-05")["year"] == "2024/25"
    assert "NEG02-2025-03-05" in run("sessions", store.path, "--course", "NEG02").output
    assert run("sessions", "edit", store.path, "NEG02-2024-09-10", "--mode", "by pigeon").exit_code == 1


def test_unverified_agencies_are_confirmed_or_merged_with_their_delegates(store, tmp_path):
    from conftest import write_csv
    write_csv(tmp_path / "people" / "delegates.csv", """
        email,name,agency
        ann@example.org,Ann Lee,Leicestershire Police
    """)
    scplearn.import_files(store, [tmp_path / "people"])
    with store.db.atomic():
        store.db["agencies"].insert_all([
            {"name": "LPT", "sector": "unknown", "verified": 0},
            {"name": "Hope Street Trust", "sector": "unknown", "verified": 0},
        ])
        store.db["delegates"].insert({"key": "k1", "agency": "LPT"})
    listing = run("agencies", store.path, "--unverified").output
    assert "LPT" in listing and "Hope Street Trust" in listing and "Leicestershire Police" not in listing
    assert run("agencies", "add", store.path, "Leicestershire Partnership NHS Trust", "--sector", "health").exit_code == 0
    merged = run("agencies", "merge", store.path, "lpt", "Leicestershire Partnership NHS Trust")
    assert merged.exit_code == 0 and "1 delegate moved" in merged.output
    assert store.db["delegates"].get("k1")["agency"] == "Leicestershire Partnership NHS Trust"
    assert run("agencies", "confirm", store.path, "hope street trust", "--sector", "voluntary").exit_code == 0
    assert reference.agencies(store, unverified=True) == []
    assert store.db["agencies"].get("Hope Street Trust")["sector"] == "voluntary"


def test_a_name_that_is_no_agency_is_an_error_with_a_suggestion(store):
    with pytest.raises(ScplearnError, match="did you mean 'Leicestershire Police'"):
        reference.confirm_agency(store, "Leicestershire Polise")
