"""The report on the sample data quotes the published figures, the same numbers the public site shows.

Each figure is parsed back out of the Markdown and compared with the
published rows (:class:`scplearn.results.Published`) and, where it is simple
enough, with a count straight from the records put through the NHS rule by
hand (:func:`helpers.report.nhs`: 0 stays 0, 1 to 7 withheld, else the
nearest 5, halves up); percentages, rates and costs per head are worked out
again from the published counts. The last test checks the headline figures
against the public database, its ``headlines`` table and canned query, and
the SQL of the dashboard's charts.
"""

from __future__ import annotations

import re
import sqlite3
from fractions import Fraction

import pytest

from helpers.report import (
    PHRASE, as_cell, as_reported, counts_of_people, find, half_up, names, nhs, number, percent_of, section,
    table_rows,
)
from scplearn import results
from scplearn.model import DIMENSIONS, MODES, SECTORS
from scplearn.publish import build_metadata, build_public
from scplearn.publish.queries import HEADLINE_FIGURES, HEADLINES
from scplearn.report import write_report
from scplearn.report.sections import LARGE_EVENT_NOUNS, UNDER_REPRESENTED
from scplearn.results.quotes import published_quotes
from scplearn.disclosure import DisclosurePolicy

YEAR, COMPARE = "2023/24", "2022/23"


@pytest.fixture(scope="module")
def report(sample_store, tmp_path_factory):
    files = write_report(sample_store, YEAR, tmp_path_factory.mktemp("report"), compare=COMPARE)
    return files, files.markdown.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def markdown(report):
    return report[1]


@pytest.fixture(scope="module")
def published(sample_store, report):
    """The published results the report was written from (publishing again changes nothing)."""
    return results.publish(sample_store)


def one(published, name, by=(), year=YEAR, **where):
    (row,) = published.rows(name, ["year", *by], year=year, **where)
    return row


def by_dimension(published, name, year=YEAR, **where):
    return {row["dimension"]: row for row in published.rows(name, ["year"], year=year, **where)}


def recount(store, sql, *params):
    return store.db.execute(sql, params).fetchone()[0]


IN_YEAR = "JOIN sessions ON sessions.code = bookings.session WHERE sessions.year = ?"
ATTENDED = f"FROM bookings {IN_YEAR} AND bookings.status = 'attended'"


# -- Reach ------------------------------------------------------------------------------------


def test_totals_are_the_published_reach_figures_and_the_records_rounded(sample_store, published, markdown):
    reach = one(published, "reach")
    match = find(rf"During {YEAR} multi-agency safeguarding children training recorded ({PHRASE} attendances) in "
                 rf"all: ({PHRASE} attendances) at the regular programme and ({PHRASE} people) counted at (\d+) "
                 r"large events? \((.+?)\)\. In all, (\d+) sessions were run\.", markdown)
    total, regular, large, events, kinds, sessions = match.groups()
    assert total == as_reported(reach, "headcount", "attendances")
    assert regular == as_reported(reach, "attended", "attendances")
    assert large == as_reported(reach, "headcount_only_attendance", "people")
    assert (int(events), int(sessions)) == (reach["headcount_only_sessions"], reach["sessions"])
    # The same figures recounted from the records: people rounded by hand, sessions exact.
    attended = recount(sample_store, f"SELECT count(*) {ATTENDED}", YEAR)
    headcount = recount(sample_store, "SELECT sum(headcount) FROM sessions WHERE year = ?", YEAR)
    assert reach["attended"] == nhs(attended)
    assert reach["headcount_only_attendance"] == nhs(headcount)
    assert reach["headcount"] == nhs(attended + headcount)
    assert int(sessions) == recount(sample_store, "SELECT count(*) FROM sessions WHERE year = ?", YEAR)
    assert int(events) == recount(sample_store, "SELECT count(headcount) FROM sessions WHERE year = ?", YEAR)
    modes = [row[0] for row in sample_store.db.execute(
        "SELECT mode FROM sessions WHERE year = ? AND headcount IS NOT NULL ORDER BY mode", [YEAR])]
    nouns = [LARGE_EVENT_NOUNS.get(mode, (MODES.get(mode, mode).lower(),))[0] for mode in modes]
    assert sorted(re.split(r", | and ", kinds)) == sorted(f"a {noun}" for noun in nouns)


