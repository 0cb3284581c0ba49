"""The report's wording adapts to the data: falls, missing follow-ups, plurals, small numbers."""

from __future__ import annotations

import csv
import re

import pytest

import scplearn
from scplearn.report import wording, write_report

# -- wording, by hand-worked examples -------------------------------------------------------


@pytest.mark.parametrize("count, expected", [
    (0, "0 events"), (1, "1 event"), (2, "2 events"), (1286, "1,286 events"), (1_000_000, "1,000,000 events"),
])
def test_plural_agrees_and_separates_thousands(count, expected):
    assert wording.plural(count, "event") == expected


def test_irregular_plurals_and_articles():
    assert wording.plural(1, "person", "people") == "1 person"
    assert wording.plural(3, "person", "people") == "3 people"
    assert wording.some(1, "webinar") == "a webinar"
    assert wording.some(1, "e-learning course") == "an e-learning course"
    assert wording.some(2, "festival of learning", "festivals of learning") == "2 festivals of learning"


@pytest.mark.parametrize("value, expected", [
    (79.5, "80%"), (80.49, "80%"), (0.5, "1%"), (2.5, "3%"), (100, "100%"), (0, "0%"),
])
def test_percentages_are_whole_and_round_half_up(value, expected):
    assert wording.percent(value) == expected


@pytest.mark.parametrize("value, expected", [
    (2.25, "2.3"), (2.349, "2.3"), (-0.04, "0.0"), (-0.05, "-0.1"), (0.0, "0.0"),
])
def test_points_to_one_decimal(value, expected):
    assert wording.points(value) == expected


def test_signed_points_and_listing():
    assert [wording.signed_points(v) for v in (2.31, -0.44, 0.01)] == ["+2.3", "-0.4", "0.0"]
    assert wording.listing([]) == ""
    assert wording.listing(["a"]) == "a"
    assert wording.listing(["a", "b"]) == "a and b"
    assert wording.listing(["a", "b", "c"]) == "a, b and c"


def test_year_on_year_sentence_follows_the_directions():
    assert wording.year_on_year("2014/15", (46, 65), (1286, 1661)) == (
        "The number of events was lower than 2014/15 (65), as was the level of overall participation (1,661).")
    assert wording.year_on_year("2022/23", (70, 65), (1700, 1661)) == (
        "The number of events was higher than 2022/23 (65), as was the level of overall participation (1,661).")
    assert wording.year_on_year("2022/23", (60, 65), (1700, 1661)) == (
        "The number of events was lower than 2022/23 (65), while the level of overall participation was "
        "higher (1,661 in 2022/23).")
    assert wording.year_on_year("2022/23", (65, 65), (1600, 1661)) == (
        "The number of events was the same as in 2022/23 (65), while the level of overall participation was "
        "lower (1,661 in 2022/23).")


def test_attribution_as_published():
    assert wording.attribution("Pre-School Assistant", "Core Awareness in Safeguarding CYP") == (
        "(Pre-School Assistant, attending Core Awareness in Safeguarding CYP)")
    assert wording.attribution(None, "Neglect") == "(Delegate, attending Neglect)"
    assert wording.curly_quoted('"Very well delivered"') == "\u201cVery well delivered\u201d"


# -- small programmes built from CSV files ---------------------------------------------------


