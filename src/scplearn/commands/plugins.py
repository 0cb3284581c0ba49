"""CLI command: ``scplearn plugins``."""

from __future__ import annotations

import json

import click

from .. import plugins as installed


@click.command()
def plugins():
    """List installed plugins (not the built-in ones) as JSON."""
    click.echo(json.dumps(installed.get_plugins(), indent=2))


COMMANDS = [plugins]
