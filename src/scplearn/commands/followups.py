"""CLI commands: ``scplearn followups``, the delegates due a follow-up survey."""

from __future__ import annotations

import io
import os
from pathlib import Path

import click

import scplearn

from .. import followups as library
from ..errors import ScplearnError
from . import EXISTING_DB, date_value


@click.command()
@click.argument("db_path", type=EXISTING_DB)
@click.option("--due", is_flag=True, help="List the delegates due a follow-up as CSV (names and emails)")
@click.option("--weeks", type=click.IntRange(min=0), default=12, show_default=True,
              help="How long after the session a follow-up is due")
@click.option("--as-of", "as_of", callback=date_value, metavar="DATE", help="Count the weeks back from this day [default: today]")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write the CSV to this file (readable by you only) instead of standard output")
@click.option("--private", "private_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Private database of names and emails [default: DB with .private.db]")
def followups(db_path, due, weeks, as_of, output, private_path):
    """Who is due a follow-up impact survey: attended delegates whose session was
    at least --weeks weeks ago and who have no follow-up for it yet.

    Without --due, prints only how many are due. With --due, prints them as CSV
    for a mail merge (email, name, session, course, course_title,
    session_date), cells that a spreadsheet would run as formulas neutralised.

    This is the one scplearn command that prints personal data: names and
    emails from the private database. Keep its output safe and delete it once
    the surveys are sent.
    """
    try:
        with scplearn.open(db_path, private_path=private_path) as store:
            if not store.private_path.exists():
                raise ScplearnError(f"{store.private_path}: no private database, so no contact details; "
                                    "give its path with --private")
            if not due:
                found = library.counts(store, weeks=weeks, today=as_of)
                click.echo(f"{found['recorded']} follow-ups recorded; {found['due']} attended delegates are due one "
                           f"(session at least {weeks} weeks ago, no follow-up yet). "
                           "Run with --due to list them: the list holds names and emails.")
                return
            rows = library.due(store, weeks=weeks, today=as_of)
    except ScplearnError as error:
        raise click.ClickException(str(error)) from None
    if output:
        descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # personal data: owner only
        with os.fdopen(descriptor, "w", newline="", encoding="utf-8") as handle:
            library.write_csv(rows, handle)
        click.echo(f"{len(rows)} delegates due a follow-up written to {output}", err=True)
    else:
        buffer = io.StringIO()
        library.write_csv(rows, buffer)
        click.echo(buffer.getvalue(), nl=False)


COMMANDS = [followups]
