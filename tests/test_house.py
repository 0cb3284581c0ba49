"""House rules for the tests themselves."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def imports_of_test_modules(path: Path) -> list[str]:
    """Each import of a test module in ``path``, anywhere in it (inside functions too), as ``line: module``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = ["." * node.level + node.module]
        elif isinstance(node, ast.ImportFrom):  # from . import name
            names = ["." * node.level + alias.name for alias in node.names]
        else:
            continue
        found += [f"{node.lineno}: {name}" for name in names
                  if any(part.startswith("test_") for part in name.lstrip(".").split("."))]
    return sorted(found, key=lambda line: int(line.split(":")[0]))


def test_no_test_module_imports_another():
    """A helper two test modules share lives in tests/helpers/ or tests/conftest.py, never in a test module."""
    modules = sorted(TESTS.glob("test_*.py")) + sorted((TESTS / "helpers").rglob("*.py"))
    assert len(modules) > 50 and TESTS / "test_house.py" in modules
    wrong = [f"{path.relative_to(TESTS)}:{line}" for path in modules for line in imports_of_test_modules(path)]
    assert not wrong, "move what these import to tests/helpers/:\n" + "\n".join(wrong)


def test_the_check_finds_each_way_of_importing_a_test_module(tmp_path):
    path = tmp_path / "test_example.py"
    path.write_text(
        "import pytest\n"
        "from helpers.files.teams import GOOD\n"
        "from . import test_undo\n"
        "import test_publish_site as site\n"
        "from .test_evaluators_reach import load\n"
        "\n"
        "def test_it():\n"
        "    from test_importers_teams import SESSION\n",
        encoding="utf-8")
    assert imports_of_test_modules(path) == [
        "3: .test_undo", "4: test_publish_site", "5: .test_evaluators_reach", "8: test_importers_teams",
    ]
