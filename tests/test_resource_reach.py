"""The ``resources`` evaluator and its report section: views and downloads beside the sessions, never people.

Worked by hand on three resources:

    PACK  resource pack, topic Neglect, partnership City
          2023-03-01..31  sharepoint  views 40  downloads 10
          2023-04-01..30  sharepoint  views 100 downloads 30   (2023/24: its first day is in April)
          2023-05-01..31  sharepoint  views 50  downloads 5
    VID   video, topic Voice of the child, no partnership
          2023-06-01      youtube     views 200 watch 12.4 h
          2023-06-02      youtube     views 100 watch 7.3 h
    WEB   web page, topic Neglect, partnership City: no access counted, two follow-up answers in 2023/24

Follow-up answers in 2023/24: PACK — ann (used it, used the learning,
specific action), bob (used it, not the learning), cat (did not use it; the
other questions unanswered); WEB — dan (used it), eve (did not).
"""

from __future__ import annotations

import pytest

import scplearn
from scplearn import results
from scplearn.disclosure import DisclosurePolicy
from scplearn.evaluation import Scope
from scplearn.evaluators.resources import Resources, financial_year
from scplearn.report import learning_resources

from conftest import write_csv


@pytest.fixture
def library(tmp_path):
    folder = tmp_path / "files"
    write_csv(folder / "partnerships.csv", "name\nCity\n")
    write_csv(folder / "courses.csv", "code,title\nNEG01,Neglect\n")
    write_csv(folder / "resources.csv", """
        code,title,kind,topic,partnership
        PACK,Neglect pack,resource_pack,Neglect,City
        VID,Voice of the child,video,Voice of the child,
        WEB,Neglect web page,web_page,Neglect,City
    """)
    write_csv(folder / "resource_access.csv", """
        resource,date,source,until,views,downloads,watch_hours
        PACK,2023-03-01,sharepoint,2023-03-31,40,10,
        PACK,2023-04-01,sharepoint,2023-04-30,100,30,
        PACK,2023-05-01,sharepoint,2023-05-31,50,5,
        VID,2023-06-01,youtube,,200,,12.4
        VID,2023-06-02,youtube,,100,,7.3
    """)
    write_csv(folder / "resource_followups.csv", """
        resource,email,date,used_resource,used_learning,specific_action
        PACK,ann@example.org,2023-09-01,yes,yes,yes
        PACK,bob@example.org,2023-09-02,yes,no,no
        PACK,cat@example.org,2023-09-03,no,,
        WEB,dan@example.org,2023-10-01,yes,,
        WEB,eve@example.org,2023-10-02,no,,
    """)
    store = scplearn.open(tmp_path / "training.db")
    scplearn.import_files(store, [folder])
    yield store
    store.close()


def test_financial_year_of_a_date_in_sql(tmp_store):
    for day, year in (("2023-03-31", "2022/23"), ("2023-04-01", "2023/24"), ("2099-12-31", "2099/00")):
        sql = f"WITH given(day) AS (SELECT ?) SELECT {financial_year('day')} FROM given"
        assert tmp_store.db.execute(sql, [day]).fetchone()[0] == year


def test_views_downloads_and_answers_by_hand(library):
    rows = {row["resource"]: row for row in Resources().evaluate(library, ["year"], Scope(year="2023/24"))}
    assert set(rows) == {"PACK", "VID", "WEB"}
    pack, video, web = rows["PACK"], rows["VID"], rows["WEB"]
    assert (pack["views"], pack["downloads"], pack["watch_hours"]) == (150, 35, None)
    assert (video["views"], video["downloads"], video["watch_hours"]) == (300, None, 20)  # 19.7 h, whole hours
    assert (web["views"], web["respondents"]) == (None, 2)
    assert (pack["respondents"], pack["used_resource_yes"], pack["used_resource_answered"]) == (3, 2, 3)
    assert (pack["used_learning_yes"], pack["used_learning_answered"], pack["specific_action_yes"]) == (1, 2, 1)
    assert pack["pct_used_resource"] == pytest.approx(200 / 3)
    assert (video["respondents"], video["pct_used_learning"]) == (0, None)
    assert (pack["title"], pack["kind"], pack["topic"]) == ("Neglect pack", "resource_pack", "Neglect")
    earlier = {row["resource"]: row for row in Resources().evaluate(library, ["year"], Scope(year="2022/23"))}
    assert set(earlier) == {"PACK"} and earlier["PACK"]["views"] == 40


def test_by_partnership_a_resource_of_none_belongs_to_no_partnership(library):
    rows = Resources().evaluate(library, ["year", "partnership"], Scope(year="2023/24"))
    assert {(row["partnership"], row["resource"]) for row in rows} == {("City", "PACK"), ("City", "WEB"),
                                                                       (None, "VID")}
    assert Resources().evaluate(library, ["year", "sector"], Scope()) == []


def test_resources_are_never_added_to_the_people_trained(library):
    reach = scplearn.evaluate(library, "reach", by=["year"])
    assert all(not row.get("unique_delegates") for row in reach)


def test_the_report_section_quotes_the_published_resources(sample_store):
    policy = DisclosurePolicy()
    published = results.publish(sample_store, policy)
    year = sample_store.years()[-1]
    rows = published.rows("resources", ["year"], year=year)
    (section,) = learning_resources.report_sections(published=published, year=year, partnership=None,
                                                    compare=None, policy=policy)
    views = sum(row["views"] or 0 for row in rows)
    assert f"{len(rows)} learning resources" in section.markdown
    assert f"viewed {views:,} times in {year}" in section.markdown
    assert "not added to the people trained" in section.markdown
    for row in rows:
        if row["respondents"]:
            line = next(line for line in section.markdown.splitlines() if line.startswith(f"| {row['title']} |"))
            assert line.split(" | ")[1] == f"{row['respondents']:,}"
