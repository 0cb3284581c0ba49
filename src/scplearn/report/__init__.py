"""The annual report's training section, written from the evaluators' results.

    import scplearn
    from scplearn.report import write_report

    store = scplearn.open("training.db")
    files = write_report(store, "2023/24", "report/", compare="2022/23")
    files.markdown, files.html, files.word, files.charts

Every figure is a published one (:func:`scplearn.results.publish`, read in
:mod:`.figures`): the same number the public site shows. :mod:`.sections`
turns figures into sentences and tables; :mod:`.charts` draws the charts;
:mod:`.render` writes Markdown and a self-contained HTML page, and
:mod:`.word` a Word document from that same page. Plugins add
sections of their own through the ``report_sections`` hook.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs

from .. import plugins, values
from ..errors import ScplearnError
from . import charts, figures, render, sections, word
from .charts import Chart, ChartFiles
from .render import Section

__all__ = ["Chart", "ChartFiles", "ReportFiles", "Section", "write_report"]

MARKDOWN_NAME = "report.md"
HTML_NAME = "report.html"
WORD_NAME = "report.docx"


@attrs.frozen
class ReportFiles:
    """What :func:`write_report` wrote: the Markdown, the HTML page, the Word document and each chart's PNG
    and SVG."""

    markdown: Path
    html: Path
    word: Path
    charts: tuple[ChartFiles, ...]

    @property
    def paths(self) -> list[Path]:
        """Every file written, Markdown, HTML and Word first."""
        return ([self.markdown, self.html, self.word]
                + [path for chart in self.charts for path in (chart.png, chart.svg)])


def _year(value, option: str) -> str | None:
    try:
        return values.financial_year(value)
    except ValueError as error:
        raise ScplearnError(f"{option}: {error}") from None


def default_policy():
    from ..disclosure import DisclosurePolicy

    return DisclosurePolicy()


def title(year: str, partnership: str | None) -> str:
    where = f" \u2014 {partnership}" if partnership else ""
    return f"Multi-agency safeguarding children training, {year}{where}"


def plugin_sections(published, store, year, partnership, compare, policy) -> list[Section]:
    """The sections installed plugins contribute through the ``report_sections`` hook."""
    plugins.load_plugins()
    found = []
    for contributed in plugins.pm.hook.report_sections(
        published=published, store=store, year=year, partnership=partnership, compare=compare, policy=policy
    ):
        for item in contributed or ():
            found.append(_as_section(item))
    return found


def _as_section(item) -> Section:
    if isinstance(item, Section):
        return item
    if isinstance(item, dict) and "title" in item and "markdown" in item:
        return Section(item["title"], item["markdown"], tuple(
            chart if isinstance(chart, Chart) else Chart(**chart) for chart in item.get("charts", ())
        ))
    raise ScplearnError(f"a plugin's report section must be a Section or a dict with title and markdown, not {item!r}")


def _save_charts(section: Section, directory: Path, taken: set) -> Section:
    saved = []
    for chart in section.charts:
        if chart.name in taken:
            raise ScplearnError(f"two report charts are named {chart.name!r}; chart names must be unique")
        taken.add(chart.name)
        saved.append(charts.save(chart, directory))
    return attrs.evolve(section, charts=tuple(saved))


def write_report(store, year, out_dir, partnership=None, compare=None, policy=None, as_of=None) -> ReportFiles:
    """Write the training section for ``year`` into ``out_dir``: Markdown, HTML, Word and charts.

    ``partnership`` limits it to one partnership's sessions; ``compare`` names
    a financial year to compare reach and uplift with; ``policy`` is the
    :class:`scplearn.disclosure.DisclosurePolicy` (default: the standard one);
    ``as_of`` the day on which follow-ups are judged due (default: today), also
    the Word document's date. Returns the paths written (see :class:`ReportFiles`).
    """
    year = _year(year, "year")
    compare = _year(compare, "compare")
    if compare == year:
        raise ScplearnError("compare with a year other than the report's own")
    policy = policy or default_policy()
    found = figures.collect(store, year, partnership=partnership, compare=compare, as_of=as_of, policy=policy)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    written = [
        sections.reach(found),
        sections.uplift(found),
        sections.impact(found),
        sections.voices(found),
        *plugin_sections(found.published, store, year, partnership, compare, policy),
        sections.charts_section(charts.report_charts(found)),
    ]
    taken = set()
    written = [_save_charts(section, out_dir, taken) for section in written]

    heading = title(year, partnership)
    where = "across the partnerships"
    if partnership:
        where = f"run by the {render.escape_markdown(partnership)} partnership"
    lead = (f"Multi-agency safeguarding children training {where} in the financial year {year} "
            f"(April to March){f', compared with {compare}' if compare else ''}. Every figure is computed "
            "by scplearn's evaluators from the training records and published under its disclosure "
            "rules.[^disclosure]")
    markdown = render.markdown_document(render.escape_markdown(heading), lead, written, sections.notes(found))
    markdown_path = out_dir / MARKDOWN_NAME
    html_path = out_dir / HTML_NAME
    word_path = out_dir / WORD_NAME
    markdown_path.write_text(markdown, encoding="utf-8")
    html_path.write_text(render.html_document(heading, markdown, out_dir), encoding="utf-8")
    word_path.write_bytes(word.word_document(heading, markdown, out_dir, values.date(as_of) or dt.date.today()))
    return ReportFiles(markdown_path, html_path, word_path,
                       tuple(chart for section in written for chart in section.charts))
