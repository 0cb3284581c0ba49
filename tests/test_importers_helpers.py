"""The helpers every tool importer shares: times, names, mapping files, question wording."""

import datetime as dt

import pytest

from scplearn.errors import ScplearnError
from scplearn.importers import clock, mapping, responses
from scplearn.importers.lookup import name_key


# times and durations


@pytest.mark.parametrize("text, expected", [
    ("15/11/22, 09:30:17", dt.datetime(2022, 11, 15, 9, 30, 17)),
    ("03/09/2024, 09:55:12", dt.datetime(2024, 9, 3, 9, 55, 12)),
    ("03/09/2024 14:05", dt.datetime(2024, 9, 3, 14, 5)),
    ("2024/12/03 10:15:32 AM GMT", dt.datetime(2024, 12, 3, 10, 15, 32)),
    ("2024/12/03 1:15:32 pm GMT+1", dt.datetime(2024, 12, 3, 13, 15, 32)),
    ("2024/12/03 12:05:00 AM GMT", dt.datetime(2024, 12, 3, 0, 5)),
    ("2024-12-03T10:15:32Z", dt.datetime(2024, 12, 3, 10, 15, 32)),
    ("3 September 2024", dt.datetime(2024, 9, 3)),
    (dt.datetime(2024, 9, 3, 9, 0), dt.datetime(2024, 9, 3, 9, 0)),
])
def test_datetimes_as_exports_write_them(text, expected):
    assert clock.parse_datetime(text) == expected


def test_month_first_only_when_the_file_proves_it():
    assert not clock.month_first(["03/09/2024, 09:55:12", "15/09/2024, 10:00:00"])
    assert clock.month_first(["9/3/2024, 9:55:12 AM", "9/15/2024, 10:00:00 AM"])
    assert clock.parse_datetime("9/15/2024, 10:00:00 AM", month_first=True) == dt.datetime(2024, 9, 15, 10)


@pytest.mark.parametrize("text", ["32/01/2024, 10:00", "yesterday", "2024/13/01 10:00", "03/09/2024 13:00 PM"])
def test_bad_datetimes_are_refused(text):
    with pytest.raises(ValueError):
        clock.parse_datetime(text)


@pytest.mark.parametrize("text, seconds", [
    ("2h 36m 28s", 2 * 3600 + 36 * 60 + 28), ("11m 31s", 691), ("58s", 58), ("1 hr 5 min", 3900),
    ("01:02:03", 3723), ("02:03", 123), ("1h", 3600),
])
def test_durations(text, seconds):
    assert clock.parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["", "ten minutes", "5 fortnights", "1h and a bit"])
def test_bad_durations_are_refused(text):
    with pytest.raises(ValueError):
        clock.parse_duration(text)


# names


@pytest.mark.parametrize("a, b", [
    ("Zoë O'Brien", "O'Brien, Zoe (Guest)"),
    ("Zoë O\u2019Brien", "ZOE OBRIEN"),
    ("Siobhán Ní Bhriain", "Ni Bhriain, Siobhan"),
    ("Mary-Jane Smith", "Smith Mary Jane (Leics Police)"),
])
def test_names_match_whatever_the_accents_case_apostrophes_and_order(a, b):
    assert name_key(a) == name_key(b)


def test_different_names_do_not_match():
    assert name_key("Jane Smith") != name_key("Jan Smith")
    assert name_key(None) == ()


# mapping files


def test_toml_and_yaml_mappings_mean_the_same(tmp_path):
    (tmp_path / "m.toml").write_text(
        'records = ["bookings"]\nheader_row = 2\n[columns]\n"E-mail " = "email"\n"Notes" = ""\n'
        '[values.status]\n"Y" = "attended"\n"Not here" = "did_not_attend"\n[fixed]\nsession = "S1"\n'
    )
    (tmp_path / "m.yaml").write_text(
        'records: [bookings]\nheader_row: 2\ncolumns:\n  "E-mail ": email\n  Notes: ""\n'
        'values:\n  status:\n    "Y": attended\n    Not here: did_not_attend\nfixed:\n  session: S1\n'
    )
    toml, yaml = mapping.load(tmp_path / "m.toml"), mapping.load(tmp_path / "m.yaml")
    for loaded in (toml, yaml):
        assert loaded.records == ("bookings",)
        assert loaded.header_row == 2
        assert loaded.field_of("e-mail") == "email"
        assert loaded.field_of("NOTES") == mapping.IGNORE
        assert loaded.field_of("Other") is None
        assert loaded.translate("status", "y") == "attended"
        assert loaded.translate("status", "NOT HERE") == "did_not_attend"
        assert loaded.translate("status", "maybe") == "maybe"
        assert loaded.fixed == {"session": "S1"}


