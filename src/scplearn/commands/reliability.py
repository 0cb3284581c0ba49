"""CLI commands: reliability (``scplearn backup`` and ``scplearn restore``)."""

from __future__ import annotations

from pathlib import Path

import click

from .. import backup as backups
from . import EXISTING_DB, DB_PATH, store_options


@click.command()
@click.argument("db_path", type=EXISTING_DB)
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--private/--no-private", "with_private", default=True, show_default=True,
              help="Back up the private database of names and emails")
@click.option("--key/--no-key", "with_key", default=True, show_default=True,
              help="Back up the pseudonym key (without it no further import is possible)")
@click.option("--private-db", "private_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Private database to back up [default: DB with .private.db]")
@click.option("--key-file", "key_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Pseudonym key file to back up [default: DB with .key]")
def backup(db_path, folder, with_private, with_key, private_path, key_path):
    """Back up DB_PATH, its private database and its key into a new dated folder in FOLDER,
    consistently, even while the database is in use.

    Each run makes its own folder (FOLDER/2024-06-30-101500/), readable by you
    only, so nothing earlier is overwritten. Uses SQLite's online backup: each
    copy holds its database as it stood at one moment, before or after any
    import that is running, and passes PRAGMA integrity_check. Put a backup
    back with 'scplearn restore', or open its database where it is.
    """
    copies = backups.backup(db_path, folder, private=with_private, key=with_key,
                            private_path=private_path, key_path=key_path)
    for copied in copies:
        click.echo(f"{copied.source} -> {copied.dest} ({describe(copied)})")


@click.command()
@click.argument("backup_path", metavar="BACKUP", type=click.Path(exists=True, path_type=Path))
@click.argument("db_path", type=DB_PATH)
@store_options
@click.option("--force", is_flag=True, help="Replace the files already at DB_PATH, its private database and key")
def restore(backup_path, db_path, private_path, key_path, force):
    """Put the backup in folder BACKUP back as the store DB_PATH.

    Checks first, writing nothing if a check fails: every database of the
    backup must pass PRAGMA integrity_check, and the key must be the one the
    backup's evidence database was built with. Stop imports and servers of
    DB_PATH before restoring it.
    """
    for copied in backups.restore(backup_path, db_path, private_path=private_path, key_path=key_path, force=force):
        click.echo(f"{copied.source} -> {copied.dest} ({describe(copied)})")
    click.echo("The pseudonym key fits the restored database.")


def describe(copied) -> str:
    return f"{copied.pages} pages, integrity ok" if copied.pages is not None else "mode 0600"


COMMANDS = [backup, restore]
