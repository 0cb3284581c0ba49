"""CLI commands: reliability (``scplearn backup``)."""

from __future__ import annotations

from pathlib import Path

import click

from .. import backup as backups
from . import EXISTING_DB, friendly_errors


@click.command()
@click.argument("db_path", type=EXISTING_DB)
@click.argument("dest", type=click.Path())
@click.option("--private", "with_private", is_flag=True,
              help="Also back up the private database of names and emails (to DEST with .private.db)")
@click.option("--key", "with_key", is_flag=True,
              help="Also copy the pseudonym key (to DEST with .key, mode 0600); keep it apart from data backups")
@click.option("--private-db", "private_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Private database to back up [default: DB with .private.db]")
@click.option("--key-file", "key_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Pseudonym key file to copy [default: DB with .key]")
@click.option("--overwrite", is_flag=True, help="Replace files already at the destination")
@friendly_errors
def backup(db_path, dest, with_private, with_key, private_path, key_path, overwrite):
    """Copy DB_PATH to DEST (a file, or a directory: an existing one or one ending in /) consistently,
    even while it is in use.

    Uses SQLite's online backup: the copy holds the database as it stood at one
    moment, before or after any import that is running, and is checked with
    PRAGMA integrity_check before it is moved into place. Only the evidence
    database is copied unless --private and --key say otherwise. Restore by
    copying the files back, or open DEST directly with any scplearn command.
    """
    copies = backups.backup(db_path, dest, private=with_private, key=with_key,
                            private_path=private_path, key_path=key_path, overwrite=overwrite)
    for copied in copies:
        detail = f"{copied.pages} pages, integrity ok" if copied.pages is not None else "mode 0600"
        click.echo(f"{copied.source} -> {copied.dest} ({detail})")


COMMANDS = [backup]
