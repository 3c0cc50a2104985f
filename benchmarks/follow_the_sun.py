"""A follow-the-sun week scheduled by wfm, and its covering-only core beside pyworkforce.

Run: python benchmarks/follow_the_sun.py [--quick] [--time-limit 60] [--gap 0.01]
        [--volume-factor 7] [--shortfall-penalty 1000] [--highs-log PATH] [--json PATH]
        [--peers-python PATH] [--no-cover]

Instance (built at run time, deterministically, from the example company):

- Requirements: the example's history (`examples/company/tickets.csv.gz`, events,
  US holidays) forecast by `forecasting.forecast.forecast_volume` (model
  `seasonal`) for the week after it ends, Monday 2026-11-23 00:00 New York time:
  Thanksgiving week, during the announced "Workflows GA" launch. Volume is scaled
  by the library's own what-if scenario (`growth`, default +600 %: 7x the
  example's contacts), then staffed per queue by
  `scheduling.staffing.requirements.staff_requirements` with the example's queue settings
  (Erlang C for phone, chat with concurrency 2, email as deferred work,
  shrinkage 25-30 %). Scaling the volume before staffing, not the staff after,
  keeps Erlang's economies of scale. 7x rather than 5x: at 5x the week needs
  about 105 agents; at 7x about 165, the size this benchmark is meant to have.
- 15-minute intervals (672 per queue; `--quick`: 60-minute intervals and start
  step, 168 per queue), three queues (phone, chat, email), all served by every site.
- Sites: the example's three, with caps scaled up: Austin (America/Chicago,
  07:00-19:00 Monday to Friday, 8 h shifts, 50 agents, 32/h, closed on US
  holidays, so on Thanksgiving), Dublin (Europe/Dublin, 08:00-20:00 Monday to
  Friday, 8 h, 40 agents, 28/h, Irish holidays) and Manila (Asia/Manila, round
  the clock, 8 or 9 h, 80 agents, 12/h). 170 agents in all. Shifts start every
  15 minutes (`--quick`: 60).
- Rules: a 30-minute break in shifts of 6 h or more (its start chosen by the
  programme in the middle third of the shift), at most 5 days and 45 hours a
  week, two consecutive days off, 11 h rest, a cyclic week, anonymous agents
  (no roster). Shortfall costs 1000 per agent-hour and surplus 0.01, as in the
  example.

It is solved by `scheduling.shifts.planner.schedule_requirements` with HiGHS (one
thread) and the given time limit and gap. The planner's steps are timed by
wrapping the functions it calls (shift generation, model build, solve,
assignment, coverage); the wrapped model gives the programme's size and its own
shortfall. "Short" is agent-hours below the requirement in the final coverage;
"unfilled" is agent-shifts the programme chose that the assignment could not
give to any of a site's agents under the rest, days-off and hours rules.

`--highs-log PATH` solves with HiGHS's log on (written to PATH) and reads it:
the root LP bound, the bound after the root cuts, each new incumbent (time and
the heuristic that found it), when the first solution within the gap appeared,
and which of bound and incumbent came within the gap last (that one closed it).
Log values are shifted by the objective's constant, which PuLP does not pass to
HiGHS. The largest shortfalls the programme itself accepted are listed with
their New York time: with a fractional requirement, the last fraction of an
agent in one 15-minute interval can cost less short (1000 x 0.25 h x fraction)
than a whole shift (`--shortfall-penalty` changes the price).

Covering-only core (`--no-cover` skips it): the same candidate shifts, no
breaks, no headcount, rest or days-off rows; per interval the requirement is
the whole number of agents that covers all three queues (the ceiling of their
sum: every site serves every queue, so one cover row per interval); every
interval must be covered; cost = paid hours x the site's rate (whole numbers).
wfm solves it with `scheduling.shifts.model.build_model` on one queue, the sites
without `max_agents`, no surplus cost and a shortfall penalty of 100,000 per
agent-hour (a relaxation of "cover every interval"; the script checks that
nothing is short) at gap 0. pyworkforce 0.5 solves the same shift vectors with
`MinRequiredResources` (CP-SAT, 2 workers, the same time limit), the week being
its one day of 672 periods, in its own venv (`benchmarks/pyworkforce_cover.py`;
ortools clashes with highspy in one process): `--peers-python`,
$WFM_PEERS_PYTHON, or `../venv-peers` / `../peers` beside the checkout.
Both solutions are checked here against the exported vectors: cost recomputed,
every interval covered.

Timing is wall-clock on whatever else the machine runs; no result asserts a time.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import contextlib
import dataclasses
import json
import math
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import scheduling.shifts.planner as planner  # noqa: E402
import scheduling.solver as solver_module  # noqa: E402
from forecasting.forecast import forecast_volume  # noqa: E402
from scheduling.columns import (  # noqa: E402  # noqa: E402
    AGENTS_SCHEDULED,
    END,
    INTERVAL_START,
    PAID_HOURS,
    QUEUE,
    SHIFT_ID,
    SITE,
    START,
)
from scheduling.shifts.model import build_model  # noqa: E402
from scheduling.shifts.options import ScheduleOptions  # noqa: E402
from scheduling.shifts.sites import Site  # noqa: E402
from scheduling.shifts.templates import generate_shifts  # noqa: E402
from scheduling.solver import solve_problem  # noqa: E402
from scheduling.staffing.requirements import staff_requirements  # noqa: E402
from wfm import readers  # noqa: E402
from wfm.app import ForecastRequest, load_history  # noqa: E402
from wfm.config import load_config  # noqa: E402
from wfm.options import HistoryOptions  # noqa: E402

EXAMPLE = ROOT / "examples" / "company"
PEER_SCRIPT = ROOT / "benchmarks" / "pyworkforce_cover.py"
QUEUES = ("phone", "chat", "email")
WEEKDAYS = (0, 1, 2, 3, 4)
COVER_QUEUE = "cover"
COVER_SHORTFALL_PENALTY = 100_000.0  # per agent-hour: far above any shift's cost
PEER_WORKERS = 2
TOLERANCE = 1e-6


def week_requirements(*, interval_minutes: int, volume_factor: float) -> pd.DataFrame:
    """The example's first forecast week at `volume_factor` x its volume, staffed.

    Returns:
        `interval_start` (UTC), `queue`, `agents_scheduled` (agents on shift
        needed, fractional), one row per queue and interval, sorted.
    """
    config = load_config(EXAMPLE / "wfm.toml")
    request = ForecastRequest(
        history=EXAMPLE / "tickets.csv.gz",
        options=HistoryOptions(events=EXAMPLE / "events.csv", interval=interval_minutes),
    )
    history, interval, tz = load_history(request, config)
    events = readers.read_events(request.options.events, tz=tz)
    result = forecast_volume(
        history,
        horizon=7 * 24 * 60 // interval,
        interval_minutes=interval,
        timezones=config.queue_timezones(),
        default_aht=config.queue_aht(),
        level=config.forecast.level,
        events=events,
        country=config.forecast.country,
        model=config.forecast.model,
        growth=volume_factor - 1,
    )
    staffed = staff_requirements(result.forecast, config.queues, interval_minutes=interval)
    frame = staffed[[INTERVAL_START, QUEUE, AGENTS_SCHEDULED]]
    return frame.sort_values([QUEUE, INTERVAL_START], ignore_index=True)


def instance_sites(step_minutes: int) -> list[Site]:
    """Austin, Dublin and Manila as in examples/company/wfm.toml, caps raised to 170 in all."""
    common = {"queues": QUEUES, "start_step_minutes": step_minutes}
    return [
        Site(
            name="Austin",
            timezone="America/Chicago",
            open_minutes=7 * 60,
            close_minutes=19 * 60,
            days=WEEKDAYS,
            shift_hours=(8.0,),
            max_agents=50,
            cost_per_hour=32.0,
            holidays="US",
            **common,
        ),
        Site(
            name="Dublin",
            timezone="Europe/Dublin",
            open_minutes=8 * 60,
            close_minutes=20 * 60,
            days=WEEKDAYS,
            shift_hours=(8.0,),
            max_agents=40,
            cost_per_hour=28.0,
            holidays="IE",
            **common,
        ),
        Site(
            name="Manila",
            timezone="Asia/Manila",
            open_minutes=0,
            close_minutes=1440,
            days=tuple(range(7)),
            shift_hours=(8.0, 9.0),
            max_agents=80,
            cost_per_hour=12.0,
            **common,
        ),
    ]


def instance_options(
    *, interval_minutes: int, time_limit: float, gap: float, shortfall_penalty: float = 1000.0
) -> ScheduleOptions:
    return ScheduleOptions(
        interval_minutes=interval_minutes,
        solver="highs",
        time_limit_seconds=time_limit,
        gap=gap,
        shortfall_penalty=shortfall_penalty,
        surplus_penalty=0.01,
        max_days_per_week=5,
        consecutive_days_off=2,
        min_rest_hours=11.0,
        max_hours_per_week=45.0,
        cyclic=True,
        break_minutes=30,
        break_after_hours=6.0,
    )


# --- the full instance through the planner ------------------------------------------


@contextlib.contextmanager
def timed_planner(record: dict, log: Path | None = None) -> Iterator[None]:
    """Time each step `schedule_requirements` calls; keep the built model and shifts.

    With `log`, HiGHS logs the shift programme's solve (only) to that file.
    """
    originals = {
        name: getattr(planner, name)
        for name in ("generate_shifts", "build_model", "solve", "assign_agents", "coverage_frame")
    }

    def wrap(name, function):
        def timed(*args, **kwargs):
            began = time.perf_counter()
            with highs_logging(log if name == "solve" else None):
                out = function(*args, **kwargs)
            record[f"{name}_seconds"] = time.perf_counter() - began
            if name in ("generate_shifts", "build_model"):
                record[name] = out
            return out

        return timed

    for name, function in originals.items():
        setattr(planner, name, wrap(name, function))
    try:
        yield
    finally:
        for name, function in originals.items():
            setattr(planner, name, function)


@contextlib.contextmanager
def highs_logging(path: Path | None) -> Iterator[None]:
    """Make the library's HiGHS backend write its log to `path` (None: stay quiet)."""
    if path is None:
        yield
        return
    quiet = solver_module._HiGHS

    class Logged(quiet):  # type: ignore[misc, valid-type]
        def __init__(self, **options):
            options["msg"] = True
            super().__init__(log_file=str(path), log_to_console=False, **options)

    path.unlink(missing_ok=True)
    solver_module._HiGHS = Logged
    try:
        yield
    finally:
        solver_module._HiGHS = quiet


