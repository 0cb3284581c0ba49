"""``scplearn publish``, ``scplearn serve`` and ``scplearn password`` from the command line."""

from __future__ import annotations

import importlib.metadata
import json
import os
import socket
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLE
from datasette_auth_passwords.utils import verify_password

from scplearn import samples
from scplearn.cli import cli
from scplearn.publish import passwords
from scplearn.publish import serve as serving

SCPLEARN = [sys.executable, "-c", "from scplearn.cli import cli; cli()"]


def invoke(*args, **kwargs):
    return CliRunner().invoke(cli, [str(arg) for arg in args], **kwargs)


def run(*args, cwd=None, env=None):
    """The real CLI in a subprocess (serve runs Datasette as a child process, writing to our stdout)."""
    return subprocess.run([*SCPLEARN, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **(env or {})}, timeout=300)


@pytest.fixture(scope="module")
def published(sample_store, tmp_path_factory):
    out = tmp_path_factory.mktemp("published") / "site"
    result = invoke("publish", sample_store.path, "--out", out)
    assert result.exit_code == 0, result.output
    return out, result.output


def test_publish_writes_a_servable_directory_and_nothing_private(published, sample_store):
    out, output = published
    assert sorted(p.name for p in out.iterdir()) == [
        ".scplearn-files", "README.md", "metadata.json", "plugins", "public.db", "requirements.txt", "serve.sh",
        "training.db"]
    wrote = [Path(line[len("Wrote "):]) for line in output.splitlines() if line.startswith("Wrote ")]
    assert (out / ".scplearn-files").read_text().splitlines()[1:] == [str(path.relative_to(out)) for path in wrote]
    assert sorted(p.name for p in (out / "plugins").iterdir()) == [
        "public.metadata.json", "scplearn_descriptions.py", "scplearn_errors.py", "scplearn_gc.py",
        "scplearn_limits.py", "scplearn_pages.py", "scplearn_paths.py", "scplearn_spreadsheets.py"]
    assert f"Serve it with: {out / 'serve.sh'}" in output
    serve_sh = (out / "serve.sh").read_text()
    assert ("datasette serve -i public.db training.db -m metadata.json -h \"${HOST:-127.0.0.1}\" "
            "-p \"${PORT:-8001}\" --plugins-dir plugins --setting suggest_facets off --setting allow_download off "
            "--setting num_sql_threads 3") in serve_sh
    assert "crossdb" not in serve_sh and "private" not in serve_sh
    assert os.access(out / "serve.sh", os.X_OK)
    metadata = json.loads((out / "metadata.json").read_text())
    assert set(metadata["databases"]) == {"training"} and "allow" in metadata["databases"]["training"]
    described = json.loads((out / "plugins" / "public.metadata.json").read_text())
    assert set(described["databases"]) == {"public"} and "queries" in described["databases"]["public"]
    assert set(described["plugins"]) == {"datasette-dashboards"}


@pytest.mark.parametrize("plugin", [Path(name).name for name in serving.PUBLISHED_PLUGINS])
def test_the_published_plugins_need_nothing_but_datasette(published, plugin):
    out, _ = published
    script = ("import sys, runpy; sys.modules['scplearn'] = None; "
              f"runpy.run_path({str(out / 'plugins' / plugin)!r})")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_requirements_pin_the_installed_plugins(published):
    out, _ = published
    lines = (out / "requirements.txt").read_text().splitlines()
    assert lines == [f"{name}=={importlib.metadata.version(name)}"
                     for name in ("datasette", "datasette-dashboards", "datasette-auth-passwords")]


def test_the_evidence_copy_is_whole_and_not_in_wal_mode(published, sample_store):
    out, _ = published
    copy = sqlite3.connect(out / "training.db")
    assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for table in ("sessions", "bookings", "evaluations", "followups", "delegates", "imports"):
        assert copy.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == sample_store.db[table].count


def test_the_one_line_command_serves_the_directory(published):
    out, _ = published
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    described = json.loads((out / "plugins" / "public.metadata.json").read_text())
    latest = described["plugins"]["datasette-dashboards"]["training"]["filters"]["year"]["default"]
    # Without a year the dashboard redirects to the latest; --get does not follow redirects.
    dashboard = subprocess.run(["sh", str(out / "serve.sh"), "--get", f"/-/dashboards/training?year={latest}"],
                               capture_output=True, text=True, env=env, timeout=120)
    assert dashboard.returncode == 0, dashboard.stderr
    assert "renderChart('before-after-knowledge'" in dashboard.stdout
    evidence = subprocess.run(["sh", str(out / "serve.sh"), "--get", "/training.json"],
                              capture_output=True, text=True, env=env, timeout=120)
    assert evidence.returncode == 1 and "Forbidden" in evidence.stdout


