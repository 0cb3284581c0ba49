"""Microsoft Forms evaluations exported to Excel: one form or two, wording, mapping, messy scores."""

import collections
import datetime as dt

import pytest
from click.testing import CliRunner
from conftest import people, reference, snapshot, write_csv
from helpers.files.msforms import ANSWERS, BOTH, both_form, write_form

import scplearn
from scplearn import summaries
from scplearn.cli import cli
from scplearn.importers.msforms import MicrosoftFormsImporter

SESSION = "NEG02-2024-09-10"


def evaluations(store):
    emails = {row["key"]: row["email"] for row in store.private["people"].rows}
    return {(row.pop("session"), emails[row.pop("delegate")]): row for row in store.db["evaluations"].rows}


def test_recognised_by_its_columns(tmp_path):
    path = both_form(tmp_path)
    assert MicrosoftFormsImporter().recognises(path)
    report = scplearn.import_files(scplearn.open(tmp_path / "t.db"), [path], dry_run=True, skip_invalid=True)
    assert report.files[0].importer == "msforms"


def test_one_form_with_before_and_after(store, tmp_path):
    report = scplearn.import_files(store, [both_form(tmp_path)], options={"session": SESSION})
    assert report.written and report.files[0].added["evaluations"] == 4
    found = evaluations(store)
    assert found[(SESSION, "alice@example.org")] == {
        "knowledge_pre": 4, "knowledge_post": 8, "skills_pre": 5, "skills_post": 7, "confidence_pre": 3,
        "confidence_post": 8, "action_1": "Use the toolkit", "action_2": "Talk to my DSL", "action_3": None}
    assert found[(SESSION, "bob@example.org")]["skills_pre"] is None
    # The score summaries count the paired ratings, their sums and their changes, worked out here from the answers.
    expected = {}
    for _, answers in ANSWERS.values():
        scores = [scplearn.values.score(answer) for answer in answers[:6]]
        for index, dimension in enumerate(("knowledge", "skills", "confidence")):
            pre, post = scores[2 * index], scores[2 * index + 1]
            if pre is not None and post is not None:
                found_sums = expected.setdefault(dimension, [0, 0, 0, collections.Counter()])
                found_sums[0] += 1
                found_sums[1] += pre
                found_sums[2] += post
                found_sums[3][post - pre] += 1
    counted = {}
    for r in store.db["score_summaries"].rows:
        for d in ("knowledge", "skills", "confidence"):
            if r[f"{d}_rated"]:
                changes = collections.Counter(
                    {change: r[f"{d}_{name}"] for name, change in summaries.CHANGES.items() if r[f"{d}_{name}"]})
                counted[d] = [r[f"{d}_rated"], r[f"{d}_pre_sum"], r[f"{d}_post_sum"], changes]
    assert counted == expected
    assert people(store)["zoe@example.org"] == "Zoë O'Brien"


def pre_and_post_forms(tmp_path):
    pre_questions = [q.replace(" before the training", "") for q in BOTH[0:6:2]]  # "How would you rate ...?"
    post_questions = BOTH[1:6:2] + BOTH[6:]
    pre = write_form(tmp_path / "Neglect pre-course questionnaire.xlsx", pre_questions,
                     [(email.upper(), n, a[0:6:2]) for email, (n, a) in ANSWERS.items()])
    post = write_form(tmp_path / "Neglect post-course evaluation.xlsx", post_questions,
                      [(email, n, a[1:6:2] + a[6:]) for email, (n, a) in reversed(ANSWERS.items())])
    return pre, post


