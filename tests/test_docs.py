"""The docs describe what the code does."""

import re
from pathlib import Path

import attrs
import pytest

from scplearn import model
from scplearn.schema import TABLE_NAMES

ROOT = Path(__file__).resolve().parents[1]


def formats_section(table):
    text = (ROOT / "docs" / "formats.md").read_text()
    match = re.search(rf"^## {table}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert match, f"docs/formats.md has no section for {table}"
    return match.group(1)


@pytest.mark.parametrize("record_type", model.RECORD_TYPES, ids=lambda t: t.__name__)
def test_every_canonical_column_is_documented(record_type):
    section = formats_section(TABLE_NAMES[record_type])
    for field in attrs.fields(record_type):
        assert f"`{field.name}`" in section, f"{field.name} missing from docs/formats.md"
        required = field.default is attrs.NOTHING
        row = next(line for line in section.splitlines() if f"`{field.name}`" in line and line.startswith("|"))
        assert ("| yes |" in row) == required, f"{field.name}: required should be {required}"


@pytest.mark.parametrize("choices", [model.SECTORS, model.MODES, model.RESOURCE_KINDS])
def test_every_choice_is_documented(choices):
    text = (ROOT / "docs" / "formats.md").read_text()
    for key, label in choices.items():
        assert f"`{key}` ({label})" in text.replace("\n", " ")


def test_readme_first_screen_has_the_two_commands_and_ci_runs_the_second():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"```(?:bash|sh)?\n(.*?)\n```", readme, re.S)
    first_screen = readme[: readme.index(commands[1]) + len(commands[1])]
    assert len(first_screen.splitlines()) < 40
    assert "scplearn demo" in commands[0]
    assert "pytest" in commands[1]
    ci = (ROOT / ".ci" / "run").read_text()
    assert commands[1].strip() in ci
