"""The example week bounded over its agents' whole weeks: does the roster hold the gap open?

Run: python benchmarks/agent_weeks.py [--seconds 300]

`wfm plan`'s one-week plan of the example company (README command 1) stops
about 5.6% above the bound its shift programme proves (benchmarks/README,
multiweek.py). The programme counts agents per skill group; its rows on each
group (days, hours, rest, days off) hold for every roster but not exactly, so
its bound could be weak where the roster binds. This script measures that.

Dantzig-Wolfe: the programme (`exact_roster.example_week`) with its integers
relaxed, plus for every class of alike agents (site, skills, weekly hours,
unavailable days, days worked before the run) n_c copies of a convex
combination of whole weeks one such agent can work (`assign._agent_rows`:
one shift a local day, rest, days and hours a week, days off in a row),
linked to the programme's counts: x[s,g] <= sum of the weeks holding (s, g).
Every schedule of the roster is a solution, so its optimum bounds every plan.
Its weeks are generated: each round solves the master by HiGHS's simplex and,
per class, the best week at the duals of the link rows (one agent's programme,
solved to a zero gap); the Lagrangian bound (master + n_c times each class's
least reduced cost, from HiGHS's dual bound of that programme) holds every
round, and is the master's value once no week prices out.

Then, each within `--seconds` (and a gap of 0.1%, no node limit): the
programme with its integers (its bound with HiGHS's cuts and branching), and
the master over the weeks generated with the programme's integers and the
weeks integer ("price and branch": every
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


def set_integrality(highs: highspy.Highs, columns: np.ndarray, kind: highspy.HighsVarType) -> None:
    """Make `columns` of `kind` (continuous or integer)."""
    kinds = np.full(len(columns), int(kind), dtype=np.uint8)
    highs.changeColsIntegrality(len(columns), columns, kinds)


def run_optimal(highs: highspy.Highs, what: str) -> None:
    """Solve; raise unless HiGHS proves an optimum."""
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"{what}: {highs.modelStatusToString(highs.getModelStatus())}")


class Pricer:
    """One class of alike agents: its exact one-agent programme, priced by duals."""

    def __init__(self, week, agents: list, folder: Path, k: int, convexity: int) -> None:
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
        self.highs.setOptionValue("mip_rel_gap", 0.0)  # exact: the bound needs the optimum
        self.highs.setOptionValue("mip_abs_gap", 0.0)
        names = {name: j for j, name in enumerate(self.highs.getLp().col_names_)}
        self.columns = {r: names[var.name] for r, var in mine.items()}
        self.width = self.highs.getNumCol()
        self.convexity = convexity  # its row sum of weeks <= n in the master

    def best_week(self, duals: np.ndarray, link: dict) -> tuple[float, float, list[int]]:
        """A lower bound on the least reduced cost of a week of this class (HiGHS's
        dual bound), the reduced cost of the best week found, and its slots."""
        cost = np.zeros(self.width)
        for r, j in self.columns.items():
            cost[j] = duals[link[(self.site, r)]]
        self.highs.changeColsCost(self.width, np.arange(self.width, dtype=np.int32), cost)
        run_optimal(self.highs, "a class's best week")
        info = self.highs.getInfo()
        chosen = self.highs.getSolution().col_value
        week = [r for r, j in self.columns.items() if chosen[j] > 0.5]
        dual = duals[self.convexity]
        return info.mip_dual_bound - dual, info.objective_function_value - dual, week


def alike_classes(agents: list) -> list[list]:
    """Agents grouped by every field the rules read (site, skills, weekly hours,
    unavailable days, days and hours worked before the run), in a fixed order."""
    classes = defaultdict(list)
    for a in agents:
        key = (a.site, a.skills, a.max_hours, a.days_unavailable, a.worked_days, a.recent)
        classes[key].append(a)
    return [classes[key] for key in sorted(classes, key=str)]


def generate(
    master: highspy.Highs, pricers: list[Pricer], link: dict, offset: float, width: int
) -> float:
    """Add weeks until none prices out; print the rounds; return the master's value
    (`width`: the programme's columns, before the weeks)."""
    started = time.perf_counter()
    for round_ in range(10_000):
        run_optimal(master, "the master")
        value = master.getInfo().objective_function_value + offset
        duals = np.asarray(master.getSolution().row_dual)
        priced = [pricer.best_week(duals, link) for pricer in pricers]
        pairs = list(zip(pricers, priced, strict=True))
        lagrangian = value + sum(p.n * min(0.0, low) for p, (low, _, _) in pairs)
        added = 0
        for pricer, (_, reduced, week) in pairs:
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
        integer = highspy.HighsVarType.kInteger
        kinds = master.getLp().integrality_
        integers = np.array([j for j, kind in enumerate(kinds) if kind == integer], dtype=np.int32)
        set_integrality(master, integers, highspy.HighsVarType.kContinuous)
        run_optimal(master, "the programme's relaxation")
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
        pricers = []
        for k, agents in enumerate(classes):
            pricers.append(Pricer(week, agents, Path(folder), k, master.getNumRow()))
            master.addRow(-INF, float(len(agents)), 0, np.array([], dtype=np.int32), np.array([]))
        print(f"{len(week.run.agents)} agents in {len(classes)} classes; generating weeks")
        bound = generate(master, pricers, link, offset, width)
        print(f"Dantzig-Wolfe bound over the agents' weeks: {bound:,.2f}", flush=True)

        programme = quiet_highs(path)
        solve_integer(programme, args.seconds, offset, "programme with its integers")
        weeks = np.arange(width, master.getNumCol(), dtype=np.int32)
        set_integrality(master, np.concatenate([integers, weeks]), integer)
        solve_integer(master, args.seconds, offset, "price and branch over the weeks generated")


if __name__ == "__main__":
    main()
