"""The example week bounded over its agents' whole weeks: does the roster hold the gap open?

Run: python benchmarks/agent_weeks.py [--seconds 300]

`wfm plan`'s one-week plan of the example company (README command 1) stops
about 5.6% above the bound its shift programme proves (benchmarks/README,
multiweek.py). The programme counts agents per skill group; its rows on each
group (days, hours, rest, days off) hold for every roster but not exactly, so
its bound could be weak where the roster binds. This script measures that.

Dantzig-Wolfe: the programme (`exact_roster.example_week`) with its integers
relaxed, plus for every class of alike agents (site, skills, weekly hours,
unavailable days) n_c copies of a convex combination of whole weeks one such
agent can work (`assign._agent_rows`: one shift a local day, rest, days and
hours a week, days off in a row), linked to the programme's counts:
x[s,g] <= sum of the weeks holding (s, g). Every schedule of the roster is a
solution, so its optimum bounds every plan. Its weeks are generated: each
round solves the master by HiGHS's simplex and, per class, the best week at
the duals of the link rows (one agent's exact programme); the Lagrangian
bound (master + n_c times each class's least reduced cost) holds every round,
and is the master's value once no week prices out.

Then, each within `--seconds`: the programme with its integers as `wfm plan`
solves it (its bound with HiGHS's cuts and branching), and the master over the
weeks generated with x, breaks and weeks integer ("price and branch": every
answer a schedule of the roster, but its bound only that of the weeks
generated).

Printed: the programme's linear relaxation, the generation's rounds (every
10th, and the last), then each solve's status, objective, bound and seconds.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import highspy
import numpy as np
import pulp
from exact_roster import example_week

from scheduling.shifts.assign import _agent_rows, _cliques, _eligible, _Rules

INF = highspy.kHighsInf
TOLERANCE = 1e-6


def quiet_highs(path: Path) -> highspy.Highs:
    """A HiGHS instance with the MPS model at `path` read, its log off."""
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.readModel(str(path))
    return highs


def relax(highs: highspy.Highs, columns: np.ndarray) -> None:
    """Make `columns` continuous."""
    highs.changeColsIntegrality(len(columns), columns, np.zeros(len(columns), dtype=np.uint8))


def make_integer(highs: highspy.Highs, columns: np.ndarray) -> None:
    """Make `columns` integer."""
    highs.changeColsIntegrality(len(columns), columns, np.ones(len(columns), dtype=np.uint8))


class Pricer:
    """One class of alike agents: its exact one-agent programme, priced by duals."""

    def __init__(self, week, agents: list, folder: Path, k: int) -> None:
        agent = agents[0]
        self.site = agent.site
        self.n = len(agents)
        rules = _Rules.at_site(week.options, week.sites[self.site], week.run.horizon)
        slots = week.slots[self.site]
        problem = pulp.LpProblem(f"class_{k}", pulp.LpMinimize)
        mine = {
            r: pulp.LpVariable(f"y_{r}", cat=pulp.LpBinary)
            for r, slot in enumerate(slots)
            if tuple(slot.skills) == tuple(agent.skills) and _eligible(agent, slot, rules)
        }
        problem += pulp.lpSum(mine.values())
        _agent_rows(problem, (0, agent), mine, slots, rules, _cliques(slots, rules))
        path = folder / f"class_{k}.mps"
        problem.writeMPS(str(path), rename=0)
        self.highs = quiet_highs(path)
        names = {name: j for j, name in enumerate(self.highs.getLp().col_names_)}
        self.columns = {r: names[var.name] for r, var in mine.items()}
        self.width = self.highs.getNumCol()
        self.convexity = -1  # its row in the master, set by the master

    def best_week(self, duals: np.ndarray, link: dict) -> tuple[float, list[int]]:
        """The least reduced cost of a week of this class, and that week's slots."""
        cost = np.zeros(self.width)
        for r, j in self.columns.items():
            cost[j] = duals[link[(self.site, r)]]
        self.highs.changeColsCost(self.width, np.arange(self.width, dtype=np.int32), cost)
        self.highs.run()
        value = self.highs.getInfo().objective_function_value
        chosen = self.highs.getSolution().col_value
        week = [r for r, j in self.columns.items() if chosen[j] > 0.5]
        return value - duals[self.convexity], week


