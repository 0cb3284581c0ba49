"""The Kirkpatrick evaluator on a programme small enough to work out by hand."""

import textwrap

import pytest
import scplearn_kirkpatrick

import scplearn
from scplearn.evaluation import Scope

FILES = {
    "partnerships.csv": """
        name
        Rutland
    """,
    "agencies.csv": """
        name,sector,workforce
        Police,police,100
    """,
    "courses.csv": """
        code,title
        C1,Core awareness
    """,
    "sessions.csv": """
        code,course,date,mode,capacity,partnership
        S1,C1,2023-09-01,face_to_face,10,Rutland
        S2,C1,2024-05-01,virtual,10,Rutland
    """,
    "delegates.csv": """
        email,agency
        a@example.org,Police
        b@example.org,Police
        c@example.org,Police
    """,
    "bookings.csv": """
        session,email,status
        S1,a@example.org,attended
        S1,b@example.org,attended
        S2,c@example.org,attended
        S2,a@example.org,cancelled
    """,
    "evaluations.csv": """
        session,email,knowledge_pre,knowledge_post,skills_pre,skills_post,confidence_pre,confidence_post
        S1,a@example.org,4,7,5,6,3,8
        S1,b@example.org,6,6,5,4,5,6
        S2,c@example.org,2,5,3,5,4,4
    """,
    "followups.csv": """
        session,email,date,used_learning,specific_action
        S1,a@example.org,2023-12-01,yes,yes
        S1,b@example.org,2023-12-02,no,
    """,
    "feedback.csv": """
        course,session,quote,consent
        C1,S1,Clear and practical,yes
        C1,S1,Too short,no
        C1,S2,I now know who to call,yes
    """,
}


@pytest.fixture
def store(tmp_path):
    for name, text in FILES.items():
        (tmp_path / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    store = scplearn.open(tmp_path / "training.db")
    scplearn.import_files(store, [tmp_path])
    yield store
    store.close()


def by_year(store):
    return {row["year"]: row for row in scplearn_kirkpatrick.Kirkpatrick().evaluate(store, ["year"], Scope())}


def test_reaction_is_feedback_per_100_attendances(store):
    rows = by_year(store)
    assert (rows["2023/24"]["attended"], rows["2023/24"]["level_1_feedback"]) == (2, 2)
    assert rows["2023/24"]["level_1_feedback_rate"] == 100.0
    assert (rows["2024/25"]["attended"], rows["2024/25"]["level_1_feedback"]) == (1, 1)


def test_attitudes_are_confidence_and_learning_is_knowledge_and_skills(store):
    year = by_year(store)["2023/24"]
    # Confidence: a 3 -> 8 (+5), b 5 -> 6 (+1): both improved.
    assert (year["level_2a_n"], year["level_2a_mean_change"], year["level_2a_net_score"]) == (2, 3.0, 100.0)
    # Knowledge +3 and 0, skills +1 and -1: four ratings, two better, one worse.
    assert year["level_2b_n"] == 4
    assert year["level_2b_mean_change"] == pytest.approx((3 + 0 + 1 - 1) / 4)
    assert year["level_2b_net_score"] == pytest.approx(100 * (2 - 1) / 4)


def test_behaviour_is_the_follow_up_survey(store):
    rows = by_year(store)
    year = rows["2023/24"]
    assert year["level_3_followups"] == 2
    assert year["level_3_used_learning"] == 50.0
    assert year["level_3_specific_action"] == 100.0  # b left the question blank
    assert rows["2024/25"]["level_3_followups"] == 0
    assert rows["2024/25"]["level_3_used_learning"] is None


def test_feedback_cannot_be_split_by_sector(store):
    (row,) = scplearn_kirkpatrick.Kirkpatrick().evaluate(store, ["sector"], Scope())
    assert row["sector"] == "police" and row["attended"] == 3
    assert row["level_1_feedback"] is None and row["level_1_feedback_rate"] is None
    assert row["level_2a_n"] == 3


def test_an_empty_store_gives_no_rows(tmp_path):
    with scplearn.open(tmp_path / "empty.db") as empty:
        assert scplearn_kirkpatrick.Kirkpatrick().evaluate(empty, ["year"], Scope()) == []


def test_the_hook_registers_the_evaluator():
    registered = []
    scplearn_kirkpatrick.register_evaluators(registered.append)
    (evaluator,) = registered
    assert evaluator.name == "kirkpatrick"
    assert set(evaluator.columns) >= {"level_1_feedback", "level_2b_mean_change", "level_3_used_learning"}


class Published:
    """Published results as the report passes them: rows by evaluator, grouping and scope."""

    def __init__(self, rows):
        self.rows_given, self.asked = rows, []

    def rows(self, name, by, **where):
        self.asked.append((name, list(by), where))
        return self.rows_given


def test_the_report_section_quotes_the_published_figures_and_dashes_withheld_ones():
    row = {"level_1_feedback": 1234, "level_2a_mean_change": 2.31, "level_2b_mean_change": None,
           "level_3_used_learning": 82.6, "level_3_specific_action": None}
    published = Published([row])
    (section,) = scplearn_kirkpatrick.report_sections(published=published, year="2023/24", partnership=None)
    assert published.asked == [("kirkpatrick", ["year"], {"year": "2023/24"})]
    assert section["title"] == "Kirkpatrick levels"
    table = section["markdown"].split("\n\n")[1].splitlines()
    assert table[2:] == [
        "| 1 Reaction | feedback comments | 1,234 |",
        "| 2a Attitudes | mean change in confidence | +2.3 points |",
        "| 2b Knowledge and skills | mean change in knowledge and skills | \u2013 |",
        "| 3 Behaviour | used the learning at work | 83% |",
        "| 3 Behaviour | took specific action | \u2013 |",
    ]


def test_the_report_section_of_a_partnership_reads_its_rows_and_is_left_out_without_them():
    published = Published([])
    assert scplearn_kirkpatrick.report_sections(published=published, year="2023/24", partnership="Rutland") == []
    assert published.asked == [("kirkpatrick", ["year", "partnership"], {"year": "2023/24", "partnership": "Rutland"})]
