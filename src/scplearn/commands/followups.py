"""CLI commands: ``scplearn followups``, the delegates due a follow-up survey."""

from __future__ import annotations

from pathlib import Path

import click

import scplearn

from .. import followups as library
from ..errors import ScplearnError
from . import EXISTING_DB, date_value


@click.command()
@click.argument("db_path", type=EXISTING_DB)
@click.option("--due", is_flag=True, help="List the delegates due a follow-up as CSV (names and emails)")
@click.option("--min-weeks", "--weeks", "min_weeks", type=click.IntRange(min=0), default=library.MIN_WEEKS,
              show_default=True, help="Sessions at least this many weeks ago are due")
@click.option("--max-weeks", type=click.IntRange(min=0), default=library.MAX_WEEKS, show_default=True,
              help="Sessions more than this many weeks ago are no longer due")
@click.option("--as-of", "as_of", callback=date_value, metavar="DATE", help="Count the weeks back from this day [default: today]")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the CSV to this new file (readable by you only) instead of standard output")
@click.option("--force", is_flag=True, help="With -o: replace a file already there")
@click.option("--private", "private_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Private database of names and emails [default: DB with .private.db]")
def followups(db_path, due, min_weeks, max_weeks, as_of, output, force, private_path):
    """Who is due a follow-up impact survey: attended delegates whose session was
    between --min-weeks and --max-weeks weeks ago (12 to 26: about three to six
    months) and who have no follow-up for it yet.

    Without --due, prints only how many are due. With --due, prints them as CSV
    for a mail merge (email, name, session, course, course_title,
    session_date), in UTF-8 with a byte-order mark so that Excel shows accents
    as they are, cells that a spreadsheet would run as formulas neutralised.

    This is the one scplearn command that prints personal data: names and
    emails from the private database. Keep its output safe and delete it once
    the surveys are sent.
    """
    if max_weeks < min_weeks:
        raise click.BadParameter(f"{max_weeks} is less than --min-weeks ({min_weeks})", param_hint="'--max-weeks'")
    window = {"min_weeks": min_weeks, "max_weeks": max_weeks, "today": as_of}
    with scplearn.open(db_path, private_path=private_path) as store:
        if not store.private_path.exists():
            raise ScplearnError(f"{store.private_path}: no private database, so no contact details; "
                                "give its path with --private")
        if not due:
            found = library.counts(store, **window)
            click.echo(f"{found['recorded']} follow-ups recorded; {found['due']} attended delegates are due one "
                       f"(session {min_weeks} to {max_weeks} weeks ago, no follow-up yet). "
                       "Run with --due to list them: the list holds names and emails.")
            return
        rows = library.due(store, **window)
    if output:
        library.save_csv(rows, output, replace=force)
        click.echo(f"{len(rows)} delegates due a follow-up written to {output}", err=True)
    else:
        click.echo(library.csv_bytes(rows), nl=False)


COMMANDS = [followups]