def solve_full(
    requirements: pd.DataFrame, sites: list[Site], options: ScheduleOptions, log: Path | None
) -> dict:
    """Schedule the instance; the numbers of the report."""
    record: dict = {}
    began = time.perf_counter()
    with timed_planner(record, log):
        result = planner.schedule_requirements(requirements, sites=sites, options=options)
    total = time.perf_counter() - began
    model = record["build_model"]
    problem = model.problem
    variables = problem.variables()
    hours = options.interval_minutes / 60
    schedule = result.schedule
    paid = (schedule[END] - schedule[START]).dt.total_seconds() / 3600
    rate = {site.name: site.cost_per_hour for site in sites}
    out = {
        "candidate_shifts": len(record["generate_shifts"]),
        "variables": len(variables),
        "integer_variables": sum(v.cat == "Integer" for v in variables),
        "rows": len(problem.constraints),
        "status": result.solve.status,
        "stopped_by": result.solve.stopped_by,
        "objective": result.solve.objective,
        "bound": result.solve.bound,
        "gap": result.solve.gap,
        "solve_seconds": result.solve.seconds,
        "build_seconds": record["generate_shifts_seconds"] + record["build_model_seconds"],
        "assign_seconds": record["assign_agents_seconds"],
        "coverage_seconds": record["coverage_frame_seconds"],
        "total_seconds": total,
        "agents": {
            site.name: int(schedule.loc[schedule[SITE] == site.name, "agent"].nunique())
            for site in sites
        },
        "agent_shifts": len(schedule),
        "paid_hours": float(paid.sum()),
        "paid_cost": float((paid * schedule[SITE].map(rate)).sum()),
        "short_agent_hours": float(result.coverage["shortfall"].sum() * hours),
        "programme_short_agent_hours": float(
            sum(var.varValue or 0.0 for var in model.shortfall.values()) * hours
        ),
        "programme_short_at": [
            (f"{t.tz_convert('America/New_York'):%a %Y-%m-%d %H:%M} New York", q, var.varValue)
            for (q, t), var in sorted(
                model.shortfall.items(), key=lambda item: -(item[1].varValue or 0.0)
            )[:3]
            if (var.varValue or 0.0) > TOLERANCE
        ],
        "unfilled_agent_shifts": result.unfilled_shifts,
        "required_agent_hours": float(requirements[AGENTS_SCHEDULED].sum() * hours),
        "binding": result.binding,
    }
    if log is not None and log.exists():
        out["highs"] = read_highs_log(log, constant=float(problem.objective.constant))
    return out


