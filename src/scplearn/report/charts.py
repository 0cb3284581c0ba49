"""The report's charts, drawn with matplotlib and saved as PNG and SVG.

Every chart is the same size (:data:`SIZE_INCHES` at :data:`DPI`, so a PNG of
:data:`PNG_SIZE` pixels and an SVG of :data:`SVG_SIZE` points) and reads in
greyscale: series differ by grey level *and* by hatching or marker shape,
never by colour alone. Figures are made with ``matplotlib.figure.Figure``
directly (the Agg canvas, no pyplot and no global backend switch), so
drawing charts is safe inside a server or a test run.

A :class:`Chart` is a name, a title, its alt text and a function that draws
on a figure; :func:`save` turns it into files. Plugins contribute charts the
same way. :func:`report_charts` chooses the report's own charts from its
figures, under the disclosure rules (see :mod:`.published`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import textwrap

import attrs
import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..model import DIMENSIONS
from . import wording
from .published import course_changes, courses_with_gains, disclosed_dimensions, or_dash, sector_label, sector_order

SIZE_INCHES = (10.0, 5.0)
DPI = 100
PNG_SIZE = (int(SIZE_INCHES[0] * DPI), int(SIZE_INCHES[1] * DPI))
SVG_SIZE = (SIZE_INCHES[0] * 72, SIZE_INCHES[1] * 72)
"""Width and height of every chart: PNG in pixels, SVG in points."""

SERIES = (
    {"color": "#d9d9d9", "hatch": "//", "edgecolor": "#000000"},
    {"color": "#525252", "hatch": "", "edgecolor": "#000000"},
    {"color": "#969696", "hatch": "..", "edgecolor": "#000000"},
)
"""Bar styles told apart by grey level and hatching."""
MARKERS = ("o", "s", "^")
LINES = ("-", "--", ":")
STYLE = {
    "svg.hashsalt": "scplearn",
    "svg.fonttype": "path",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "hatch.linewidth": 0.8,
}


@attrs.frozen
class Chart:
    """A chart to draw: ``name`` (the file stem), a short ``title``, ``alt`` text and ``draw(figure)``.

    ``alt`` describes what the chart shows, figures included, for readers who
    cannot see it; ``draw`` is given an empty matplotlib ``Figure`` of the
    standard size to draw on.
    """

    name: str
    title: str
    alt: str
    draw: Callable[[Figure], None]


@attrs.frozen
class ChartFiles:
    """A saved chart: its name, title, alt text and the PNG and SVG files."""

    name: str
    title: str
    alt: str
    png: Path
    svg: Path


def save(chart: Chart, directory: Path) -> ChartFiles:
    """Draw ``chart`` at the standard size and write ``<name>.png`` and ``<name>.svg`` in ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        chart.draw(figure)
        for suffix in ("png", "svg"):
            path = directory / f"{chart.name}.{suffix}"
            metadata = {"Software": None} if suffix == "png" else {"Date": None, "Creator": None}
            figure.savefig(path, format=suffix, dpi=DPI, metadata=metadata)
            paths[suffix] = path
    return ChartFiles(chart.name, chart.title, chart.alt, paths["png"], paths["svg"])


def _label(dimension: str) -> str:
    return dimension.capitalize()


