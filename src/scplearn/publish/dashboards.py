"""datasette-dashboards configuration: charts of the public database.

The charts run their SQL in the visitor's browser against the public database
(``/public.json?sql=...``), which is why only the public, disclosure-controlled
database may be charted. A chart appears only when its table and columns are
installed; a missing chart leaves an empty cell in the layout.
"""

from __future__ import annotations

from ..model import DIMENSIONS
from . import board
from .board import SVG, chosen_year
from .public import DISTRIBUTION

SLUG = "training"
def year_table(tables: dict) -> str | None:
    """The public table whose years the dashboard's year filter offers."""
    return next((t for t in ("reach_results", "uplift_results", DISTRIBUTION) if "year" in tables.get(t, {})), None)


def latest_year(database, tables: dict) -> str | None:
    """The latest year of :func:`year_table` in ``database`` (a sqlite-utils Database), if any."""
    table = year_table(tables)
    if table is None:
        return None
    return database.execute(f"SELECT max(year) FROM [{table}]").fetchone()[0]


def dashboards(db: str, tables: dict, latest: str | None = None) -> dict:
    """``{slug: dashboard}`` for the datasette-dashboards plugin; ``latest`` is the year shown first."""
    charts = {}
    for slug, chart, needs in (*_charts(db), *board.panels(db)):
        table, columns = needs
        if set(columns) <= set(tables.get(table, {})):
            charts[slug] = chart
    layout = [
        ["sessions", "attendances", "attendance-rate"],
        ["reached"] * 3,
        ["people-by-sector", "reach-by-agency", "reach-by-agency"],
        ["coverage-by-agency", "coverage-by-agency", "coverage-by-agency"],
        ["worked"] * 3,
        ["change-by-course", "change-by-course", "uplift-by-year"],
        ["change-by-agency", "change-by-agency", "uplift-by-year"],
        ["uplift-by-course"] * 3,
        [f"before-after-{d}" for d in DIMENSIONS],
        ["lasted"] * 3,
        ["three-months-on", "attendance-by-year", "attendance-by-year"],
        ["resources-heading"] * 3,
        ["resource-views-by-kind", "resource-views-by-topic", "resource-views-by-topic"],
        ["resources"] * 3,
    ]
    layout = [[slug if slug in charts else "." for slug in row] for row in layout]
    layout = [row for row in layout if set(row) != {"."}]
    filters = {}
    years = year_table(tables)
    if years:
        filters["year"] = {
            "name": "Financial year",
            "type": "select",
            "db": db,
            "query": f"SELECT DISTINCT year FROM {years} WHERE year IS NOT NULL ORDER BY year DESC",
        }
        if latest:
            # The plugin redirects a visit without filters to ?year=<latest>, so the filter shows it.
            filters["year"]["default"] = latest
    return {
        SLUG: {
            "title": "Safeguarding training",
            "description": "Who the multi-agency safeguarding training reached, whether it worked and whether it "
                           "lasted, for the financial year chosen (the latest by default) beside the year before; "
                           "the year-by-year charts show every year. Figures are disclosure-controlled: small "
                           "counts are withheld and others rounded.",
            "layout": layout,
            "filters": filters,
            "charts": charts,
        }
    }


def _metric(db, title, column, suffix=""):
    return {
        "title": title,
        "db": db,
        "query": f"SELECT {column} FROM reach_results WHERE grouping = 'year' AND {chosen_year('reach_results')}",
        "library": "metric",
        "display": {"field": column, "prefix": "", "suffix": suffix},
    }


