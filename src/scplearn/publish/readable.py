"""Readable tables of the public database: one for each question a board asks and each grouping.

The results tables (``reach_results``, ``uplift_results``, ``impact_results``)
hold every published figure of every grouping, under column names such as
``hedges_gz``. A board member wants "people from each agency this year" and
"how confidence moved, by course". These tables are those answers, copied
from the same published rows when the public database is built, one grouping
each (``reach_by_agency``, ``uplift_by_course`` …), with a few columns under
titles a person reads ("People", "Mean change", "95% interval"). The
statistical columns (effect sizes, Wilcoxon p, non-response gaps) stay in the
results table, which each readable table's description links to. They are
tables rather than SQL views so that Datasette pages them and knows their
size, as it does a results table's: a view is counted again and read from
its start on every page (at a million records, 150 ms at concurrency 8).

A figure the disclosure policy withheld reads ``withheld`` (the results
tables leave it empty and name it in ``suppressed``); an empty cell is a
figure that does not apply (no workforce known, no follow-up due). The tables
compute nothing new but the text of an interval and a kind's label, so they
show nothing the results tables do not.
"""

from __future__ import annotations

import html

import attrs

from ..evaluators.coverage import REFRESH_YEARS
from ..model import RESOURCE_KINDS
from .queries import withheld_note

WITHHELD = "withheld"
"""What a readable table shows in place of a figure withheld to protect small groups."""
WITHHELD_EXPLAINED = (f"“{WITHHELD}” marks a figure withheld to protect small groups (small counts, and counts "
                      "that would let a small one be worked out); an empty cell does not apply.")


@attrs.frozen
class Column:
    title: str
    source: str
    """The results table's column this one shows (withheld when that one is)."""
    description: str
    delegate_level: bool | None = None
    """True: shown only by sector and agency; False: only by year and course; None: always."""
    expression: str | None = None
    """SQL over the results row ``r`` giving the value, when it is not ``source`` itself."""

    def sql(self) -> str:
        return published_cell("r", self.source, value=self.expression)


def published_cell(row: str, column: str, *, value: str | None = None, empty: str = "NULL") -> str:
    """SQL: the results row ``row``'s figure ``column`` (or ``value``, an expression over it) as published;
    ``'withheld'`` where the disclosure policy withheld it; ``empty`` where it does not apply."""
    return (f"coalesce({value or f'{row}.{column}'}, {withheld_note(column, f'{row}.suppressed')}, {empty})")


@attrs.frozen
class Question:
    name: str
    table: str
    what: str
    columns: tuple[Column, ...]
    dimension: str | None = None
    """Read only this dimension's rows (impact repeats its group figures on each dimension's row)."""


@attrs.frozen
class Grouping:
    name: str
    grouping: str
    labels: tuple[tuple[str, str, str], ...]
    """(title, SQL, description) of the columns that say which group a row is."""
    delegate_level: bool


YEAR = ("Year", "r.year", "Financial year, April to March")
GROUPINGS = (
    Grouping("year", "year", (YEAR,), False),
    Grouping("course", "year,course", (YEAR, ("Course", "coalesce(c.title, r.course)", "The course")), False),
    Grouping("sector", "year,sector", (YEAR, ("Sector", "coalesce(s.label, r.sector)", "The delegates' sector")),
             True),
    Grouping("agency", "year,sector,agency",
             (YEAR, ("Sector", "coalesce(s.label, r.sector)", "The agency's sector"),
              ("Agency", "r.agency", "The delegates' agency")), True),
)


def interval(title: str, low: str, high: str, description: str, decimals: int = 1) -> Column:
    """A column writing ``low`` and ``high`` as one interval, "1.9 to 2.9" or "−0.4 to 1.2".

    A negative bound takes the minus sign (−), not a hyphen, and a positive one no sign: a cell starting
    with "+" or "-" is one a spreadsheet would run as a formula (see :mod:`scplearn.spreadsheets`).
    """
    number = f"%.{decimals}f"
    text = f"printf('{number} to {number}', r.{low}, r.{high})"
    return Column(title, low, description,
                  expression=f"CASE WHEN r.{low} IS NOT NULL THEN replace({text}, '-', '\u2212') END")


