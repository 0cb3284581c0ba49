"""The report on the sample data quotes the figures the evaluators give.

Each figure is parsed back out of the Markdown and compared with the
evaluators' results (after the disclosure rules) and, where it is simple
enough, with a direct SQL count over the records.
"""

from __future__ import annotations

import re

import pytest

from scplearn.disclosure import DisclosurePolicy
from scplearn.evaluation import evaluate
from scplearn.model import DIMENSIONS, SECTORS
from scplearn.report import write_report
from scplearn.report.sections import UNDER_REPRESENTED

YEAR, COMPARE = "2023/24", "2022/23"
POLICY = DisclosurePolicy()


@pytest.fixture(scope="module")
def report(sample_store, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    files = write_report(sample_store, YEAR, out, compare=COMPARE)
    return files, files.markdown.read_text(encoding="utf-8")


def number(text: str) -> int:
    return int(text.replace(",", ""))


def find(pattern: str, text: str) -> re.Match:
    match = re.search(pattern, text)
    assert match, f"not found in the report: {pattern}"
    return match


def section(markdown: str, title: str) -> str:
    return find(rf"(?s)## {title}\n(.*?)(?=\n## |\Z)", markdown).group(1)


def run(store, name, by, **scope):
    return evaluate(store, name, by=by, save=False, **scope)


def one_decimal(parsed: str, value: float) -> bool:
    return abs(float(parsed) - value) <= 0.05 + 1e-9


def whole(parsed: str, value: float) -> bool:
    return abs(float(parsed) - value) <= 0.5 + 1e-9


def sql_value(store, sql, params=()):
    return store.db.execute(sql, params).fetchone()[0]


# -- Reach ------------------------------------------------------------------------------------


def test_reach_totals_match_the_evaluator_and_the_records(sample_store, report):
    _, markdown = report
    reach = run(sample_store, "reach", ["year"], year=YEAR)[0]
    total = find(r"a total of ([\d,]+) delegates attended", markdown)
    split = find(r"regular programme \(attended by ([\d,]+) delegates\) and (\d+) large events? counted by "
                 r"headcount \(.*?, attended by ([\d,]+) delegates\)", markdown)
    assert number(total.group(1)) == reach["headcount"]
    assert number(split.group(1)) == reach["attended"]
    assert int(split.group(2)) == reach["headcount_only_sessions"]
    assert number(split.group(3)) == reach["headcount"] - reach["attended"]
    # The same figures counted straight from the records.
    in_year = "JOIN sessions ON sessions.code = bookings.session WHERE sessions.year = ?"
    attended = sql_value(sample_store, f"SELECT count(*) FROM bookings {in_year} AND status = 'attended'", [YEAR])
    large = sql_value(sample_store, "SELECT sum(headcount) FROM sessions WHERE year = ?", [YEAR])
    assert number(split.group(1)) == attended
    assert number(split.group(3)) == large
    assert number(total.group(1)) == attended + large


def test_spaces_events_and_attendance_rate(sample_store, report):
    _, markdown = report
    reach = run(sample_store, "reach", ["year"], year=YEAR)[0]
    match = find(r"([\d,]+) delegate spaces were offered and ([\d,]+) people participated in the ([\d,]+) "
                 r"events? in the programme, with an overall attendance rate of (\d+)%", markdown)
    spaces, people, events, rate = match.groups()
    assert number(spaces) == reach["spaces_offered"]
    assert number(people) == reach["attended"]
    assert number(events) == reach["sessions"] - reach["headcount_only_sessions"]
    assert whole(rate, reach["attendance_rate"])
    capacity = sql_value(sample_store, "SELECT sum(capacity) FROM sessions WHERE year = ? AND headcount IS NULL",
                         [YEAR])
    regular = sql_value(sample_store, "SELECT count(*) FROM sessions WHERE year = ? AND headcount IS NULL", [YEAR])
    assert (number(spaces), number(events)) == (capacity, regular)
    sessions = find(r"In all, ([\d,]+) sessions were run", markdown)
    assert number(sessions.group(1)) == sql_value(sample_store, "SELECT count(*) FROM sessions WHERE year = ?", [YEAR])
    people = find(r"made by ([\d,]+) different people", markdown)
    assert number(people.group(1)) == reach["unique_delegates"]
    show = find(r"(\d+)% were taken up \(the show rate\)", markdown)
    assert whole(show.group(1), reach["show_rate"])


def test_each_large_event_is_listed_with_its_headcount(sample_store, report):
    _, markdown = report
    events = sample_store.db.execute(
        "SELECT courses.title, headcount FROM sessions JOIN courses ON courses.code = sessions.course "
        "WHERE year = ? AND headcount IS NOT NULL", [YEAR]).fetchall()
    assert events
    for title, headcount in events:
        assert re.search(rf"^- {re.escape(title)}.*: {headcount:,} delegates$", markdown, re.MULTILINE)


def test_comparison_with_the_earlier_year(sample_store, report):
    _, markdown = report
    now = run(sample_store, "reach", ["year"], year=YEAR)[0]
    before = run(sample_store, "reach", ["year"], year=COMPARE)[0]
    match = find(rf"The number of events was (lower|higher|the same as in) (?:than )?{COMPARE} \(([\d,]+)\), "
                 r"(?:as was|while) the level of overall participation.*?\(([\d,]+)", markdown)
    way, events, participation = match.groups()
    events_now = now["sessions"] - now["headcount_only_sessions"]
    events_before = before["sessions"] - before["headcount_only_sessions"]
    assert number(events) == events_before
    assert number(participation) == before["attended"]
    expected = "lower" if events_now < events_before else "higher" if events_now > events_before else "the same as in"
    assert way == expected
    phrase = "as was" if (now["attended"] > before["attended"]) == (events_now > events_before) else "while"
    assert f"({number(events):,}), {phrase}" in markdown


def test_sector_table_is_disclosure_controlled_and_names_the_under_represented(sample_store, report):
    _, markdown = report
    rows = {row["sector"]: row for row in run(sample_store, "reach", ["sector"], year=YEAR)}
    table = dict(
        (label, (people, per_1000, ratio))
        for label, people, per_1000, ratio in re.findall(
            r"^\| ([^|]+?) \| ([^|]+?) \| ([^|]+?) \| ([^|]+?) \|$", section(markdown, "Reach"), re.MULTILINE)
    )
    for sector, row in rows.items():
        people, per_1000, ratio = table[SECTORS.get(sector, "Not known")]
        published = POLICY.count(row["unique_delegates"])
        assert people == (f"{published:,}" if published is not None else "fewer than 8")
        if published is not None:
            assert number(people) % 5 == 0 and number(people) >= 8
            assert abs(float(ratio) - row["representation_ratio"]) <= 0.005 + 1e-9
            assert one_decimal(per_1000, row["per_1000_workforce"])
    under = sorted(SECTORS[s] for s, row in rows.items()
                   if row["representation_ratio"] is not None and row["representation_ratio"] < UNDER_REPRESENTED)
    assert under, "the sample data should have an under-represented sector"
    sentence = find(r"Against their share of the workforce, (.*?) (?:was|were) under-represented", markdown).group(1)
    assert sorted(re.split(r", | and ", sentence)) == under


def test_spend_and_costs(sample_store, report):
    _, markdown = report
    cost = run(sample_store, "cost", ["year"], year=YEAR)[0]
    match = find(r"Training spend in \S+ was £([\d,]+): £([\d,]+) for each different person trained and "
                 r"£([\d,]+) per attendance", markdown)
    assert number(match.group(1)) == round(cost["spend"])
    assert whole(match.group(2), cost["cost_per_delegate"])
    assert whole(match.group(3), cost["cost_per_attendance"])
    assert cost["spend"] == sql_value(sample_store, "SELECT sum(amount) FROM spend WHERE year = ?", [YEAR])


# -- Uplift -----------------------------------------------------------------------------------


def test_average_improvements_match_the_evaluator_and_the_records(sample_store, report):
    _, markdown = report
    rows = {row["dimension"]: row for row in run(sample_store, "uplift", ["year"], year=YEAR)}
    match = find(r"average improvement post training of ([\d.]+), ([\d.]+) and ([\d.]+) points respectively", markdown)
    for parsed, dimension in zip(match.groups(), DIMENSIONS):
        assert one_decimal(parsed, rows[dimension]["mean_change"])
        direct = sql_value(
            sample_store,
            f"SELECT avg({dimension}_post - {dimension}_pre) FROM evaluations "
            "JOIN sessions ON sessions.code = evaluations.session WHERE year = ?", [YEAR])
        assert one_decimal(parsed, direct)


def test_uplift_table_gives_n_interval_and_net_score(sample_store, report):
    _, markdown = report
    rows = {row["dimension"]: row for row in run(sample_store, "uplift", ["year"], year=YEAR)}
    for dimension in DIMENSIONS:
        match = find(rf"\| {dimension.capitalize()} \| ([\d,]+) \| ([\d.]+) \| ([\d.]+) \| ([+-][\d.]+) \| "
                     r"([+-][\d.]+) to ([+-][\d.]+) \| (\d+)% \| (-?\d+) \|", markdown)
        n, before, after, change, low, high, improved, net = match.groups()
        row = rows[dimension]
        assert number(n) == row["n"]
        for parsed, key in ((before, "mean_pre"), (after, "mean_post"), (change, "mean_change"),
                            (low, "ci_low"), (high, "ci_high")):
            assert one_decimal(parsed, row[key]), key
        assert whole(improved, row["pct_improved"])
        assert whole(net, row["net_score"])
        counts = sample_store.db.execute(
            f"SELECT sum({dimension}_post > {dimension}_pre), sum({dimension}_post < {dimension}_pre), count(*) "
            f"FROM evaluations JOIN sessions ON sessions.code = evaluations.session "
            f"WHERE year = ? AND {dimension}_pre IS NOT NULL AND {dimension}_post IS NOT NULL", [YEAR]).fetchone()
        assert whole(net, 100 * (counts[0] - counts[1]) / counts[2])
    nets = find(r"(-?\d+) for knowledge, (-?\d+) for skills and (-?\d+) for confidence", markdown)
    for parsed, dimension in zip(nets.groups(), DIMENSIONS):
        assert whole(parsed, rows[dimension]["net_score"])


def test_courses_are_reported_only_over_the_threshold(sample_store, report):
    _, markdown = report
    by_course = {}
    for row in run(sample_store, "uplift", ["course"], year=YEAR):
        by_course.setdefault(row["course"], {})[row["dimension"]] = row
    titles = dict(sample_store.db.execute("SELECT code, title FROM courses").fetchall())
    eligible = {titles[c] for c, rows in by_course.items()
                if all(d in rows and rows[d]["n"] >= POLICY.min_n_for_statistic for d in DIMENSIONS)}
    table = re.findall(r"^\| ([^|]+?) \| (\d[\d,]*|fewer than 8) \| ([+-][\d.]+) \| ([+-][\d.]+) \| ([+-][\d.]+) \|$",
                       section(markdown, "Uplift"), re.MULTILINE)
    assert {row[0] for row in table} == eligible
    code = {title: c for c, title in titles.items()}
    gains = []
    for title, delegates, *changes in table:
        rows = by_course[code[title]]
        assert number(delegates) % 5 == 0
        assert number(delegates) == POLICY.count(max(rows[d]["n"] for d in DIMENSIONS))
        for parsed, dimension in zip(changes, DIMENSIONS):
            assert one_decimal(parsed, rows[dimension]["mean_change"])
        gains.append(sum(rows[d]["mean_change"] for d in DIMENSIONS))
    assert gains == sorted(gains, reverse=True)
    largest = find(r"The largest gains were on (.+?) \(knowledge", markdown).group(1)
    smallest = find(r"the smallest on .*? and (.+?) \(knowledge [^)]*\)\.", markdown).group(1)
    assert (largest, smallest) == (table[0][0], table[-1][0])


def test_comparison_of_uplift_with_the_earlier_year(sample_store, report):
    _, markdown = report
    before = {row["dimension"]: row for row in run(sample_store, "uplift", ["year"], year=COMPARE)}
    match = find(rf"In {COMPARE} the average changes were ([\d.]+), ([\d.]+) and ([\d.]+) points", markdown)
    for parsed, dimension in zip(match.groups(), DIMENSIONS):
        assert one_decimal(parsed, before[dimension]["mean_change"])


# -- Impact -----------------------------------------------------------------------------------


def test_follow_up_figures(sample_store, report):
    _, markdown = report
    row = run(sample_store, "impact", ["year"], year=YEAR)[0]
    match = find(r"answered by ([\d,]+) of the ([\d,]+) delegates to whom it was due \(a response rate of (\d+)%\)\. "
                 r"(\d+)% of respondents confirmed that they had used the learning in their everyday work, and "
                 r"'taking specific action in the workplace' was reported by (\d+)%", markdown)
    answered, due, response, used, action = match.groups()
    assert number(answered) == row["followups"]
    assert number(due) == row["due"]
    assert whole(response, row["response_rate"])
    assert whole(used, row["pct_used_learning"])
    assert whole(action, row["pct_specific_action"])
    in_year = sql_value(sample_store, "SELECT count(*) FROM followups JOIN sessions ON sessions.code = "
                        "followups.session WHERE year = ?", [YEAR])
    assert number(answered) == in_year
    yes = sql_value(sample_store, "SELECT avg(used_learning) FROM followups JOIN sessions ON sessions.code = "
                    "followups.session WHERE year = ?", [YEAR])
    assert whole(used, 100 * yes)
    interval = find(r"\| Used the learning in everyday work \| (\d+)% \| (\d+)% to (\d+)% \|", markdown)
    assert whole(interval.group(2), row["pct_used_learning_ci_low"])
    assert whole(interval.group(3), row["pct_used_learning_ci_high"])


def test_whether_gains_held_follows_the_retention_figures(sample_store, report):
    _, markdown = report
    rows = {row["dimension"]: row for row in run(sample_store, "impact", ["year"], year=YEAR)}
    text = section(markdown, "Impact")
    for dimension, row in rows.items():
        match = find(rf"{dimension} \(([\d.]+) after training, ([\d.]+) at follow-up\)", text)
        assert one_decimal(match.group(1), row["mean_post"])
        assert one_decimal(match.group(2), row["mean_followup"])
        retained = find(rf"\| {dimension.capitalize()} \| [\d,]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| (\d+)% \|", text)
        assert whole(retained.group(1), 100 * row["retention"])
    reduced = [d for d, row in rows.items() if round(row["mean_followup"], 1) < round(row["mean_post"], 1)]
    if reduced:
        assert "reduced after three months for" in text
    else:
        assert "reduced" not in text


# -- Voices -----------------------------------------------------------------------------------


def test_only_consented_quotes_appear_with_role_and_course(sample_store, report):
    _, markdown = report
    voices = section(markdown, "Voices")
    quotes = re.findall(r"^> \*\u201c(.+?)\u201d\* \((.+?), attending (.+?)\)$", voices, re.MULTILINE)
    assert 1 <= len(quotes) <= 4
    for quote, role, title in quotes:
        row = sample_store.db.execute(
            "SELECT feedback.consent, feedback.role, courses.title, sessions.year FROM feedback "
            "JOIN courses ON courses.code = feedback.course JOIN sessions ON sessions.code = feedback.session "
            "WHERE feedback.quote = ?", [quote.replace("\\", "")]).fetchone()
        assert row is not None, quote
        assert row == (1, role, title, YEAR)
    for (quote,) in sample_store.db.execute("SELECT quote FROM feedback WHERE consent = 0"):
        assert quote not in markdown


def test_no_small_count_appears_outside_headline_totals(sample_store, report):
    _, markdown = report
    # Every count in the sector and course tables is a published count: 0, or a multiple of 5 from 10 up.
    # (The dimension rows of the uplift table carry the programme-wide n, a headline total.)
    headline_rows = {d.capitalize() for d in DIMENSIONS}
    checked = 0
    for title in ("Reach", "Uplift"):
        for label, cell in re.findall(r"^\| ([^|]+?) \| (\d[\d,]*) \|", section(markdown, title), re.MULTILINE):
            if label in headline_rows:
                continue
            value = number(cell)
            assert value == 0 or (value >= POLICY.min_count and value % POLICY.rounding_base == 0), (label, value)
            checked += 1
    assert checked > 10
