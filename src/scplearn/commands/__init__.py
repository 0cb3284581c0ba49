"""Groups of CLI commands, one module per feature, each listing its click commands in ``COMMANDS``.

What every command shares lives here: the database path types, the
``--private``/``--key-file`` options, :class:`ScplearnGroup` (which turns a
problem the user can fix into one ``Error:`` line, for every command alike)
and :func:`warnings_as_messages`.
"""

from __future__ import annotations

import contextlib
import functools
import warnings
from pathlib import Path

import click

from .. import values
from ..disclosure import DisclosurePolicy
from ..errors import ScplearnError
from ..filemodes import OpenFileWarning

DB_PATH = click.Path(dir_okay=False, path_type=Path)
EXISTING_DB = click.Path(dir_okay=False, exists=True, path_type=Path)


def date_value(context, parameter, value):
    """Click callback: a date option's text as a :class:`datetime.date` (ISO or day first)."""
    if value is None:
        return None
    try:
        return values.date(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def as_of_option(command):
    """``--as-of DATE``: judge which follow-ups are due on this day instead of today."""
    return click.option(
        "--as-of", "as_of", callback=date_value, metavar="DATE",
        help="Judge which follow-ups are due as on this day, so figures can be reproduced [default: today]",
    )(command)


class ScplearnGroup(click.Group):
    """The ``scplearn`` group: whichever command runs under it, a plugin's too, a problem the user can fix ends it
    with one ``Error:`` line on stderr and exit status 1, never a traceback.

    Such problems are scplearn's own errors (:class:`ScplearnError`) and the
    system's refusals about a named file (a folder where a file should be,
    permission denied, a full disk). Anything else is a fault in scplearn, and
    its traceback is shown.
    """

    def invoke(self, context):
        try:
            return super().invoke(context)
        except ScplearnError as error:
            raise click.ClickException(str(error)) from None
        except OSError as error:
            if error.filename is None or isinstance(error, BrokenPipeError):
                raise
            raise click.ClickException(f"{error.filename}: {error.strerror or error}") from None


@contextlib.contextmanager
def warnings_as_messages():
    """While a command runs, each warning about a file open to other users is one ``Warning:`` line on stderr."""
    with warnings.catch_warnings():
        warnings.simplefilter("always", OpenFileWarning)
        shown_elsewhere = warnings.showwarning

        def show(message, category, *rest, **options):
            if issubclass(category, OpenFileWarning):
                click.echo(f"Warning: {message}", err=True)
            else:
                shown_elsewhere(message, category, *rest, **options)

        warnings.showwarning = show
        yield


def store_options(command):
    """``--private`` and ``--key-file``: where the private database and the pseudonym key live."""
    command = click.option("--private", "private_path", type=DB_PATH,
                           help="Private database of names and emails [default: DB with .private.db]")(command)
    command = click.option("--key-file", "key_path", type=click.Path(dir_okay=False, path_type=Path),
                           help="Pseudonym key file [default: DB with .key]")(command)
    return command


class DefaultGroup(click.Group):
    """A group that runs its ``default`` command when the first argument names none of its commands.

    So ``scplearn agencies training.db --unverified`` lists, and ``scplearn
    agencies merge training.db A B`` merges.
    """

    def __init__(self, *args, default: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.default = default

    def parse_args(self, context, args):
        if args and args[0] not in self.commands and args[0] not in context.help_option_names:
            args = [self.default, *args]
        return super().parse_args(context, args)


def policy_options(command):
    """--min-count, --rounding-base and --min-n, gathered into a ``policy`` argument."""
    defaults = DisclosurePolicy()

    @functools.wraps(command)
    def wrapper(*args, min_count, rounding_base, min_n, **kwargs):
        try:
            policy = DisclosurePolicy(min_count=min_count, rounding_base=rounding_base, min_n_for_statistic=min_n)
        except ValueError as error:
            raise click.UsageError(str(error)) from None
        return command(*args, policy=policy, **kwargs)

    for option in reversed([
        click.option("--min-count", type=click.IntRange(min=1), default=defaults.min_count, show_default=True,
                     help="Withhold counts from 1 to this minus 1"),
        click.option("--rounding-base", type=click.IntRange(min=1), default=defaults.rounding_base, show_default=True,
                     help="Round other counts to the nearest multiple of this (1: no rounding, and secondary "
                          "suppression instead)"),
        click.option("--min-n", type=click.IntRange(min=0), default=defaults.min_n_for_statistic, show_default=True,
                     help="Withhold means over fewer delegates than this"),
    ]):
        wrapper = option(wrapper)
    return wrapper
