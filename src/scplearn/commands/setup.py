"""CLI commands to begin with: ``scplearn init`` and ``scplearn demo``."""

from __future__ import annotations

from pathlib import Path

import click

import scplearn

from .. import samples
from . import DB_PATH, store_options


@click.command()
@click.argument("db_path", type=DB_PATH)
@store_options
def init(db_path, private_path, key_path):
    """Create an empty scplearn database DB_PATH, its private database and its pseudonym key."""
    with scplearn.open(db_path, private_path=private_path, key_path=key_path) as store:
        store.pseudonymiser
        store.private
        click.echo(f"Evidence database: {store.path}")
        click.echo(f"Private database:  {store.private_path} (names and emails; never publish it)")
        click.echo(f"Pseudonym key:     {store.key_path} (mode 0600; back it up separately)")


@click.command()
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              default=Path("scplearn-demo"), show_default=True, help="Where to build the demo database")
@click.option("--data", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Sample data to import [default: the sample bundled with scplearn]")
@click.option("--serve/--no-serve", default=True, show_default=True, help="Serve the result with Datasette")
@click.option("--port", default=8001, show_default=True, help="Port to serve on (127.0.0.1 only)")
@click.option("--force", is_flag=True, help="Build in a --dir that holds files scplearn did not write")
def demo(directory, data, serve, port, force):
    """Build a database from the bundled sample data, evaluate it and serve it.

    The sample data is synthetic. The demo database is rebuilt from scratch
    each time, in a --dir that is new, empty or the demo's own (other files
    there are left alone).
    """
    from ..publish.serve import check_port

    if serve:
        check_port("127.0.0.1", port)  # before building, not after
    db_path = samples.build(directory, data or samples.sample_directory(), force=force, echo=click.echo)
    click.echo(f"Database: {db_path.resolve()}")
    if serve:
        status = samples.serve(db_path, port=port)
        if status:
            raise click.exceptions.Exit(status)


COMMANDS = [init, demo]
