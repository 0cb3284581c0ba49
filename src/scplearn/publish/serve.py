"""Serving and publishing: public database + evidence database + metadata, run by Datasette.

A *site* is the set of files Datasette serves, named relative to one
directory (``/-/databases.json`` and ``/-/metadata.json`` show the names, so
they carry no absolute paths):

- ``public.db``: built afresh by :func:`scplearn.publish.build_public`;
  anonymous visitors may browse and query it;
- the evidence database (``training.db``), behind a database-level ``allow``:
  signed-in coordinators only;
- the private names-and-emails database only when explicitly asked for
  (``include_private``), behind the same sign-in;
- ``metadata.json`` from :func:`scplearn.publish.metadata.build_metadata`,
  less the public database's descriptions, canned queries and charts, which go
  to ``public.metadata.json`` beside ``public.db`` and reach Datasette
  through :mod:`.descriptions_plugin` (see there why); table pages carry
  :mod:`.pages_plugin`'s short marks for withheld figures; and
  :mod:`.gc_plugin` keeps the objects made at start-up out of the garbage
  collector's way.

Datasette is never started with ``--crossdb``: its ``_memory`` database would
let anyone's SQL read every attached file.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shlex
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import attrs

import scplearn

from .. import folders, results, spreadsheets
from ..errors import ScplearnError
from . import descriptions_plugin, errors_plugin, gc_plugin, limits_plugin, pages_plugin, paths_plugin
from .metadata import DEFAULT_ACCOUNTS, build_metadata, split_descriptions
from .passwords import password_environment, password_variable, passwords_path, read_passwords
from .public import build_public

SETTINGS = {"suggest_facets": False, "allow_download": False, "num_sql_threads": 3}
"""Datasette settings: no suggested facets (slow on big tables); no database downloads; a pool of
three threads for queries, so that no visitor's SQL holds up the event loop (:mod:`.limits_plugin`
keeps the quick queries of published pages in the loop's thread, where they cost less)."""
PLUGINS_DIRECTORY = "plugins"
PUBLISHED_PLUGINS = {
    f"{PLUGINS_DIRECTORY}/scplearn_descriptions.py": descriptions_plugin,
    f"{PLUGINS_DIRECTORY}/scplearn_gc.py": gc_plugin,
    f"{PLUGINS_DIRECTORY}/scplearn_limits.py": limits_plugin,
    f"{PLUGINS_DIRECTORY}/scplearn_paths.py": paths_plugin,
    f"{PLUGINS_DIRECTORY}/scplearn_errors.py": errors_plugin,
    f"{PLUGINS_DIRECTORY}/scplearn_pages.py": pages_plugin,
    f"{PLUGINS_DIRECTORY}/scplearn_spreadsheets.py": spreadsheets,
}
"""Where a published site keeps scplearn's Datasette plugins, for hosts without scplearn."""
PLUGINS = ("datasette", "datasette-dashboards", "datasette-auth-passwords")
"""What a deployment needs installed (pinned to the versions found here by :func:`requirements`)."""


@attrs.frozen
class Site:
    """Files for Datasette, named relative to ``directory``."""

    directory: Path
    public: str
    evidence: str | None = None
    private: str | None = None
    metadata: str = "metadata.json"
    descriptions: str = attrs.field()
    """The public database's descriptions file (see :mod:`.descriptions_plugin`), beside it by default."""
    audited: list[str] = attrs.field(factory=list)
    """What the audit of the published figures did, a line per year (once built)."""

    @descriptions.default
    def _beside_public(self) -> str:
        return str(descriptions_plugin.sidecar(self.public))

    def files(self) -> list[str]:
        return [name for name in (self.public, self.evidence, self.private) if name]

    def path(self, name: str) -> Path:
        return self.directory / name

    def read_metadata(self) -> dict:
        """Everything the site says about itself, as ``/-/metadata.json`` shows it."""
        metadata = json.loads(self.path(self.metadata).read_text())
        described = json.loads(self.path(self.descriptions).read_text())
        for key in ("databases", "plugins"):
            metadata.setdefault(key, {}).update(described.get(key) or {})
        return metadata


