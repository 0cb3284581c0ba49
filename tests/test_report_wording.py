"""The report's wording adapts to the data: falls, missing follow-ups, plurals, small and withheld numbers.

The small programmes here are built from CSV files; the last ones are the
disclosure issue's acceptance tests: a partnership of 3 delegates gets a
report with no percentage, no cost per head and no count of people from 1 to
7, and a year with nothing published to chart draws no chart.
"""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET

import docx
import pytest
from click.testing import CliRunner

import scplearn
from helpers.report import counts_of_people, section
from scplearn import results
from scplearn.cli import cli
from scplearn.disclosure import DisclosureError, DisclosurePolicy
from scplearn.report import sections, wording, write_report
from scplearn.report.figures import Figures
from scplearn.report.published import count, people

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
    assert wording.year_on_year("2014/15", (46, 65), (1285, 1660)) == (
        "The number of events was lower than 2014/15 (65), as was the number of attendances (1,660).")
    assert wording.year_on_year("2022/23", (70, 65), (1700, 1660)) == (
        "The number of events was higher than 2022/23 (65), as was the number of attendances (1,660).")
    assert wording.year_on_year("2022/23", (60, 65), (1700, 1660)) == (
        "The number of events was lower than 2022/23 (65), while the number of attendances was "
        "higher (1,660 in 2022/23).")
    assert wording.year_on_year("2022/23", (65, 65), (1600, 1660)) == (
        "The number of events was the same as in 2022/23 (65), while the number of attendances was "
        "lower (1,660 in 2022/23).")


def test_attribution_as_published():
    assert wording.attribution("Pre-School Assistant", "Core Awareness in Safeguarding CYP") == (
        "(Pre-School Assistant, attending Core Awareness in Safeguarding CYP)")
    assert wording.attribution(None, "Neglect") == "(Delegate, attending Neglect)"
    assert wording.curly_quoted('"Very well delivered"') == "\u201cVery well delivered\u201d"


# -- published counts in words ------------------------------------------------------------------

POLICY = DisclosurePolicy()


def figures(**fields) -> Figures:
    """Published figures for a year, empty but for ``fields``."""
    empty = dict(year="2023/24", partnership=None, compare=None, policy=POLICY, reach={}, reach_compare=None,
                 events=[], sectors=[], uplift={}, uplift_compare={}, courses=[], impact={}, cost=None, trend=[],
                 distributions={}, quotes=[])
    return Figures(**{**empty, **fields})


def test_a_withheld_count_reads_fewer_than_8_or_undisclosed():
    row = {"attended": None, "walk_ins": None, "headcount": 1925, "booked": None,
           "suppressed": "attended, walk_ins", "protecting": "attended"}
    found = figures().policy
    assert people(found, row, "headcount", "attendance") == "1,925 attendances"
    assert people(found, row, "walk_ins", "person", "people") == "fewer than 8 people"
    assert people(found, row, "attended", "attendance") == "an undisclosed number of attendances"
    assert [count(found, row, column) for column in ("headcount", "walk_ins", "attended", "booked")] == [
        "1,925", "fewer than 8", "undisclosed", "\u2013"]


def test_a_table_cell_finds_its_column_among_the_withheld_by_name():
    """``n`` is not withheld because ``mean_change`` is."""
    row = {"n": None, "mean_change": None, "suppressed": "mean_change", "protecting": None}
    assert count(figures().policy, row, "n") == "\u2013"


def test_a_follow_up_count_withheld_to_protect_another_is_not_no_survey():
    withheld = {"followups": None, "due": 640, "response_rate": None, "pct_used_learning": None,
                "suppressed": "followups, response_rate, pct_used_learning", "protecting": "followups"}
    text = sections.impact(figures(impact={"knowledge": withheld})).markdown
    assert text == ("The follow-up survey for 2023/24 was answered by an undisclosed number of respondents, "
                    "its results are withheld to protect individuals.")
    small = {**withheld, "protecting": None}
    assert sections.impact(figures(impact={"knowledge": small})).markdown == (
        "The follow-up survey for 2023/24 was answered by fewer than 8 respondents, too few to report its results.")
    none = {"followups": 0, "due": 640, "suppressed": None, "protecting": None}
    assert sections.impact(figures(impact={"knowledge": none})).markdown == "There was no follow-up survey this year."


# -- small programmes built from CSV files ---------------------------------------------------