def test_publish_public_only_leaves_the_evidence_out(sample_store, tmp_path):
    result = invoke("publish", sample_store.path, "--out", tmp_path / "site", "--public-only")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "site" / "training.db").exists()
    assert json.loads((tmp_path / "site" / "metadata.json").read_text())["databases"] == {}
    described = json.loads((tmp_path / "site" / "plugins" / "public.metadata.json").read_text())
    assert set(described["databases"]) == {"public"}


def test_publish_refuses_a_folder_of_someone_elses_files_unless_forced(sample_store, tmp_path):
    site = tmp_path / "theirs"
    site.mkdir()
    theirs = {"README.md": "their readme", "requirements.txt": "flask\n", "serve.sh": "#!/bin/sh\n",
              "training.db": "another store"}
    for name, text in theirs.items():
        (site / name).write_text(text)
    (tmp_path / "their.sh").write_text("#!/bin/sh\n")
    (site / "serve.sh").unlink()
    (site / "serve.sh").symlink_to(tmp_path / "their.sh")  # replaced with --force, never written through
    result = invoke("publish", sample_store.path, "--out", site)
    assert result.exit_code == 1
    assert result.output == (f"Error: {site} holds files scplearn did not write (README.md, requirements.txt, "
                             "serve.sh and 1 more); choose a new or empty folder, or pass --force to write into it "
                             "anyway\n")
    assert {p.name: p.read_text() for p in site.iterdir()} == theirs
    (site / "notes.txt").write_text("kept")
    result = invoke("publish", sample_store.path, "--out", site, "--force")
    assert result.exit_code == 0, result.output
    assert (site / "README.md").read_text().startswith("# Safeguarding training")
    assert (site / "notes.txt").read_text() == "kept"
    assert not (site / "serve.sh").is_symlink() and (tmp_path / "their.sh").read_text() == "#!/bin/sh\n"


def test_publishing_again_replaces_only_what_publish_wrote(sample_store, tmp_path):
    site = tmp_path / "site"
    assert invoke("publish", sample_store.path, "--out", site).exit_code == 0
    (site / "notes.txt").write_text("kept")
    (site / "plugins" / "my_plugin.py").write_text("# mine")
    result = invoke("publish", sample_store.path, "--out", site, "--public-only")  # no --force needed
    assert result.exit_code == 0, result.output
    assert not (site / "training.db").exists(), "the evidence copy of the last run is not left behind"
    assert (site / "notes.txt").read_text() == "kept" and (site / "plugins" / "my_plugin.py").read_text() == "# mine"


def test_publish_refuses_the_directory_holding_the_database(sample_copy):
    result = invoke("publish", sample_copy.path, "--out", sample_copy.path.parent)
    assert result.exit_code == 1
    assert result.output == "Error: publish into a directory of its own, not the one holding the database\n"


def test_password_stores_a_hash_readable_only_by_its_owner(sample_copy):
    result = invoke("password", sample_copy.path, input="first secret\nfirst secret\n")
    assert result.exit_code == 0, result.output
    path = sample_copy.path.with_suffix(".passwords")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "SCPLEARN_PASSWORD_HASH_COORDINATOR" in result.output
    result = invoke("password", sample_copy.path, "--account", "analyst", "--password", "second secret")
    assert result.exit_code == 0, result.output
    accounts = passwords.read_passwords(path)
    assert sorted(accounts) == ["analyst", "coordinator"]
    assert verify_password("first secret", accounts["coordinator"])
    assert verify_password("second secret", accounts["analyst"])
    assert "secret" not in path.read_text()


@pytest.mark.parametrize("password", ["x", "eleven char"])
def test_password_needs_at_least_twelve_characters(sample_copy, password):
    result = invoke("password", sample_copy.path, "--password", password)
    assert result.exit_code == 1
    assert result.output == (f"Error: the password has {len(password)} characters; use at least 12 "
                             "(a few words make a passphrase that is long and easy to remember)\n")
    assert not sample_copy.path.with_suffix(".passwords").exists()


@pytest.fixture
def busy_port():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


@pytest.mark.parametrize("command", ["demo", "serve"])
def test_a_busy_port_is_refused_before_anything_is_built(sample_copy, tmp_path, busy_port, command):
    args = ["demo", "--dir", tmp_path / "demo"] if command == "demo" else ["serve", sample_copy.path]
    result = invoke(*args, "--port", busy_port)
    assert result.exit_code == 1
    assert result.output == (f"Error: cannot serve on 127.0.0.1 port {busy_port}: Address already in use; "
                             "choose another port with --port\n")
    assert not (tmp_path / "demo").exists() and not (sample_copy.path.parent / "training-public").exists()