@pytest.mark.parametrize("name, content, message", [
    ("m.toml", "records = [", "not valid TOML"),
    ("m.yaml", "columns: [a, b", "not valid YAML"),
    ("m.json", "{}", "must end in .toml, .yaml or .yml"),
    ("m.toml", "[colums]\na = 'b'", "unknown key colums"),
    ("m.toml", "header_row = 0", "header_row must be a row number"),
    ("m.toml", "[columns]\na = 3", "must map to a field name"),
])
def test_bad_mapping_files_are_one_clear_error(tmp_path, name, content, message):
    (tmp_path / name).write_text(content)
    with pytest.raises(ScplearnError, match=message):
        mapping.load(tmp_path / name)


def test_a_mapping_naming_an_unknown_field_is_refused(tmp_path):
    (tmp_path / "m.toml").write_text('[columns]\n"Email" = "emial"\n')
    with pytest.raises(ScplearnError, match="'emial' is not a field of bookings"):
        mapping.load(tmp_path / "m.toml").check_fields({"email", "status"}, "bookings")


# question wording


@pytest.mark.parametrize("question, field", [
    ("How would you rate your knowledge of neglect before the training? (1-10)", "knowledge_pre"),
    ("How would you rate your knowledge of neglect after the training?", "knowledge_post"),
    ("On a scale of 1 to 10, how confident did you feel before the session?", "confidence_pre"),
    ("Please rate your skills in responding to a disclosure now", "skills_post"),
    ("How would you rate your understanding of the threshold document?", "rating:knowledge"),
    ("What are the three key actions you will take as a result of the training?", "action"),
    ("Key action 2", "action"),
    ("Have you used the learning from the training in your everyday work?", "used_learning"),
    ("Have you taken specific action in the workplace as a result of the training?", "specific_action"),
    ("If yes, please give an example", "comments"),
    ("Please give an example of a specific action you have taken", "comments"),
    ("Taken specific action in the workplace", "specific_action"),
    ("What actions will you put into practice?", "action"),
    ("Please describe three actions you will take", "action"),
    ("Did you take any action as a result?", "specific_action"),
    ("How have you used the learning?", "comments"),
    ("Any other comments?", "comments"),
    ("Your email address", "email"),
    ("Date of the training", "session_date"),
    ("Which course did you attend?", "course"),
    ("Session code", "session"),
    ("Completion time", None),
])
def test_questions_are_recognised_by_their_wording(question, field):
    assert responses.recognise(question) == field


@pytest.mark.parametrize("answer, actions", [
    ("Use the toolkit\nTalk to my DSL\nRead the procedures", ["Use the toolkit", "Talk to my DSL", "Read the procedures"]),
    ("1. Use the toolkit 2. Talk to my DSL 3) Read the procedures",
     ["Use the toolkit", "Talk to my DSL", "Read the procedures"]),
    ("- one\n- two\n- three\n- four", ["one", "two", "three; four"]),
    ("Just one thing", ["Just one thing"]),
    ("N/A", []),
])
def test_one_key_action_answer_splits_into_up_to_three(answer, actions):
    assert responses.split_actions(answer) == actions


def test_utf16_without_a_byte_order_mark_is_still_read(tmp_path):
    from scplearn.importers import tables

    for encoding in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes("Full Name\tUser Action\nZoë O'Brien\tJoined\n".encode(encoding))
        assert [cells for _, cells in tables.raw_rows(path)] == [["Full Name", "User Action"], ["Zoë O'Brien", "Joined"]]
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"a,b\n\x00\x01\x02,\x00\n")
    import pytest

    with pytest.raises(tables.UnreadableFile, match="NUL bytes"):
        list(tables.raw_rows(binary))
