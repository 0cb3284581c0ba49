"""Coverage and currency: each agency's staff trained in the last three years, and who is due a refresher.

One small programme, worked by hand. Two agencies: a school (workforce 40)
and a nursery (workforce 10); a volunteer with no agency. Sessions:

    2019-06-10  CAS01 (level 1)   ann, bob, cat (school), dan (nursery)
    2020-05-05  NEG01 (level 2)   bob (school), eve (nursery)
    2021-03-31  CAS01 (level 1)   fay (school)
    2021-04-01  CAS01 (level 1)   gus (school)
    2022-11-01  NEG01 (level 2)   ann (school), vic (no agency)
    2023-10-02  CAS01 (level 1)   cat (school) booked but did not attend
    2024-01-15  CON01 (no level)  a conference counted by headcount: 120 people

At the end of 2023/24 (31 March 2024) the window is 1 April 2021 to 31 March 2024:

- trained (attended in the window): ann (2022), gus (2021-04-01), vic: 3 in all;
  the school 2 (ann, gus), the nursery 0;
- due a refresher (last attended before the window): bob (2020), cat (2019; her
  2023 booking was not attended), fay (2021-03-31), dan (2019), eve (2020): 5;
  the school 3, the nursery 2;
- by level: level 1 trained gus; level 1 due ann (2019: her 2022 course was
  level 2), bob, cat, dan, fay; level 2 trained ann, vic; level 2 due bob, eve.

At the end of 2020/21 (31 March 2021; window from 1 April 2018) everyone who
came by then is trained and no one is due.

On 1 June 2025, ``due-refresher`` (3 years back: last session on or before
1 June 2022) lists bob, cat, dan, eve, fay and gus, and not ann or vic (2022-11-01).
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from click.testing import CliRunner

import scplearn
from scplearn import refreshers
from scplearn.cli import cli
from scplearn.evaluation import Scope
from scplearn.evaluators.coverage import Coverage, window

from conftest import write_csv

EMAIL = "{}@example.org"


@pytest.fixture
def programme(tmp_path):
    folder = tmp_path / "files"
    write_csv(folder / "partnerships.csv", "name\nCity\n")
    write_csv(folder / "agencies.csv", """
        name,sector,workforce,partnership
        Hill School,education,40,City
        Acorn Nursery,early_years,10,City
    """)
    write_csv(folder / "courses.csv", """
        code,title,level
        CAS01,Core Awareness,1
        NEG01,Neglect,2
        CON01,Annual Conference,
    """)
    write_csv(folder / "sessions.csv", """
        code,course,date,mode,capacity,partnership,headcount
        S1,CAS01,2019-06-10,face_to_face,20,City,
        S2,NEG01,2020-05-05,virtual,20,City,
        S3,CAS01,2021-03-31,virtual,20,City,
        S4,CAS01,2021-04-01,virtual,20,City,
        S5,NEG01,2022-11-01,virtual,20,City,
        S6,CAS01,2023-10-02,virtual,20,City,
        S7,CON01,2024-01-15,conference,,City,120
    """)
    people = {"ann": "Hill School", "bob": "Hill School", "cat": "Hill School", "fay": "Hill School",
              "gus": "Hill School", "dan": "Acorn Nursery", "eve": "Acorn Nursery", "vic": ""}
    write_csv(folder / "delegates.csv", "email,name,agency\n" + "".join(
        f"{EMAIL.format(name)},{name.title()} Example,{agency}\n" for name, agency in people.items()))
    attended = {"S1": "ann bob cat dan", "S2": "bob eve", "S3": "fay", "S4": "gus", "S5": "ann vic"}
    rows = [f"{session},{EMAIL.format(name)},attended\n" for session, names in attended.items()
            for name in names.split()]
    write_csv(folder / "bookings.csv", "session,email,status\n" + "".join(rows) + f"S6,{EMAIL.format('cat')},no_show\n")
    store = scplearn.open(tmp_path / "training.db")
    scplearn.import_files(store, [folder])
    yield store
    store.close()


def figures(store, by, year=None, **scope):
    rows = Coverage().evaluate(store, by, Scope(year=year, **scope))
    return {tuple(row[field] for field in (*by, "level")): row for row in rows}


def test_the_window_is_the_three_years_to_the_day():
    assert window(dt.date(2024, 3, 31)) == dt.date(2021, 4, 1)
    assert window(dt.date(2024, 2, 29)) == dt.date(2021, 3, 1)
    assert window(dt.date(2025, 6, 1), 2) == dt.date(2023, 6, 2)


def test_coverage_and_currency_at_the_end_of_a_year_by_hand(programme):
    everyone = figures(programme, ["year"], "2023/24")
    assert {key: (row["trained"], row["due_refresher"]) for key, row in everyone.items()} == {
        ("2023/24", "all"): (3, 5), ("2023/24", "1"): (1, 5), ("2023/24", "2"): (2, 2)}
    assert everyone[("2023/24", "all")]["known_workforce_trained"] == 2  # vic has no agency
    assert everyone[("2023/24", "all")]["workforce"] == 50
    assert everyone[("2023/24", "all")]["coverage"] == pytest.approx(100 * 2 / 50)

    agencies = figures(programme, ["year", "agency"], "2023/24")
    school, nursery = agencies[("2023/24", "Hill School", "all")], agencies[("2023/24", "Acorn Nursery", "all")]
    assert (school["trained"], school["due_refresher"], school["workforce"]) == (2, 3, 40)
    assert school["coverage"] == pytest.approx(5.0)
    assert (nursery["trained"], nursery["due_refresher"], nursery["coverage"]) == (0, 2, 0.0)
    assert agencies[("2023/24", None, "all")]["workforce"] is None  # no agency: no workforce to set against


def test_a_year_long_ago_has_everyone_current(programme):
    rows = figures(programme, ["year", "sector"], "2020/21")
    assert {key: (row["trained"], row["due_refresher"]) for key, row in rows.items() if key[-1] == "all"} == {
        ("2020/21", "education", "all"): (4, 0), ("2020/21", "early_years", "all"): (2, 0)}


def test_every_year_when_grouped_by_year_without_one(programme):
    years = {key[0] for key in figures(programme, ["year"])}
    assert years == set(programme.years())


def test_session_groupings_have_no_coverage(programme):
    assert Coverage().evaluate(programme, ["course"], Scope()) == []


def test_due_refresher_lists_exactly_the_people_due(programme):
    due = refreshers.due(programme, today=dt.date(2025, 6, 1))
    assert [row["email"] for row in due] == [EMAIL.format(name) for name in ("cat", "dan", "bob", "eve", "fay", "gus")]
    cat = due[0]
    assert (cat["name"], cat["agency"], cat["last_session"], cat["last_date"]) == (
        "Cat Example", "Hill School", "S1", "2019-06-10")
    assert [row["email"] for row in refreshers.due(programme, today=dt.date(2025, 6, 1), agency="Acorn Nursery")] == [
        EMAIL.format("dan"), EMAIL.format("eve")]
    assert [row["email"] for row in refreshers.due(programme, today=dt.date(2022, 12, 1))] == [
        EMAIL.format(name) for name in ("cat", "dan")]


def test_the_command_counts_without_names_and_lists_with_them(programme):
    runner = CliRunner()
    counted = runner.invoke(cli, ["due-refresher", str(programme.path), "--as-of", "2025-06-01"])
    assert counted.exit_code == 0, counted.output
    assert "Example" not in counted.output and "@" not in counted.output
    assert "     4  Hill School" in counted.output and "     2  Acorn Nursery" in counted.output
    assert "6 people last trained more than 3 years ago" in counted.output

    listed = runner.invoke(cli, ["due-refresher", str(programme.path), "--as-of", "2025-06-01", "--list",
                                 "--years", "5"])
    assert listed.exit_code == 0, listed.output
    rows = list(csv.DictReader(io.StringIO(listed.stdout_bytes.decode("utf-8-sig"))))
    assert [row["name"] for row in rows] == ["Cat Example", "Dan Example", "Bob Example", "Eve Example"]
    assert list(rows[0]) == list(refreshers.COLUMNS)


def test_the_command_refuses_without_the_private_database(programme, tmp_path):
    result = CliRunner().invoke(cli, ["due-refresher", str(programme.path), "--private", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert "no private database" in result.output


def test_the_report_section_quotes_the_published_coverage(sample_store):
    from scplearn import results
    from scplearn.disclosure import DisclosurePolicy
    from scplearn.report import currency

    policy = DisclosurePolicy()
    published = results.publish(sample_store, policy)
    year = sample_store.years()[-1]
    everyone = next(row for row in published.rows("coverage", ["year"], year=year) if row["level"] == "all")
    (section,) = currency.report_sections(published=published, year=year, partnership=None, compare=None,
                                          policy=policy)
    assert section.title == "Coverage and currency"
    assert f"{everyone['trained']:,} people had attended at least one session" in section.markdown
    assert f"{everyone['coverage']:.0f}% of the {everyone['workforce']:,} staff" in section.markdown
    agencies = [row for row in published.rows("coverage", ["year", "sector", "agency"], year=year)
                if row["level"] == "all"]
    lines = section.markdown.splitlines()
    for row in agencies:
        line = next(line for line in lines if line.startswith(f"| {row['agency']} | "))
        trained = f"{row['trained']:,}" if row["trained"] is not None else "fewer than 8"
        assert line.split(" | ")[2] == trained, line
    (partnership,) = currency.report_sections(published=published, year=year, partnership="Leicester",
                                              compare=None, policy=policy)
    assert "programme as a whole" in partnership.markdown


def test_an_agency_the_store_does_not_know_is_refused_with_the_closest_names(programme):
    result = CliRunner().invoke(cli, ["due-refresher", str(programme.path), "--agency", "Hill Scool"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: no agency named 'Hill Scool'; did you mean 'Hill School'?"