def _charts(db):
    """(slug, chart, (table, columns it needs)) for every chart scplearn knows how to draw."""
    reach = "reach_results"
    yield "sessions", _metric(db, "Sessions", "sessions"), (reach, ["sessions"])
    yield "attendances", _metric(db, "Attendances", "attended"), (reach, ["attended"])
    yield "attendance-rate", _metric(db, "Attendance rate", "attendance_rate", "%"), (reach, ["attendance_rate"])
    for dimension in DIMENSIONS:
        yield f"before-after-{dimension}", {
            "title": f"{dimension.capitalize()}: self-ratings before and after",
            "db": db,
            "query": f"SELECT score, before, after FROM {DISTRIBUTION} WHERE grouping = 'year' "
                     f"AND dimension = '{dimension}' AND {chosen_year(DISTRIBUTION)} ORDER BY score",
            "library": "vega-lite",
            "display": {
                "usermeta": SVG,
                "transform": [{"fold": ["before", "after"], "as": ["when", "delegates"]}],
                "mark": {"type": "bar", "tooltip": True},
                "encoding": {
                    "x": {"field": "score", "type": "ordinal", "title": "Self-rating (1–10)",
                          "scale": {"domain": list(range(1, 11))}},
                    "xOffset": {"field": "when", "sort": ["before", "after"]},
                    "y": {"field": "delegates", "type": "quantitative", "title": "Delegates"},
                    "color": {"field": "when", "type": "nominal", "sort": ["before", "after"], "title": None},
                },
            },
        }, (DISTRIBUTION, ["score", "before", "after"])
    yield "uplift-by-course", {
        "title": "Mean change per course, with its 95% interval",
        "db": db,
        "query": "SELECT coalesce(c.title, u.course) AS course, u.dimension, u.n, u.mean_change, u.ci_low, u.ci_high "
                 "FROM uplift_results u LEFT JOIN courses c ON c.code = u.course "
                 "WHERE u.grouping = 'year,course' AND u.mean_change IS NOT NULL "
                 f"AND {chosen_year('uplift_results', 'u.year')} ORDER BY course",
        "library": "vega-lite",
        "display": {
            "usermeta": SVG,
            "height": {"step": 9},
            "encoding": {
                "y": {"field": "course", "type": "nominal", "title": None, "axis": {"labelLimit": 320}},
                "yOffset": {"field": "dimension", "sort": list(DIMENSIONS)},
                "color": {"field": "dimension", "type": "nominal", "sort": list(DIMENSIONS), "title": None},
            },
            "layer": [
                {"mark": {"type": "rule"},
                 "encoding": {"x": {"field": "ci_low", "type": "quantitative",
                                    "title": "Mean change in self-rating (points)"},
                              "x2": {"field": "ci_high"}}},
                {"mark": {"type": "point", "filled": True, "tooltip": True},
                 "encoding": {"x": {"field": "mean_change", "type": "quantitative"}}},
            ],
        },
    }, ("uplift_results", ["course", "dimension", "n", "mean_change", "ci_low", "ci_high"])
    yield "attendance-by-year", {
        "title": "Places offered and attendances by year",
        "db": db,
        "query": "SELECT year, spaces_offered AS \"places offered\", attended AS attendances "
                 "FROM reach_results WHERE grouping = 'year' ORDER BY year",
        "library": "vega-lite",
        "display": {
            "usermeta": SVG,
            "transform": [{"fold": ["places offered", "attendances"], "as": ["measure", "number"]}],
            "mark": {"type": "bar", "tooltip": True},
            "encoding": {
                "x": {"field": "year", "type": "ordinal", "title": "Financial year"},
                "xOffset": {"field": "measure", "sort": ["places offered", "attendances"]},
                "y": {"field": "number", "type": "quantitative", "title": None},
                "color": {"field": "measure", "type": "nominal", "sort": ["places offered", "attendances"],
                          "title": None},
            },
        },
    }, (reach, ["year", "spaces_offered", "attended"])
    yield "uplift-by-year", {
        "title": "Mean change in self-rating by year, with its 95% interval",
        "db": db,
        "query": "SELECT year, dimension, mean_change, ci_low, ci_high FROM uplift_results "
                 "WHERE grouping = 'year' ORDER BY year",
        "library": "vega-lite",
        "display": {
            "usermeta": SVG,
            "encoding": {
                "x": {"field": "year", "type": "ordinal", "title": "Financial year"},
                "xOffset": {"field": "dimension", "sort": list(DIMENSIONS)},
                "color": {"field": "dimension", "type": "nominal", "sort": list(DIMENSIONS), "title": None},
            },
            "layer": [
                {"mark": {"type": "bar", "tooltip": True},
                 "encoding": {"y": {"field": "mean_change", "type": "quantitative",
                                    "title": "Mean change (points)"}}},
                {"mark": {"type": "rule", "color": "black"},
                 "encoding": {"y": {"field": "ci_low", "type": "quantitative"}, "y2": {"field": "ci_high"}}},
            ],
        },
    }, ("uplift_results", ["year", "dimension", "mean_change", "ci_low", "ci_high"])
