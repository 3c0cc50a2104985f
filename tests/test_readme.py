"""Every `wfm` command the README shows runs, and shown output matches."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wfm.cli import cli

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def readme_commands() -> list[tuple[str, str | None]]:
    """(command, shown output) for each `wfm ...` line in an indented code block."""
    lines = README.read_text().splitlines()
    commands: list[tuple[str, str | None]] = []
    i = 0
    while i < len(lines):
        text = lines[i].strip()
        if lines[i].startswith("    ") and re.match(r"^(\$ )?wfm ", text):
            command = text.removeprefix("$ ")
            while command.endswith("\\"):
                i += 1
                command = command[:-1] + " " + lines[i].strip()
            shown = None
            if text.startswith("$ "):
                out = []
                while i + 1 < len(lines) and lines[i + 1].startswith("    "):
                    i += 1
                    out.append(lines[i].strip())
                shown = "\n".join(out) + "\n"
            commands.append((command, shown))
        i += 1
    return commands


def test_readme_shows_the_main_commands():
    shown = " ".join(c for c, _ in readme_commands())
    for command in ("wfm forecast", "wfm staff", "wfm schedule", "wfm erlang"):
        assert command in shown


def test_readme_setup_commands_name_the_example_and_pytest():
    text = README.read_text()
    assert (
        "pip install -c constraints.txt -e . && wfm plan --config examples/company/wfm.toml" in text
    )
    assert "pip install -c constraints.txt -e '.[test]' && pytest" in text


def test_ci_installs_with_the_readme_constraints():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "-c constraints.txt -e '.[test]'" in ci
    pins = (ROOT / "constraints.txt").read_text()
    for package in ("highspy", "pandas", "numpy", "statsmodels", "PuLP", "holidays"):
        assert f"\n{package}==" in pins, package


@pytest.mark.slow
def test_every_readme_command_runs(tmp_path, monkeypatch):
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for command, shown in readme_commands():
        words = shlex.split(command)
        target = None
        if ">" in words:
            target = words[words.index(">") + 1]
            words = words[: words.index(">")]
        result = runner.invoke(cli, words[1:])
        assert result.exit_code == 0, (command, result.stderr)
        if target:
            Path(target).write_text(result.stdout)
        if shown is not None:
            assert result.stdout == shown, command


@pytest.mark.slow
def test_readme_excerpts_are_what_the_commands_print():
    """Every block between output markers equals what its command prints now
    (tests/make_readme.py regenerates them; durations compare as 'N s')."""
    script = ROOT / "tests" / "make_readme.py"
    done = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-4000:]


def test_readme_output_markers_name_a_known_source():
    from make_readme import BLOCK

    blocks = BLOCK.findall(README.read_text())
    assert len(blocks) >= 6
    for source, command, _ in blocks:
        assert source.split(",")[0].split(":")[0] in ("stdout", "stderr", "file"), source
        assert command.startswith("wfm ")
