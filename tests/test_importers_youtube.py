"""YouTube Studio analytics exports: the zip of Export current view, or its loose CSV files.

The layouts follow Studio's files as public code reading them reproduces them
(see docs/importing.md): Table data with a first ``Total`` row and publish
times such as ``Mar 15, 2023``; Chart data a row per video and day.
"""

import zipfile

import pytest
from click.testing import CliRunner
from conftest import write_csv
from helpers.files.youtube import CHART, NAME, TABLE, TOTALS

import scplearn
from scplearn import plugins
from scplearn.cli import cli
from scplearn.importers import youtube
from scplearn.importing import ImportFailed



def write_zip(path, members):
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text.encode("utf-8"))
    return path


def studio_zip(directory, name=NAME, table=TABLE, chart=CHART):
    return write_zip(directory / f"{name}.zip", {"Table data.csv": table, "Chart data.csv": chart, "Totals.csv": TOTALS})


def access(store):
    return [tuple(row) for row in store.db.execute(
        "SELECT resource, date, until, views, watch_hours FROM resource_access ORDER BY resource, date")]


def test_the_zip_gives_each_video_a_resource_and_its_counts(tmp_store, tmp_path):
    path = studio_zip(tmp_path)
    assert plugins.get_importers()["youtube"].recognises(path)
    report = scplearn.import_files(tmp_store, [path])
    assert report.files[0].importer == "youtube"
    assert report.totals("added") == {"resources": 2, "resource_access": 4}
    video = tmp_store.db["resources"].get("youtube:Xb3kLm9QpZa")
    assert video == {"code": "youtube:Xb3kLm9QpZa", "title": "Neglect: what good looks like, a recorded briefing",
                     "kind": "video", "course": None, "topic": None, "priority": None,
                     "url": "https://www.youtube.com/watch?v=Xb3kLm9QpZa", "partnership": None,
                     "published": "2023-03-15"}
    assert tmp_store.db["resources"].get("youtube:-q2RtY7uIoP")["published"] == "2023-09-01"
    # The charted video a row a day; the other the table's total for the period the zip's name gives.
    assert access(tmp_store) == [
        ("youtube:-q2RtY7uIoP", "2023-04-01", "2024-03-31", 708, 39.9709),
        ("youtube:Xb3kLm9QpZa", "2023-04-01", None, 7, None),
        ("youtube:Xb3kLm9QpZa", "2023-04-02", None, 0, None),
        ("youtube:Xb3kLm9QpZa", "2023-04-03", None, 11, None),
    ]
    assert {row[0] for row in tmp_store.db.execute("SELECT source FROM resource_access")} == {"youtube"}


def test_importing_the_same_export_again_changes_nothing(tmp_store, tmp_path):
    scplearn.import_files(tmp_store, [studio_zip(tmp_path)])
    before = access(tmp_store)
    again = scplearn.import_files(tmp_store, [studio_zip(tmp_path / "copy")], force=True)
    assert again.totals("added") == {} and again.totals("changed") == {} and access(tmp_store) == before


def test_the_loose_csv_files_take_the_period_from_their_folder(tmp_store, tmp_path):
    folder = tmp_path / NAME
    write_csv(folder / "Table data.csv", TABLE)
    write_csv(folder / "Chart data.csv", CHART)
    write_csv(folder / "Totals.csv", TOTALS)
    report = scplearn.import_files(tmp_store, [folder])
    assert {file.importer for file in report.files} == {"youtube"}
    # Each file on its own: the table gives both videos' totals, the chart the days.
    assert ("youtube:Xb3kLm9QpZa", "2023-04-01", "2024-03-31", 1204, 120.5012) not in access(tmp_store)
    assert len(access(tmp_store)) == 4


def test_a_table_with_no_period_in_its_name_needs_the_period_option(tmp_store, tmp_path):
    path = write_csv(tmp_path / "Table data.csv", TABLE)
    with pytest.raises(ImportFailed, match=r"Table data.csv: .*give --period 2023-04-01:2024-03-31"):
        scplearn.import_files(tmp_store, [path])
    assert tmp_store.db["resources"].count == 0
    scplearn.import_files(tmp_store, [path], options={"period": "2024-04-01:2024-06-30"})
    assert ("youtube:Xb3kLm9QpZa", "2024-04-01", "2024-06-30", 1204, 120.5012) in access(tmp_store)


