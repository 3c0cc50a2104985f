"""Solve a covering-only shift instance with pyworkforce; run inside the peers venv.

Run by `benchmarks/follow_the_sun.py` as `PEERS_PYTHON pyworkforce_cover.py IN OUT`.
pyworkforce needs ortools, which clashes with highspy in one process, so this file
imports nothing from wfm and talks to the caller through two JSON files.

IN holds the instance the caller built from wfm's own candidate shifts:
`periods` (intervals in the week), `required` (whole agents per interval),
`shifts` (shift id -> the interval positions it covers), `cost` (shift id ->
integer cost), `max_shift` (most agents on one shift), `time_limit_seconds` and
`workers`. The week is passed as pyworkforce's one "day" of `periods` periods,
so shifts that cross midnight, or wrap round the week's end, keep their cover.

OUT gets `status` (CP-SAT's name), `cost` (pyworkforce's objective; -1 when it
found nothing), `bound` (CP-SAT's best objective bound), `solver_seconds`
(CP-SAT wall time), `seconds` (model build and solve), `counts` (shift id ->
agents, non-zero only) and the versions.

`MinRequiredResources` stores `num_search_workers` on the `CpSolver` object,
where CP-SAT does not read it; this script sets `parameters.num_workers` to the
same value so the worker count asked for is the one used.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main(source: Path, target: Path) -> None:
    import ortools
    import pyworkforce
    from pyworkforce.scheduling import MinRequiredResources

    data = json.loads(source.read_text())
    periods = int(data["periods"])
    coverage = {}
    for shift_id, cells in data["shifts"].items():
        vector = [0] * periods
        for i in cells:
            vector[i] = 1
        coverage[shift_id] = vector
    began = time.perf_counter()
    scheduler = MinRequiredResources(
        num_days=1,
        periods=periods,
        shifts_coverage=coverage,
        required_resources=[[int(r) for r in data["required"]]],
        max_period_concurrency=int(sum(data["required"])) + 1,
        max_shift_concurrency=int(data["max_shift"]),
        cost_dict={k: int(v) for k, v in data["cost"].items()},
        max_search_time=float(data["time_limit_seconds"]),
        num_search_workers=int(data["workers"]),
    )
    scheduler.solver.parameters.num_workers = int(data["workers"])
    solution = scheduler.solve()
    seconds = time.perf_counter() - began
    found = solution["cost"] != -1
    counts = {
        row["shift"]: int(row["resources"])
        for row in solution["resources_shifts"]
        if found and row["resources"] > 0
    }
    target.write_text(
        json.dumps(
            {
                "status": solution["status"],
                "cost": float(solution["cost"]),
                "bound": float(scheduler.solver.BestObjectiveBound()) if found else None,
                "solver_seconds": float(scheduler.solver.WallTime()),
                "seconds": seconds,
                "counts": counts,
                "pyworkforce": getattr(pyworkforce, "__version__", "?"),
                "ortools": getattr(ortools, "__version__", "?"),
            }
        )
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