def write_table(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


ESCAPED_QUOTE = "I now feel *confident* & skilled <really>, and I know who to call when I am worried"
NAMED = "Priya Shah"
"""The one delegate with a name on record (person30, who came in 2023/24)."""


def build_programme(directory, *, later_scores, later_followups=False, later_sessions=1, consented=8,
                    quote=ESCAPED_QUOTE):
    """Two years of a tiny programme. 2022/23: 3 courses run, 32 attend, everyone gains 2 points,
    a webinar of 50, 12 follow-ups. 2023/24: ``later_sessions`` sessions of 10 each (of 12 booked),
    every delegate rating themselves ``later_scores`` = {dimension: (pre, post)}; ``consented`` of
    them consent to their feedback being quoted, ``quote`` (the longest) first, and one refuses."""
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
    write_table(directory / "delegates.csv", ["email", "name", "role", "agency"],
                [[email, NAMED if i == 30 else "", role, agency] for i, (email, role, agency) in enumerate(people)])
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
    feedback = [["CORE", later[0], "Pre-School Assistant", quote, 1]][:consented]
    feedback += [["CORE", later[0], f"Role {i}", f"Useful day {i}", 1] for i in range(1, consented)]
    feedback += [["CORE", later[0], "Team Manager", "Never to be published, though the longest of them all", 0]]
    write_table(directory / "feedback.csv", ["course", "session", "role", "quote", "consent"], feedback)
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
    # Fewer events and fewer attendances than the year before (32, published as 30): "lower", never an increase.
    assert "The number of events was lower than 2022/23 (3), as was the number of attendances (30)." in markdown
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
    assert "There were no large events this year, against a large event in 2022/23." in markdown


def test_a_year_with_no_follow_ups_says_so(fall):
    _, markdown = fall
    impact = re.search(r"(?s)## Impact\n(.*?)\n## ", markdown).group(1)
    assert "There was no follow-up survey this year" in impact
    assert "%" not in impact


def test_singular_event_and_a_sector_table_with_every_count_withheld(fall):
    directory, markdown = fall
    assert ("In 2023/24, 15 delegate spaces were offered and 10 attendances were made at the 1 event in the "
            "programme, an overall attendance rate of 67%.") in markdown
    assert "They were made by 10 different people." in markdown
    # Sectors: 10 people split 3/4/3 (people28..37 by agency), each under 8: a sentence, not a table of dashes.
    with scplearn.open(directory / "training.db") as store:
        rows = results.Published(store).rows("reach", ["year", "sector"], year="2023/24")
    assert len(rows) == 3 and all(row["unique_delegates"] is None for row in rows)
    reach = section(markdown, "Reach")
    assert ("Too few people from each sector took part to show participation by sector: every sector's count is "
            "withheld to protect individuals.") in reach
    assert "| Sector |" not in reach and "[^representation]" not in markdown


def test_follow_ups_that_held_are_worded_as_held(tmp_path):
    gain = {"knowledge": (4, 7), "skills": (4, 7), "confidence": (4, 7)}
    markdown = report_for(tmp_path, later_scores=gain, later_followups=True, later_sessions=2)
    assert "The number of events was lower than 2022/23 (3), as was the number of attendances (30)." in markdown
    assert ("answered by 20 respondents, for 20 attendances whose follow-up was due (a response rate of 100%). "
            "100% of respondents confirmed") in markdown
    assert "the gains held at follow-up for knowledge (7.0 after training, 7.0 at follow-up)" in markdown
    assert "reduced" not in markdown
    assert "average improvement post training of 3.0, 3.0 and 3.0 points respectively" in markdown
    assert "this year's were higher for knowledge, skills and confidence" in markdown


def test_quotes_are_escaped_and_only_with_consent(fall):
    directory, markdown = fall
    assert ("> *\u201cI now feel \\*confident\\* & skilled \\<really\\>, and I know who to call when I am "
            "worried\u201d* (Pre-School Assistant, attending Core Awareness in Safeguarding CYP)") in markdown
    assert len(re.findall(r"^> \*", markdown, re.MULTILINE)) == 1  # one quote per course
    assert "Never to be published" not in markdown
    html = (directory / "out" / "report.html").read_text(encoding="utf-8")
    assert ("<em>\u201cI now feel *confident* &amp; skilled &lt;really&gt;, and I know who to call when I am "
            "worried\u201d</em>") in html


@pytest.mark.parametrize("consented", [0, 7])
def test_no_quote_from_a_course_with_fewer_than_8_consented(tmp_path, consented):
    markdown = report_for(tmp_path, later_scores=FALL, consented=consented)
    assert ("No feedback quotes are published for 2023/24: a course's quotes are published when at least 8 "
            "delegates consented to theirs.") in markdown
    assert "\u201c" not in markdown and "Useful day" not in markdown


def test_a_quote_naming_someone_is_quoted_without_their_name_email_or_number(tmp_path):
    quote = (f"Working through the case with {NAMED} made it click; call me on 07700 900123 or write to "
             "priya.shah@example.org for the notes")
    markdown = report_for(tmp_path, later_scores=FALL, quote=quote)
    assert ("> *\u201cWorking through the case with \\[name\\] made it click; call me on \\[name\\] or write "
            "to \\[name\\] for the notes\u201d*") in markdown
    assert "Priya" not in markdown and "Shah" not in markdown and "07700" not in markdown and "@" not in markdown


def test_a_single_partnership_report_says_its_breakdowns_are_not_published(fall):
    """With one partnership in the database, its figures are published as totals only (not by course or
    sector): the report says so rather than that no sector is known or no course had 8 delegates."""
    directory, _ = fall
    out = directory / "northshire"
    result = CliRunner().invoke(cli, ["report", str(directory / "training.db"), "--year", "2023/24",
                                      "--partnership", "Northshire", "--out", str(out)])
    assert result.exit_code == 0, result.output
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "Participation by sector is published for the programme as a whole, not for each partnership." in markdown
    assert "Uplift by course is published for the programme as a whole, not for each partnership." in markdown
    assert "No delegate's sector is known" not in markdown and "No course had" not in markdown
    assert "In 2023/24, 10 delegates rated themselves both times." in markdown


# -- the disclosure issue's acceptance tests ------------------------------------------------------

SAME_RATINGS = [(5, 7, 5, 7, 5, 7)]
"""Every delegate rates themselves 5 before and 7 after, in each dimension."""
VARIED_RATINGS = [(4, 7, 5, 6, 3, 8), (6, 6, 5, 4, 5, 6), (2, 5, 3, 5, 4, 4)]


def tiny_programme(directory, *, ratings, neighbour=False, years=(2023,)):
    """Rutland: 2 sessions a year (12 and 15 places), 3 delegates attending (two at the first, one at the
    second) and rating themselves ``ratings``, £1,500 spent. With ``neighbour``, Northshire shares the
    database: one session of 30 delegates, £9,000."""
    directory.mkdir(parents=True, exist_ok=True)
    write_table(directory / "partnerships.csv", ["name"], [["Rutland"]] + [["Northshire"]] * neighbour)
    write_table(directory / "agencies.csv", ["name", "sector", "workforce", "partnership"], [
        ["Rutland Police", "police", 300, "Rutland"], ["Rutland Schools", "education", 500, "Rutland"],
        *([["North Police", "police", 400, "Northshire"], ["North Health", "health", 2000, "Northshire"]]
          * neighbour)])
    write_table(directory / "courses.csv", ["code", "title"], [["CORE", "Core Awareness"],
                                                               ["NEG", "Recognising Neglect"]])
    rutland = [("ann@example.org", "Constable", "Rutland Police"), ("bob@example.org", "Teacher", "Rutland Schools"),
               ("cat@example.org", "Teaching Assistant", "Rutland Schools")]
    northshire = [(f"north{i:02d}@example.org", "Nurse", ["North Police", "North Health"][i % 2])
                  for i in range(30 if neighbour else 0)]
    sessions, bookings, evaluations, spend = [], [], [], []
    for year in years:
        financial = f"{year}/{(year + 1) % 100:02d}"
        sessions += [[f"R1-{year}", "CORE", f"{year}-05-10", "face_to_face", 12, "Rutland"],
                     [f"R2-{year}", "NEG", f"{year}-10-03", "virtual", 15, "Rutland"]]
        for index, (email, _, _) in enumerate(rutland):
            session = f"R{1 if index < 2 else 2}-{year}"
            bookings.append([session, email, "attended"])
            evaluations.append([session, email, *ratings[index % len(ratings)]])
        spend.append([financial, "Rutland", 1500])
        if neighbour:
            sessions.append([f"N1-{year}", "CORE", f"{year}-06-10", "face_to_face", 40, "Northshire"])
            for index, (email, _, _) in enumerate(northshire):
                bookings.append([f"N1-{year}", email, "attended"])
                evaluations.append([f"N1-{year}", email, 3 + index % 4, 6 + index % 4, 4, 4 + index % 5, 5, 7])
            spend.append([financial, "Northshire", 9000])
    write_table(directory / "sessions.csv", ["code", "course", "date", "mode", "capacity", "partnership"], sessions)
    write_table(directory / "delegates.csv", ["email", "role", "agency"], [list(p) for p in rutland + northshire])
    write_table(directory / "bookings.csv", ["session", "email", "status"], bookings)
    write_table(directory / "evaluations.csv", ["session", "email", "knowledge_pre", "knowledge_post", "skills_pre",
                                                "skills_post", "confidence_pre", "confidence_post"], evaluations)
    write_table(directory / "spend.csv", ["year", "partnership", "amount"], spend)
    return directory


def rutland_report(tmp_path, **programme):
    """``scplearn report --partnership Rutland`` for 2023/24 on a tiny programme: (markdown, files listed, store)."""
    store = scplearn.open(tmp_path / "training.db")
    scplearn.import_files(store, [tiny_programme(tmp_path / "data", **programme)])
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["report", str(store.path), "--year", "2023/24", "--partnership", "Rutland",
                                      "--out", str(out)])
    if "cannot publish" in result.output:
        store.close()
        raise DisclosureError(result.output)
    assert result.exit_code == 0, result.output
    return (out / "report.md").read_text(encoding="utf-8"), result.output.split(), store


