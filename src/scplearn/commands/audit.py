"""CLI command: ``scplearn audit``."""

from __future__ import annotations

from pathlib import Path

import click

from ..results.verify import audit as audit_publication
from . import as_of_option, policy_options


@click.command()
@click.argument("target", type=click.Path(exists=True, path_type=Path))
@policy_options
@as_of_option
def audit(target, policy, as_of):
    """Check a publication as an attacker would: can any withheld or rounded count be worked out?

    TARGET is an evidence database (its published results are brought up to
    date and audited with the exact figures known), a public database, or the
    folder of a published site (audited from what it publishes alone). Exits 1,
    naming each figure, when a count can be narrowed down.
    """
    years = audit_publication(target, policy=policy, as_of=as_of)
    failed = False
    for year in years:
        verdict = "passed" if year.passed else f"FAILED ({len(year.failures)})"
        click.echo(f"{year.year}: {year.protected:,} counts checked, {year.programmes:,} linear programmes "
                   f"solved: {verdict}")
        for failure in year.failures:
            click.echo(f"  {failure}", err=True)
        failed = failed or not year.passed
    if not years:
        click.echo("Nothing is published: no year has any training.")
    if failed:
        raise click.exceptions.Exit(1)


COMMANDS = [audit]
