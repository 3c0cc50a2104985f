"""Solvers: run a PuLP problem on HiGHS or CBC and report how well it was solved.

HiGHS (through highspy) is used when asked for and importable, always with one
thread: with one thread and a stop on the optimality gap, the same problem gives
the same solution on every run. A stop on the time limit depends on the speed of
the machine and its load, so its solution may differ between runs;
`SolveResult.stopped_by` says which stop it was.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import os
import re
import signal
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pulp

from scheduling.errors import (
    InfeasibleError,
    InputError,
    NoAnswerError,
    SolverUnavailableError,
)

SOLVERS = ("highs", "cbc")

# Where solves without their own log_path send the solver's log (see `solver_log`).
_LOG_PATH: contextvars.ContextVar[Path | None] = contextvars.ContextVar("log_path", default=None)

# Ctrl-C state of the enclosing `interruptible` block, if any.
_INTERRUPT: contextvars.ContextVar[Interrupt | None] = contextvars.ContextVar(
    "interrupt", default=None
)

# Where the enclosing `solve_progress` block sends the state of watched solves.
_REPORT: contextvars.ContextVar[Callable[[SolveProgress], None] | None] = contextvars.ContextVar(
    "report", default=None
)

REPORT_SECONDS = 1.0
"""Least seconds between two reports of one solve (a new best is always reported)."""

# Relative gaps at or below this count as proven optimal.
_OPTIMAL_GAP = 1e-9

# What a solve still gets once its run's budget is spent (see `solve_budget`):
# the larger of these seconds and this share of the budget.
MIN_SOLVE_SECONDS = 1.0
MIN_SOLVE_SHARE = 0.05


@dataclass(frozen=True)
class _Budget:
    end: float  # the `_clock` instant by which the block's solves should stop
    floor: float  # seconds a solve still gets past `end`


# The budget of the enclosing `solve_budget` block, if any.
_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("budget", default=None)
_clock = time.perf_counter


class Interrupted(KeyboardInterrupt):
    """Ctrl-C (`interruptible`) stopped a solve before it had any solution."""


@dataclass(frozen=True)
class SolveResult:
    """Outcome of one solve.

    Attributes:
        status: "optimal" (proven within the requested gap), "time_limit" (stopped
            by the time limit with a feasible solution), "interrupted" (Ctrl-C in an
            `interruptible` block, with the best solution so far), "feasible"
            (stopped for another reason with a feasible solution) or, for a
            schedule the shift programme gave no answer to (`planner`), "no_answer"
            (the objective is the greedy schedule's, no bound).
        objective: objective value of the solution (cost units).
        bound: proven lower bound on the objective, or None when the solver did
            not report one.
        gap: relative gap |objective - bound| / |objective| (0-1), or None.
        seconds: wall-clock solve time, seconds.
        solver: the solver actually used, "highs" or "cbc".
        notes: human-readable remarks, e.g. a fallback from HiGHS to CBC.
        stopped_by: why the solver stopped: "optimal" (gap closed), "gap" (within
            the requested relative gap), "node_limit" (a node budget; the same on
            every run), "time_limit" (the time limit; the solution may differ from
            run to run), "interrupted" (Ctrl-C) or "other".
        refined_from: the objective before a fix-and-resolve refinement
            (`scheduling.neighbourhoods`) lowered it to `objective`, else None;
            `seconds` includes the refinement.
    """

    status: str
    objective: float
    bound: float | None
    gap: float | None
    seconds: float
    solver: str
    notes: tuple[str, ...] = field(default_factory=tuple)
    stopped_by: str = "optimal"
    refined_from: float | None = None


@dataclass(frozen=True)
class SolveProgress:
    """Where a running HiGHS branch and bound stands (`solve_progress`).

    Attributes:
        best: objective of the best solution so far (cost units), or None.
        bound: proven lower bound on the objective, or None.
        gap: relative gap between them (0-1), or None.
        nodes: branch-and-bound nodes so far.
        seconds: since the solve began, seconds.
        stage: a step after the solves, in words (e.g. "repair round 3 of at
            most 40"), with `best` the plan's objective so far; "" for a solve.
    """

    best: float | None
    bound: float | None
    gap: float | None
    nodes: int
    seconds: float
    stage: str = ""


@contextlib.contextmanager
def solve_progress(report: Callable[[SolveProgress], None]):
    """Within the block, watched solves (`solve_problem(watch=True)`) call `report`.

    HiGHS calls back during branch and bound; `report` gets the state at most
    every REPORT_SECONDS, and at once on each better solution. It runs inside
    the solver: keep it quick, and let it not raise.
    """
    token = _REPORT.set(report)
    try:
        yield
    finally:
        _REPORT.reset(token)


def report_progress(state: SolveProgress) -> None:
    """Send `state` to the enclosing `solve_progress` block, if any (for steps that
    are not one solve, such as the repair's rounds)."""
    report = _REPORT.get()
    if report is not None:
        report(state)


@contextlib.contextmanager
def solver_log(path: Path | None):
    """Within the block, every `solve_problem` without a log_path logs to `path`.

    The scheduler solves several programmes (shifts, assignment per site,
    coverage); this sends all their logs to one file without threading the path
    through each. None: no log.
    """
    token = _LOG_PATH.set(None if path is None else Path(path))
    try:
        yield
    finally:
        _LOG_PATH.reset(token)


@dataclass
class Interrupt:
    """Ctrl-C presses within an `interruptible` block.

    Attributes:
        pending: a press not yet acted on: the solve in progress stops at its
            next check with the best solution it has.
        presses: presses so far.
        interrupted: some solve of the block was stopped early.
    """

    pending: bool = False
    presses: int = 0
    interrupted: bool = False


@contextlib.contextmanager
def interruptible() -> Iterator[Interrupt]:
    """Within the block, Ctrl-C stops the HiGHS solve in progress, keeping its best solution.

    The first presses each stop the solve then running (its result says
    "interrupted"); from the third on, Ctrl-C interrupts Python as usual. Outside
    the main thread, or for CBC, it does nothing.
    """
    state = Interrupt()
    if threading.current_thread() is not threading.main_thread():
        yield state
        return
    previous = signal.getsignal(signal.SIGINT)

    def press(signum: int, frame: object) -> None:
        state.presses += 1
        state.pending = True
        if state.presses >= 2:
            signal.signal(signal.SIGINT, previous)

    signal.signal(signal.SIGINT, press)
    token = _INTERRUPT.set(state)
    try:
        yield state
    finally:
        _INTERRUPT.reset(token)
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def solve_budget(seconds: float):
    """Within the block, all `solve_problem` calls together stop within `seconds`.

    A run solves several programmes (shifts, assignment per site, coverage, extra
    shifts), each with its own time limit; inside this block each gets the smaller
    of its limit and the time left of `seconds` since the block began. Once that
    is spent a solve still gets max(MIN_SOLVE_SECONDS, MIN_SOLVE_SHARE * seconds),
    so that it can still find a solution. Blocks nest: an inner block never
    outlasts the outer one.

    Args:
        seconds: the budget, seconds of wall-clock time (> 0).
    """
    outer = _BUDGET.get()
    end = _clock() + seconds
    budget = _Budget(
        end=end if outer is None else min(end, outer.end),
        floor=max(MIN_SOLVE_SECONDS, MIN_SOLVE_SHARE * seconds),
    )
    token = _BUDGET.set(budget)
    try:
        yield
    finally:
        _BUDGET.reset(token)


def time_left(time_limit_seconds: float) -> float:
    """A solve's own limit, capped at what is left of the enclosing budget."""
    budget = _BUDGET.get()
    if budget is None:
        return time_limit_seconds
    left = max(budget.end - _clock(), budget.floor)
    return min(time_limit_seconds, left)


def stop_asked() -> bool:
    """Whether Ctrl-C has stopped, or is stopping, a solve of the enclosing
    `interruptible` block: later optional steps should not start."""
    state = _INTERRUPT.get()
    return state is not None and (state.pending or state.interrupted)


def stop_insisted() -> bool:
    """Whether Ctrl-C was pressed twice or more within the enclosing `interruptible`
    block: work that builds an answer after a stopped solve should end too."""
    state = _INTERRUPT.get()
    return state is not None and state.presses >= 2


def budget_spent() -> bool:
    """Whether the enclosing `solve_budget` block's time is used up (False outside one)."""
    budget = _BUDGET.get()
    return budget is not None and _clock() >= budget.end


def available_solvers() -> tuple[str, ...]:
    """Names of the solvers that can run here, from `("highs", "cbc")`."""
    found = []
    if highs_importable():
        found.append("highs")
    if _cbc_backend(time_limit_seconds=1.0, gap=0.0, log_path=None) is not None:
        found.append("cbc")
    return tuple(found)


def solve_problem(
    problem: pulp.LpProblem,
    *,
    solver: str,
    time_limit_seconds: float,
    gap: float,
    node_limit: int | None = None,
    log_path: Path | None = None,
    watch: bool = False,
) -> SolveResult:
    """Solve a PuLP minimisation or maximisation in place and report how well.

    Args:
        problem: the problem; its variables receive the solution.
        solver: "highs" or "cbc"; HiGHS falls back to CBC, with a note, when
            highspy is not installed.
        time_limit_seconds: wall-clock limit, seconds; inside a `solve_budget`
            block, at most what is left of that budget.
        gap: relative optimality gap at which to stop, 0-1.
        node_limit: most branch-and-bound nodes (HiGHS only; CBC ignores it), a
            budget that, unlike time, stops every run at the same place.
        log_path: file the solver's own log is appended to; None: the file of
            the enclosing `solver_log` block, if any. Nothing reaches stdout.
        watch: report the solve's progress to the enclosing `solve_progress`
            block, if any (HiGHS only).

    Returns:
        Status, objective, bound, gap, seconds, the solver used and the stop.

    Raises:
        InputError: unknown solver, non-positive time limit or gap outside [0, 1).
        SolverUnavailableError: no usable solver, or the solver failed to run.
        NoAnswerError: a limit (time, nodes) stopped the solver before any
            solution, not proven infeasible.
        Interrupted: Ctrl-C (`interruptible`) stopped it before it found any.
        InfeasibleError: the programme has no solution, or the solver failed
            without one.
    """
    _check_settings(solver, time_limit_seconds, gap)
    limit = time_left(time_limit_seconds)
    notes: list[str] = []
    log_path = _LOG_PATH.get() if log_path is None else log_path
    if not problem.variables():
        # Nothing to decide (e.g. no demand anywhere); solvers reject empty models.
        constant = float(problem.objective.constant) if problem.objective is not None else 0.0
        return SolveResult("optimal", constant, constant, 0.0, 0.0, solver, ())
    if solver == "highs" and not highs_importable():
        notes.append("highspy is not installed; solved with CBC instead (pip install highspy)")
        solver = "cbc"
    with tempfile.TemporaryDirectory(prefix="wfm-cbc-") as tmp:
        cbc_log = Path(tmp) / "cbc.log"
        backend = _backend(
            solver,
            time_limit_seconds=limit,
            gap=gap,
            node_limit=node_limit,
            cbc_log=cbc_log,
            log_path=log_path,
            fell_back=bool(notes),
        )
        if watch and isinstance(backend, _HiGHS):
            backend.offset = float(problem.objective.constant) if problem.objective else 0.0
        seconds = _run(problem, backend, solver)
        pressed = mark_interrupted()
        log = cbc_log.read_text(errors="replace") if cbc_log.exists() else ""
        if log and log_path is not None:
            with open(log_path, "a", encoding="utf-8") as handle:
                handle.write(log)
    if problem.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        if pressed:
            raise Interrupted  # Ctrl-C before any solution: nothing to keep
        left = (
            f"; {limit:.3g} s of it were left for this solve" if limit < time_limit_seconds else ""
        )
        if problem.status == pulp.LpStatusInfeasible:
            raise InfeasibleError(
                f"scheduling: the {solver} solver found that no solution meets the hard "
                "limits (Infeasible)"
            )
        if problem.status != pulp.LpStatusNotSolved:  # a failure, not a limit
            raise InfeasibleError(
                f"scheduling: the {solver} solver stopped without a solution "
                f"({pulp.LpStatus[problem.status]})"
            )
        if _node_limited(problem, solver):
            raise NoAnswerError(
                f"scheduling: the {solver} solver stopped without a solution after "
                f"node_limit {node_limit} branch-and-bound nodes; raise scheduling.node_limit",
                stopped_by="node_limit",
            )
        raise NoAnswerError(
            f"scheduling: the {solver} solver stopped without a solution "
            f"({pulp.LpStatus[problem.status]}); raise scheduling.time_limit_seconds "
            f"(now {time_limit_seconds:g}{left})"
        )
    objective = float(pulp.value(problem.objective) or 0.0)
    if solver == "highs":
        status, bound = _highs_outcome(problem, objective)
    else:
        status, bound = _cbc_outcome(problem, objective, log)
    relative = None if bound is None else relative_gap(objective, bound)
    return SolveResult(
        status=status,
        objective=objective,
        bound=bound,
        gap=relative,
        seconds=seconds,
        solver=solver,
        notes=tuple(notes),
        stopped_by=stop_of(status, relative),
    )


def _node_limited(problem: pulp.LpProblem, solver: str) -> bool:
    """Whether HiGHS's last solve of `problem` ended at its node limit."""
    highs = getattr(problem, "solverModel", None) if solver == "highs" else None
    return highs is not None and highs_status(highs.getModelStatus(), "") == "node_limit"


def solve_if_time(
    problem: pulp.LpProblem,
    *,
    solver: str,
    time_limit_seconds: float,
    gap: float,
    node_limit: int | None = None,
) -> SolveResult | None:
    """`solve_problem`, or None when it stopped without any solution: for a
    programme to which doing nothing is an answer (extra shifts, a repair),
    solved late in a run whose time may be spent."""
    try:
        return solve_problem(
            problem,
            solver=solver,
            time_limit_seconds=time_limit_seconds,
            gap=gap,
            node_limit=node_limit,
        )
    except InfeasibleError:
        return None


def mark_interrupted() -> bool:
    """After a solve: a pending Ctrl-C has now been acted on (`interruptible`).

    Returns:
        Whether one was pending, i.e. whether this solve was stopped by Ctrl-C.
    """
    stopped = _INTERRUPT.get()
    if stopped is None or not stopped.pending:
        return False
    stopped.pending = False
    stopped.interrupted = True
    return True


def use_log(highs: object) -> None:
    """Send a highspy model's log to the enclosing `solver_log` file, if any."""
    path = _LOG_PATH.get()
    if path is None:
        return
    highs.setOptionValue("output_flag", True)
    highs.setOptionValue("log_to_console", False)
    highs.setOptionValue("log_file", str(path))


def _check_settings(solver: str, time_limit_seconds: float, gap: float) -> None:
    if solver not in SOLVERS:
        raise InputError(f"scheduling: solver must be one of {', '.join(SOLVERS)}, got {solver!r}")
    if not time_limit_seconds > 0:
        raise InputError("scheduling: time_limit_seconds must be > 0")
    if not 0 <= gap < 1:
        raise InputError(f"scheduling: gap must be in [0, 1), got {gap}")


def _run(problem: pulp.LpProblem, backend: pulp.LpSolver, solver: str) -> float:
    """Solve in place; the wall-clock seconds it took."""
    began = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            problem.solve(backend)
    except pulp.PulpSolverError as error:
        raise SolverUnavailableError(
            f"scheduling: solver {solver!r} failed to run ({error}); try the other solver"
        ) from None
    return time.perf_counter() - began


def _backend(
    solver: str,
    *,
    time_limit_seconds: float,
    gap: float,
    node_limit: int | None,
    cbc_log: Path,
    log_path: Path | None,
    fell_back: bool,
) -> pulp.LpSolver:
    """The PuLP solver to run: HiGHS (its log to `log_path`, if any), or CBC (its log
    to `cbc_log`, which the caller reads for the bound and copies to `log_path`).

    Raises:
        SolverUnavailableError: CBC is asked for (or HiGHS `fell_back` to it) and
            cannot run.
    """
    if solver == "highs":
        extra = {} if node_limit is None else {"mip_max_nodes": int(node_limit)}
        return _HiGHS(
            log_path=log_path,
            msg=False,
            timeLimit=time_limit_seconds,
            gapRel=gap,
            threads=1,
            **extra,
        )
    backend = _cbc_backend(time_limit_seconds=time_limit_seconds, gap=gap, log_path=cbc_log)
    if backend is None:
        raise SolverUnavailableError(
            "scheduling: solver: CBC is not available"
            + (" and highspy is not installed" if fell_back else "")
            + '; install highspy (solver = "highs") or CBC (pip install pulp[cbc])'
        )
    return backend


def stop_of(status: str, gap: float | None) -> str:
    """`SolveResult.stopped_by` of a solve that ended with `status` at `gap`."""
    if status in ("time_limit", "node_limit", "interrupted"):
        return status
    if status != "optimal":
        return "other"
    return "optimal" if gap is None or gap <= _OPTIMAL_GAP else "gap"


class _HiGHS(pulp.HiGHS):  # type: ignore[misc]
    """PuLP's HiGHS: silent on stdout, logging to a file if asked, reading the node stop."""

    def __init__(self, *, log_path: Path | None = None, **options: object) -> None:
        super().__init__(**options)
        self.log_path = log_path
        self.offset: float | None = None  # watched: the objective's constant

    def createAndConfigureSolver(self, lp: pulp.LpProblem) -> None:
        # highspy prints its banner on stdout when the first Highs() of a process
        # is made, before any option can silence it: that would corrupt piped CSV.
        with _stdout_silenced():
            super().createAndConfigureSolver(lp)
        watch(lp.solverModel, offset=self.offset)
        if self.log_path is not None:
            highs = lp.solverModel
            highs.setOptionValue("output_flag", True)
            highs.setOptionValue("log_to_console", False)
            highs.setOptionValue("log_file", str(self.log_path))

    def findSolutionValues(self, lp: pulp.LpProblem) -> tuple[int, int]:
        found = lp.solverModel.getInfo().primal_solution_status == 2  # feasible
        try:
            status = super().findSolutionValues(lp)
        except KeyError:
            # PuLP 3.3 maps no status for this stop; it has read the values already.
            status = pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible
        if found or status[0] == pulp.LpStatusInfeasible:
            return status
        # PuLP 3.3 reads an interrupt (Ctrl-C) before any solution as one, of zeros;
        # a limit or Ctrl-C is "not solved" (no answer), anything else a failure
        model_status = lp.solverModel.getModelStatus()
        stop = highs_status(model_status, otherwise="")
        if stop in ("time_limit", "node_limit", "interrupted") or "Limit" in str(model_status):
            return pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound
        return pulp.LpStatusUndefined, pulp.LpSolutionNoSolutionFound


def watch(highs: object, *, offset: float | None = None) -> None:
    """Let a pending Ctrl-C (`interruptible`) stop this HiGHS run at its next check,
    and, given the objective's constant `offset`, report its progress to the
    enclosing `solve_progress` block."""
    state = _INTERRUPT.get()
    report = None if offset is None else _REPORT.get()
    if state is None and report is None:
        return
    import highspy

    kinds = highspy.cb.HighsCallbackType
    improving = int(kinds.kCallbackMipImprovingSolution)
    last = [-math.inf]

    def check(kind: object, message: str, data_out: object, data_in: object, user: object) -> None:
        if state is not None and state.pending and data_in is not None:
            data_in.user_interrupt = True
        if report is None or data_out is None:
            return
        now = float(data_out.running_time)
        if int(kind) != improving and now - last[0] < REPORT_SECONDS:
            return
        last[0] = now
        report(_progress(data_out, offset or 0.0))

    highs.setCallback(check, None)
    for kind in ("kCallbackMipInterrupt", "kCallbackSimplexInterrupt", "kCallbackIpmInterrupt"):
        highs.startCallback(getattr(kinds, kind))
    if report is not None:
        highs.startCallback(kinds.kCallbackMipImprovingSolution)


def _progress(data: object, offset: float) -> SolveProgress:
    best = float(data.mip_primal_bound)
    bound = float(data.mip_dual_bound)
    best_or_none = best + offset if math.isfinite(best) else None
    bound_or_none = bound + offset if math.isfinite(bound) else None
    gap = None
    if best_or_none is not None and bound_or_none is not None:
        gap = relative_gap(best_or_none, bound_or_none)
    return SolveProgress(
        best=best_or_none,
        bound=bound_or_none,
        gap=gap,
        nodes=int(data.mip_node_count),
        seconds=float(data.running_time),
    )


@contextlib.contextmanager
def _stdout_silenced():
    """Send what C code writes to file descriptor 1 to the null device meanwhile."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def highs_importable() -> bool:
    try:
        import highspy  # noqa: F401
    except ImportError:
        return False
    return True


def _cbc_backend(
    *, time_limit_seconds: float, gap: float, log_path: Path | None
) -> pulp.LpSolver | None:
    """CBC bundled with PuLP (deprecated in PuLP 4), else a CBC on the PATH, else None."""
    options = {
        "msg": False,
        "timeLimit": time_limit_seconds,
        "gapRel": gap,
        "threads": 1,
        "logPath": None if log_path is None else str(log_path),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for kind in ("PULP_CBC_CMD", "COIN_CMD"):
            factory = getattr(pulp, kind, None)
            if factory is None:
                continue
            backend = factory(**options)
            if backend.available():
                return backend
    return None


def highs_status(model_status: object, otherwise: str = "feasible") -> str:
    """A HiGHS model status as `SolveResult.status`: "optimal", "time_limit",
    "node_limit", "interrupted", else `otherwise`."""
    import highspy

    return {
        highspy.HighsModelStatus.kOptimal: "optimal",
        highspy.HighsModelStatus.kTimeLimit: "time_limit",
        highspy.HighsModelStatus.kSolutionLimit: "node_limit",
        highspy.HighsModelStatus.kInterrupt: "interrupted",
    }.get(model_status, otherwise)


def _highs_outcome(problem: pulp.LpProblem, objective: float) -> tuple[str, float | None]:
    highs = problem.solverModel
    status = highs_status(highs.getModelStatus())
    if not problem.isMIP():
        # A pure LP solved to optimality is its own bound; HiGHS has no MIP bound.
        return status, (objective if status == "optimal" else None)
    bound = dual_bound(problem)
    if bound is None:
        bound = objective if status == "optimal" else None
    return status, bound


def dual_bound(problem: pulp.LpProblem) -> float | None:
    """HiGHS's proven bound on a MIP after its last solve of `problem` (below every
    solution of a minimisation), whether or not that solve found a solution: a
    solve stopped by its node or time limit before its first schedule still
    proves one. None when the last solve was not HiGHS's on a MIP or left no
    finite bound.
    """
    highs = getattr(problem, "solverModel", None)
    if highs is None or not hasattr(highs, "getInfo") or not problem.isMIP():
        return None
    info = highs.getInfo()
    sense = -1 if problem.sense == pulp.LpMaximize else 1
    # PuLP does not hand the objective's constant to HiGHS; add it back.
    constant = float(problem.objective.constant) if problem.objective is not None else 0.0
    bound = sense * float(info.mip_dual_bound) + constant
    return bound if math.isfinite(bound) else None


def _cbc_outcome(problem: pulp.LpProblem, objective: float, log: str) -> tuple[str, float | None]:
    result = re.search(r"^Result - (.*)$", log, flags=re.MULTILINE)
    text = result.group(1) if result else ""
    if problem.sol_status == pulp.LpSolutionOptimal:
        status = "optimal"
    elif "time" in text.lower():
        status = "time_limit"
    else:
        status = "feasible"
    found = re.search(r"^(?:Lower|Upper) bound:\s*(\S+)", log, flags=re.MULTILINE)
    if found:
        try:
            return status, float(found.group(1))
        except ValueError:
            pass
    if status == "optimal" and "gap" not in text.lower():
        return status, objective
    return status, None


def relative_gap(objective: float, bound: float) -> float:
    spread = abs(objective - bound)
    if spread <= 1e-9 * max(1.0, abs(objective)):
        return 0.0
    return spread / max(abs(objective), 1e-9)


def new_highs() -> object:
    """An empty, silent, single-threaded highspy model (its banner kept off stdout)."""
    if not highs_importable():
        raise SolverUnavailableError("scheduling: highspy is needed here (pip install highspy)")
    import highspy

    with _stdout_silenced():
        highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    watch(highs)
    return highs


def highs_model(problem: pulp.LpProblem, *, mip: bool) -> object:
    """A silent, single-threaded highspy model of a PuLP problem, not yet solved.

    Each variable's `index` and each constraint's `index` give its column and
    row (PuLP's own numbering). With `mip` False the integers are relaxed.
    Callers add rows and columns and run it themselves (column generation).

    Raises:
        SolverUnavailableError: highspy is not installed.
        ValueError: the problem is a maximisation.
    """
    if problem.sense == pulp.LpMaximize:
        raise ValueError("highs_model: minimisation only")
    if not highs_importable():
        raise SolverUnavailableError("scheduling: highspy is needed here (pip install highspy)")
    backend = _HiGHS(mip=mip, msg=False, threads=1)
    backend.createAndConfigureSolver(problem)
    backend.buildSolverModel(problem)
    return problem.solverModel