def test_each_large_event_is_listed_with_its_published_headcount(sample_store, published, markdown):
    events = published.rows("events", ["year"], year=YEAR)
    assert len(events) == 3
    titles = dict(sample_store.db.execute("SELECT code, title FROM courses").fetchall())
    for event in events:
        line = find(rf"(?m)^- {re.escape(titles[event['event_course']])}(?: \([a-z ]+\))?: (.+)$", markdown)
        assert line.group(1) == as_reported(event, "headcount", "people")
        headcount = recount(sample_store, "SELECT headcount FROM sessions WHERE code = ?", event["event"])
        assert event["headcount"] == nhs(headcount)


def test_places_attendances_people_and_rates(sample_store, published, markdown):
    reach = one(published, "reach")
    match = find(rf"In {YEAR}, ([\d,]+) delegate spaces were offered and ({PHRASE} attendances) were made at the "
                 r"(\d+) events in the programme, an overall attendance rate of (\d+)%\.\[\^attendance\] They were "
                 rf"made by ({PHRASE} different people)\. Of the places booked and not cancelled, (\d+)% were taken "
                 rf"up \(the show rate\); ({PHRASE} attendances?) (?:was|were) walk-ins, without a booking\.", markdown)
    spaces, attendances, events, rate, people, show, walk_ins = match.groups()
    assert number(spaces) == reach["spaces_offered"]
    assert attendances == as_reported(reach, "attended", "attendances")
    assert int(events) == reach["sessions"] - reach["headcount_only_sessions"]
    assert int(rate) == reach["attendance_rate"]
    assert people == as_reported(reach, "unique_delegates", "different people")
    assert int(show) == reach["show_rate"]
    assert walk_ins == as_reported(reach, "walk_ins", "attendances")
    # Places and events are counts of things: exact.
    regular = "FROM sessions WHERE year = ? AND headcount IS NULL"
    assert number(spaces) == recount(sample_store, f"SELECT sum(capacity) {regular}", YEAR)
    assert int(events) == recount(sample_store, f"SELECT count(*) {regular}", YEAR)
    # People are rounded; the rates are worked out from the rounded counts.
    places_taken = nhs(recount(sample_store, f"SELECT count(*) {ATTENDED} AND sessions.capacity IS NOT NULL", YEAR))
    assert int(rate) == percent_of(places_taken, number(spaces))
    different = recount(sample_store, f"SELECT count(DISTINCT bookings.delegate) {ATTENDED}", YEAR)
    assert reach["unique_delegates"] == nhs(different)
    conditions = ("walk_in = 0", "walk_in = 0 AND status = 'cancelled'",
                  "walk_in = 0 AND status NOT IN ('cancelled', 'attended')", "walk_in = 1")
    booked, cancelled, missed, walked_in = (
        nhs(recount(sample_store, f"SELECT count(*) FROM bookings {IN_YEAR} AND {condition}", YEAR))
        for condition in conditions)
    assert int(show) == percent_of(booked - cancelled - missed, booked - cancelled)
    assert reach["walk_ins"] == walked_in