def alike_classes(agents: list) -> list[list]:
    """Agents grouped by every field the rules read, in a fixed order."""
    classes = defaultdict(list)
    for agent in agents:
        key = (agent.site, agent.skills, agent.max_hours, agent.days_unavailable)
        classes[(*key, agent.worked_days, agent.recent)].append(agent)
    return [classes[key] for key in sorted(classes, key=str)]


def generate(
    master: highspy.Highs, pricers: list[Pricer], link: dict, offset: float, width: int
) -> float:
    """Add weeks until none prices out; print the rounds; return the master's value
    (`width`: the programme's columns, before the weeks)."""
    started = time.perf_counter()
    for round_ in range(10_000):
        master.run()
        value = master.getInfo().objective_function_value + offset
        duals = np.asarray(master.getSolution().row_dual)
        priced = [pricer.best_week(duals, link) for pricer in pricers]
        pairs = list(zip(pricers, priced, strict=True))
        lagrangian = value + sum(p.n * min(0.0, d) for p, (d, _) in pairs)
        added = 0
        for pricer, (reduced, week) in pairs:
            if reduced < -TOLERANCE:
                rows = [link[(pricer.site, r)] for r in week] + [pricer.convexity]
                values = [-1.0] * len(week) + [1.0]
                master.addCol(
                    0.0, 0.0, INF, len(rows), np.array(rows, dtype=np.int32), np.array(values)
                )
                added += 1
        if round_ % 10 == 0 or not added:
            print(
                f"  round {round_}: master {value:,.2f}, Lagrangian bound {lagrangian:,.2f}, "
                f"weeks {master.getNumCol() - width:,}, "
                f"{time.perf_counter() - started:.0f} s",
                flush=True,
            )
        if not added:
            return value
    raise RuntimeError("column generation did not converge")


def solve_integer(highs: highspy.Highs, seconds: float, offset: float, name: str) -> None:
    """Solve within `seconds` and print status, objective, bound and time."""
    highs.setOptionValue("time_limit", seconds)
    highs.setOptionValue("mip_rel_gap", 0.001)
    started = time.perf_counter()
    highs.run()
    info = highs.getInfo()
    status = highs.modelStatusToString(highs.getModelStatus())
    print(
        f"{name}: {status}, objective {info.objective_function_value + offset:,.2f}, "
        f"bound {info.mip_dual_bound + offset:,.2f}, {time.perf_counter() - started:.0f} s",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300.0, help="per integer solve")
    args = parser.parse_args()
    week = example_week()
    offset = float(week.model.problem.objective.constant)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "programme.mps"
        week.model.problem.writeMPS(str(path), rename=0)
        master = quiet_highs(path)
        width = master.getNumCol()
        integers = np.array(
            [j for j, kind in enumerate(master.getLp().integrality_) if kind], dtype=np.int32
        )
        relax(master, integers)
        master.run()
        print(
            f"programme's linear relaxation: "
            f"{master.getInfo().objective_function_value + offset:,.2f}",
            flush=True,
        )
        names = {name: j for j, name in enumerate(master.getLp().col_names_)}
        link = {}
        for key, var in week.model.x.items():
            link[week.where[key]] = master.getNumRow()
            master.addRow(-INF, 0.0, 1, np.array([names[var.name]], dtype=np.int32), np.ones(1))
        classes = alike_classes(week.run.agents)
        pricers = [Pricer(week, agents, Path(folder), k) for k, agents in enumerate(classes)]
        for pricer in pricers:
            pricer.convexity = master.getNumRow()
            master.addRow(-INF, float(pricer.n), 0, np.array([], dtype=np.int32), np.array([]))
        print(f"{len(week.run.agents)} agents in {len(classes)} classes; generating weeks")
        bound = generate(master, pricers, link, offset, width)
        print(f"Dantzig-Wolfe bound over the agents' weeks: {bound:,.2f}", flush=True)

        programme = quiet_highs(path)
        solve_integer(programme, args.seconds, offset, "programme with its integers")
        weeks = np.arange(width, master.getNumCol(), dtype=np.int32)
        make_integer(master, np.concatenate([integers, weeks]))
        solve_integer(master, args.seconds, offset, "price and branch over the weeks generated")


if __name__ == "__main__":
    main()
