"""The scplearn command: help everywhere, clear one-line errors, init, import, imports, demo."""

import json
import tomllib
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import reference_files, write_csv

import scplearn
from scplearn import reference, samples
from scplearn.cli import cli


def all_commands(group=cli, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name)
        if hasattr(command, "commands"):
            yield from all_commands(command, (*prefix, name))


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"scplearn, version {scplearn.__version__}"


@pytest.mark.parametrize("command", sorted(all_commands()))
def test_every_command_has_help(command):
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    body = result.output.split("\n\n", 2)[1].strip()
    assert body, f"{' '.join(command)} has no help text"


def test_init_creates_the_three_files(tmp_path):
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "t.db")])
    assert result.exit_code == 0, result.output
    assert {p.name for p in tmp_path.iterdir()} >= {"t.db", "t.private.db", "t.key"}
    assert "never publish it" in result.output


def test_import_then_imports_lists_the_ledger(tmp_path):
    files = reference_files(tmp_path / "in")
    runner = CliRunner()
    result = runner.invoke(cli, ["import", str(tmp_path / "t.db"), str(files)])
    assert result.exit_code == 0, result.output
    assert ("bookings.csv (scplearn): 4 rows read, 5 records written, 0 superseded, 0 left out; "
            "added 1 delegates, 4 bookings (import 6)") in result.output
    result = runner.invoke(cli, ["imports", str(tmp_path / "t.db"), "--json"])
    assert [row["filename"] for row in json.loads(result.output)][:2] == ["partnerships.csv", "agencies.csv"]


