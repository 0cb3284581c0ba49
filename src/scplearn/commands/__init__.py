"""Groups of CLI commands, one module per feature, each listing its click commands in ``COMMANDS``.

What every command shares lives here: the database path types, the
``--private``/``--key-file`` options and :func:`friendly_errors`.
"""

from __future__ import annotations

import functools
from pathlib import Path

import click

from ..errors import ScplearnError

DB_PATH = click.Path(dir_okay=False, path_type=Path)
EXISTING_DB = click.Path(dir_okay=False, exists=True, path_type=Path)


def friendly_errors(command):
    """Turn scplearn's own errors into one line on stderr and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ScplearnError as error:
            raise click.ClickException(str(error)) from None

    return wrapper


def store_options(command):
    """``--private`` and ``--key-file``: where the private database and the pseudonym key live."""
    command = click.option("--private", "private_path", type=DB_PATH,
                           help="Private database of names and emails [default: DB with .private.db]")(command)
    command = click.option("--key-file", "key_path", type=click.Path(dir_okay=False, path_type=Path),
                           help="Pseudonym key file [default: DB with .key]")(command)
    return command