def test_comparison_with_the_earlier_year(published, markdown):
    now, before = one(published, "reach"), one(published, "reach", year=COMPARE)
    events_now = now["sessions"] - now["headcount_only_sessions"]
    events_before = before["sessions"] - before["headcount_only_sessions"]
    match = find(rf"The number of events was (lower than|higher than|the same as in) {COMPARE} \(([\d,]+)\), "
                 r"(as was|while) the number of attendances (?:was (?:higher|lower) )?\(([\d,]+)", markdown)
    way, events, joining, attendances = match.groups()
    assert number(events) == events_before
    assert number(attendances) == before["attended"]
    assert way == ("lower than" if events_now < events_before else
                   "higher than" if events_now > events_before else "the same as in")
    same_way = (now["attended"] > before["attended"]) == (events_now > events_before)
    assert joining == ("as was" if same_way else "while")
    large = find(rf"Large events counted ([\d,]+) people, (more|fewer) than in {COMPARE} \(([\d,]+)\)\.", markdown)
    assert number(large.group(1)) == now["headcount_only_attendance"]
    assert number(large.group(3)) == before["headcount_only_attendance"]
    assert large.group(2) == ("more" if now["headcount_only_attendance"] > before["headcount_only_attendance"]
                              else "fewer")


def test_spend_and_costs_per_head_come_from_the_published_counts(sample_store, published, markdown):
    cost = one(published, "cost")
    match = find(rf"Training spend in {YEAR} was £([\d,]+): £([\d,]+) for each different person trained and "
                 r"£([\d,]+) per attendance\.", markdown)
    spend, per_person, per_attendance = (number(group) for group in match.groups())
    assert (spend, per_person, per_attendance) == (cost["spend"], cost["cost_per_delegate"],
                                                   cost["cost_per_attendance"])
    # Spend is exact; costs per head divide it by the published, rounded counts.
    assert spend == recount(sample_store, "SELECT sum(amount) FROM spend WHERE year = ?", YEAR)
    assert per_person == half_up(Fraction(spend) / cost["unique_delegates"])
    assert per_attendance == half_up(Fraction(spend) / cost["attendances"])
    costed = ("AND EXISTS (SELECT 1 FROM spend WHERE spend.year = sessions.year "
              "AND spend.partnership = sessions.partnership)")
    people = recount(sample_store, f"SELECT count(DISTINCT bookings.delegate) {ATTENDED} {costed}", YEAR)
    attendances = (recount(sample_store, f"SELECT count(*) {ATTENDED} {costed}", YEAR)
                   + recount(sample_store, f"SELECT coalesce(sum(headcount), 0) FROM sessions WHERE year = ? "
                                           f"{costed}", YEAR))
    assert (cost["unique_delegates"], cost["attendances"]) == (nhs(people), nhs(attendances))


def test_sector_table_gives_the_published_people_rate_and_ratio(sample_store, published, markdown):
    rows = published.rows("reach", ["year", "sector"], year=YEAR)
    table = {label: cells for label, *cells in table_rows(section(markdown, "Reach"), 4)}
    assert table.pop("Sector") == ["People", "Per 1,000 workforce", "Representation ratio"]
    assert set(table) == {SECTORS.get(row["sector"], "Not known") for row in rows}
    for row in rows:
        people, per_1000, ratio = table[SECTORS.get(row["sector"], "Not known")]
        assert people == as_cell(row, "unique_delegates")
        assert per_1000 == ("\u2013" if row["per_1000_workforce"] is None else f"{row['per_1000_workforce']:.1f}")
        assert ratio == ("\u2013" if row["representation_ratio"] is None else f"{row['representation_ratio']:.2f}")
        different = recount(sample_store, f"SELECT count(DISTINCT bookings.delegate) {ATTENDED} AND "
                                          "bookings.delegate IN (SELECT key FROM delegates JOIN agencies ON "
                                          "agencies.name = delegates.agency WHERE agencies.sector = ?)",
                            YEAR, row["sector"])
        if "unique_delegates" not in names(row["protecting"]):
            assert row["unique_delegates"] == nhs(different)
        if row["per_1000_workforce"] is not None:
            rate = Fraction(1000 * row["known_workforce_delegates"], row["workforce"])
            assert abs(Fraction(per_1000) - rate) <= Fraction(1, 20)
    under = sorted(SECTORS[row["sector"]] for row in rows
                   if row["representation_ratio"] is not None and row["representation_ratio"] < UNDER_REPRESENTED)
    assert under, "the sample data should have an under-represented sector"
    sentence = find(r"Against their share of the workforce, (.*?) (?:was|were) under-represented", markdown).group(1)
    assert sorted(re.split(r", | and ", sentence)) == under