def build_site(store, site: Site, *, policy=None, accounts=None) -> Site:
    """Build ``site.public``, ``site.metadata`` and ``site.descriptions`` for ``store``; return ``site``, with
    what the audit did."""
    if site.evidence and _database_name(site.evidence) == _database_name(site.public):
        raise ScplearnError(f"{site.evidence}: rename the database; 'public' is the name of the public database")
    public = site.path(site.public)
    public.parent.mkdir(parents=True, exist_ok=True)
    build_public(store, public, policy=policy)
    metadata = build_metadata(
        public, _database_name(site.evidence) if site.evidence else None,
        private_name=_database_name(site.private) if site.private else None,
        policy=policy, accounts=tuple(accounts or DEFAULT_ACCOUNTS),
    )
    metadata, described = split_descriptions(metadata, _database_name(site.public))
    for name, document in ((site.metadata, metadata), (site.descriptions, described)):
        site.path(name).parent.mkdir(parents=True, exist_ok=True)
        site.path(name).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return attrs.evolve(site, audited=results.Published(store).summary())


def datasette_command(site: Site, *, host: str = "127.0.0.1", port=8001, program=("datasette",),
                      plugins_dir: str | None = None) -> list[str]:
    """The ``datasette serve`` command line for ``site``, run from ``site.directory``.

    The public database is opened immutable (it is rebuilt, never changed in
    place); the evidence database is live and opened read-only by Datasette.
    """
    command = [*program, "serve", "-i", site.public, *site.files()[1:],
               "-m", site.metadata, "-h", host, "-p", str(port)]
    if plugins_dir:
        command += ["--plugins-dir", plugins_dir]
    for name, value in SETTINGS.items():
        command += ["--setting", name, setting_value(value)]
    return command


def setting_value(value) -> str:
    """How ``datasette serve --setting`` spells ``value``."""
    return ("on" if value else "off") if isinstance(value, bool) else str(value)


def datasette_app(site: Site):
    """A :class:`datasette.app.Datasette` for ``site`` in this process (tests, notebooks)."""
    from datasette.app import Datasette

    return Datasette(
        [str(site.path(name)) for name in site.files()[1:]],
        immutables=[str(site.path(site.public))],
        metadata=json.loads(site.path(site.metadata).read_text()),
        settings=SETTINGS,
    )


def serve_site(db_path, *, include_private: bool = False, private_path=None, policy=None) -> Site:
    """Build the public database and metadata in ``<db>-public/`` beside ``db_path``; return the site.

    Names are relative to the database's directory, from which Datasette runs.
    """
    db_path = Path(db_path).resolve()
    if not db_path.exists():
        raise ScplearnError(f"{db_path}: no such database")
    base = db_path.parent
    with scplearn.open(db_path) as store:
        private = None
        if include_private:
            private_path = Path(private_path or store.private_path).resolve()
            if not private_path.exists():
                raise ScplearnError(f"{private_path}: no such private database")
            private = os.path.relpath(private_path, base)
        folder = f"{db_path.stem}-public"
        site = Site(directory=base, public=f"{folder}/public.db", evidence=db_path.name, private=private,
                    metadata=f"{folder}/metadata.json")
        accounts = read_passwords(passwords_path(db_path))
        return build_site(store, site, policy=policy, accounts=accounts or None)


def serve(db_path, *, host: str = "127.0.0.1", port: int = 8001, include_private: bool = False,
          private_path=None, policy=None, get: str | None = None, echo=print) -> int:
    """Build the public database beside ``db_path`` and serve it with Datasette; return its exit status.

    ``get`` fetches that one path and prints it instead of serving (Datasette's ``--get``).
    """
    if not get:
        check_port(host, port)
    site = serve_site(db_path, include_private=include_private, private_path=private_path, policy=policy)
    accounts = read_passwords(passwords_path(site.path(site.evidence)))
    command = datasette_command(site, host=host, port=port, program=(sys.executable, "-m", "datasette"))
    if get:
        command += ["--get", get]
    else:
        if not accounts:
            echo(f"No coordinator password is set, so nobody can sign in: run 'scplearn password {site.evidence}'")
        for line in site.audited:
            echo(line)
        echo(f"Serving http://{host}:{port}/ from {site.directory}: {' '.join(site.files())}")
    environment = {**os.environ, **password_environment(accounts)}
    return run(command, cwd=site.directory, env=environment)


def check_port(host: str, port: int) -> None:
    """Refuse, before anything is built, a port another server is listening on."""
    try:
        family, kind, protocol, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, protocol) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
            probe.bind(address)
    except OSError as error:
        raise ScplearnError(f"cannot serve on {host} port {port}: {error.strerror or error}; "
                            "choose another port with --port") from None