def test_a_bad_file_fails_with_every_problem_and_no_traceback(tmp_path):
    files = reference_files(tmp_path / "in")
    write_csv(files / "evaluations.csv", "session,email,knowledge_pre\nS1,a@example.org,11\nS1,b@example.org,0\n")
    result = CliRunner().invoke(cli, ["import", str(tmp_path / "t.db"), str(files)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "Error: 2 problems found; nothing was imported:" in result.output
    # The same problem on two rows is told once, naming both rows and their values.
    assert ("evaluations.csv, rows 2, 3, column 'knowledge_pre': values '11', '0': "
            "must be a whole number from 1 to 10") in result.output
    with scplearn.open(tmp_path / "t.db") as store:
        assert store.counts()["sessions"] == 0


def test_dry_run_says_so(tmp_path):
    result = CliRunner().invoke(cli, ["import", "--dry-run", str(tmp_path / "t.db"), str(reference_files(tmp_path / "in"))])
    assert result.exit_code == 0, result.output
    assert "would add" in result.output and "Dry run: nothing was written." in result.output


def test_unrecognised_file_is_a_one_line_error(tmp_path):
    odd = write_csv(tmp_path / "notes.csv", "colour,shape\nred,round\n")
    result = CliRunner().invoke(cli, ["import", str(tmp_path / "t.db"), str(odd)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "no importer recognises this file" in result.output


def test_demo_builds_and_evaluates_the_sample_without_serving(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # anywhere: the sample comes with the package
    result = CliRunner().invoke(cli, ["demo", "--no-serve", "--dir", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    assert f"Database: {(tmp_path / 'demo' / 'training.db').resolve()}" in result.output
    with scplearn.open(tmp_path / "demo" / "training.db") as store:
        for name in scplearn.plugins.get_evaluators():
            assert store.db[f"{name}_results"].count > 0
        assert store.counts()["evaluations"] > 1000


def test_the_sample_is_package_data_so_an_installed_scplearn_has_it():
    package = Path(scplearn.__file__).parent
    sample = samples.sample_directory()
    assert sample.parent == package
    with open(package.parent.parent / "pyproject.toml", "rb") as handle:
        globs = tomllib.load(handle)["tool"]["setuptools"]["package-data"]["scplearn"]
    shipped = {path for pattern in globs for path in package.glob(pattern)}
    files = set(sample.iterdir())
    assert len(files) == 13 and files <= shipped


def demo(directory, data, *args):
    return CliRunner().invoke(cli, ["demo", "--no-serve", "--dir", str(directory), "--data", str(data), *args])


def test_demo_refuses_a_folder_of_someone_elses_files_unless_forced(tmp_path):
    data = reference_files(tmp_path / "in")
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("my notes")
    (folder / "training.db").write_text("not a database, and not the demo's")
    result = demo(folder, data)
    assert result.exit_code == 1
    assert result.output == (f"Error: {folder} holds files scplearn did not write (notes.txt, training.db); "
                             "choose a new or empty folder, or pass --force to write into it anyway\n")
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt", "training.db"]
    assert (folder / "training.db").read_text() == "not a database, and not the demo's"
    result = demo(folder, data, "--force")
    assert result.exit_code == 0, result.output
    assert (folder / "notes.txt").read_text() == "my notes"
    with scplearn.open(folder / "training.db") as store:
        assert store.counts()["bookings"] == 4


def test_demo_rebuilds_its_own_folder_and_leaves_other_files_alone(tmp_path):
    data = reference_files(tmp_path / "in")
    folder = tmp_path / "demo"
    assert demo(folder, data).exit_code == 0
    (folder / "notes.txt").write_text("added since")
    with scplearn.open(folder / "training.db") as store:
        store.db.execute("DELETE FROM bookings")
        store.db.conn.commit()
    result = demo(folder, data)
    assert result.exit_code == 0, result.output
    assert (folder / "notes.txt").read_text() == "added since"
    with scplearn.open(folder / "training.db") as store:
        assert store.counts()["bookings"] == 4, "rebuilt from scratch"


def test_a_private_database_that_cannot_be_created_is_a_one_line_error(tmp_path):
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "t.db"), "--private", str(tmp_path / "nowhere" / "p.db")])
    assert result.exit_code == 1
    assert result.output.endswith(f"Error: cannot open the private database {tmp_path / 'nowhere' / 'p.db'}: "
                                  "No such file or directory\n")
    assert "Traceback" not in result.output


NOT_A_DATABASE = "a text file where a database should be\n"
NOTHING_TO_GET_WRONG = {("plugins",), ("importers",), ("evaluators",)}  # they take no arguments


def bad_input(command, tmp_path):
    """Arguments for ``command`` naming a corrupt database (or, for commands that read none, another mistake)."""
    bad = tmp_path / "bad.db"
    bad.write_text(NOT_A_DATABASE)
    foreign = tmp_path / "someone-else"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    out = tmp_path / "out"
    return {
        ("init",): [bad],
        ("demo",): ["--dir", foreign, "--no-serve"],
        ("import",): [bad, bad],
        ("imports", "list"): [bad],
        ("imports", "undo"): [bad, "1"],
        ("courses", "list"): [bad],
        ("courses", "add"): [bad, "Title"],
        ("courses", "edit"): [bad, "C01", "--title", "New"],
        ("sessions", "list"): [bad],
        ("sessions", "add"): [bad, "C01", "2024-09-03", "--mode", "virtual"],
        ("sessions", "edit"): [bad, "S01", "--trainer", "T"],
        ("agencies", "list"): [bad],
        ("agencies", "add"): [bad, "Agency", "--sector", "police"],
        ("agencies", "confirm"): [bad, "Agency"],
        ("agencies", "merge"): [bad, "A", "B"],
        ("evaluate",): [bad],
        ("audit",): [bad],
        ("followups",): [bad],
        ("due-refresher",): [bad],
        ("report",): [bad, "--year", "2023/24", "--out", out],
        ("serve",): [bad, "--get", "/"],
        ("publish",): [bad, "--out", out],
        ("password",): [bad, "--password", "short"],
        ("backup",): [bad, tmp_path / "backups", "--no-private", "--no-key"],
        ("restore",): [bad, tmp_path / "restored.db"],
    }.get(command)


def leaf_commands(group=cli, prefix=()):
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from leaf_commands(command, (*prefix, name))
        else:
            yield (*prefix, name)


@pytest.mark.parametrize("command", sorted(set(leaf_commands()) - NOTHING_TO_GET_WRONG))
def test_every_command_reports_bad_input_in_one_line(command, tmp_path):
    """However a command is written, a problem the user can fix ends it the same way: one line, exit status 1."""
    args = bad_input(command, tmp_path)
    assert args is not None, f"give {' '.join(command)} some bad input here"
    result = CliRunner().invoke(cli, [*command, *map(str, args)])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output


def test_a_corrupt_database_is_named_in_the_error(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_text(NOT_A_DATABASE)
    result = CliRunner().invoke(cli, ["evaluate", str(bad)])
    assert result.output == f"Error: cannot open {bad}: file is not a database\n"


def test_a_file_the_system_refuses_is_a_one_line_error(tmp_path, monkeypatch):
    """An OSError about a named file (permission denied, a full disk) is reported with the file's name."""
    def refuse(store, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / "locked.db"))

    db = tmp_path / "t.db"
    assert CliRunner().invoke(cli, ["init", str(db)]).exit_code == 0
    monkeypatch.setattr(reference, "courses", refuse)
    result = CliRunner().invoke(cli, ["courses", str(db)])
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'locked.db'}: Permission denied\n"


def test_a_fault_in_scplearn_keeps_its_traceback(tmp_path, monkeypatch):
    """Only problems the user can fix are shortened: a fault elsewhere is not passed off as one."""
    def fail(store, *args, **kwargs):
        raise KeyError("a fault")

    db = tmp_path / "t.db"
    assert CliRunner().invoke(cli, ["init", str(db)]).exit_code == 0
    monkeypatch.setattr(reference, "courses", fail)
    result = CliRunner().invoke(cli, ["courses", str(db)])
    assert result.exit_code == 1 and isinstance(result.exception, KeyError)


def test_a_plugins_command_needs_no_error_handling_of_its_own():
    @click.command(name="plugin-command")
    def plugin_command():
        raise scplearn.ScplearnError("a plugin's own problem")

    cli.add_command(plugin_command)
    try:
        result = CliRunner().invoke(cli, ["plugin-command"])
    finally:
        cli.commands.pop("plugin-command")
    assert (result.exit_code, result.output) == (1, "Error: a plugin's own problem\n")
