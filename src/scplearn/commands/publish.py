"""CLI commands: ``scplearn serve``, ``scplearn publish`` and ``scplearn password``."""

from __future__ import annotations

from pathlib import Path

import click

from ..publish import serve as serving
from ..publish import passwords
from ..store import companion_paths, warn_if_open_to_others
from . import EXISTING_DB, policy_options

@click.command()
@click.argument("db_path", type=EXISTING_DB)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on")
@click.option("--port", default=8001, show_default=True, help="Port to listen on")
@click.option("--include-private", is_flag=True,
              help="DANGER: also serve the private database of delegates' NAMES AND EMAILS (signed-in users "
                   "only). Never use this on a server others can reach.")
@click.option("--private", "private_path", type=EXISTING_DB,
              help="The private database, with --include-private [default: DB with .private.db]")
@click.option("--get", "get_path", metavar="PATH", help="Print the response to this one request and exit")
@policy_options
def serve(db_path, host, port, include_private, private_path, get_path, policy):
    """Serve DB_PATH with Datasette: public figures for anyone, evidence for coordinators.

    Builds the disclosure-controlled public database and the metadata in
    DB-public/ beside the database, then runs Datasette on both databases
    (the evidence one behind a sign-in; see 'scplearn password').
    """
    status = serving.serve(
        db_path, host=host, port=port, include_private=include_private, private_path=private_path,
        policy=policy, get=get_path, echo=click.echo,
    )
    if status:
        raise click.exceptions.Exit(status)


@click.command()
@click.argument("db_path", type=EXISTING_DB)
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory to write")
@click.option("--public-only", is_flag=True, help="Leave the evidence database out: public figures only")
@click.option("--force", is_flag=True, help="Write into a directory that holds files scplearn did not write")
@policy_options
def publish(db_path, out, public_only, force, policy):
    """Write a directory that serves DB_PATH anywhere Datasette runs.

    It holds public.db, a consistent copy of the evidence database,
    metadata.json, the public database's descriptions and scplearn's Datasette
    plugins, one of which serves them (plugins/), serve.sh (the one-line command),
    requirements.txt (pinned plugins) and a README. The private database and the key are never copied.
    The directory must be new, empty or written by scplearn before (--force overrides this).
    """
    site = serving.publish(db_path, out, policy=policy, public_only=public_only, force=force)
    for line in site.audited:
        click.echo(line)
    for name in serving.published_files(site):
        click.echo(f"Wrote {out / name}")
    click.echo(f"Serve it with: {out / 'serve.sh'}")


@click.command()
@click.argument("db_path", type=EXISTING_DB)
@click.option("--account", default="coordinator", show_default=True,
              help="Account name: a role, not a person's name (account names are public)")
@click.password_option(help="The password, at least 12 characters (asked for twice when not given)")
def password(db_path, account, password):
    """Set a coordinator's password for signing in to 'scplearn serve DB_PATH'.

    Stores a PBKDF2 hash (not the password) in DB.passwords beside the
    database, readable only by you.
    """
    warn_if_open_to_others(*companion_paths(db_path))
    path = passwords.passwords_path(db_path)
    passwords.set_password(path, account, password)
    click.echo(f"Password hash for {account!r} saved in {path}")
    click.echo(f"Elsewhere, put the hash in the environment variable {passwords.password_variable(account)}")


COMMANDS = [serve, publish, password]
