"""Canned queries on the public database: the questions asked every quarter.

Each query reads only the public (disclosure-controlled) tables, so it can
show nothing an anonymous visitor could not already see; a query appears only
when the evaluator tables and columns it needs are installed.
"""

from __future__ import annotations

from ..model import DIMENSIONS

HEADLINE_FIGURES = (
    # (table, column, label, dimension of the row to read, or None)
    ("reach_results", "sessions", "Sessions", None),
    ("reach_results", "spaces_offered", "Delegate places offered", None),
    ("reach_results", "attended", "Attendances", None),
    ("reach_results", "unique_delegates", "Delegates (different people)", None),
    ("reach_results", "attendance_rate", "Attendance rate (% of places offered)", None),
    ("reach_results", "headcount", "Headcount, large events included", None),
    *(("uplift_results", "mean_change", f"Mean change in {d} (points, 1–10 scale)", d) for d in DIMENSIONS),
    *(("uplift_results", "net_score", f"Net score, {d} (% improved − % worse)", d) for d in DIMENSIONS),
    # Impact repeats its group-level figures on each dimension's row: read one.
    ("impact_results", "response_rate", "Follow-up response rate (%)", DIMENSIONS[0]),
    ("impact_results", "pct_used_learning", "Used the learning at work (% of respondents)", DIMENSIONS[0]),
    ("impact_results", "pct_specific_action", "Took specific action at work (% of respondents)", DIMENSIONS[0]),
    ("cost_results", "spend", "Spend (£)", None),
    ("cost_results", "cost_per_delegate", "Cost per delegate (£)", None),
)


HEADLINES = "headlines"
"""The public table holding every year's headline figures (position, figure, year, value, note)."""


def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def withheld_note(column: str, suppressed: str = "suppressed") -> str:
    """SQL giving 'withheld' when ``column`` is listed in the row's ``suppressed`` column."""
    return f"CASE WHEN (', ' || {suppressed} || ', ') LIKE '%, {column}, %' THEN 'withheld' END"


def figures_sql(tables: dict) -> str | None:
    """A SELECT of (position, figure, year, value, note) over every headline figure installed, or ``None``."""
    parts = []
    for position, (table, column, label, dimension) in enumerate(HEADLINE_FIGURES, start=1):
        if column not in tables.get(table, {}):
            continue
        where = "grouping = 'year'" + (f" AND dimension = {sql_string(dimension)}" if dimension else "")
        parts.append(
            f"SELECT {position} AS position, {sql_string(label)} AS figure, year, {column} AS value, "
            f"{withheld_note(column)} AS note FROM {table} WHERE {where}"
        )
    return "\n  UNION ALL ".join(parts) or None


def chosen_year(years: str) -> str:
    """CTEs ``years`` (those ``years`` selects) and ``chosen``: the year ``:year`` names, written 2023/24,
    2023-24 or 2023 (the financial year starting then), or the latest when none is given (NULL when it names
    none of them)."""
    return (f"years AS ({years}),\n"
            "chosen AS (SELECT coalesce(\n"
            "  (SELECT year FROM years WHERE year = replace(trim(:year), '-', '/')),\n"
            "  (SELECT year FROM years WHERE length(trim(:year)) = 4 AND year LIKE trim(:year) || '/%'),\n"
            "  CASE WHEN trim(coalesce(:year, '')) = '' THEN (SELECT max(year) FROM years) END) AS year)")


def unknown_year(empty: int) -> str:
    """A row naming the years there are when ``:year`` names none of them: position 0, the message, then
    ``empty`` NULLs."""
    return ("SELECT 0, 'No figures for ' || :year || '; the years published are ' || "
            "(SELECT group_concat(year, ', ') FROM (SELECT year FROM years ORDER BY year))"
            + ", NULL" * empty + " WHERE (SELECT year FROM chosen) IS NULL")


YEAR_HELP = " The year as 2023/24, 2023-24 or 2023; the latest when left empty."


def canned_queries(tables: dict) -> dict:
    """The canned queries for a public database whose tables (name → columns) are ``tables``."""
    found = {}
    if HEADLINES in tables:
        figures = f"SELECT position, figure, year, value, note FROM {HEADLINES}"
        found["headline_figures"] = {
            "title": "Headline figures for a year",
            "description": "Sessions, places offered, delegates, attendance rate, mean uplift per dimension "
                           "and follow-up impact for one financial year." + YEAR_HELP,
            "sql": f"WITH figures AS (\n  {figures}\n),\n{chosen_year('SELECT DISTINCT year FROM figures')}\n"
                   "SELECT figure, value, note, year FROM (\n"
                   "  SELECT position, figure, value, note, year FROM figures WHERE year = (SELECT year FROM chosen)\n"
                   f"  UNION ALL\n  {unknown_year(3)}\n"
                   ") ORDER BY position",
        }
        found["this_year_against_last"] = {
            "title": "This year against last",
            "description": "Each headline figure for a financial year beside the same figure for the year before."
                           + YEAR_HELP,
            "sql": f"WITH figures AS (\n  {figures}\n),\n{chosen_year('SELECT DISTINCT year FROM figures')},\n"
                   "last AS (SELECT max(year) AS year FROM figures WHERE year < (SELECT year FROM chosen)),\n"
                   "side_by_side AS (\n"
                   "  SELECT position, figure,\n"
                   "    max(CASE WHEN figures.year = (SELECT year FROM chosen) THEN value END) AS this_year,\n"
                   "    max(CASE WHEN figures.year = last.year THEN value END) AS last_year,\n"
                   "    (SELECT year FROM chosen) AS year, last.year AS compared_with\n"
                   "  FROM figures, last WHERE (SELECT year FROM chosen) IS NOT NULL GROUP BY position, figure\n"
                   ")\n"
                   "SELECT figure, this_year, last_year, change, year, compared_with FROM (\n"
                   "  SELECT position, figure, this_year, last_year,\n"
                   "    CASE WHEN typeof(this_year) = 'integer' AND typeof(last_year) = 'integer'\n"
                   "      THEN this_year - last_year ELSE round(this_year - last_year, 1) END AS change,\n"
                   "    year, compared_with\n"
                   f"  FROM side_by_side\n  UNION ALL\n  {unknown_year(5)}\n"
                   ") ORDER BY position",
        }
    uplift = tables.get("uplift_results", {})
    if {"mean_change", "n", "ci_low", "ci_high"} <= set(uplift):
        found["courses_by_uplift"] = {
            "title": "Courses ranked by uplift",
            "description": "Mean change in one dimension (confidence unless another is given: knowledge or "
                           "skills) per course in a financial year, with the number of delegates and the 95% "
                           "confidence interval; withheld figures sort last." + YEAR_HELP,
            "sql": f"WITH {chosen_year('SELECT DISTINCT year FROM uplift_results')}\n"
                   "SELECT dimension, course, title, n, mean_change, ci_low, ci_high, suppressed, year FROM (\n"
                   "  SELECT 1 AS position, u.dimension, u.course, c.title, u.n, u.mean_change, u.ci_low, u.ci_high,\n"
                   "    u.suppressed, u.year\n"
                   "  FROM uplift_results u LEFT JOIN courses c ON c.code = u.course\n"
                   "  WHERE u.grouping = 'year,course' AND u.year = (SELECT year FROM chosen)\n"
                   "    AND u.dimension = coalesce(nullif(lower(trim(:dimension)), ''), 'confidence')\n"
                   f"  UNION ALL\n  {unknown_year(8)}\n"
                   ")\nORDER BY position, mean_change IS NULL, mean_change DESC",
        }
    return found
