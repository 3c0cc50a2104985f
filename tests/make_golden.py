"""Regenerate the golden files of the example company's plan (tests/golden/example/).

Run by hand, only when an output is meant to change, and commit the new files
with the change that explains them:

    python tests/make_golden.py

tests/test_golden.py runs the same plan and compares every file byte for byte.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMPANY = ROOT / "examples" / "company"
GOLDEN = ROOT / "tests" / "golden" / "example"
FILES = (
    "forecast.csv",
    "requirements.csv",
    "schedule.csv",
    "coverage.csv",
    "schedule.ics",
    "agents.csv",
)


def plan_command(out: Path) -> list[str]:
    """The README's plan of the example company, writing into `out`."""
    return [
        sys.executable,
        "-c",
        "from wfm.cli import main; main()",
        "plan",
        "--config",
        str(COMPANY / "wfm.toml"),
        "--history",
        str(COMPANY / "tickets.csv.gz"),
        "--events",
        str(COMPANY / "events.csv"),
        "--roster",
        str(COMPANY / "roster.csv"),
        "--out",
        str(out),
    ]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "plan"
        subprocess.run(plan_command(out), check=True)
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for name in FILES:
            shutil.copyfile(out / name, GOLDEN / name)
    print(f"wrote {len(FILES)} files to {GOLDEN.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