def resource_kind(column: str) -> str:
    """SQL: the label of the resource kind in ``column`` ("Resource pack" for ``resource_pack``)."""
    return f"CASE {column} " + " ".join(f"WHEN '{key}' THEN '{label}'" for key, label in RESOURCE_KINDS.items()) \
        + f" ELSE {column} END"


QUESTIONS = (
    Question("reach", "reach_results", "who was reached: people and attendances, against workforce where known", (
        Column("Sessions", "sessions", "Sessions run (exact)", False),
        Column("Places offered", "spaces_offered", "Delegate places offered at sessions with a set number of "
                                                   "places (exact)", False),
        Column("Attendances", "attended", "Attendances: a person counts once for each session attended"),
        Column("Attendance rate (%)", "attendance_rate", "Attendances as a share of places offered", False),
        Column("People", "unique_delegates", "Different people who attended at least once"),
        Column("Workforce", "workforce", "Staff of the agencies whose workforce is known", True),
        Column("People per 1,000 workforce", "per_1000_workforce",
               "People from agencies whose workforce is known, per 1,000 of that workforce", True),
        Column("Representation ratio", "representation_ratio",
               "That rate against the rate of every sector together: 1 is a fair share", True),
    )),
    Question("uplift", "uplift_results", "did it work: how self-rated knowledge, skills and confidence moved", (
        Column("Dimension", "dimension", "Knowledge, skills or confidence, each self-rated 1–10"),
        Column("Delegates", "n", "Delegates who rated themselves before and after training"),
        Column("Before", "mean_pre", "Mean self-rating before training"),
        Column("After", "mean_post", "Mean self-rating after training"),
        Column("Mean change", "mean_change", "Mean of after minus before, in points out of 10"),
        interval("95% interval", "ci_low", "ci_high", "95% confidence interval of the mean change"),
        Column("Improved (%)", "pct_improved", "Share rating themselves higher after training"),
        Column("Net score", "net_score", "Share rating themselves higher less the share lower (−100 to +100)"),
    )),
    Question("followup", "impact_results", "did it last: the follow-up survey some three months after training", (
        Column("Follow-ups due", "due", "Attendances whose follow-up survey was due"),
        Column("Respondents", "followups", "Follow-up surveys answered"),
        Column("Response rate (%)", "response_rate", "Respondents as a share of follow-ups due"),
        Column("Used the learning (%)", "pct_used_learning", "Share of respondents who used the learning in their "
                                                             "everyday work"),
        interval("Used the learning, 95% interval", "pct_used_learning_ci_low", "pct_used_learning_ci_high",
                 "Wilson score interval of that share", decimals=0),
        Column("Took specific action (%)", "pct_specific_action", "Share of respondents who took a specific action "
                                                                  "in the workplace"),
        Column("Confidence after training", "mean_post", "Mean self-rated confidence after training, of those "
                                                         "who rated themselves again at follow-up"),
        Column("Confidence three months on", "mean_followup", "Their mean self-rated confidence at follow-up"),
    ), dimension="confidence"),
    Question("coverage", "coverage_results", f"is training current: people trained in the {REFRESH_YEARS} years to "
             "each year's end against the workforce, and those due a refresher", (
                 Column("Level", "level", "Competency level of the courses counted: all, or 1 to 4"),
                 Column(f"Trained in {REFRESH_YEARS} years", "trained",
                        f"Different people who attended a session in the {REFRESH_YEARS} years to the year's end"),
                 Column("Workforce", "workforce", "Staff of the agencies whose workforce is known"),
                 Column("Coverage (%)", "coverage", "Share of that workforce trained in those years"),
                 Column("Due a refresher", "due_refresher", f"People whose last session was more than "
                                                            f"{REFRESH_YEARS} years before the year's end"),
             )),
    Question("resources", "resources_results", "learning resources: how often each was viewed and downloaded, and "
             "what people asked about it later said", (
                 Column("Resource", "title", "The resource's title"),
                 Column("Kind", "kind", "What it is", expression=resource_kind("r.kind")),
                 Column("Topic", "topic", "Its subject area"),
                 Column("Views", "views", "Views or visits the platforms counted (visits, not people)"),
                 Column("Downloads", "downloads", "Downloads the platforms counted"),
                 Column("Hours watched", "watch_hours", "Hours watched, for videos and recordings"),
                 Column("Respondents", "respondents", "People who answered a follow-up question about it"),
                 Column("Used it (%)", "pct_used_resource", "Share of respondents who used the resource"),
                 Column("Used the learning (%)", "pct_used_learning", "Share who used the learning in their work"),
                 Column("Took specific action (%)", "pct_specific_action", "Share who took a specific action"),
             )),
)


