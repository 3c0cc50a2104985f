"""Refine the shift programme's answer a day and a half at a time (fix-and-resolve).

After the programme's solve, each step fixes the agents (per skill group and
class) and breaks of every shift that does not start in one window of `WIDTH`
at the answer's values; HiGHS solves the rest (those shifts, and the days-off
and tour variables of every week) from the answer (`scheduling.neighbourhoods`).
Windows start every `STRIDE` from `WIDTH - STRIDE` before the horizon, so
consecutive windows overlap and a shift over midnight is free with both of its
days. The bound is the programme's solve's: a step only lowers the objective.

With a roster the programme's rows per skill group and class are necessary,
not exact, and a cheaper answer can make a worse schedule once named agents
take its shifts (on the example week: 25,087 against 26,439 in the programme,
28,721 against 26,760 on the final schedule, `benchmarks/refine.py`). There
the planner passes a `judge` (`planner._refined`, with up to 200 roster agents): a step
is kept only when the schedule the assignment makes of the new answer is
worth less too.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import pandas as pd
import pulp

from scheduling.columns import SHIFT_ID, START
from scheduling.neighbourhoods import Step, improve_by_neighbourhoods
from scheduling.shifts.model import ShiftModel
from scheduling.solver import (
    SolveProgress,
    SolveResult,
    relative_gap,
    report_progress,
    stop_asked,
)

WIDTH = pd.Timedelta(hours=36)
"""The shifts one step frees: those starting within this of each other (on the
example week a step over 36 hours solves at its root in 2-10 s)."""
STRIDE = pd.Timedelta(hours=24)
"""Windows start this far apart."""
STEP_NODE_LIMIT = 20
"""Branch-and-bound nodes of one step: the same steps on every run."""


def refined(
    model: ShiftModel, result: SolveResult, *, judge: Callable[[], float] | None = None
) -> SolveResult:
    """The solved programme with its answer improved window by window (module docstring).

    Args:
        model: a solved `ShiftModel`; its variables receive the better answer.
        result: its solve's result.
        judge: what the answer in `model`'s variables is worth as a plan (e.g.
            the objective of the schedule named agents make of it), lower is
            better: a step that lowers the programme's objective is kept only
            when it lowers this too. None: every such step is kept.

    Returns:
        `result` with the objective, gap and seconds of the answer left in
        `model` and `refined_from` the solve's objective; `result` itself when
        nothing was lowered or there is nothing to do (HiGHS not used,
        `programme_passes` 0, the solve already within its gap, Ctrl-C pressed,
        or no shift).
    """
    options = model.options
    if result.solver != "highs" or options.programme_passes == 0 or result.status == "optimal":
        return result
    if stop_asked():  # Ctrl-C stopped the solve: assign its answer as it is
        return result
    parts = window_variables(model)
    if not parts:
        return result

    def report(step: Step) -> None:
        stage = f"refining the shift programme, window {step.done} of at most {step.total}"
        bound = result.bound
        gap = None if bound is None else relative_gap(step.objective, bound)
        report_progress(SolveProgress(step.objective, bound, gap, 0, step.seconds, stage))

    began = time.perf_counter()
    objective, lowered = improve_by_neighbourhoods(
        model.problem,
        parts,
        passes=options.programme_passes,
        node_limit=STEP_NODE_LIMIT,
        time_limit_seconds=options.time_limit_seconds,
        on_step=report,
        accept=None if judge is None else _Lower(judge),
    )
    if lowered == 0:
        return result
    gap = None if result.bound is None else relative_gap(objective, result.bound)
    return dataclasses.replace(
        result,
        objective=objective,
        gap=gap,
        seconds=result.seconds + time.perf_counter() - began,
        refined_from=result.objective,
    )


class _Lower:
    """Accepts an answer when `judge` finds it worth less than every one before."""

    def __init__(self, judge: Callable[[], float]) -> None:
        self.judge = judge
        self.best = judge()

    def __call__(self) -> bool:
        value = self.judge()
        if value < self.best - 1e-9 * max(1.0, abs(self.best)):
            self.best = value
            return True
        return False


def window_variables(model: ShiftModel) -> list[list[pulp.LpVariable]]:
    """Per window of `WIDTH` (every `STRIDE`) that some shift starts in, the
    agents, class and breaks variables of the shifts that start outside it."""
    starts = dict(zip(model.shifts[SHIFT_ID], model.shifts[START], strict=True))
    of_shift: dict[str, list[pulp.LpVariable]] = {}
    for (shift_id, _), var in model.x.items():
        of_shift.setdefault(shift_id, []).append(var)
    for (shift_id, _, _), var in model.breaks.items():
        of_shift.setdefault(shift_id, []).append(var)
    for (shift_id, _), classes in model.classes.items():
        of_shift.setdefault(shift_id, []).extend(var for _, var in classes)
    if not of_shift:
        return []
    first = min(starts[s] for s in of_shift)
    last = max(starts[s] for s in of_shift)
    out = []
    begin = first - (WIDTH - STRIDE)
    while begin <= last:
        end = begin + WIDTH
        outside = [s for s in of_shift if not begin <= starts[s] < end]
        if len(outside) < len(of_shift):
            out.append([var for s in outside for var in of_shift[s]])
        begin += STRIDE
    return out