# -- Uplift -----------------------------------------------------------------------------------


def rated_both(dimension: str) -> str:
    return (f"FROM evaluations JOIN sessions ON sessions.code = evaluations.session WHERE sessions.year = ? "
            f"AND {dimension}_pre IS NOT NULL AND {dimension}_post IS NOT NULL")


def test_average_improvements_are_the_published_means(sample_store, published, markdown):
    rows = by_dimension(published, "uplift")
    widest = find(rf"In {YEAR}, ({PHRASE} delegates) rated themselves both times\.", markdown).group(1)
    assert widest == as_reported(max(rows.values(), key=lambda row: row["n"]), "n", "delegates")
    match = find(r"average improvement post training of ([\d.]+), ([\d.]+) and ([\d.]+) points respectively", markdown)
    for parsed, dimension in zip(match.groups(), DIMENSIONS):
        assert float(parsed) == rows[dimension]["mean_change"]
        exact = recount(sample_store, f"SELECT avg({dimension}_post - {dimension}_pre) {rated_both(dimension)}", YEAR)
        assert abs(float(parsed) - exact) <= 0.05 + 1e-9


def test_uplift_table_gives_the_published_n_means_interval_and_shares(sample_store, published, markdown):
    rows = by_dimension(published, "uplift")
    for dimension in DIMENSIONS:
        row = rows[dimension]
        match = find(rf"(?m)^\| {dimension.capitalize()} \| ([^|]+) \| ([\d.]+) \| ([\d.]+) \| ([+-][\d.]+) \| "
                     r"([+-][\d.]+) to ([+-][\d.]+) \| (\d+)% \| (-?\d+) \|$", markdown)
        n, before, after, change, low, high, improved, net = match.groups()
        assert n == as_cell(row, "n")
        for parsed, key in ((before, "mean_pre"), (after, "mean_post"), (change, "mean_change"),
                            (low, "ci_low"), (high, "ci_high")):
            assert float(parsed) == row[key], key
        assert (int(improved), int(net)) == (row["pct_improved"], row["net_score"])
        # Recounted: n, improved and worse rounded by hand; the shares worked out from them.
        total, rose, fell = sample_store.db.execute(
            f"SELECT count(*), sum({dimension}_post > {dimension}_pre), sum({dimension}_post < {dimension}_pre) "
            f"{rated_both(dimension)}", [YEAR]).fetchone()
        assert (row["n"], row["improved"], row["worse"]) == (nhs(total), nhs(rose), nhs(fell))
        assert int(improved) == percent_of(nhs(rose), nhs(total))
        assert int(net) == percent_of(nhs(rose) - nhs(fell), nhs(total))
    nets = find(r"(-?\d+) for knowledge, (-?\d+) for skills and (-?\d+) for confidence\.\[\^net\]", markdown)
    assert [int(parsed) for parsed in nets.groups()] == [rows[d]["net_score"] for d in DIMENSIONS]