def before_after(distributions: dict, note: str) -> Callable[[Figure], None]:
    """Grouped bars per score 1-10, "Before Training" and "After Training", one panel per dimension.

    ``distributions`` maps each dimension to ``{"pre": [10 counts], "post": [10 counts]}``
    (counts already through the disclosure policy; ``None`` is drawn as nothing).
    """

    def draw(figure: Figure):
        axes = figure.subplots(1, len(DIMENSIONS), sharey=True)
        scores = list(range(1, 11))
        width = 0.4
        for index, (ax, dimension) in enumerate(zip(axes, DIMENSIONS)):
            counts = distributions.get(dimension, {"pre": [None] * 10, "post": [None] * 10})
            for offset, (side, label), style in zip((-width / 2, width / 2),
                                                    (("pre", "Before Training"), ("post", "After Training")),
                                                    SERIES):
                heights = [value or 0 for value in counts[side]]
                ax.bar([score + offset for score in scores], heights, width, label=label, linewidth=0.6, **style)
            ax.set_title(_label(dimension))
            ax.set_xticks(scores)
            ax.set_xlabel("Self-rating out of 10")
            if index == 0:
                ax.set_ylabel("Delegates")
        _legend_below(axes[len(axes) // 2], 2)
        figure.suptitle("Before Training / After Training")
        _note(figure, note)

    return draw


def change_by_course(courses: list[dict], note: str) -> Callable[[Figure], None]:
    """Mean change per course and dimension, with 95% confidence intervals as error bars.

    ``courses`` is a list of ``{"title": str, "dimensions": {dimension: (mean, low, high)}}``.
    """

    def draw(figure: Figure):
        ax = figure.subplots()
        spacing = 0.25
        for index, dimension in enumerate(DIMENSIONS):
            ys, means, lower, upper = [], [], [], []
            for row, course in enumerate(courses):
                value = course["dimensions"].get(dimension)
                if value is None:
                    continue
                mean, low, high = value
                ys.append(row + (index - 1) * spacing)
                means.append(mean)
                lower.append(mean - low)
                upper.append(high - mean)
            ax.errorbar(means, ys, xerr=[lower, upper], fmt=MARKERS[index], color="#000000",
                        markerfacecolor=SERIES[index]["color"], markeredgecolor="#000000",
                        ecolor="#555555", capsize=3, linestyle="none", label=_label(dimension))
        ax.set_yticks(range(len(courses)))
        ax.set_yticklabels([_wrapped(course["title"]) for course in courses])
        ax.margins(x=0.1)
        ax.set_ylim(len(courses) - 0.5, -0.5)
        ax.axvline(0, color="#000000", linewidth=0.8)
        ax.set_xlabel("Mean change after training (points out of 10, with 95% confidence interval)")
        ax.set_title("Average improvement by course")
        _legend_below(ax, 3)
        _note(figure, note)

    return draw


def representation(sectors: list[dict], note: str) -> Callable[[Figure], None]:
    """Horizontal bars per sector: its representation ratio, with a line at 1 (a fair share).

    ``sectors`` is a list of ``{"label": str, "ratio": float}``.
    """

    def draw(figure: Figure):
        ax = figure.subplots()
        rows = range(len(sectors))
        ax.barh(list(rows), [sector["ratio"] for sector in sectors], 0.6, linewidth=0.6, **SERIES[1])
        ax.axvline(1, color="#000000", linewidth=0.8, linestyle="--")
        ax.set_yticks(list(rows))
        ax.set_yticklabels([_wrapped(sector["label"]) for sector in sectors])
        ax.set_ylim(len(sectors) - 0.5, -0.5)
        ax.margins(x=0.1)
        ax.set_xlabel("Representation ratio (1: in proportion to the workforce)")
        ax.set_title("Reach by sector against workforce")
        _note(figure, note)

    return draw


def trend(years: list[dict]) -> Callable[[Figure], None]:
    """Year on year: participation (regular programme and large events) and average improvement.

    ``years`` is a list of ``{"year", "regular", "large", "improvement": {dimension: mean or None}}``.
    """

    def draw(figure: Figure):
        left, right = figure.subplots(1, 2)
        labels = [year["year"] for year in years]
        positions = range(len(years))
        regular = [year["regular"] or 0 for year in years]
        large = [year["large"] or 0 for year in years]
        left.margins(y=0.1)
        left.bar(positions, regular, 0.6, label="Regular programme", linewidth=0.6, **SERIES[1])
        left.bar(positions, large, 0.6, bottom=regular, label="Large events", linewidth=0.6, **SERIES[0])
        left.set_xticks(list(positions))
        left.set_xticklabels(labels)
        left.set_ylabel("Attendances")
        left.set_title("Participation")
        _legend_below(left, 2)
        for index, dimension in enumerate(DIMENSIONS):
            values = [year["improvement"].get(dimension) for year in years]
            points = [(position, value) for position, value in zip(positions, values) if value is not None]
            if points:
                right.plot([p for p, _ in points], [v for _, v in points], color="#000000",
                           linestyle=LINES[index], marker=MARKERS[index],
                           markerfacecolor=SERIES[index]["color"], label=_label(dimension))
        right.set_xticks(list(positions))
        right.set_xticklabels(labels)
        right.set_xlim(-0.5, len(years) - 0.5)
        highest = max((value for year in years for value in year["improvement"].values() if value is not None),
                      default=1)
        right.set_ylim(0, max(highest, 0) * 1.15 + 0.1)
        right.set_ylabel("Mean change (points out of 10)")
        right.set_title("Average improvement after training")
        _legend_below(right, 3)

    return draw


def _legend_below(ax, columns: int) -> None:
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=columns, frameon=False)


def _note(figure: Figure, note: str) -> None:
    if note:
        figure.supxlabel(note, fontsize=8, x=0.01, ha="left")


def _wrapped(text: str, width: int = 30) -> str:
    """A label kept whole, broken over lines of at most ``width`` characters."""
    return textwrap.fill(text, width)


# -- the report's charts ----------------------------------------------------------------


def _published_trend(year: dict) -> bool:
    """Whether a year of the trend has anything published to draw: attendances, or a mean change."""
    return bool(year["regular"] or year["large"]) or any(v is not None for v in year["improvement"].values())


def report_charts(figures) -> list[Chart]:
    """The report's charts from the published figures, each with alt text stating what it shows; a chart
    with nothing published to show is not drawn."""
    found = []
    policy = figures.policy
    rounding = (f"Counts rounded to the nearest {policy.rounding_base}; "
                f"scores given by 1 to {policy.min_count - 1} delegates are not drawn.")
    distributions = figures.distributions
    if any(value for d in distributions.values() for side in d.values() for value in side):
        means = [f"{d} from {row['mean_pre']:.1f} to {row['mean_post']:.1f}"
                 for d, row in disclosed_dimensions(figures.uplift).items()]
        alt = (f"Grouped bar charts, Before Training and After Training, of how many delegates gave each "
               f"self-rating from 1 to 10 for knowledge, skills and confidence in {figures.year}"
               + (f"; the average rating moved as follows: {wording.listing(means)}." if means else "."))
        found.append(Chart("before-after", "Self-ratings before and after training", alt,
                           before_after(distributions, rounding)))
    ranked = courses_with_gains(figures)
    if ranked:
        data = [{"title": c["title"], "dimensions": {
            d: (c["rows"][d]["mean_change"], c["rows"][d]["ci_low"], c["rows"][d]["ci_high"]) for d in DIMENSIONS
            if c["rows"][d].get("ci_low") is not None
        }} for c in ranked]
        best, worst = ranked[0], ranked[-1]
        alt = (f"Dot chart of the mean change in knowledge, skills and confidence for "
               f"{'each of ' if len(ranked) > 1 else ''}{wording.plural(len(ranked), 'course')} with enough "
               "delegates rating themselves before and after, with 95% confidence "
               + (f"intervals; largest gains on {best['title']} ({course_changes(best)}), smallest on "
                  f"{worst['title']} ({course_changes(worst)})." if len(ranked) > 1 else
                  f"intervals: {best['title']} ({course_changes(best)})."))
        found.append(Chart("change-by-course", "Average improvement by course", alt, change_by_course(
            data, f"Courses with at least {policy.min_n_for_statistic} delegates rating themselves both times.")))
    sectors = [{"label": sector_label(row["sector"]), "ratio": row["representation_ratio"]}
               for row in sorted(figures.sectors, key=lambda row: sector_order(row["sector"]))
               if row.get("representation_ratio") is not None]
    if sectors:
        alt = ("Horizontal bar chart of each sector's representation ratio in " + figures.year + ", its rate of "
               "people trained per 1,000 staff against that of every sector together (1 is a fair share): "
               + "; ".join(f"{s['label']} {s['ratio']:.2f}" for s in sectors) + ".")
        found.append(Chart("reach-by-sector", "Reach by sector against workforce", alt, representation(
            sectors, "Sectors whose count of people or workforce is withheld are not drawn.")))
    years = []
    for entry in figures.trend:
        r = entry["reach"]
        improvement = {d: (entry["uplift"].get(d) or {}).get("mean_change") for d in DIMENSIONS}
        years.append({"year": entry["year"], "regular": r.get("attended"),
                      "large": r.get("headcount_only_attendance"), "improvement": improvement})
    if len(years) > 1 and any(_published_trend(year) for year in years):
        alt = ("Year-on-year charts: attendances at the regular programme and people counted at large events, and "
               "the average improvement in knowledge, skills and confidence after training. " + "; ".join(
                   f"{y['year']}: {or_dash(y['regular'], wording.number)} regular attendances, "
                   f"{or_dash(y['large'], wording.number)} at large events, improvement "
                   + ", ".join(f"{d} {or_dash(y['improvement'][d], wording.points)}" for d in DIMENSIONS)
                   for y in years) + ".")
        found.append(Chart("trend", "Year on year", alt, trend(years)))
    return found
