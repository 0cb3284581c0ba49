"""Datasette plugin: public pages a person can read.

- **A short marker for a withheld figure.** In a results table, a figure the
  disclosure policy withheld is an empty cell named in the row's
  ``suppressed`` column. Its cell reads *withheld*, and the ``suppressed``
  and ``protecting`` cells, lists of up to twenty column names that wrapped a
  row to 200 px, read "5 figures" with the list in their tooltip.
- **Column descriptions out of the way.** A table page opens with a
  description of every column; they are folded behind "What do these columns
  mean?".
- **Dashboard tables that fit.** A table panel of every agency scrolls within
  its card, its numbers right-aligned.

The module needs nothing but Datasette (with MarkupSafe), so a published site
can load it with ``--plugins-dir`` where scplearn is not installed.
"""

from __future__ import annotations

from datasette import hookimpl
from markupsafe import Markup, escape

WITHHELD = "withheld"
LISTS = ("suppressed", "protecting")
"""Columns of a results table that list the names of its withheld columns."""

SCRIPT = """
document.querySelectorAll("dl.column-descriptions").forEach(function (list) {
  var folded = document.createElement("details");
  folded.className = "column-descriptions";
  var summary = document.createElement("summary");
  summary.textContent = "What do these columns mean?";
  list.replaceWith(folded);
  folded.append(summary, list);
});
var style = document.createElement("style");
style.textContent = [
  ".withheld { color: #666; font-style: italic; }",
  "details.column-descriptions { margin: 0.5em 0 1em; }",
  "details.column-descriptions summary { cursor: pointer; }",
  ".dashboard-card-chart > div:has(> table) { max-height: 32rem; }",
  ".dashboard-card-chart table { border-collapse: collapse; font-size: 0.85rem; }",
  ".dashboard-card-chart th, .dashboard-card-chart td { padding: 0.2em 0.5em; border-bottom: 1px solid #eee; }",
  ".dashboard-card-chart th { position: sticky; top: 0; background: white; text-align: left; }",
  ".dashboard-card-chart td:first-child { min-width: 12em; }",
  ".dashboard-card-chart td:not(:first-child) { text-align: right; white-space: nowrap; }"
].join("\\n");
document.head.append(style);
"""


def named(listed) -> list[str]:
    """The column names in a ``suppressed`` or ``protecting`` cell (``"a, b"``)."""
    return [name.strip() for name in (listed or "").split(",") if name.strip()]


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if "suppressed" not in row.keys():
        return None
    if column in LISTS:
        names = named(value)
        if not names:
            return None
        count = f"{len(names)} figure{'s' if len(names) > 1 else ''}"
        return Markup(f'<span title="{escape(", ".join(names))}">{count}</span>')
    if value is None and column in named(row["suppressed"]):
        return Markup(f'<span class="withheld">{WITHHELD}</span>')
    return None


@hookimpl
def extra_body_script(template, database, table, columns, view_name, request, datasette):
    if view_name in ("table", "row") or (template or "").startswith("dashboard"):
        return SCRIPT
    return None