def test_courses_are_the_published_ones_ranked_by_gain(sample_store, published, markdown):
    titles = dict(sample_store.db.execute("SELECT code, title FROM courses").fetchall())
    by_course = {}
    for row in published.rows("uplift", ["year", "course"], year=YEAR):
        by_course.setdefault(row["course"], {})[row["dimension"]] = row
    shown = {course: rows for course, rows in by_course.items()
             if all(rows.get(d, {}).get("mean_change") is not None for d in DIMENSIONS)}
    table = table_rows(section(markdown, "Uplift"), 5)
    assert table[0] == ("Course", "Delegates", "Knowledge", "Skills", "Confidence")
    table = table[1:]
    assert {title for title, *_ in table} == {titles[course] for course in shown}
    code = {title: course for course, title in titles.items()}
    gains = []
    for title, delegates, *changes in table:
        rows = shown[code[title]]
        assert delegates == as_cell(rows["knowledge"], "n")
        assert [float(change) for change in changes] == [rows[d]["mean_change"] for d in DIMENSIONS]
        gains.append(sum(rows[d]["mean_change"] for d in DIMENSIONS))
        rated = recount(sample_store, f"SELECT count(*) {rated_both('knowledge')} AND sessions.course = ?",
                        YEAR, code[title])
        if "n" not in names(rows["knowledge"]["protecting"]):
            assert rows["knowledge"]["n"] == nhs(rated)
    assert gains == sorted(gains, reverse=True)
    largest = find(r"The largest gains were on (.+?) \(knowledge", markdown).group(1)
    smallest = find(r"the smallest on .*? and (.+?) \(knowledge [^)]*\)\.", markdown).group(1)
    assert (largest, smallest) == (table[0][0], table[-1][0])
    left_out = len(by_course) - len(shown)
    assert ("not reported on" in section(markdown, "Uplift")) == bool(left_out)


def test_comparison_of_uplift_with_the_earlier_year(published, markdown):
    before = by_dimension(published, "uplift", year=COMPARE)
    now = by_dimension(published, "uplift")
    match = find(rf"In {COMPARE} the average changes were ([\d.]+), ([\d.]+) and ([\d.]+) points \(knowledge, "
                 r"skills and confidence\); this year's were (.+?)\.\n", markdown)
    assert [float(parsed) for parsed in match.groups()[:3]] == [before[d]["mean_change"] for d in DIMENSIONS]
    if all(now[d]["mean_change"] > before[d]["mean_change"] for d in DIMENSIONS):
        assert match.group(4) == "higher for knowledge, skills and confidence"


# -- Impact -----------------------------------------------------------------------------------


def test_follow_up_figures_are_published_ones(sample_store, published, markdown):
    row = by_dimension(published, "impact")["knowledge"]
    match = find(rf"answered by ({PHRASE} respondents), for ({PHRASE} attendances) whose follow-up was due \(a "
                 r"response rate of (\d+)%\)\. (\d+)% of respondents confirmed that they had used the learning in "
                 r"their everyday work, and 'taking specific action in the workplace' was reported by (\d+)%", markdown)
    answered, due, response, used, action = match.groups()
    assert answered == as_reported(row, "followups", "respondents")
    assert due == as_reported(row, "due", "attendances")
    assert (int(response), int(used), int(action)) == (row["response_rate"], row["pct_used_learning"],
                                                       row["pct_specific_action"])
    # Recounted and rounded by hand; the shares from the rounded counts.
    in_year = "FROM followups JOIN sessions ON sessions.code = followups.session WHERE year = ?"
    followups = recount(sample_store, f"SELECT count(*) {in_year}", YEAR)
    yes, said = sample_store.db.execute(f"SELECT sum(used_learning = 1), count(used_learning) {in_year}",
                                        [YEAR]).fetchone()
    assert (row["followups"], row["used_learning_yes"], row["used_learning_answered"]) == (
        nhs(followups), nhs(yes), nhs(said))
    assert int(response) == percent_of(row["followups"], row["due"])
    assert int(used) == percent_of(nhs(yes), nhs(said))
    assert int(action) == percent_of(row["specific_action_yes"], row["specific_action_answered"])
    for answer, key in (("Used the learning in everyday work", "pct_used_learning"),
                        ("Took specific action in the workplace", "pct_specific_action")):
        cells = find(rf"\| {answer} \| (\d+)% \| (\d+)% to (\d+)% \|", markdown).groups()
        assert [int(cell) for cell in cells] == [row[key], row[f"{key}_ci_low"], row[f"{key}_ci_high"]]