@pytest.mark.parametrize("order", ["pre first", "post first", "together"])
def test_two_forms_are_matched_by_email_and_session(store, tmp_path, order, tmp_path_factory):
    both = tmp_path_factory.mktemp("both")
    single = scplearn.open(both / "t.db")
    reference(single, both / "reference")
    scplearn.import_files(single, [both_form(both)], options={"session": SESSION})

    pre, post = pre_and_post_forms(tmp_path)
    if order == "together":
        scplearn.import_files(store, [post, pre], options={"session": SESSION})
    else:
        for path in ([pre, post] if order == "pre first" else [post, pre]):
            scplearn.import_files(store, [path], options={"session": SESSION})
    assert evaluations(store) == evaluations(single)


@pytest.mark.parametrize("value", [0, 11, "12/10", "lots", 7.5])
def test_scores_outside_1_to_10_are_rejected_with_their_question(store, tmp_path, value):
    answers = dict(ANSWERS)
    answers["bob@example.org"] = ("Bob Smith", [6, value, 5, 6, 5, 5, "", "", ""])
    path = both_form(tmp_path, answers=answers)
    before = snapshot(store)
    with pytest.raises(scplearn.ImportFailed) as failure:
        scplearn.import_files(store, [path], options={"session": SESSION})
    [issue] = failure.value.report.issues
    assert (issue.file, issue.row, issue.column, issue.value) == (path.name, 3, BOTH[1], value)
    assert issue.reason == "must be a whole number from 1 to 10"
    assert snapshot(store) == before

    report = scplearn.import_files(store, [path], options={"session": SESSION}, skip_invalid=True)
    assert report.files[0].rejected == 1
    assert set(evaluations(store)) == {(SESSION, email) for email in ANSWERS if email != "bob@example.org"}


def test_a_mapping_names_questions_worded_otherwise(store, tmp_path):
    questions = ["Knowledge (start of day)", "Knowledge (end of day)", "What will you do differently?"]
    path = write_form(tmp_path / "Feedback.xlsx", questions, [("alice@example.org", "Alice", [3, 9, "Use the toolkit"])])
    with pytest.raises(scplearn.ImportFailed, match="no evaluation questions"):
        scplearn.import_files(store, [path], options={"session": SESSION})
    (tmp_path / "wording.yaml").write_text(
        'columns:\n  "Knowledge (start of day)": knowledge_pre\n  "Knowledge (end of day)": knowledge_post\n'
        '  "What will you do differently?": action_1\n'
    )
    scplearn.import_files(store, [path], options={"session": SESSION, "mapping": tmp_path / "wording.yaml"})
    row = evaluations(store)[(SESSION, "alice@example.org")]
    assert (row["knowledge_pre"], row["knowledge_post"], row["action_1"]) == (3, 9, "Use the toolkit")


def test_anonymous_responses_cannot_be_matched_and_are_reported(store, tmp_path):
    answers = {"anonymous": ("", [4, 8, 5, 7, 3, 8, "", "", ""]), **ANSWERS}
    path = both_form(tmp_path, answers=answers)
    with pytest.raises(scplearn.ImportFailed) as failure:
        scplearn.import_files(store, [path], options={"session": SESSION})
    [issue] = failure.value.report.issues
    assert (issue.row, issue.column) == (2, "Email") and "no email address" in issue.reason


def test_the_session_from_a_date_question_and_the_course(store, tmp_path):
    questions = ["Date of the training", *BOTH[:2]]
    path = write_form(tmp_path / "Evaluation.xlsx", questions, [
        ("alice@example.org", "Alice", ["10/09/2024", 4, 8]),
        ("bob@example.org", "Bob", [dt.datetime(2024, 10, 15), 5, 6]),
        ("carol@example.org", "Carol", ["2024-10-16", 5, 6]),
    ])
    # A day the store has no session of the course on gives a new session.
    report = scplearn.import_files(store, [path], options={"course": "NEG02"})
    assert report.files[0].added["sessions"] == 1
    assert set(evaluations(store)) == {(SESSION, "alice@example.org"), ("NEG02-2024-10-15", "bob@example.org"),
                                       ("NEG02-2024-10-16", "carol@example.org")}