def test_the_demo_exits_with_the_servers_status(monkeypatch, tmp_path):
    commands = []

    def fail_to_start(command, **options):  # Datasette failed to start
        commands.append(command)
        return 1

    monkeypatch.setattr(serving, "run", fail_to_start)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = invoke("demo", "--dir", tmp_path / "demo", "--data", SAMPLE, "--port", port)
    assert result.exit_code == 1
    database = (tmp_path / "demo" / "training.db").resolve()
    assert f"Database: {database}" in result.output and database.exists()
    assert "Error" not in result.output  # Datasette said what went wrong; the status is passed on as it is
    (command,) = commands
    assert "datasette" in " ".join(map(str, command)) and str(port) in map(str, command)


def test_password_refuses_a_person_like_account_name(sample_copy):
    result = invoke("password", sample_copy.path, "--account", "Jane Smith", "--password", "x")
    assert result.exit_code == 1
    assert result.output.startswith("Error: account name 'Jane Smith': use 1-32 lower-case letters")


def test_serve_help_warns_about_the_private_flag():
    result = invoke("serve", "--help")
    assert "DANGER" in result.output and "NAMES AND EMAILS" in result.output


def test_serve_builds_beside_the_database_and_names_files_relatively(sample_copy):
    db = sample_copy.path
    sample_copy.close()
    result = run("serve", db, "--get", "/-/databases.json", cwd="/")
    assert result.returncode == 0, result.stderr
    databases = {d["name"]: d["path"] for d in json.loads(result.stdout)}
    assert databases == {"public": "public.db", "training": "training.db"}  # file names, never where they are
    assert (db.parent / "training-public" / "metadata.json").exists()

    assert get_again(db, "/training").returncode == 1
    dashboard = get_again(db, "/-/dashboards/training?year=2023/24")
    assert dashboard.returncode == 0 and "renderChart('uplift-by-course'" in dashboard.stdout


def get_again(db, path, private=None):
    """One request to the site the last ``scplearn serve`` built, without building it again."""
    site = serving.Site(directory=db.parent, public="training-public/public.db", evidence=db.name,
                        private=private, metadata="training-public/metadata.json")
    command = serving.datasette_command(site, program=(sys.executable, "-m", "datasette")) + ["--get", path]
    return subprocess.run(command, cwd=db.parent, capture_output=True, text=True, timeout=120)


def test_serve_with_the_private_flag_still_hides_it_from_anonymous_visitors(sample_copy):
    db = sample_copy.path
    sample_copy.close()
    result = run("serve", db, "--include-private", "--get", "/-/databases.json")
    assert result.returncode == 0, result.stderr
    paths = {d["name"]: d["path"] for d in json.loads(result.stdout)}
    assert paths["training.private"] == "training.private.db"
    for path in ("/training~2Eprivate", "/training~2Eprivate/people.json",
                 "/training~2Eprivate.json?sql=select+email+from+people"):
        assert get_again(db, path, private="training.private.db").returncode == 1, path
    assert get_again(db, "/public", private="training.private.db").returncode == 0


def test_serve_reports_a_missing_database_in_one_line(tmp_path):
    result = invoke("serve", tmp_path / "nowhere.db")
    assert result.exit_code == 2 and "does not exist" in result.output


def test_the_datasette_command_never_attaches_databases():
    site = serving.Site(directory=Path("."), public="p/public.db", evidence="training.db",
                        private="training.private.db", metadata="p/metadata.json")
    command = serving.datasette_command(site, port=9000)
    assert "--crossdb" not in command and "--root" not in command
    assert command[:7] == ["datasette", "serve", "-i", "p/public.db", "training.db", "training.private.db", "-m"]


def test_the_demo_serves_through_scplearn_serve(sample_copy, monkeypatch):
    calls = []
    monkeypatch.setattr(serving, "run", lambda command, **options: calls.append((command, options)) or 0)
    samples.serve(sample_copy.path, port=8123)
    (command, options), = calls
    assert command[1:] == ["-m", "datasette", "serve", "-i", "training-public/public.db", "training.db",
                           "-m", "training-public/metadata.json", "-h", "127.0.0.1", "-p", "8123",
                           "--setting", "suggest_facets", "off", "--setting", "allow_download", "off",
                           "--setting", "num_sql_threads", "3"]
    assert options["cwd"] == sample_copy.path.parent.resolve()