def table_name(question: Question, grouping: Grouping) -> str:
    return f"{question.name}_by_{grouping.name}"


def columns_of(question: Question, grouping: Grouping) -> list[tuple[str, str, str]]:
    """(title, SQL, description) of every column of the readable table of ``question`` by ``grouping``."""
    figures = [(c.title, c.sql(), c.description) for c in question.columns
               if c.delegate_level in (None, grouping.delegate_level)]
    return [*grouping.labels, *figures]


def select_sql(question: Question, grouping: Grouping) -> str:
    columns = ",\n  ".join(f'{sql} AS "{title}"' for title, sql, _ in columns_of(question, grouping))
    where = f"r.grouping = '{grouping.grouping}'"
    if question.dimension:
        where += f" AND r.dimension = '{question.dimension}'"
    fields = grouping.grouping.split(",")
    joins = "".join(join for field, join in (("course", "LEFT JOIN courses c ON c.code = r.course\n"),
                                             ("sector", "LEFT JOIN sectors s ON s.key = r.sector\n"))
                    if field in fields)
    # In the results table's order: newest year first, each year's groups in order.
    return f"SELECT\n  {columns}\nFROM {question.table} r\n{joins}WHERE {where}\nORDER BY r.rowid"


def installed(tables: dict) -> dict[str, tuple[Question, Grouping]]:
    """``{table name: (question, grouping)}`` for the readable tables whose results table and columns are published."""
    found = {}
    for question in QUESTIONS:
        columns = tables.get(question.table, {})
        needed = {c.source for c in question.columns} | {"grouping", "suppressed"}
        if not needed <= set(columns):
            continue
        for grouping in GROUPINGS:
            if set(grouping.grouping.split(",")) <= set(columns):
                found[table_name(question, grouping)] = (question, grouping)
    return found


def write_readable_tables(db) -> None:
    """Write every installed readable table into the public database ``db`` (a sqlite-utils Database)."""
    tables = {table.name: table.columns_dict for table in db.tables}
    for name, (question, grouping) in installed(tables).items():
        db.execute(f"CREATE TABLE [{name}] AS {select_sql(question, grouping)}")


def readable_metadata(tables: dict) -> dict:
    """Datasette metadata for every installed readable table: a description linking to the detail table, and
    the descriptions of its columns."""
    result = {}
    for name, (question, grouping) in installed(tables).items():
        result[name] = {
            "description": f"{question.what.capitalize()}, by {grouping.name}. {WITHHELD_EXPLAINED}",
            "description_html": (
                f"<p>{question.what.capitalize()}, by {grouping.name}, newest year first.</p>"
                f"<p>{html.escape(WITHHELD_EXPLAINED)} Every figure, with the statistics behind it, is in "
                f"<a href=\"/public/{question.table}?grouping={grouping.grouping}\">{question.table}</a>.</p>"
            ),
            "columns": {title: description for title, _, description in columns_of(question, grouping)},
            "size": 20,
        }
    return result
