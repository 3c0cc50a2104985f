"""The packages' dependencies point one way (see README, Development).

Libraries (forecasting/, scheduling/) never import the application (wfm), typer
or rich; forecasting never imports scheduling; the staffing and shift halves of
scheduling never import each other; capacity and simulation build on staffing,
never on shifts.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# package folder -> module prefixes its files must never import
FORBIDDEN = {
    "forecasting": ("wfm", "typer", "rich", "scheduling"),
    "scheduling": ("wfm", "typer", "rich"),
    "scheduling/staffing": ("scheduling.shifts",),
    "scheduling/shifts": ("scheduling.staffing",),
    "scheduling/capacity": ("scheduling.shifts",),
    "scheduling/simulation": ("scheduling.shifts",),
}


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, absolute names (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def offences(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for name in sorted(imported_modules(path)):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


@pytest.mark.parametrize(("folder", "forbidden"), sorted(FORBIDDEN.items()))
def test_dependencies_point_one_way(folder, forbidden) -> None:
    assert offences(folder, forbidden) == []


def test_the_check_sees_a_forbidden_import(tmp_path, monkeypatch) -> None:
    """The scanner itself: a library file importing wfm is caught."""
    lib = tmp_path / "forecasting"
    lib.mkdir()
    (lib / "bad.py").write_text("from wfm.cli import main\nimport rich.console\n")
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    assert offences("forecasting", FORBIDDEN["forecasting"]) == [
        "forecasting/bad.py imports rich.console",
        "forecasting/bad.py imports wfm.cli",
        "forecasting/bad.py imports wfm.cli.main",
    ]