def test_whether_gains_held_follows_the_published_retention(published, markdown):
    rows = by_dimension(published, "impact")
    text = section(markdown, "Impact")
    widest = find(rf"Among the ({PHRASE} respondents) who rated themselves again", text).group(1)
    assert widest == as_reported(max(rows.values(), key=lambda row: row["rerated"]), "rerated", "respondents")
    for dimension, row in rows.items():
        match = find(rf"{dimension} \(([\d.]+) after training, ([\d.]+) at follow-up\)", text)
        assert (float(match.group(1)), float(match.group(2))) == (row["mean_post"], row["mean_followup"])
        cells = find(rf"(?m)^\| {dimension.capitalize()} \| ([^|]+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| (\d+)% \|$",
                     text).groups()
        assert cells[0] == as_cell(row, "rerated")
        assert [float(cell) for cell in cells[1:4]] == [row["mean_pre"], row["mean_post"], row["mean_followup"]]
        assert int(cells[4]) == half_up(Fraction(str(row["retention"])) * 100)
    reduced = [d for d, row in rows.items() if row["mean_followup"] < row["mean_post"]]
    assert ("reduced after three months for" in text) == bool(reduced)


# -- Voices -----------------------------------------------------------------------------------


def test_quotes_are_the_published_ones_one_per_course(sample_store, markdown):
    quoted = re.findall(r"^> \*\u201c(.+?)\u201d\* \((.+?), attending (.+?)\)$", section(markdown, "Voices"),
                        re.MULTILINE)
    assert 1 <= len(quoted) <= 4
    titles = dict(sample_store.db.execute("SELECT code, title FROM courses").fetchall())
    first_of_course = {}
    for quote in published_quotes(sample_store, DisclosurePolicy()):
        if quote["year"] == YEAR:
            first_of_course.setdefault(quote["course"], quote)
    expected = [(q["quote"], q["role"], titles[q["course"]]) for q in first_of_course.values()][:4]
    assert [(quote.replace("\\", ""), role, title) for quote, role, title in quoted] == expected
    assert len({title for _, _, title in quoted}) == len(quoted)
    # Independently: each quote was consented to, its course had at least 8 consented quotes that year,
    # and none of them is longer.
    code = {title: course for course, title in titles.items()}
    for quote, _, title in quoted:
        consented = [row[0] for row in sample_store.db.execute(
            "SELECT quote FROM feedback JOIN sessions ON sessions.code = feedback.session "
            "WHERE consent = 1 AND feedback.course = ? AND year = ?", [code[title], YEAR])]
        assert quote.replace("\\", "") in consented
        assert len(consented) >= 8
        assert len(quote.replace("\\", "")) == max(len(text) for text in consented)
    refused = sample_store.db.execute(
        "SELECT quote FROM feedback WHERE consent = 0 EXCEPT SELECT quote FROM feedback WHERE consent = 1").fetchall()
    assert refused
    for (quote,) in refused:
        assert quote not in markdown


# -- no small numbers ---------------------------------------------------------------------------


def test_every_count_of_people_is_a_published_one(markdown):
    """Every count of people or attendances, in prose or in a table, is 0 or a multiple of 5 from 10 up."""
    body = markdown[:markdown.index("\n## Notes\n")]  # the notes state the rules: "at least 8 delegates"
    counts = [number(value) for value, _ in counts_of_people(body)]
    for title in ("Reach", "Uplift", "Impact"):
        for label, cell in re.findall(r"^\| ([^|]+?) \| (\d[\d,]*) \|", section(markdown, title), re.MULTILINE):
            if not re.fullmatch(r"\d[\d,]*", cell.strip()) or label in ("Follow-up answer",):
                continue
            counts.append(number(cell))
    assert len(counts) > 40
    for value in counts:
        assert value == 0 or (value >= 8 and value % 5 == 0), value
    assert not re.search(r"fewer than (?!8\b)\d", markdown)


# -- the same number everywhere -----------------------------------------------------------------