@pytest.mark.parametrize("ratings, neighbour", [
    pytest.param(SAME_RATINGS, False, id="alone"),
    pytest.param(SAME_RATINGS, True, id="beside-a-larger-partnership"),
    pytest.param(VARIED_RATINGS, False, id="varied-ratings"),
])
def test_a_partnership_of_3_delegates_gets_no_percentage_no_cost_per_head_and_no_small_count(
        tmp_path, ratings, neighbour):
    markdown, _, store = rutland_report(tmp_path, ratings=ratings, neighbour=neighbour)
    with store:
        # No percentage anywhere, alt texts included; no cost per person or per attendance.
        assert "%" not in markdown
        assert "for each different person" not in markdown and "per attendance" not in markdown
        # No count of people from 1 to 7: the small counts read "fewer than 8".
        assert [(value, noun) for value, noun in counts_of_people(markdown) if 1 <= int(value) <= 7] == []
        assert re.findall(r"fewer than (\d+)", markdown) and set(re.findall(r"fewer than (\d+)", markdown)) == {"8"}
        assert "ran 2 sessions and recorded fewer than 8 attendances" in markdown
        assert "fewer than 8 attendances were made at the 2 events in the programme." in markdown
        assert "They were made by fewer than 8 different people." in markdown
        assert "fewer than 8 delegates rated themselves both times. That is too few to report an average." in markdown
        # Places offered, sessions and spend are exact: as published, and as in the files.
        assert "In 2023/24, 27 delegate spaces were offered" in markdown
        assert "Training spend in 2023/24 was £1,500." in markdown
        published = results.Published(store)
        (reach,) = published.rows("reach", ["year", "partnership"], year="2023/24", partnership="Rutland")
        (cost,) = published.rows("cost", ["year", "partnership"], year="2023/24", partnership="Rutland")
        assert (reach["sessions"], reach["spaces_offered"], cost["spend"]) == (2, 12 + 15, 1500)
        assert reach["attended"] is reach["unique_delegates"] is cost["cost_per_delegate"] is None


def test_a_year_with_nothing_to_chart_draws_no_chart_and_says_so(tmp_path):
    """Two years of 3 delegates: every count is withheld, so neither the distributions nor the trend are drawn."""
    markdown, listed, store = rutland_report(tmp_path, ratings=SAME_RATINGS, years=(2022, 2023))
    store.close()
    out = tmp_path / "out"
    assert listed == [str(out / "report.md"), str(out / "report.html"), str(out / "report.docx")]
    assert sorted(path.name for path in out.iterdir()) == ["report.docx", "report.html", "report.md"]
    assert section(markdown, "Charts").strip() == (
        "There is nothing to chart: too few figures are published for this year.")
    assert "![" not in markdown
    root = ET.parse(out / "report.html").getroot()
    assert root.findall(".//{http://www.w3.org/1999/xhtml}img") == []
    assert len(docx.Document(out / "report.docx").inline_shapes) == 0
