"""CLI commands: ``scplearn import``, and ``scplearn imports`` to list the ledger and undo one import."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

import scplearn

from .. import importing, journal, plugins
from . import DB_PATH, EXISTING_DB, DefaultGroup, store_options


@click.command(name="import")
@click.argument("db_path", type=DB_PATH)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "format_", default="auto", show_default=True,
              help="Importer to use; 'auto' lets each importer recognise its files (see 'scplearn importers')")
@click.option("--dry-run", is_flag=True, help="Validate and report what would change (and be created), writing nothing")
@click.option("--skip-invalid", is_flag=True,
              help="Write the good rows even when some rows are bad (bad rows are still reported and write nothing)")
@click.option("--force", is_flag=True, help="Import again a file already imported (undo the earlier import first)")
@click.option("--session", metavar="CODE", help="The session a file without session codes is about (Eventbrite, Teams, Forms)")
@click.option("--course", metavar="TITLE",
              help="The course the files are about, by its title as published (or its code); a new title creates the course")
@click.option("--date", metavar="DATE", help="With --course: the day the session ran (03/09/2024 or 2024-09-03)")
@click.option("--threshold", type=click.FloatRange(0, 1, min_open=True), metavar="SHARE",
              help="Teams: share of the session a delegate must be present for to count as attended [default: 0.75]")
@click.option("--staff", multiple=True, metavar="NAME_OR_EMAIL",
              help="Teams: someone who is staff, not a delegate (besides organisers, unbooked presenters and the trainer); repeat for more")
@click.option("--accept-unregistered", is_flag=True,
              help="Forms and surveys: count answers from people neither booked on nor present at the session")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="FILE",
              help="Mapping file (TOML or YAML): columns, spellings and fixed values (see docs/importing.md)")
@click.option("--period", metavar="FROM:TO",
              help="YouTube Studio: the days a Table data export covers, when its file name does not say "
                   "(2023-04-01:2024-03-31)")
@store_options
def import_(db_path, paths, format_, dry_run, skip_invalid, force, session, course, date, threshold, staff,
            accept_unregistered, mapping, period, private_path, key_path):
    """Import files (or folders of files, searched to any depth) into DB_PATH, all or nothing.

    Every bad row is reported with its file, row, column, value and reason; if
    there is any, nothing is written. Importing the same file again changes
    nothing. Courses, sessions and organisations the files name and DB_PATH
    lacks are created (shown first with --dry-run).
    """
    if date is not None and course is None:
        raise click.UsageError("--date needs --course: a session is found by its course and its date")
    if session is not None and (course is not None or date is not None):
        raise click.UsageError("give either --session, or --course (with --date), not both")
    options = {
        name: value for name, value in
        {"session": session, "course": course, "date": date, "threshold": threshold, "mapping": mapping,
         "staff": list(staff) or None, "accept_unregistered": accept_unregistered or None, "period": period}.items()
        if value is not None
    }
    with scplearn.open(db_path, private_path=private_path, key_path=key_path) as store:
        with _progress() as advance:
            report = importing.import_files(
                store, paths, format=format_, dry_run=dry_run, skip_invalid=skip_invalid, force=force,
                options=options, progress=advance,
            )
        click.echo(report.summary())
        for line in report.problems.lines():
            click.echo(f"rejected: {line}", err=True)
        for line in report.notices.lines():
            click.echo(f"left out: {line}", err=True)
        if dry_run:
            click.echo("Dry run: nothing was written.")


class _progress:
    """A progress bar on a terminal; silence otherwise."""

    def __init__(self):
        self.bar = None
        if sys.stderr.isatty():
            self.bar = click.progressbar(length=None, label="Importing", file=sys.stderr)

    def __enter__(self):
        if self.bar is None:
            return None
        self.bar.__enter__()
        return self.bar.update

    def __exit__(self, *exc_info):
        if self.bar is not None:
            self.bar.__exit__(*exc_info)


@click.group(cls=DefaultGroup, default="list")
def imports():
    """The files imported: list them (scplearn imports DB), or undo one (scplearn imports undo DB ID)."""


@imports.command(name="list")
@click.argument("db_path", type=EXISTING_DB)
@click.option("--json", "as_json", is_flag=True, help="Output JSON")
def list_imports(db_path, as_json):
    """List the files imported into DB_PATH: id, time, name, importer, rows and what they wrote."""
    with scplearn.open(db_path) as store:
        rows = store.imports()
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(
            f"{row['id']}  {row['imported_at']}  {row['filename']}  {row['importer']}  rows {row['rows']}, "
            f"added {row['added']}, changed {row['changed']}, rejected {row['rejected']}  sha256 {row['sha256'][:12]}"
        )


@imports.command()
@click.argument("db_path", type=EXISTING_DB)
@click.argument("import_id", type=int, metavar="ID")
@store_options
def undo(db_path, import_id, private_path, key_path):
    """Remove exactly what import ID wrote (see scplearn imports DB), so its file can be imported again."""
    with scplearn.open(db_path, private_path=private_path, key_path=key_path) as store:
        done = journal.undo(store, import_id)
    removed = ", ".join(f"{n} {table}" for table, n in done["removed"].items()) or "nothing"
    line = f"Undid import {import_id} ({done['filename']}): removed {removed}"
    if done["restored"]:
        line += "; restored " + ", ".join(f"{n} {table}" for table, n in done["restored"].items())
    click.echo(line)


@click.command()
def importers():
    """List the installed importers: name, where they come from, what they read."""
    sources = plugins.sources("register_importers")
    for name, importer in plugins.get_importers().items():
        click.echo(f"{name}  ({sources[name]})\n    {importer.description}")


COMMANDS = [import_, imports, importers]
