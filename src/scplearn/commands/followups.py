"""CLI commands that name people for the coordinator: ``scplearn followups`` (due a follow-up survey) and
``scplearn due-refresher`` (training out of date).

They are the only commands that print personal data, names and emails from the private database, so they
share how they open it, which options they take and how they write their CSV.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import click

import scplearn

from .. import followups as library
from .. import refreshers
from ..errors import ScplearnError
from . import EXISTING_DB, date_value


def contact_options(command):
    """``-o/--output``, ``--force`` and ``--private``, for a command that lists names and emails."""
    for option in reversed((
        click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                     help="Write the CSV to this new file (readable by you only) instead of standard output"),
        click.option("--force", is_flag=True, help="With -o: replace a file already there"),
        click.option("--private", "private_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Private database of names and emails [default: DB with .private.db]"),
    )):
        command = option(command)
    return command


@contextlib.contextmanager
def store_with_contacts(db_path, private_path):
    """The store, refused with a sentence when its private database (the names and emails) is not there."""
    with scplearn.open(db_path, private_path=private_path) as store:
        if not store.private_path.exists():
            raise ScplearnError(f"{store.private_path}: no private database, so no contact details; "
                                "give its path with --private")
        yield store


def write_contacts(rows, output, force, columns, what: str) -> None:
    """The rows as CSV (see :func:`scplearn.followups.csv_bytes`): to a new file ``output``, or printed."""
    if output:
        library.save_csv(rows, output, replace=force, columns=columns)
        click.echo(f"{len(rows)} {what} written to {output}", err=True)
    else:
        click.echo(library.csv_bytes(rows, columns), nl=False)


@click.command()
@click.argument("db_path", type=EXISTING_DB)
@click.option("--due", is_flag=True, help="List the delegates due a follow-up as CSV (names and emails)")
@click.option("--min-weeks", "--weeks", "min_weeks", type=click.IntRange(min=0), default=library.MIN_WEEKS,
              show_default=True, help="Sessions at least this many weeks ago are due")
@click.option("--max-weeks", type=click.IntRange(min=0), default=library.MAX_WEEKS, show_default=True,
              help="Sessions more than this many weeks ago are no longer due")
@click.option("--as-of", "as_of", callback=date_value, metavar="DATE", help="Count the weeks back from this day [default: today]")
@contact_options
def followups(db_path, due, min_weeks, max_weeks, as_of, output, force, private_path):
    """Who is due a follow-up impact survey: attended delegates whose session was
    between --min-weeks and --max-weeks weeks ago (12 to 26: about three to six
    months) and who have no follow-up for it yet.

    Without --due, prints only how many are due. With --due, prints them as CSV
    for a mail merge (email, name, session, course, course_title,
    session_date), in UTF-8 with a byte-order mark so that Excel shows accents
    as they are, cells that a spreadsheet would run as formulas neutralised.

    This prints personal data: names and emails from the private database.
    Keep its output safe and delete it once the surveys are sent.
    """
    if max_weeks < min_weeks:
        raise click.BadParameter(f"{max_weeks} is less than --min-weeks ({min_weeks})", param_hint="'--max-weeks'")
    window = {"min_weeks": min_weeks, "max_weeks": max_weeks, "today": as_of}
    with store_with_contacts(db_path, private_path) as store:
        if not due:
            found = library.counts(store, **window)
            click.echo(f"{found['recorded']} follow-ups recorded; {found['due']} attended delegates are due one "
                       f"(session {min_weeks} to {max_weeks} weeks ago, no follow-up yet). "
                       "Run with --due to list them: the list holds names and emails.")
            return
        rows = library.due(store, **window)
    write_contacts(rows, output, force, library.COLUMNS, "delegates due a follow-up")


@click.command(name="due-refresher")
@click.argument("db_path", type=EXISTING_DB)
@click.option("--list", "listing", is_flag=True, help="List the people due as CSV (names and emails)")
@click.option("--years", type=click.IntRange(min=1), default=refreshers.REFRESH_YEARS, show_default=True,
              help="Training more than this many years old is out of date")
@click.option("--agency", help="Only the people of this agency")
@click.option("--as-of", "as_of", callback=date_value, metavar="DATE", help="Count the years back from this day "
              "[default: today]")
@contact_options
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
    with store_with_contacts(db_path, private_path) as store:
        rows = refreshers.due(store, years=years, today=as_of, agency=agency)
    if listing:
        write_contacts(rows, output, force, refreshers.COLUMNS, "people due a refresher")
        return
    by_agency: dict = {}
    for row in rows:
        by_agency[row["agency"] or "(no agency)"] = by_agency.get(row["agency"] or "(no agency)", 0) + 1
    for name, count in sorted(by_agency.items(), key=lambda item: (-item[1], item[0])):
        click.echo(f"{count:6,}  {name}")
    click.echo(f"{len(rows):,} people last trained more than {years} years ago are due a refresher. "
               "Run with --list to list them: the list holds names and emails.")


COMMANDS = [followups, due_refresher]
