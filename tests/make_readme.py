"""Regenerate the README's printed output from the commands that print it.

Each excerpt in README.md stands between two markers:

    <!-- output: SOURCE | wfm COMMAND ... -->
        (indented lines the command printed)
    <!-- end output -->

SOURCE says which part to show: `stdout`, `stderr`, `stdout:N` (first N lines),
`file:NAME:N` (first N lines of a file the command wrote), then optionally
`,from:TEXT` (start at the first line holding TEXT), `,grep:TEXT` (only lines
holding TEXT) and `,re:REGEX` (only lines a regular expression finds; repeat it
for several: a line any of them finds is kept); N counts after those. Commands run in order in one
scratch folder (so a later command reads an earlier one's file), with `examples/`
linked in, through `python -m`-style subprocesses at a fixed terminal width.

    python tests/make_readme.py           # rewrite README.md
    python tests/make_readme.py --check   # exit 1 and show what differs

Durations ("41.3 s") differ between runs; --check compares them as "N s".
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BLOCK = re.compile(
    r"^<!-- output: (?P<source>[^|]+?) \| (?P<command>wfm .+?) -->\n"
    r"(?P<body>.*?)^<!-- end output -->$",
    re.M | re.S,
)
WIDTH = "88"


def run(command: str, folder: Path) -> subprocess.CompletedProcess[str]:
    words = shlex.split(command)
    argv = [sys.executable, "-c", "from wfm.cli import main; main()", *words[1:]]
    env = {**os.environ, "COLUMNS": WIDTH, "TERM": "dumb", "PYTHONHASHSEED": "0"}
    done = subprocess.run(argv, cwd=folder, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"README command failed ({done.returncode}): {command}\n{done.stderr}")
    return done


def excerpt(source: str, done: subprocess.CompletedProcess[str], folder: Path) -> list[str]:
    """The lines of `source` (see module docstring) from a finished command."""
    kind, *options = [part.strip() for part in source.split(",")]
    pairs = [option.split(":", 1) for option in options]
    settings = dict(pairs)
    patterns = [re.compile(value) for key, value in pairs if key == "re"]
    parts = kind.split(":")
    if parts[0] == "file":
        text, limit = (folder / parts[1]).read_text(), parts[2:]
    else:
        text, limit = (done.stdout if parts[0] == "stdout" else done.stderr), parts[1:]
    lines = [line.rstrip() for line in text.splitlines()]
    if "from" in settings:
        start = next((i for i, line in enumerate(lines) if settings["from"] in line), len(lines))
        lines = lines[start:]
    if "grep" in settings:
        lines = [line for line in lines if settings["grep"] in line]
    if patterns:
        lines = [line for line in lines if any(p.search(line) for p in patterns)]
    return lines[: int(limit[0])] if limit else lines


def rendered(readme: str) -> str:
    """README text with every output block replaced by what its command prints now."""
    with tempfile.TemporaryDirectory(prefix="wfm-readme-") as tmp:
        folder = Path(tmp)
        (folder / "examples").symlink_to(ROOT / "examples")
        cache: dict[str, tuple[subprocess.CompletedProcess[str], Path]] = {}

        def replace(match: re.Match[str]) -> str:
            command = match["command"].strip()
            if command not in cache:
                cache[command] = (run(command, folder), folder)
            done, where = cache[command]
            lines = excerpt(match["source"], done, where)
            body = "".join(f"    {line}\n" if line else "\n" for line in lines)
            return f"<!-- output: {match['source']} | {command} -->\n{body}<!-- end output -->"

        return BLOCK.sub(replace, readme)


def normalised(text: str) -> str:
    return re.sub(r"\b\d+(?:\.\d+)? s\b", "N s", text)


def main() -> int:
    current = README.read_text()
    fresh = rendered(current)
    if "--check" in sys.argv[1:]:
        if normalised(fresh) == normalised(current):
            return 0
        diff = difflib.unified_diff(
            current.splitlines(), fresh.splitlines(), "README.md", "printed now", lineterm=""
        )
        print("\n".join(diff), file=sys.stderr)
        return 1
    README.write_text(fresh)
    print(f"rewrote {len(BLOCK.findall(current))} output blocks in README.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