def write_table(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def build_programme(directory, *, later_scores, later_followups=False, later_sessions=1, quote_consent=1):
    """Two years of a tiny programme. 2022/23: 3 courses run, 32 attend, everyone gains 2 points,
    a webinar of 50, 12 follow-ups. 2023/24: ``later_sessions`` sessions of 10 each (of 12 booked),
    every delegate rating themselves ``later_scores`` = {dimension: (pre, post)}."""
    directory.mkdir(parents=True, exist_ok=True)
    write_table(directory / "partnerships.csv", ["name"], [["Northshire"]])
    write_table(directory / "agencies.csv", ["name", "sector", "workforce", "partnership"], [
        ["North Police", "police", 400, "Northshire"], ["North Health", "health", 2000, "Northshire"],
        ["North Schools", "education", 600, "Northshire"],
    ])
    write_table(directory / "courses.csv", ["code", "title"], [
        ["CORE", "Core Awareness in Safeguarding CYP"], ["NEG", "Recognising Neglect"], ["WEB", "Briefing Webinar"],
    ])
    sessions = [["E1", "CORE", "2022-05-10", "face_to_face", 20, "Northshire", ""],
                ["E2", "NEG", "2022-06-14", "face_to_face", 20, "Northshire", ""],
                ["E3", "CORE", "2022-09-01", "virtual", 20, "Northshire", ""],
                ["W1", "WEB", "2022-10-01", "webinar", "", "Northshire", 50]]
    later = [f"L{i}" for i in range(1, later_sessions + 1)]
    sessions += [[code, "CORE", f"2023-05-{10 + i:02d}", "face_to_face", 15, "Northshire", ""]
                 for i, code in enumerate(later)]
    write_table(directory / "sessions.csv",
                ["code", "course", "date", "mode", "capacity", "partnership", "headcount"], sessions)
    agencies = ["North Police", "North Health", "North Schools"]
    people = [(f"person{i:02d}@example.org", f"Role {i % 3}", agencies[i % 3]) for i in range(40)]
    write_table(directory / "delegates.csv", ["email", "role", "agency"], [list(p) for p in people])
    bookings, evaluations, followups = [], [], []
    earlier = {"E1": people[0:12], "E2": people[12:22], "E3": people[22:32]}
    for session, group in earlier.items():
        for email, _, _ in group:
            bookings.append([session, email, "attended"])
            evaluations.append([session, email, 5, 7, 4, 6, 5, 7])
    for email, _, _ in people[0:12]:
        followups.append(["E1", email, "2022-08-10", "yes", "yes" if email < "person06" else "no", 7, 6, 7])
    for session in later:
        for index, (email, _, _) in enumerate(people[28:40]):
            bookings.append([session, email, "attended" if index < 10 else "did not attend"])
            if index < 10:
                (kp, kq), (sp, sq), (cp, cq) = (later_scores[d] for d in ("knowledge", "skills", "confidence"))
                evaluations.append([session, email, kp, kq, sp, sq, cp, cq])
                if later_followups:
                    followups.append([session, email, "2023-08-20", "yes", "yes", kq, sq, cq])
    write_table(directory / "bookings.csv", ["session", "email", "status"], bookings)
    write_table(directory / "evaluations.csv", ["session", "email", "knowledge_pre", "knowledge_post",
                                                "skills_pre", "skills_post", "confidence_pre", "confidence_post"],
                evaluations)
    write_table(directory / "followups.csv", ["session", "email", "date", "used_learning", "specific_action",
                                              "knowledge", "skills", "confidence"], followups)
    write_table(directory / "feedback.csv", ["course", "session", "role", "quote", "consent"], [
        ["CORE", later[0], "Pre-School Assistant", "I now feel *confident* & skilled <really>", quote_consent],
        ["CORE", later[0], "Team Manager", "Never to be published", 0],
    ])
    return directory


def report_for(tmp_path, **programme):
    store = scplearn.open(tmp_path / "training.db")
    scplearn.import_files(store, [build_programme(tmp_path / "data", **programme)])
    files = write_report(store, "2023/24", tmp_path / "out", compare="2022/23")
    store.close()
    return files.markdown.read_text(encoding="utf-8")


FALL = {"knowledge": (5, 6), "skills": (6, 5), "confidence": (5, 5)}


@pytest.fixture(scope="module")
def fall(tmp_path_factory):
    """The report on a year with fewer events, fewer people, a fall in skills and no follow-ups."""
    directory = tmp_path_factory.mktemp("fall")
    return directory, report_for(directory, later_scores=FALL)


def test_a_year_with_a_fall_reads_correctly(fall):
    _, markdown = fall
    # Fewer events and fewer people than the year before: "lower", never an increase.
    assert ("The number of events was lower than 2022/23 (3), as was the level of overall participation (32)."
            in markdown)
    assert "increase" not in markdown
    # The uplift changes: +1.0, -1.0 and 0.0, worded as such.
    assert ("The average change in self-rating after training was +1.0 points for knowledge, -1.0 for skills "
            "and 0.0 for confidence:") in markdown
    assert "knowledge improved; skills fell after training; confidence did not change on average." in markdown
    assert "average improvement post training" not in markdown
    assert "this year's were lower for knowledge, skills and confidence" in markdown
    # Net scores: 100 for knowledge, -100 for skills, 0 for confidence; no "outnumbered".
    assert "100 for knowledge, -100 for skills and 0 for confidence" in markdown
    assert "outnumbered" not in markdown
    # The webinar of the year before is gone.
    assert "there were no large events counted by headcount" in markdown
    assert "There were no large events this year, against a large event in 2022/23 (50 delegates)." in markdown


def test_a_year_with_no_follow_ups_says_so(fall):
    _, markdown = fall
    impact = re.search(r"(?s)## Impact\n(.*?)\n## ", markdown).group(1)
    assert "There was no follow-up survey this year" in impact
    assert "%" not in impact


def test_singular_event_and_suppressed_small_counts(fall):
    _, markdown = fall
    assert "15 delegate spaces were offered and 10 people participated in the 1 event in the programme" in markdown
    assert "with an overall attendance rate of 67%" in markdown
    # Sectors: 10 people split 3/4/3 (people28..37 by agency) — each under 8, so none is shown.
    reach = re.search(r"(?s)## Reach\n(.*?)\n## ", markdown).group(1)
    rows = re.findall(r"^\| (Police|Health|Education) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", reach, re.MULTILINE)
    assert len(rows) == 3
    assert all(row[1:] == ("fewer than 8", "\u2013", "\u2013") for row in rows)


def test_follow_ups_that_held_are_worded_as_held(tmp_path):
    gain = {"knowledge": (4, 7), "skills": (4, 7), "confidence": (4, 7)}
    markdown = report_for(tmp_path, later_scores=gain, later_followups=True, later_sessions=2)
    assert "The number of events was lower than 2022/23 (3), while the level of overall participation was " \
           "lower" not in markdown
    assert "as was the level of overall participation (32)" in markdown
    assert ("answered by 20 of the 20 delegates to whom it was due (a response rate of 100%). 100% of "
            "respondents confirmed") in markdown
    assert "the gains held at follow-up for knowledge (7.0 after training, 7.0 at follow-up)" in markdown
    assert "reduced" not in markdown
    assert "average improvement post training of 3.0, 3.0 and 3.0 points respectively" in markdown
    assert "this year's were higher for knowledge, skills and confidence" in markdown


def test_quotes_are_escaped_and_only_with_consent(fall):
    directory, markdown = fall
    assert ("> *\u201cI now feel \\*confident\\* & skilled \\<really\\>\u201d* "
            "(Pre-School Assistant, attending Core Awareness in Safeguarding CYP)") in markdown
    assert "Never to be published" not in markdown
    html = (directory / "out" / "report.html").read_text(encoding="utf-8")
    assert "<em>\u201cI now feel *confident* &amp; skilled &lt;really&gt;\u201d</em>" in html


def test_no_consented_quote(tmp_path):
    markdown = report_for(tmp_path, later_scores=FALL, quote_consent=0)
    assert "No feedback with the delegate's consent to publish was recorded in 2023/24." in markdown