_PROGRESS = re.compile(
    r"^\s*(?P<src>[A-Za-z])?\s+(?P<nodes>\d+)\s+\d+\s+\d+\s+[\d.]+%\s+(?P<bound>\S+)\s+"
    r"(?P<sol>\S+)\s+(?P<gap>\S+)\s+(?P<cuts>\d+)\s+\d+\s+\d+\s+(?P<iters>\d+)\s+(?P<time>[\d.]+)s\s*$"
)


def read_highs_log(path: Path, *, constant: float) -> dict:
    """Root LP bound, root bound after cuts, incumbents over time, from a HiGHS MIP log.

    Values are in the objective's units (the constant PuLP keeps back is added).
    """
    rows = []
    for line in path.read_text(errors="replace").splitlines():
        found = _PROGRESS.match(line)
        if not found:
            continue
        bound, sol = (_number(found[k]) for k in ("bound", "sol"))
        rows.append(
            {
                "src": found["src"] or "",
                "nodes": int(found["nodes"]),
                "bound": None if bound is None else bound + constant,
                "incumbent": None if sol is None else sol + constant,
                "cuts": int(found["cuts"]),
                "lp_iterations": int(found["iters"]),
                "seconds": float(found["time"]),
            }
        )
    if not rows:
        return {}
    bounded = [r for r in rows if r["bound"] is not None]
    # Rows before the first LP solve carry a trivial bound.
    root = [r for r in bounded if r["nodes"] == 0 and r["lp_iterations"] > 0]
    incumbents = []
    for r in rows:
        if r["incumbent"] is not None and (
            not incumbents or r["incumbent"] < incumbents[-1]["incumbent"] - TOLERANCE
        ):
            incumbents.append({k: r[k] for k in ("src", "seconds", "incumbent")})
    return {
        "root_lp_bound": root[0]["bound"] if root else None,
        "root_bound_after_cuts": root[-1]["bound"] if root else None,
        "root_seconds": root[-1]["seconds"] if root else None,
        "final_bound": bounded[-1]["bound"] if bounded else None,
        "nodes": rows[-1]["nodes"],
        "incumbents": incumbents,
        "progress": rows,
    }


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def highs_story(highs: dict, *, gap: float) -> list[str]:
    """Plain-language reading of `read_highs_log`'s numbers.

    The gap was closed by whichever of bound and incumbent came within `gap`
    of the other's final value last.
    """
    if not highs or not highs["incumbents"]:
        return ["HiGHS log: no progress lines found"]
    lp, cut, final = highs["root_lp_bound"], highs["root_bound_after_cuts"], highs["final_bound"]
    best = highs["incumbents"][-1]["incumbent"]
    lines = [
        f"root LP bound {lp:,.1f} ({(best - lp) / best:.2%} below the best solution); after "
        f"root cuts {cut:,.1f} ({(best - cut) / best:.2%}, {highs['root_seconds']:.1f} s); "
        f"final {final:,.1f} ({(best - final) / best:.2%}); {highs['nodes']} nodes",
    ]
    steps = ", ".join(
        f"{i['seconds']:.1f} s {i['src']} {i['incumbent']:,.0f}" for i in highs["incumbents"]
    )
    lines.append(f"incumbents (time, heuristic, value): {steps}")
    good = next(
        (i for i in highs["incumbents"] if i["incumbent"] - final <= gap * i["incumbent"]), None
    )
    bound_at = next(
        (
            r["seconds"]
            for r in highs["progress"]
            if r["bound"] is not None and best - r["bound"] <= gap * best
        ),
        None,
    )
    lines.append(
        (
            f"first solution within {gap:.0%} of the final bound at {good['seconds']:.1f} s "
            f"({good['src']})"
            if good
            else f"no solution within {gap:.0%} of the final bound"
        )
        + (
            f"; bound within {gap:.0%} of the best solution at {bound_at:.1f} s"
            if bound_at is not None
            else f"; the bound never came within {gap:.0%} of the best solution"
        )
    )
    if good is not None and bound_at is not None:
        closer = "the incumbent" if good["seconds"] >= bound_at else "the bound"
        lines.append(f"the gap was closed by {closer} (it came within the gap last)")
    return lines