def test_the_period_option_is_checked(tmp_store, tmp_path):
    path = write_csv(tmp_path / "Table data.csv", TABLE)
    with pytest.raises(ImportFailed, match="must be two ISO dates, first to last"):
        scplearn.import_files(tmp_store, [path], options={"period": "2024-06-30:2024-04-01"})


def test_bad_cells_are_reported_with_file_row_column_value_and_reason_and_nothing_is_written(tmp_store, tmp_path):
    table = TABLE.replace(",1204,", ",lots,").replace("Sep 1 2023", "Smarch 1 2023")
    chart = CHART.replace("2023-04-03,Xb3kLm9QpZa", "2023-04-31,Xb3kLm9QpZa")
    with pytest.raises(ImportFailed) as failed:
        scplearn.import_files(tmp_store, [studio_zip(tmp_path, table=table, chart=chart)])
    message = str(failed.value)
    zip_name = f"{NAME}.zip"
    assert f"{zip_name}/Table data.csv, row 3, column 'Views': value 'lots': must be a whole number, 0 or more" in message
    assert (f"{zip_name}/Table data.csv, row 4, column 'Video publish time': value 'Smarch 1 2023': "
            "must be a date such as Mar 15, 2023 or 2023-03-15") in message
    assert f"{zip_name}/Chart data.csv, row 5, column 'Date': value '2023-04-31'" in message
    assert tmp_store.db["resources"].count == 0 and tmp_store.db["resource_access"].count == 0


def test_a_row_of_another_view_is_not_taken_for_a_video(tmp_store, tmp_path):
    path = write_csv(tmp_path / f"{NAME}.csv", "Content,Video title,Views\nTotal,,5\nYouTube search,,5\n")
    with pytest.raises(ImportFailed, match="row 3, column 'Content': value 'YouTube search': not a YouTube video id"):
        scplearn.import_files(tmp_store, [path])


def test_a_video_already_recorded_as_a_recording_keeps_its_kind_and_course(store, tmp_path):
    write_csv(tmp_path / "resources.csv", """
        code,title,kind,course
        youtube:Xb3kLm9QpZa,Neglect briefing (recording),recording,NEG02
    """)
    scplearn.import_files(store, [tmp_path / "resources.csv"])
    scplearn.import_files(store, [studio_zip(tmp_path)])
    video = store.db["resources"].get("youtube:Xb3kLm9QpZa")
    assert (video["kind"], video["course"]) == ("recording", "NEG02")


def test_a_zip_without_studio_files_is_not_recognised_and_a_broken_one_is_refused(tmp_store, tmp_path):
    other = write_zip(tmp_path / "photos.zip", {"readme.txt": "hello"})
    assert not plugins.get_importers()["youtube"].recognises(other)
    broken = tmp_path / "Content 2023-04-01_2024-03-31 Channel.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(scplearn.ScplearnError):
        scplearn.import_files(tmp_store, [broken], format="youtube")


@pytest.mark.parametrize("text, expected", [
    ("Mar 15, 2023", "2023-03-15"), ("Sep 1 2026", "2026-09-01"), ("2021-06-29 10:55:13", "2021-06-29"),
    ("15 Mar 2023", "2023-03-15"), ("2023-03-15", "2023-03-15"),
])
def test_studio_dates(text, expected):
    assert youtube.studio_date(text).isoformat() == expected


def test_the_import_command_takes_the_period(tmp_path):
    path = write_csv(tmp_path / "Table data.csv", TABLE)
    result = CliRunner().invoke(cli, ["import", str(tmp_path / "t.db"), str(path), "--period", "2023-04-01:2024-03-31"])
    assert result.exit_code == 0, result.output
    assert "Table data.csv (youtube): 3 rows read" in result.output