def test_a_repeated_response_counts_once_the_later_one(store, tmp_path):
    responses = [("alice@example.org", "Alice", [4, 8, 5, 7, 3, 8, "", "", ""]),
                 ("ALICE@example.org ", "Alice", [4, 9, 5, 7, 3, 8, "", "", ""])]
    path = write_form(tmp_path / "Evaluation.xlsx", BOTH, responses)
    report = scplearn.import_files(store, [path], options={"session": SESSION})
    assert report.files[0].added["evaluations"] == 1
    assert evaluations(store)[(SESSION, "alice@example.org")]["knowledge_post"] == 9


def test_one_key_action_question_is_split_into_three(store, tmp_path):
    questions = [*BOTH[:2], "What are the three key actions you will take as a result of this training?"]
    path = write_form(tmp_path / "Evaluation.xlsx", questions, [
        ("alice@example.org", "Alice", [4, 8, "1. Use the toolkit 2. Talk to my DSL 3. Read the policy"])])
    scplearn.import_files(store, [path], options={"session": SESSION})
    row = evaluations(store)[(SESSION, "alice@example.org")]
    assert [row["action_1"], row["action_2"], row["action_3"]] == ["Use the toolkit", "Talk to my DSL", "Read the policy"]


def test_a_known_name_is_not_replaced_by_the_form(store, tmp_path):
    write_csv(tmp_path / "d" / "delegates.csv", "email,name\nalice@example.org,Alice Brown\n")
    scplearn.import_files(store, [tmp_path / "d"])
    path = write_form(tmp_path / "Evaluation.xlsx", BOTH[:2], [("alice@example.org", "BROWN Alice (Police)", [4, 8])])
    scplearn.import_files(store, [path], options={"session": SESSION})
    assert people(store)["alice@example.org"] == "Alice Brown"


def test_reimporting_changes_nothing_and_dry_run_writes_nothing(store, tmp_path):
    path = both_form(tmp_path)
    before = snapshot(store)
    dry = scplearn.import_files(store, [path], options={"session": SESSION}, dry_run=True)
    assert snapshot(store) == before
    real = scplearn.import_files(store, [path], options={"session": SESSION})
    assert dry.files[0].added == real.files[0].added
    after = snapshot(store)
    again = both_form(tmp_path, name="Neglect evaluation (1).xlsx")  # downloaded again: other bytes, same answers
    report = scplearn.import_files(store, [again], options={"session": SESSION})
    assert report.files[0].added == {} and report.files[0].changed == {}
    assert snapshot(store) == after


def test_the_command_line_takes_the_session(store, tmp_path):
    path = both_form(tmp_path)
    result = CliRunner().invoke(cli, ["import", str(store.path), str(path), "--session", SESSION])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Neglect evaluation.xlsx (msforms): 4 rows read, 8 records written, 0 superseded, "
                                    "0 left out; added 4 delegates, 4 evaluations")


def test_a_forms_follow_up_survey_gives_follow_ups(store, tmp_path):
    write_csv(tmp_path / "b" / "bookings.csv", f"session,email,status\n{SESSION},alice@example.org,attended\n")
    scplearn.import_files(store, [tmp_path / "b"])
    questions = ["Which course did you attend?",
                 "Have you used the learning from the training in your everyday work?",
                 "Have you taken specific action in the workplace as a result of the training?",
                 "How would you rate your confidence now?"]
    path = write_form(tmp_path / "Three-month follow-up.xlsx", questions,
                      [("alice@example.org", "Alice", ["NEG02", "Yes", "No", 8])],
                      start=dt.datetime(2024, 12, 9, 10, 0))
    report = scplearn.import_files(store, [path])
    assert report.files[0].importer == "msforms" and report.files[0].added == {"followups": 1}
    row = store.db.execute("SELECT session, date, used_learning, specific_action, confidence FROM followups").fetchone()
    assert row == (SESSION, "2024-12-09", 1, 0, 8)
