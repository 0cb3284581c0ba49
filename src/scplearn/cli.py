"""The ``scplearn`` command: the group, and the commands of :mod:`scplearn.commands` and of plugins added to it."""

from __future__ import annotations

import click

import scplearn

from . import plugins
from .commands import ScplearnGroup, warnings_as_messages


@click.group(cls=ScplearnGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(scplearn.__version__, prog_name="scplearn")
@click.pass_context
def cli(context):
    """Evaluate multi-agency safeguarding training: reach, uplift and impact.

    Import registers and evaluation exports into a database, run evaluators,
    publish the results with Datasette and write the annual-report section.
    """
    context.with_resource(warnings_as_messages())


def _add_commands():
    from .commands import audit, evaluate, followups, imports, publish, reference, reliability, report
    from .commands import plugins as listing
    from .commands import setup

    for module in (setup, listing, imports, reference, evaluate, audit, followups, publish, report, reliability):
        for command in module.COMMANDS:
            cli.add_command(command)
    plugins.load_plugins()
    plugins.pm.hook.register_commands(cli=cli)


_add_commands()