HEADLINE_PATTERNS = {
    # (table, column, dimension): where the report gives it
    ("reach_results", "sessions", None): r"In all, ([\d,]+) sessions were run",
    ("reach_results", "spaces_offered", None): r"([\d,]+) delegate spaces were offered",
    ("reach_results", "attended", None): r"offered and ([\d,]+) attendances were made",
    ("reach_results", "unique_delegates", None): r"They were made by ([\d,]+) different people",
    ("reach_results", "attendance_rate", None): r"an overall attendance rate of (\d+)%",
    ("reach_results", "headcount", None): r"training recorded ([\d,]+) attendances in all",
    **{("uplift_results", "mean_change", d): rf"average improvement post training of {pattern} points"
       for d, pattern in zip(DIMENSIONS, (r"([\d.]+), [\d.]+ and [\d.]+", r"[\d.]+, ([\d.]+) and [\d.]+",
                                         r"[\d.]+, [\d.]+ and ([\d.]+)"))},
    ("impact_results", "response_rate", "knowledge"): r"a response rate of (\d+)%",
    ("impact_results", "pct_used_learning", "knowledge"): r"(\d+)% of respondents confirmed that they had used",
    ("cost_results", "spend", None): rf"Training spend in {re.escape(YEAR)} was £([\d,]+)",
    ("cost_results", "cost_per_delegate", None): r"£([\d,]+) for each different person trained",
}


@pytest.fixture(scope="module")
def public(sample_store, published, tmp_path_factory):
    path = build_public(sample_store, tmp_path_factory.mktemp("public") / "public.db")
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    yield path, connection
    connection.close()


def test_the_same_number_everywhere(markdown, public):
    """Each headline figure is one number in the report, the public tables, the headlines table, the
    canned query and the dashboard's charts."""
    path, db = public
    in_report = {key: float(find(pattern, markdown).group(1).replace(",", ""))
                 for key, pattern in HEADLINE_PATTERNS.items()}
    labels = {(table, column, dimension): label for table, column, label, dimension in HEADLINE_FIGURES}
    assert set(in_report) <= set(labels)
    canned = build_metadata(path, None)["databases"]["public"]["queries"]["headline_figures"]["sql"]
    from_query = {row["figure"]: row["value"] for row in db.execute(canned, {"year": YEAR})}
    for (table, column, dimension), value in in_report.items():
        where = "grouping = 'year' AND year = ?" + (" AND dimension = ?" if dimension else "")
        (public_value,) = db.execute(f"SELECT {column} FROM {table} WHERE {where}",
                                     [YEAR, *([dimension] if dimension else [])]).fetchone()
        (headline,) = db.execute(f"SELECT value FROM {HEADLINES} WHERE year = ? AND figure = ?",
                                 [YEAR, labels[table, column, dimension]]).fetchone()
        assert value == public_value == headline == from_query[labels[table, column, dimension]], column
    # The dashboard's charts, their SQL run on the public database as a visitor's browser would
    # (with no year chosen, the latest: the report's year).
    charts = build_metadata(path, None)["plugins"]["datasette-dashboards"]["training"]["charts"]

    def chart(slug):
        return [dict(row) for row in db.execute(re.sub(r"\[\[.*?\]\]", "", charts[slug]["query"]))]

    assert db.execute("SELECT max(year) FROM reach_results").fetchone()[0] == YEAR
    assert chart("sessions") == [{"sessions": in_report["reach_results", "sessions", None]}]
    assert chart("attendances") == [{"attended": in_report["reach_results", "attended", None]}]
    assert chart("attendance-rate") == [{"attendance_rate": in_report["reach_results", "attendance_rate", None]}]
    (by_year,) = [row for row in chart("attendance-by-year") if row["year"] == YEAR]
    assert by_year == {"year": YEAR, "places offered": in_report["reach_results", "spaces_offered", None],
                       "attendances": in_report["reach_results", "attended", None]}
    uplift = {row["dimension"]: row["mean_change"] for row in chart("uplift-by-year") if row["year"] == YEAR}
    assert uplift == {d: in_report["uplift_results", "mean_change", d] for d in DIMENSIONS}
