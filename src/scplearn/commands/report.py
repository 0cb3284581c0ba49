"""CLI commands: ``scplearn report``."""

from __future__ import annotations

from pathlib import Path

import click

import scplearn

from . import EXISTING_DB, as_of_option, policy_options


@click.command()
@click.argument("db_path", type=EXISTING_DB)
@click.option("--year", required=True, help="Financial year to report on, e.g. 2023/24")
@click.option("--partnership", help="Only this partnership's sessions [default: all]")
@click.option("--compare", help="Financial year to compare with, e.g. 2022/23")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory to write report.md, report.html, report.docx and the charts into")
@as_of_option
@policy_options
def report(db_path, year, partnership, compare, out_dir, as_of, policy):
    """Write the annual report's training section for DB_PATH as Markdown, HTML, Word and charts.

    Every figure is a published one: the same number the public site shows,
    under the same disclosure policy and its audit (give the same --min-count,
    --rounding-base and --min-n as the site). The HTML page is self-contained
    (charts embedded); report.docx is the same section as a Word document to
    put into the annual report (charts as pictures, notes at the end); each
    chart is also saved as PNG and SVG beside them.

    \b
    Example:
        scplearn report training.db --year 2023/24 --compare 2022/23 --out report/
    """
    from ..report import write_report

    with scplearn.open(db_path) as store:
        files = write_report(store, year, out_dir, partnership=partnership, compare=compare, as_of=as_of,
                             policy=policy)
    for path in files.paths:
        click.echo(str(path))


COMMANDS = [report]
