"""The example week scheduled under short time limits: what a run gives when the
shift programme has no answer, or a poor one, when its time runs out.

Run: python benchmarks/time_limits.py [--limits 1 3 20] [--reference]

Makes the example's one-week requirements as README's walk-through does (`wfm
forecast --horizon 1w`, `wfm staff`), then runs `wfm schedule` with the example
roster and its wfm.toml but `time_limit_seconds` set to each limit (node_limit
100 still there, so a limit long enough gives the usual plan; `--reference` also
runs the example's own 600 s). Prints per run: exit code, wall time, and the
stderr lines on the solver, the objective, the coverage and a schedule built
greedily. A limit that stops the programme depends on the machine's speed and
load, so which limits end with no answer, and what a time-limited answer is
worth, differ between machines; the greedy's schedule itself does not.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "company"
WFM = str(Path(sys.executable).with_name("wfm"))
SHOWN = ("solver ", "schedule: objective", "coverage:", "greedily", "error:")


def requirements(folder: Path) -> Path:
    """The example's requirements for one week, as the walk-through makes them."""
    config = str(EXAMPLE / "wfm.toml")
    forecast, staffed = folder / "forecast.csv", folder / "requirements.csv"
    history = [str(EXAMPLE / "tickets.csv.gz"), "--events", str(EXAMPLE / "events.csv")]
    run = [WFM, "forecast", *history, "--config", config, "--horizon", "1w", "-o", str(forecast)]
    subprocess.run(run, capture_output=True, check=True)
    run = [WFM, "staff", str(forecast), "--config", config, "-o", str(staffed)]
    subprocess.run(run, capture_output=True, check=True)
    return staffed


def limited_config(folder: Path, seconds: float | None) -> Path:
    """The example's wfm.toml with `[scheduling] time_limit_seconds` = `seconds`."""
    text = (EXAMPLE / "wfm.toml").read_text()
    if seconds is None:
        return EXAMPLE / "wfm.toml"
    pattern = r"(\[scheduling\][^\[]*?)time_limit_seconds = [0-9.]+"
    changed, n = re.subn(pattern, rf"\g<1>time_limit_seconds = {seconds:g}", text, count=1)
    if n != 1:
        raise SystemExit("time_limits.py: no [scheduling] time_limit_seconds in the example")
    path = folder / f"wfm-{seconds:g}.toml"
    path.write_text(changed)
    return path


def schedule(needed: Path, config: Path, folder: Path) -> tuple[int, float, list[str]]:
    """One `wfm schedule`: (exit code, seconds, the stderr lines worth showing)."""
    command = [WFM, "schedule", str(needed), "--config", str(config)]
    command += ["--roster", str(EXAMPLE / "roster.csv"), "-o", str(folder / "schedule.csv")]
    clock = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - clock
    lines = [line for line in done.stderr.splitlines() if any(s in line for s in SHOWN)]
    return done.returncode, seconds, lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limits", type=float, nargs="+", default=[1.0, 3.0, 20.0])
    parser.add_argument("--reference", action="store_true", help="also the example's own limit")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wfm-limits-") as tmp:
        folder = Path(tmp)
        needed = requirements(folder)
        for seconds in [*args.limits, *([None] if args.reference else [])]:
            code, took, lines = schedule(needed, limited_config(folder, seconds), folder)
            label = "example's own" if seconds is None else f"{seconds:g} s"
            print(f"time_limit_seconds {label}: exit {code}, {took:.1f} s")
            for line in lines:
                print(f"    {line}")


if __name__ == "__main__":
    main()