# --- the covering-only core ----------------------------------------------------------


def covering_only(
    requirements: pd.DataFrame, sites: list[Site], options: ScheduleOptions
) -> tuple[dict, dict]:
    """Solve the covering-only core with wfm; return (wfm numbers, instance for peers)."""
    hours = options.interval_minutes / 60
    totals = requirements.groupby(INTERVAL_START, sort=True)[AGENTS_SCHEDULED].sum()
    need = pd.DataFrame(
        {
            INTERVAL_START: totals.index,
            QUEUE: COVER_QUEUE,
            # Round away float noise before the ceiling: 12.0000000001 is 12.
            AGENTS_SCHEDULED: [math.ceil(round(v, 6)) for v in totals.to_numpy()],
        }
    )
    cover_sites = [
        dataclasses.replace(site, queues=(COVER_QUEUE,), max_agents=None) for site in sites
    ]
    cover_options = dataclasses.replace(
        options,
        break_minutes=0,
        consecutive_days_off=0,
        surplus_penalty=0.0,
        shortfall_penalty=COVER_SHORTFALL_PENALTY,
        gap=0.0,
    )
    start = need[INTERVAL_START].iloc[0]
    shifts = generate_shifts(
        cover_sites, start=start, end=start + pd.Timedelta(minutes=len(need) * 60 * hours)
    )
    began = time.perf_counter()
    model = build_model(need, shifts, sites=cover_sites, options=cover_options)
    built = time.perf_counter() - began
    result = solve_problem(
        model.problem,
        solver="highs",
        time_limit_seconds=options.time_limit_seconds,
        gap=0.0,
    )
    if (model.coverage["fraction"] - 1).abs().max() > TOLERANCE:
        raise SystemExit("covering-only: a shift covers part of an interval; pyworkforce cannot")
    rate = {site.name: site.cost_per_hour for site in sites}
    used = {shift_id for shift_id, _ in model.x}
    cost = {
        shift_id: paid * rate[site]
        for shift_id, site, paid in zip(
            shifts[SHIFT_ID], shifts[SITE], shifts[PAID_HOURS], strict=True
        )
        if shift_id in used
    }
    if any(abs(c - round(c)) > TOLERANCE for c in cost.values()):
        raise SystemExit("covering-only: shift costs are not whole numbers; pyworkforce needs them")
    cells = model.coverage.groupby(SHIFT_ID)["interval"].apply(lambda s: sorted(map(int, s)))
    instance = {
        "periods": len(need),
        "required": [int(r) for r in need[AGENTS_SCHEDULED]],
        "shifts": {shift_id: cells[shift_id] for shift_id in sorted(used)},
        "cost": {shift_id: round(c) for shift_id, c in sorted(cost.items())},
        "max_shift": int(need[AGENTS_SCHEDULED].max()) + 1,
        "time_limit_seconds": options.time_limit_seconds,
        "workers": PEER_WORKERS,
    }
    counts = {shift_id: round(var.varValue or 0.0) for (shift_id, _), var in model.x.items()}
    checked = check_cover(instance, counts)
    mine = {
        "shifts": len(used),
        "variables": len(model.problem.variables()),
        "rows": len(model.problem.constraints),
        "status": result.status,
        "stopped_by": result.stopped_by,
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "solve_seconds": result.seconds,
        "build_seconds": built,
        **checked,
    }
    return mine, instance


