"""The report's "Coverage and currency" section, from the ``coverage`` evaluator's published figures.

A built-in plugin section (the ``report_sections`` hook, as an outside
evaluator's would be): how many people had trained in the three years to the
year's end, against the workforce, how many are due a refresher, by
competency level and by agency. Every figure is a published one.
"""

from __future__ import annotations

from ..evaluators.coverage import REFRESH_YEARS, window
from ..hookspecs import hookimpl
from ..values import year_bounds
from . import wording
from .published import count, or_dash, people, sector_label, sector_order
from .render import Section, escape_markdown, table

TITLE = "Coverage and currency"


@hookimpl
def report_sections(published, year, partnership, compare, policy):
    if partnership:
        return [Section(TITLE, "Coverage and currency are published for the programme as a whole, not for each "
                               "partnership.")]
    overall = _levels(published.rows("coverage", ["year"], year=year))
    everyone = overall.get("all")
    if everyone is None:
        return []
    since = window(year_bounds(year)[1])
    text = (f"At the end of {year}, {people(policy, everyone, 'trained', 'person', 'people')} had attended at "
            f"least one session in the {REFRESH_YEARS} years since {since:%-d %B %Y}")
    if everyone.get("coverage") is not None:
        text += (f": {wording.share(everyone['coverage'])} of the {wording.number(everyone['workforce'])} staff of "
                 "the agencies whose workforce is known")
    if everyone.get("due_refresher") == 0:
        text += ". No one had last trained before then, so no one is due a refresher."
    else:
        text += (f". {_capital(people(policy, everyone, 'due_refresher', 'person', 'people'))} had last trained "
                 "before then, and so are due a refresher.")
    text += " Large events counted by headcount keep no register, so they are not counted here."
    if compare:
        before = _levels(published.rows("coverage", ["year"], year=compare)).get("all")
        if before and before.get("coverage") is not None and everyone.get("coverage") is not None:
            due = ("no one was" if before.get("due_refresher") == 0 else
                   f"{people(policy, before, 'due_refresher', 'person', 'people')} were")
            text += f" At the end of {compare} coverage was {wording.share(before['coverage'])}, and {due} due a refresher."
    paragraphs = [text]
    levels = [(level, row) for level, row in overall.items() if level != "all"]
    if levels:
        paragraphs.append(
            "By the competency level of the courses attended (a person trained at two levels counts at each):\n\n"
            + table(["Level", "People trained", "Coverage", "Due a refresher"],
                    [[f"Level {level}", count(policy, row, "trained"), _share(row), count(policy, row, "due_refresher")]
                     for level, row in levels]))
    agencies = [row for row in published.rows("coverage", ["year", "sector", "agency"], year=year)
                if row.get("level") == "all" and row.get("agency")]
    if agencies:
        agencies.sort(key=lambda row: (sector_order(row["sector"]), row["agency"]))
        paragraphs.append(
            "Each agency's staff trained in those years, against its workforce where it is known:\n\n"
            + table(["Agency", "Sector", "People trained", "Workforce", "Coverage", "Due a refresher"],
                    [[escape_markdown(row["agency"]), sector_label(row["sector"]), count(policy, row, "trained"),
                      count(policy, row, "workforce"), _share(row), count(policy, row, "due_refresher")]
                     for row in agencies]))
    return [Section(TITLE, "\n\n".join(paragraphs))]


def _levels(rows) -> dict:
    return {row["level"]: row for row in rows}


def _share(row) -> str:
    return or_dash(row.get("coverage"), wording.share)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
