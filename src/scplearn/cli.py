"""The ``scplearn`` command: a thin face over the library."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

import scplearn

from . import importing, plugins, samples
from .commands import DB_PATH, EXISTING_DB, friendly_errors, store_options, warnings_as_messages


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(scplearn.__version__, prog_name="scplearn")
@click.pass_context
def cli(context):
    """Evaluate multi-agency safeguarding training: reach, uplift and impact.

    Import registers and evaluation exports into a database, run evaluators,
    publish the results with Datasette and write the annual-report section.
    """
    context.with_resource(warnings_as_messages())


@cli.command()
@click.argument("db_path", type=DB_PATH)
@store_options
@friendly_errors
def init(db_path, private_path, key_path):
    """Create an empty scplearn database DB_PATH, its private database and its pseudonym key."""
    with scplearn.open(db_path, private_path=private_path, key_path=key_path) as store:
        store.pseudonymiser
        store.private
        click.echo(f"Evidence database: {store.path}")
        click.echo(f"Private database:  {store.private_path} (names and emails; never publish it)")
        click.echo(f"Pseudonym key:     {store.key_path} (mode 0600; back it up separately)")


@cli.command(name="import")
@click.argument("db_path", type=DB_PATH)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "format_", default="auto", show_default=True,
              help="Importer to use; 'auto' lets each importer recognise its files (see 'scplearn importers')")
@click.option("--dry-run", is_flag=True, help="Validate and report what would change, writing nothing")
@click.option("--skip-invalid", is_flag=True, help="Write the good rows even when some rows are bad (bad rows are still reported)")
@click.option("--session", metavar="CODE", help="The session a file without session codes is about (Eventbrite, Teams, Forms)")
@click.option("--course", metavar="CODE", help="With --date (or a date in the file): find the session by its course and date")
@click.option("--date", metavar="DATE", help="With --course: the day the session ran (03/09/2024 or 2024-09-03)")
@click.option("--threshold", type=click.FloatRange(0, 1, min_open=True), metavar="SHARE",
              help="Teams: share of the session a delegate must be present for to count as attended [default: 0.75]")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="FILE",
              help="Mapping file (TOML or YAML): columns, spellings and fixed values (see docs/importing.md)")
@store_options
@friendly_errors
def import_(db_path, paths, format_, dry_run, skip_invalid, session, course, date, threshold, mapping,
            private_path, key_path):
    """Import files (or directories of files) into DB_PATH, all or nothing.

    Every bad row is reported with its file, row, column, value and reason; if
    there is any, nothing is written. Importing the same file again changes
    nothing.
    """
    if date is not None and course is None:
        raise click.UsageError("--date needs --course: a session is found by its course and its date")
    if session is not None and (course is not None or date is not None):
        raise click.UsageError("give either --session, or --course (with --date), not both")
    options = {
        name: value for name, value in
        {"session": session, "course": course, "date": date, "threshold": threshold, "mapping": mapping}.items()
        if value is not None
    }
    with scplearn.open(db_path, private_path=private_path, key_path=key_path) as store:
        with _progress(paths) as advance:
            report = importing.import_files(
                store, paths, format=format_, dry_run=dry_run, skip_invalid=skip_invalid, options=options,
                progress=advance,
            )
        click.echo(report.summary())
        for issue in report.issues:
            click.echo(f"rejected: {issue}", err=True)
        if dry_run:
            click.echo("Dry run: nothing was written.")


class _progress:
    """A progress bar on a terminal; silence otherwise."""

    def __init__(self, paths):
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


@cli.command()
@click.argument("db_path", type=EXISTING_DB)
@click.option("--json", "as_json", is_flag=True, help="Output JSON")
@friendly_errors
def imports(db_path, as_json):
    """List the files imported into DB_PATH: name, SHA-256, time and rows added."""
    with scplearn.open(db_path) as store:
        rows = store.imports()
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(
            f"{row['imported_at']}  {row['filename']}  {row['importer']}  rows {row['rows']}, "
            f"added {row['added']}, changed {row['changed']}, rejected {row['rejected']}  sha256 {row['sha256'][:12]}"
        )


@cli.command()
def importers():
    """List the installed importers: name, where they come from, what they read."""
    sources = plugins.sources("register_importers")
    for name, importer in plugins.get_importers().items():
        click.echo(f"{name}  ({sources[name]})\n    {importer.description}")


@cli.command(name="plugins")
def plugins_():
    """List installed plugins (not the built-in ones) as JSON."""
    click.echo(json.dumps(plugins.get_plugins(), indent=2))


@cli.command()
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              default=Path("scplearn-demo"), show_default=True, help="Where to build the demo database")
@click.option("--data", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Sample data to import [default: the bundled datasets/sample]")
@click.option("--serve/--no-serve", default=True, show_default=True, help="Serve the result with Datasette")
@click.option("--port", default=8001, show_default=True, help="Port to serve on (127.0.0.1 only)")
@click.option("--force", is_flag=True, help="Build in a --dir that holds files scplearn did not write")
@friendly_errors
def demo(directory, data, serve, port, force):
    """Build a database from the bundled sample data, evaluate it and serve it.

    The sample data is synthetic. The demo database is rebuilt from scratch
    each time, in a --dir that is new, empty or the demo's own (other files
    there are left alone).
    """
    from .publish.serve import check_port

    if serve:
        check_port("127.0.0.1", port)  # before building, not after
    db_path = samples.build(directory, data or samples.sample_directory(), force=force, echo=click.echo)
    click.echo(f"Database: {db_path.resolve()}")
    if serve:
        status = samples.serve(db_path, port=port)
        if status:
            raise click.exceptions.Exit(status)


def _add_commands():
    from .commands import audit, evaluate, followups, publish, reliability, report

    for module in (audit, evaluate, followups, publish, report, reliability):
        for command in module.COMMANDS:
            cli.add_command(command)
    plugins.load_plugins()
    plugins.pm.hook.register_commands(cli=cli)


_add_commands()