def run(command, **options) -> int:
    """Run ``command`` to its end; stopping this process (Ctrl-C, SIGTERM) stops it too."""
    process = subprocess.Popen(command, **options)
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        return process.wait()
    except KeyboardInterrupt:
        return process.wait()
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def publish(db_path, out, *, policy=None, public_only: bool = False, force: bool = False) -> Site:
    """Write a deployable directory: public.db, a consistent copy of the evidence database, metadata.json,
    public.metadata.json and scplearn's Datasette plugins, serve.sh, requirements.txt and README.md. The
    private database and the key are never copied. A directory holding files scplearn did not write
    there is refused unless ``force`` (see :mod:`scplearn.folders`)."""
    db_path = Path(db_path)
    if not db_path.exists():
        raise ScplearnError(f"{db_path}: no such database")
    out = Path(out)
    if out.resolve() == db_path.resolve().parent:
        raise ScplearnError("publish into a directory of its own, not the one holding the database")
    accounts = read_passwords(passwords_path(db_path))
    site = Site(directory=out, public="public.db", evidence=None if public_only else db_path.name,
                descriptions=f"{PLUGINS_DIRECTORY}/{descriptions_plugin.sidecar('public.db')}")
    folders.claim(out, published_files(site), command="scplearn publish", force=force)
    with scplearn.open(db_path) as store:
        site = build_site(store, site, policy=policy, accounts=accounts or None)
        if site.evidence:
            copy_database(store.db.conn, site.path(site.evidence))
    for name, plugin in PUBLISHED_PLUGINS.items():
        site.path(name).write_text(Path(plugin.__file__).read_text())
    command = datasette_command(site, host="${HOST:-127.0.0.1}", port="${PORT:-8001}",
                                plugins_dir=PLUGINS_DIRECTORY)
    line = " ".join(f'"{part}"' if part.startswith("${") else shlex.quote(part) for part in command)
    (out / "serve.sh").write_text(f'#!/bin/sh\ncd "$(dirname "$0")" && exec {line} "$@"\n')
    os.chmod(out / "serve.sh", 0o755)
    (out / "requirements.txt").write_text("".join(f"{name}=={version}\n" for name, version in requirements()))
    (out / "README.md").write_text(readme(site, line, sorted(accounts or DEFAULT_ACCOUNTS)))
    return site


def published_files(site: Site) -> list[str]:
    """Every file :func:`publish` writes, relative to the site's directory."""
    return [*site.files(), site.metadata, site.descriptions, *PUBLISHED_PLUGINS, "serve.sh", "requirements.txt",
            "README.md"]


def copy_database(connection: sqlite3.Connection, target: Path) -> None:
    """A consistent copy through SQLite's backup API, in rollback-journal mode (for read-only hosting)."""
    target.unlink(missing_ok=True)
    copy = sqlite3.connect(target)
    try:
        connection.backup(copy)
        copy.execute("PRAGMA journal_mode = delete")
    finally:
        copy.close()


def requirements() -> list[tuple[str, str]]:
    """The Datasette packages a deployment needs, at the versions installed here."""
    return [(name, importlib.metadata.version(name)) for name in PLUGINS]


def readme(site: Site, command: str, accounts) -> str:
    variables = "\n".join(f"    export {password_variable(a)}='pbkdf2_sha256$...'" for a in accounts)
    files = ", ".join(f"`{name}`" for name in site.files())
    return f"""# Safeguarding training: published figures

Made by `scplearn publish`. This directory holds {files}, `metadata.json`
(permissions and accounts), `{site.descriptions}` (the public database's
descriptions, canned queries and dashboard) and, in `{PLUGINS_DIRECTORY}/`, the Datasette
plugins that read it, that draw table pages faster and that keep the objects made
at start-up out of the garbage collector's way.
`public.db` holds only disclosure-controlled figures: anyone may browse, query
and chart it. {"The evidence database is shown only to signed-in coordinators." if site.evidence else ""}

Install and serve (on http://127.0.0.1:8001/ unless HOST and PORT say otherwise):

    pip install -r requirements.txt
    ./serve.sh

which runs:

    {command}

Coordinators sign in at `/-/login`. Their password hashes come from the
environment (make one with `scplearn password DB` or `datasette hash-password`):

{variables}

Never add `--crossdb`, and never add the private names-and-emails database.
To deploy with `datasette publish`, pass the same files, `-m metadata.json`,
`--plugins-dir {PLUGINS_DIRECTORY}`, `--install` each line of requirements.txt, the `--setting`
options above, and each password hash with `--plugin-secret datasette-auth-passwords
<account>_password_hash '<hash>'`.
"""


def _database_name(name: str) -> str:
    """The name Datasette gives a database file: its file name without the extension."""
    return Path(name).stem
