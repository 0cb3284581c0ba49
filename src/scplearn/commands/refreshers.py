"""CLI command: ``scplearn due-refresher``, the people whose safeguarding training is out of date."""

from __future__ import annotations

from pathlib import Path

import click

import scplearn

from .. import refreshers as library
from ..errors import ScplearnError
from ..followups import csv_bytes, save_csv
from . import EXISTING_DB, date_value


@click.command(name="due-refresher")
@click.argument("db_path", type=EXISTING_DB)
@click.option("--list", "listing", is_flag=True, help="List the people due as CSV (names and emails)")
@click.option("--years", type=click.IntRange(min=1), default=library.REFRESH_YEARS, show_default=True,
              help="Training more than this many years old is out of date")
@click.option("--agency", help="Only the people of this agency")
@click.option("--as-of", "as_of", callback=date_value, metavar="DATE", help="Count the years back from this day "
              "[default: today]")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the CSV to this new file (readable by you only) instead of standard output")
@click.option("--force", is_flag=True, help="With -o: replace a file already there")
@click.option("--private", "private_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Private database of names and emails [default: DB with .private.db]")
def due_refresher(db_path, listing, years, agency, as_of, output, force, private_path):
    """Who is due a refresher: people whose last session was more than --years
    years ago (3 by default) and who have attended none since.

    Without --list, prints how many are due in each agency. With --list, prints
    them as CSV (email, name, agency, last_session, course, course_title,
    last_date), longest since training first, in UTF-8 with a byte-order mark
    for Excel, cells a spreadsheet would run as formulas neutralised.

    Like followups --due, this prints personal data from the private database:
    keep the list safe and delete it once the invitations are sent. The site
    and the report publish only the counts, under the disclosure policy.
    """
    with scplearn.open(db_path, private_path=private_path) as store:
        if not store.private_path.exists():
            raise ScplearnError(f"{store.private_path}: no private database, so no contact details; "
                                "give its path with --private")
        rows = library.due(store, years=years, today=as_of, agency=agency)
    if not listing:
        by_agency: dict = {}
        for row in rows:
            by_agency[row["agency"] or "(no agency)"] = by_agency.get(row["agency"] or "(no agency)", 0) + 1
        for name, count in sorted(by_agency.items(), key=lambda item: (-item[1], item[0])):
            click.echo(f"{count:6,}  {name}")
        click.echo(f"{len(rows):,} people last trained more than {years} years ago are due a refresher. "
                   "Run with --list to list them: the list holds names and emails.")
        return
    if output:
        save_csv(rows, output, replace=force, columns=library.COLUMNS)
        click.echo(f"{len(rows)} people due a refresher written to {output}", err=True)
    else:
        click.echo(csv_bytes(rows, library.COLUMNS), nl=False)


COMMANDS = [due_refresher]