def check_cover(instance: dict, counts: dict[str, int]) -> dict:
    """Cost and uncovered intervals of shift counts, from the instance's own vectors."""
    on_duty = [0] * instance["periods"]
    for shift_id, n in counts.items():
        for i in instance["shifts"][shift_id]:
            on_duty[i] += n
    short = [
        i
        for i, (have, want) in enumerate(zip(on_duty, instance["required"], strict=True))
        if have < want
    ]
    return {
        "checked_cost": float(sum(instance["cost"][s] * n for s, n in counts.items())),
        "checked_agent_shifts": int(sum(counts.values())),
        "checked_uncovered_intervals": len(short),
    }


def peer_python(option: str | None) -> str | None:
    """An interpreter with pyworkforce: --peers-python, $WFM_PEERS_PYTHON or a venv beside us."""
    candidates = [option, os.environ.get("WFM_PEERS_PYTHON")]
    candidates += [str(ROOT.parent / name / "bin" / "python") for name in ("venv-peers", "peers")]
    return next((c for c in candidates if c and Path(c).exists()), None)


def run_pyworkforce(python: str, instance: dict, *, timeout: float) -> dict:
    """Run `pyworkforce_cover.py` in the peers interpreter; its answer, checked here."""
    with tempfile.TemporaryDirectory(prefix="wfm-peers-") as tmp:
        source, target = Path(tmp) / "in.json", Path(tmp) / "out.json"
        source.write_text(json.dumps(instance))
        began = time.perf_counter()
        try:
            done = subprocess.run(
                [python, str(PEER_SCRIPT), str(source), str(target)],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return {"status": f"killed after {timeout:g} s"}
        wall = time.perf_counter() - began
        if done.returncode != 0 or not target.exists():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            return {"status": f"failed: {last}"}
        answer = json.loads(target.read_text())
    answer["process_seconds"] = wall
    if answer["counts"]:
        answer.update(check_cover(instance, answer["counts"]))
    return answer


# --- report ---------------------------------------------------------------------------


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def print_full(full: dict, *, label: str, time_limit: float, gap: float) -> None:
    print(
        f"\n{label}: wfm schedule_requirements, HiGHS 1 thread, limit {time_limit:g} s, "
        f"gap {gap:.0%}"
    )
    print(
        f"  programme: {full['candidate_shifts']:,} candidate shifts, {full['variables']:,} "
        f"variables ({full['integer_variables']:,} integer), {full['rows']:,} rows"
    )
    rows = [
        ("objective", _fmt(full["objective"], ",.1f")),
        ("bound", _fmt(full["bound"], ",.1f")),
        ("gap", _fmt(full["gap"], ".3%")),
        ("stopped by", full["stopped_by"]),
        ("solve s", _fmt(full["solve_seconds"], ".1f")),
        ("build s (shifts + model)", _fmt(full["build_seconds"], ".1f")),
        ("assignment s", _fmt(full["assign_seconds"], ".1f")),
        ("total s", _fmt(full["total_seconds"], ".1f")),
        ("agents per site", ", ".join(f"{k} {v}" for k, v in full["agents"].items())),
        ("agents", str(sum(full["agents"].values()))),
        ("agent-shifts", f"{full['agent_shifts']:,}"),
        ("paid hours", f"{full['paid_hours']:,.0f}"),
        ("paid cost", f"{full['paid_cost']:,.0f}"),
        ("required agent-hours", f"{full['required_agent_hours']:,.1f}"),
        ("short agent-hours (schedule)", f"{full['short_agent_hours']:.2f}"),
        ("short agent-hours (programme)", f"{full['programme_short_agent_hours']:.2f}"),
        ("unfilled agent-shifts", str(full["unfilled_agent_shifts"])),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"  {key:<{width}}  {value}")
    for when, queue, agents in full["programme_short_at"]:
        print(f"  programme short: {queue} {agents:.2f} agents at {when}")
    for line in full["binding"]:
        print(f"  binding: {line}")
    if "highs" in full:
        for line in highs_story(full["highs"], gap=gap):
            print(f"  HiGHS: {line}")


def print_cover(mine: dict, peer: dict | None, peer_note: str) -> None:
    print("\ncovering-only core (no breaks, headcount or days off; cover every interval)")
    header = f"  {'solver':<34} {'status':<12} {'objective':>10} {'bound':>10} {'seconds':>8} "
    print(header + f"{'shifts':>7} {'uncovered':>9}")
    print(
        f"  {'wfm build_model + HiGHS, gap 0':<34} {mine['stopped_by']:<12} "
        f"{mine['checked_cost']:>10,.0f} {_fmt(mine['bound'], ',.0f'):>10} "
        f"{mine['solve_seconds']:>8.1f} {mine['checked_agent_shifts']:>7} "
        f"{mine['checked_uncovered_intervals']:>9}"
    )
    if peer is None:
        print(f"  pyworkforce: {peer_note}")
        return
    if "checked_cost" not in peer:
        print(f"  pyworkforce: {peer['status']}")
        return
    name = f"pyworkforce {peer['pyworkforce']} CP-SAT x{PEER_WORKERS}"
    print(
        f"  {name:<34} {peer['status']:<12} {peer['checked_cost']:>10,.0f} "
        f"{_fmt(peer['bound'], ',.0f'):>10} {peer['solver_seconds']:>8.1f} "
        f"{peer['checked_agent_shifts']:>7} {peer['checked_uncovered_intervals']:>9}"
    )
    print(
        f"  ({mine['shifts']:,} shifts, {mine['rows']:,} wfm rows; pyworkforce's own cost "
        f"{peer['cost']:,.0f}; its process took {peer['process_seconds']:.1f} s with start-up; "
        f"ortools {peer['ortools']})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="60-minute intervals and starts")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per solve")
    parser.add_argument("--gap", type=float, default=0.01, help="relative gap, 0-1")
    parser.add_argument("--volume-factor", type=float, default=7.0, help="x the example's volume")
    parser.add_argument(
        "--shortfall-penalty", type=float, default=1000.0, help="per agent-hour short"
    )
    parser.add_argument("--highs-log", type=Path, default=None, help="write and read HiGHS's log")
    parser.add_argument("--json", type=Path, default=None, help="write the numbers here")
    parser.add_argument("--peers-python", default=None, help="interpreter with pyworkforce")
    parser.add_argument("--no-cover", action="store_true", help="skip the covering-only core")
    args = parser.parse_args()

    interval = 60 if args.quick else 15
    began = time.perf_counter()
    requirements = week_requirements(interval_minutes=interval, volume_factor=args.volume_factor)
    made = time.perf_counter() - began
    sites = instance_sites(interval)
    options = instance_options(
        interval_minutes=interval,
        time_limit=args.time_limit,
        gap=args.gap,
        shortfall_penalty=args.shortfall_penalty,
    )
    hours = interval / 60
    per_queue = requirements.groupby(QUEUE)[AGENTS_SCHEDULED].sum() * hours
    on_duty = requirements.groupby(INTERVAL_START)[AGENTS_SCHEDULED].sum()
    start = requirements[INTERVAL_START].min().tz_convert("America/New_York")
    label = "quick (60-minute)" if args.quick else "full (15-minute)"
    print(
        f"follow-the-sun week from {start:%Y-%m-%d %H:%M} New York, {interval}-minute "
        f"intervals, {args.volume_factor:g}x the example's volume ({made:.1f} s to forecast "
        "and staff)"
    )
    print(
        "  required agent-hours: "
        + ", ".join(f"{q} {per_queue[q]:,.0f}" for q in QUEUES)
        + f"; on duty peak {on_duty.max():.1f}, mean {on_duty.mean():.1f}"
    )
    print(
        "  sites: "
        + "; ".join(
            f"{s.name} {s.timezone} max {s.max_agents} at {s.cost_per_hour:g}/h" for s in sites
        )
    )

    full = solve_full(requirements, sites, options, args.highs_log)
    print_full(full, label=label, time_limit=args.time_limit, gap=args.gap)
    report: dict = {
        "instance": {
            "interval_minutes": interval,
            "volume_factor": args.volume_factor,
            "start": str(requirements[INTERVAL_START].min()),
            "required_agent_hours": {q: float(per_queue[q]) for q in QUEUES},
            "time_limit_seconds": args.time_limit,
            "gap": args.gap,
            "shortfall_penalty": args.shortfall_penalty,
        },
        "wfm": full,
    }
    if not args.no_cover:
        mine, instance = covering_only(requirements, sites, options)
        python = peer_python(args.peers_python)
        peer, note = None, ""
        if python is None:
            note = (
                "skipped: no peers venv (pass --peers-python, set WFM_PEERS_PYTHON, or "
                "python3 -m venv ../venv-peers && ../venv-peers/bin/pip install pyworkforce)"
            )
        else:
            peer = run_pyworkforce(python, instance, timeout=args.time_limit + 180)
        print_cover(mine, peer, note)
        report["cover"] = {"wfm": mine, "pyworkforce": peer, "note": note}
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2, default=str) + "\n")
        print(f"\nnumbers written to {args.json}")


if __name__ == "__main__":
    main()
