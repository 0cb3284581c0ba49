"""The dashboard's panels for the three questions a board asks, each for the chosen year beside the previous one.

- **Who was reached:** people by sector (a chart), and people, attendances
  and workforce by agency (a table); each agency's coverage (staff trained in
  the last three years against its workforce) and those due a refresher;
- **did it work:** the mean change in knowledge, skills and confidence, with
  its 95% interval, by course and by agency (tables);
- **did it last:** the follow-up survey's answers some three months on (a
  table).

Every panel reads the public database's results tables, so it shows the
published figures and nothing else: a withheld figure reads ``withheld``. A
heading above each question links to the readable tables behind its panels
(:mod:`.readable`). Table panels are drawn by datasette-dashboards with
``innerHTML``, so every text from the data (agency and course names) is
escaped in the SQL.
"""

from __future__ import annotations

from ..evaluators.coverage import REFRESH_YEARS
from ..model import DIMENSIONS
from .readable import WITHHELD_EXPLAINED, published_cell, resource_kind

REACH, UPLIFT, IMPACT, COVERAGE = "reach_results", "uplift_results", "impact_results", "coverage_results"
MOST = 100
"""A table panel by agency lists at most this many, those with most people first (a national programme has
thousands); the readable table behind it holds every one."""
RESOURCES = "resources_results"


SVG = {"embedOptions": {"renderer": "svg"}}
"""vega-embed options (read from a spec's ``usermeta``): SVG is accessible, crisp and testable."""


def chosen(table: str) -> str:
    """SQL: the year chosen in the dashboard's filter, or the latest year of ``table`` when none is.

    (datasette-dashboards drops a ``[[ ... ]]`` part whose parameter is not given.)
    """
    return f"coalesce(NULL [[ , :year ]], (SELECT max(year) FROM {table}))"


def chosen_year(table: str, column: str = "year") -> str:
    """SQL: ``column`` is the year :func:`chosen`."""
    return f"{column} = {chosen(table)}"


def years(table: str) -> str:
    """CTEs ``chosen`` (the year chosen in the filter, or the latest of ``table``) and ``previous`` (the year
    before it in ``table``), each one row with a ``year`` column."""
    return (f"WITH chosen AS (SELECT {chosen(table)} AS year), "
            f"previous AS (SELECT max(year) AS year FROM {table} WHERE year < (SELECT year FROM chosen)) ")


def html_text(expression: str) -> str:
    """SQL: ``expression`` escaped for HTML (the table panels write their cells as HTML)."""
    return f"replace(replace(replace({expression}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"


def shown(row: str, column: str, form: str | None = None) -> str:
    """SQL: ``row.column`` as the panel shows it: ``form`` (a printf format) applied, ``withheld`` when the
    disclosure policy withheld it, empty when it does not apply."""
    value = f"CASE WHEN {row}.{column} IS NOT NULL THEN printf('{form}', {row}.{column}) END" if form else None
    return published_cell(row, column, value=value, empty="''")


def change(row: str) -> str:
    """SQL: a mean change with its interval, ``+2.3 (+2.1 to +2.5)``."""
    value = (f"CASE WHEN {row}.mean_change IS NOT NULL THEN printf('%+.1f', {row}.mean_change) || "
             f"CASE WHEN {row}.ci_low IS NOT NULL THEN printf(' (%+.1f to %+.1f)', {row}.ci_low, {row}.ci_high) "
             "ELSE '' END END")
    return published_cell(row, "mean_change", value=value, empty="''")


def heading(db: str, title: str, text: str, tables: list[tuple[str, str]]) -> dict:
    links = ", ".join(f"[{label}](/{db}/{table})" for label, table in tables)
    return {"library": "markdown", "display": f"### {title}\n\n{text} Tables: {links}."}


