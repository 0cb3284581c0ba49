"""The report's "Learning resources" section, from the ``resources`` evaluator's published figures.

A built-in plugin section (the ``report_sections`` hook): the views and
downloads of the year's resource packs, recordings, e-learning and briefings
by kind and by topic, beside (never added to) the people trained, and what
people asked about a resource months later said of it. Views and downloads
are counts of visits, published as the platforms gave them; the answers are
counts of people, published under the disclosure policy.
"""

from __future__ import annotations

from ..hookspecs import hookimpl
from ..model import RESOURCE_KINDS
from . import wording
from .published import count, or_dash
from .render import Section, escape_markdown, table

TITLE = "Learning resources"


@hookimpl
def report_sections(published, year, partnership, compare, policy):
    by, where = (["year", "partnership"], {"partnership": partnership}) if partnership else (["year"], {})
    rows = published.rows("resources", by, year=year, **where)
    if not rows:
        return []
    views, downloads = _total(rows, "views"), _total(rows, "downloads")
    hours = _total(rows, "watch_hours")
    text = (f"Beside the sessions, {wording.plural(len(rows), 'learning resource')} (resource packs, recordings, "
            f"e-learning and briefings) {'was' if len(rows) == 1 else 'were'} viewed "
            f"{wording.plural(views, 'time')} in {year}")
    text += f" and downloaded {wording.plural(downloads, 'time')}" if downloads else ""
    text += f"; videos and recordings were watched for {wording.plural(hours, 'hour')}" if hours else ""
    text += (". The platforms count visits, not people, so these figures are not added to the people "
             "trained.")
    if compare:
        before = published.rows("resources", by, year=compare, **where)
        if before:
            text += f" In {compare} resources were viewed {wording.plural(_total(before, 'views'), 'time')}."
    paragraphs = [text, _breakdown(rows, "kind", "Kind", lambda key: RESOURCE_KINDS.get(key, key)),
                  _breakdown(rows, "topic", "Topic", lambda key: escape_markdown(key or "No topic"))]
    asked = [row for row in rows if row.get("respondents") != 0]
    if asked:
        paragraphs.append(
            "Some months after using a resource, people were asked whether they had used it and what "
            "difference it made (shares of those who answered each question):\n\n"
            + table(["Resource", "Respondents", "Used it", "Used the learning", "Took specific action"],
                    [[escape_markdown(row["title"]), count(policy, row, "respondents"),
                      *(or_dash(row.get(f"pct_{answer}"), wording.percent)
                        for answer in ("used_resource", "used_learning", "specific_action"))]
                     for row in sorted(asked, key=lambda row: row["title"])]))
    return [Section(TITLE, "\n\n".join(paragraphs))]


def _total(rows, column: str) -> int:
    return sum(row.get(column) or 0 for row in rows)


def _breakdown(rows, field: str, heading: str, label) -> str:
    groups: dict = {}
    for row in rows:
        entry = groups.setdefault(row.get(field), [0, 0, 0])
        entry[0] += 1
        entry[1] += row.get("views") or 0
        entry[2] += row.get("downloads") or 0
    body = [[label(key), wording.number(n), wording.number(views), wording.number(downloads)]
            for key, (n, views, downloads) in sorted(groups.items(), key=lambda item: -item[1][1])]
    return table([heading, "Resources", "Views", "Downloads"], body)
