"""CLI commands: ``scplearn evaluators`` and ``scplearn evaluate``."""

from __future__ import annotations

import json
import textwrap

import click

import scplearn

from .. import evaluation, plugins, results, values
from . import EXISTING_DB, as_of_option


def financial_year(context, parameter, value):
    try:
        return values.financial_year(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Output JSON")
def evaluators(as_json):
    """List the installed evaluators: name, description, where each comes from, its columns."""
    found = plugins.get_evaluators()
    sources = plugins.sources("register_evaluators")
    listing = [
        {
            "name": name,
            "description": evaluator.description,
            "source": sources[name],
            "version": str(getattr(evaluator, "version", "")),
            "columns": [*evaluator.row_labels, *evaluator.columns],
        }
        for name, evaluator in sorted(found.items())
    ]
    if as_json:
        click.echo(json.dumps(listing, indent=2))
        return
    for item in listing:
        click.echo(f"{item['name']}  ({item['source']})")
        click.echo(f"    {item['description']}")
        click.echo(textwrap.fill(", ".join(item["columns"]), width=100,
                                 initial_indent="    columns: ", subsequent_indent=" " * 13))


@click.command()
@click.argument("db_path", type=EXISTING_DB)
@click.option("-e", "--evaluator", "names", multiple=True,
              help="Evaluator to run (repeat for several) [default: every installed evaluator]")
@click.option("--by", "by", multiple=True, type=click.Choice(list(evaluation.GROUPINGS)),
              help="Group by this field (repeat to combine)")
@click.option("--year", callback=financial_year, help="Only this financial year, e.g. 2023/24")
@click.option("--partnership", help="Only this partnership")
@as_of_option
@click.option("--json", "as_json", is_flag=True,
              help="Output a JSON list of objects, one per group (and dimension)")
def evaluate(db_path, names, by, year, partnership, as_of, as_json):
    """Print the exact results of evaluators over DB_PATH (for coordinators: nothing is withheld).

    Results are kept in the table <evaluator>_results, each run listed in
    evaluation_runs with the state of the import ledger it was computed from;
    asking again reads them, until an import changes what they came from.

    \b
    Examples:
        scplearn evaluate training.db --evaluator reach --by year
        scplearn evaluate training.db -e uplift --by year --by sector --json
    """
    results = run(db_path, names, by, year, partnership, as_of)
    if as_json:
        several = len(results) > 1
        click.echo(json.dumps(
            [{"evaluator": name, **row} if several else row for name, rows in results.items() for row in rows],
            indent=2,
        ))
        return
    for index, (name, rows) in enumerate(results.items()):
        if index:
            click.echo()
        scope = ", ".join(filter(None, [year, partnership, as_of and f"as of {as_of.day} {as_of:%B %Y}"]))
        click.echo(f"{name}" + (f" by {', '.join(by)}" if by else "") + (f" ({scope})" if scope else ""))
        click.echo(format_table(rows) if rows else "(no rows)")


def run(db_path, names, by, year, partnership, as_of=None) -> dict[str, list[dict]]:
    """``{evaluator name: rows}`` for each evaluator asked for (all by default), from the kept results."""
    names = list(dict.fromkeys(names)) or sorted(plugins.get_evaluators())
    with scplearn.open(db_path) as store:
        if partnership is not None:
            store.check_partnership(partnership)
        stage = results.Stage(store, as_of)
        return {name: stage.rows(name, by, year=year, partnership=partnership) for name in names}


def format_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if value != 0 and abs(value) < 0.01:
            return f"{value:.2g}"
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def format_table(rows: list[dict]) -> str:
    """Rows as aligned columns: text left-aligned, numbers right-aligned, empty cells blank."""
    columns = list(rows[0])
    cells = [[format_value(row.get(column)) for column in columns] for row in rows]
    widths = [max(len(column), *(len(line[i]) for line in cells)) for i, column in enumerate(columns)]
    numeric = [
        all(isinstance(row.get(column), (int, float)) or row.get(column) is None for row in rows)
        and any(row.get(column) is not None for row in rows)
        for column in columns
    ]

    def line(values):
        return "  ".join(
            value.rjust(width) if is_number else value.ljust(width)
            for value, width, is_number in zip(values, widths, numeric)
        ).rstrip()

    return "\n".join([line(columns), line("-" * width for width in widths), *(line(row) for row in cells)])


COMMANDS = [evaluators, evaluate]