def panels(db: str):
    """(slug, chart, (table, columns it needs)) for the board's panels and their headings."""
    reached = heading(db, "Who was reached", "Different people and attendances by sector and by agency, against "
                      "each one's workforce where it is known, and the share of each agency's staff trained in the "
                      f"last {REFRESH_YEARS} years. " + WITHHELD_EXPLAINED,
                      [("by sector", "reach_by_sector"), ("by agency", "reach_by_agency"),
                       ("by course", "reach_by_course"), ("coverage by agency", "coverage_by_agency")])
    yield "reached", reached, (REACH, ["unique_delegates"])
    yield "people-by-sector", {
        "title": "People reached by sector, this year and last",
        "db": db,
        "query": years(REACH) + "SELECT coalesce(s.label, r.sector, 'Not recorded') AS sector, r.year, "
                 "r.unique_delegates AS people FROM reach_results r LEFT JOIN sectors s ON s.key = r.sector "
                 "WHERE r.grouping = 'year,sector' AND r.year IN (SELECT year FROM chosen UNION SELECT year "
                 "FROM previous) ORDER BY r.year DESC, sector",
        "library": "vega-lite",
        "display": _bars("sector", "people", "Different people"),
    }, (REACH, ["year", "sector", "unique_delegates"])
    yield "reach-by-agency", {
        "title": f"People and attendances by agency (at most {MOST}, most people first), against workforce",
        "db": db,
        "query": years(REACH) + "SELECT " + html_text("r.agency") + " AS Agency, "
                 + shown("r", "unique_delegates") + " AS People, "
                 + shown("p", "unique_delegates") + " AS \"People, year before\", "
                 + shown("r", "attended") + " AS Attendances, "
                 + shown("r", "workforce") + " AS Workforce, "
                 + shown("r", "per_1000_workforce", "%.1f") + " AS \"People per 1,000 workforce\" "
                 "FROM reach_results r LEFT JOIN reach_results p ON p.grouping = r.grouping AND p.agency = r.agency "
                 "AND p.year = (SELECT year FROM previous) "
                 "WHERE r.grouping = 'year,sector,agency' AND r.year = (SELECT year FROM chosen) "
                 f"ORDER BY r.unique_delegates DESC, r.agency LIMIT {MOST}",
        "library": "table",
    }, (REACH, ["year", "agency", "unique_delegates", "attended", "workforce", "per_1000_workforce"])
    yield "coverage-by-agency", {
        "title": f"Coverage and currency by agency (at most {MOST}, most trained first): staff trained in the "
                 f"{REFRESH_YEARS} years to the year's end",
        "db": db,
        "query": years(COVERAGE) + "SELECT " + html_text("r.agency") + " AS Agency, "
                 + shown("r", "trained") + f" AS \"Trained in {REFRESH_YEARS} years\", "
                 + shown("r", "workforce") + " AS Workforce, "
                 + shown("r", "coverage", "%.0f%%") + " AS Coverage, "
                 + shown("p", "coverage", "%.0f%%") + " AS \"Coverage, year before\", "
                 + shown("r", "due_refresher") + " AS \"Due a refresher\" "
                 "FROM coverage_results r LEFT JOIN coverage_results p ON p.grouping = r.grouping "
                 "AND p.agency = r.agency AND p.level = r.level AND p.year = (SELECT year FROM previous) "
                 "WHERE r.grouping = 'year,sector,agency' AND r.level = 'all' AND r.year = (SELECT year FROM chosen) "
                 f"ORDER BY r.trained DESC, r.agency LIMIT {MOST}",
        "library": "table",
    }, (COVERAGE, ["year", "agency", "level", "trained", "workforce", "coverage", "due_refresher"])
    yield "worked", heading(db, "Did it work", "The mean change in delegates' self-rated knowledge, skills and "
                            "confidence (1–10) from before to after training, with its 95% interval.",
                            [("by course", "uplift_by_course"), ("by agency", "uplift_by_agency"),
                             ("by sector", "uplift_by_sector")]), (UPLIFT, ["mean_change"])
    for slug, label, join, grouping, title in (
        ("change-by-course", "Course", "coalesce(c.title, r.course)", "year,course", "course"),
        ("change-by-agency", "Agency", "r.agency", "year,sector,agency",
         f"agency (at most {MOST}, most delegates first)"),
    ):
        field = grouping.rsplit(",", 1)[-1]
        pivot = ", ".join(
            f"max(CASE WHEN r.dimension = '{d}' THEN {change('r')} END) AS \"{d.capitalize()}\"" for d in DIMENSIONS)
        most = (f"SELECT {field} FROM uplift_results WHERE grouping = '{grouping}' AND dimension = 'confidence' "
                f"AND year = (SELECT year FROM chosen) ORDER BY n DESC LIMIT {MOST}")
        yield slug, {
            "title": f"Mean change by {title}, with its 95% interval",
            "db": db,
            "query": years(UPLIFT) + f"SELECT {html_text(join)} AS {label}, "
                     f"max(CASE WHEN r.dimension = 'confidence' THEN {shown('r', 'n')} END) AS Delegates, {pivot}, "
                     f"max(CASE WHEN r.dimension = 'confidence' THEN {change('p')} END) AS \"Confidence, year before\" "
                     "FROM uplift_results r LEFT JOIN courses c ON c.code = r.course "
                     f"LEFT JOIN uplift_results p ON p.grouping = r.grouping AND p.{field} = r.{field} "
                     "AND p.dimension = r.dimension AND p.year = (SELECT year FROM previous) "
                     f"WHERE r.grouping = '{grouping}' AND r.year = (SELECT year FROM chosen) AND r.{field} IN ({most}) "
                     f"GROUP BY r.{field} ORDER BY max(CASE WHEN r.dimension = 'confidence' THEN r.n END) DESC, {label}",
            "library": "table",
        }, (UPLIFT, ["year", field, "dimension", "n", "mean_change", "ci_low", "ci_high"])
    yield "lasted", heading(db, "Did it last", "What delegates said in the follow-up survey some three months "
                            "after training.", [("by year", "followup_by_year"), ("by course", "followup_by_course"),
                                                ("by agency", "followup_by_agency")]), (IMPACT, ["pct_used_learning"])
    rows = [
        ("Follow-ups due", "due", None), ("Respondents", "followups", None),
        ("Response rate", "response_rate", "%.0f%%"),
        ("Used the learning in everyday work", "pct_used_learning", "%.0f%%"),
        ("Took specific action in the workplace", "pct_specific_action", "%.0f%%"),
        ("Confidence after training (of those re-rating)", "mean_post", "%.1f"),
        ("Confidence three months on", "mean_followup", "%.1f"),
    ]
    measures = " UNION ALL ".join(
        f"SELECT {position} AS position, '{label}' AS Measure, "
        f"coalesce((SELECT {shown('i', column, form)} FROM this i), '') AS \"This year\", "
        f"coalesce((SELECT {shown('i', column, form)} FROM earlier i), '') AS \"Year before\""
        for position, (label, column, form) in enumerate(rows, start=1))
    yield "three-months-on", {
        "title": "Three months on: the follow-up survey",
        "db": db,
        "query": years(IMPACT) + ", this AS (SELECT * FROM impact_results WHERE grouping = 'year' AND "
                 "dimension = 'confidence' AND year = (SELECT year FROM chosen)), earlier AS (SELECT * FROM "
                 "impact_results WHERE grouping = 'year' AND dimension = 'confidence' AND year = (SELECT year "
                 "FROM previous)) SELECT Measure, \"This year\", \"Year before\" FROM ("
                 "SELECT 0 AS position, 'Financial year' AS Measure, (SELECT year FROM chosen) AS \"This year\", "
                 f"coalesce((SELECT year FROM previous), '') AS \"Year before\" UNION ALL {measures}) ORDER BY position",
        "library": "table",
    }, (IMPACT, ["year", "due", "followups", "response_rate", "pct_used_learning", "pct_specific_action", "mean_post",
                 "mean_followup"])
    yield "resources-heading", heading(db, "Learning resources", "Resource packs, recordings, e-learning and "
                                      "briefings have no register: they are counted in views and downloads, "
                                      "beside the sessions, and never added to the people trained.",
                                      [("by year", "resources_by_year")]), (RESOURCES, ["year", "views"])
    for field, expression in (("kind", resource_kind("kind")), ("topic", "coalesce(topic, 'No topic')")):
        yield f"resource-views-by-{field}", {
            "title": f"Views of learning resources by {field}, this year and last",
            "db": db,
            "query": years(RESOURCES) + f"SELECT {expression} AS {field}, year, sum(views) AS views "
                     "FROM resources_results WHERE grouping = 'year' AND year IN (SELECT year FROM chosen UNION "
                     f"SELECT year FROM previous) GROUP BY {field}, year ORDER BY year DESC, {field}",
            "library": "vega-lite",
            "display": _bars(field, "views", "Views"),
        }, (RESOURCES, ["year", field, "views"])
    yield "resources", {
        "title": "Each learning resource: views, downloads and what people said of it later",
        "db": db,
        "query": years(RESOURCES) + "SELECT " + html_text("r.title") + " AS Resource, "
                 + resource_kind("r.kind") + " AS Kind, "
                 + shown("r", "views") + " AS Views, " + shown("p", "views") + " AS \"Views, year before\", "
                 + shown("r", "downloads") + " AS Downloads, " + shown("r", "respondents") + " AS Respondents, "
                 + shown("r", "pct_used_learning", "%.0f%%") + " AS \"Used the learning\" "
                 "FROM resources_results r LEFT JOIN resources_results p ON p.grouping = r.grouping "
                 "AND p.resource = r.resource AND p.year = (SELECT year FROM previous) "
                 "WHERE r.grouping = 'year' AND r.year = (SELECT year FROM chosen) ORDER BY r.views DESC",
        "library": "table",
    }, (RESOURCES, ["year", "resource", "title", "kind", "views", "downloads", "respondents", "pct_used_learning"])


def _bars(field: str, measure: str, title: str) -> dict:
    """A vega-lite horizontal bar chart of ``measure`` by ``field``, a bar for each year side by side."""
    return {
        "usermeta": SVG,
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {"field": field, "type": "nominal", "title": None, "axis": {"labelLimit": 220}},
            "yOffset": {"field": "year", "sort": "descending"},
            "x": {"field": measure, "type": "quantitative", "title": title},
            "color": {"field": "year", "type": "ordinal", "sort": "descending", "title": "Year",
                      "legend": {"orient": "bottom"}},
        },
    }
