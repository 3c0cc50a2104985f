"""Horizons of several weeks: solve week by week, bound the whole horizon.

One programme over a four-week horizon is four times the size of a week and
much more than four times as hard (on the example company, 69% from its bound
after 328 s). A horizon longer than a week is therefore split into weeks, each
scheduled in turn by `schedule_requirements`. A week is each site's own
calendar week (`scheduling.shifts.siteweeks`): week k of every site is one
programme, over the instants from the earliest site's week start to the latest
site's week end, each site's shifts starting inside its own week (`Site.span`),
where its weekly rules (days, hours, days off in a row) hold.

- what the weeks before it carry in is kept: the part of their shifts that runs
  into the week's instants covers them (subtracted from the requirement), and
  every roster agent may start no earlier than its last shift plus
  `min_rest_hours` (`release`); anonymous agents are named across weeks by
  matching each week's agents to the earlier ones whose rest is over;
- each week is its own programme, not cyclic: rest across the week boundary
  holds through the release;
- a week's last hours that the next week's shifts can reach are shared: where
  the whole horizon and its weeks are small enough, the linear relaxation of one programme
  over all of it (`scheduling.shifts.relaxation`) says how many agents the
  next weeks' shifts put on duty in each of them, and the week leaves that
  share of each hour's requirement to the next week (each later skill group's
  agents spread over the queues it serves: `_left_to_next`), which sees what is
  left uncovered (without it, each week covers its
  last hours alone and spends its last days on hours the next week's sites
  could cover more cheaply);
- with rolling weeks (`ScheduleOptions.weekly_rules`), each roster agent's days
  of the 6 days before a week (of the weeks done, or `previous`) count in its
  windows there (`siteweeks.recent_days`, `Agent.recent`); the shift programme
  keeps its calendar rows, a valid relaxation, with what each skill group has
  left in the week's first days (`SkillGroup.lead_in`, `lead_off`).

Time grows with the number of weeks, and each week is as good as a one-week
plan. How far the whole plan can be from optimal: `weekbound.weekly_bound`
bounds the cost of any plan of the horizon from the weeks' own programmes
(the instants two weeks' shifts reach priced, not dropped); it is computed in
a second process while the weeks are scheduled (once they are, the plan waits
for its last passes at most `BOUND_PATIENCE` of their time, at least
`BOUND_MIN_WAIT_SECONDS`, and keeps the best
pass done, each a valid bound), and the plan's own objective
(paid cost, plus the penalties of its shortfall and surplus, measured on the
final schedule) is compared with it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import queue
import signal
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from scheduling.columns import (
    AGENT,
    AGENTS_SCHEDULED,
    END,
    INTERVAL_START,
    QUEUE,
    SCHEDULED,
    SITE,
    START,
    TIMEZONE,
)
from scheduling.shifts.agents import local_weekends, weekend_free
from scheduling.shifts.coverage import coverage_frame, plan_objective
from scheduling.shifts.model import Group
from scheduling.shifts.options import ScheduleOptions
from scheduling.shifts.planner import (
    Run,
    ScheduleResult,
    schedule_requirements,
    setup_run,
)
from scheduling.shifts.relaxation import HorizonRelaxation, horizon_relaxation
from scheduling.shifts.rolling import Rolling
from scheduling.shifts.roster import Carry
from scheduling.shifts.sites import Site
from scheduling.shifts.siteweeks import (
    day_hours,
    days_off_releases,
    first_local_date,
    keep_later,
    local_midnight,
    previous_weeks,
    recent_days,
    rows_within,
    sites_in_week,
    week_spans,
    week_window,
)
from scheduling.shifts.templates import anyone_works
from scheduling.shifts.weekbound import weekly_bound
from scheduling.solver import SolveResult, stop_asked

__all__ = [
    "BOUND_MIN_WAIT_SECONDS",
    "BOUND_PATIENCE",
    "MAX_WEEKS",
    "Relaxed",
    "WeekDone",
    "releases_after",
    "schedule_horizon",
    "week_spans",
]

WEEK = pd.Timedelta(days=7)
MAX_WEEKS = 8
"""Longest horizon scheduled without `force`, weeks."""


@dataclass(frozen=True)
class WeekDone:
    """Progress of a multi-week run, after each week.

    Attributes:
        week: weeks done (1-based).
        weeks: weeks in the horizon.
        cost: paid cost of the weeks done.
        gap: the last week's solver gap (0-1), or None.
        seconds: elapsed since the run started.
        planned: False for a part week in which no site starts a shift (left
            short, nothing solved).
    """

    week: int
    weeks: int
    cost: float
    gap: float | None
    seconds: float
    planned: bool = True


@dataclass(frozen=True)
class Relaxed:
    """Progress of a multi-week run before its first week: the whole horizon's
    relaxation (`scheduling.shifts.relaxation`) was solved (`used`) or not (too
    large, no optimum in its time, highspy missing), after `seconds`, and
    whether it guides the weeks (`HorizonRelaxation.guides`) or only prices
    the bound."""

    used: bool
    seconds: float
    guides: bool = False


def schedule_horizon(
    requirements: pd.DataFrame,
    *,
    sites: Sequence[Site],
    options: ScheduleOptions,
    roster: pd.DataFrame | None = None,
    release: Mapping[str, pd.Timestamp] | None = None,
    previous: pd.DataFrame | None = None,
    progress: Callable[[WeekDone | Relaxed], None] | None = None,
) -> ScheduleResult:
    """Schedule a horizon of any whole number of intervals, week by week past one week.

    Args:
        requirements, sites, options, roster, release: as `schedule_requirements`.
        previous: the roster's shifts before the horizon (agent, site, start,
            end, timezone; the schedule contract), or None: each agent starts
            after its last one plus rest (`releases_after`), its days off in a
            row of the week before that need days of the first week keep them
            free, and the days and hours it worked in its site's first week
            before the horizon count toward that week's rules
            (`siteweeks.previous_weeks`).
        progress: called after the whole horizon's relaxation (`Relaxed`) and
            after each week (`WeekDone`) of a multi-week horizon.

    Returns:
        As `schedule_requirements`; for several weeks, `solve` is the whole
        plan's: its objective measured on the final schedule (`plan_objective`),
        the weeks' bound (`weekly_bound`), their gap, and the seconds of the
        whole run.
    """
    run = setup_run(requirements, sites=sites, options=options, roster=roster)
    spans = week_spans(run.horizon, options.first_week_days)
    first = sites_in_week(sites, run.horizon, 0, options.week_start_day, options.first_week_days)
    rolling = options.weekly_rules == "rolling"
    if len(spans) == 1:  # with rolling weeks, recent days count from the run's own day 0
        options, notes = _part_week(options, run.horizon)
        at = sites if rolling else first
        release, carried = _history(previous, release, at, run.horizon[0], options)
        result = schedule_requirements(
            requirements,
            sites=sites,
            options=options,
            roster=roster,
            release=release,
            carried=carried,
        )
        return dataclasses.replace(result, binding=[*notes, *result.binding])
    weekly = dataclasses.replace(options, cyclic=False)
    history = _history(previous, release, first, run.horizon[0], weekly)
    clock = time.perf_counter()
    frame = _with_utc(requirements)
    relaxation = horizon_relaxation(frame, run, weekly)
    if progress is not None:
        guides = relaxation is not None and relaxation.guides
        progress(Relaxed(relaxation is not None, _since(clock), guides))
    with _bound_in_background(frame, run, weekly, relaxation) as bound:
        weeks_began = time.perf_counter()
        before = previous if previous is not None and rolling else None
        done, stopped = _weeks(
            frame,
            spans,
            run,
            sites,
            weekly,
            roster,
            (*history, before),
            progress,
            clock,
            relaxation,
        )
        taken = _Bound(None) if stopped else bound(_patience(_since(weeks_began)))
    joined = _joined(frame, done, bound=taken.value, options=weekly, started=clock)
    notes = [_interrupted(len(done), len(spans))] if stopped else []
    notes += [taken.note] if taken.note is not None else []
    return dataclasses.replace(joined, binding=[*joined.binding, *notes])


def _part_week(
    options: ScheduleOptions, horizon: tuple[pd.Timestamp, pd.Timestamp]
) -> tuple[ScheduleOptions, list[str]]:
    """The options of a horizon of one span, and a note when they change.

    A cyclic horizon repeats, and its weekly rules hold in the repeating
    horizon: a 3-day one with `consecutive_days_off` 2 would give each agent one
    day in three. A horizon shorter than a week is therefore planned as not
    cyclic (a part week, whose days off in a row may fall after it), and said so.
    """
    days = (horizon[1] - horizon[0]) / pd.Timedelta(days=1)
    if not options.cyclic or days >= 7 - 1e-9:
        return options, []
    note = (
        f"scheduling.cyclic: a {days:g}-day horizon is shorter than a week, so it is "
        "planned as not repeating (its weekly rules hold in its days; days off in a "
        "row may fall after it); set cyclic = false to say so"
    )
    return dataclasses.replace(options, cyclic=False), [note]


def _weeks(
    frame: pd.DataFrame,
    spans: list[tuple[pd.Timestamp, pd.Timestamp]],
    run: Run,
    sites: Sequence[Site],
    options: ScheduleOptions,
    roster: pd.DataFrame | None,
    history: tuple[dict[str, pd.Timestamp], dict[str, Carry], pd.DataFrame | None],
    progress: Callable[[WeekDone | Relaxed], None] | None,
    clock: float,
    relaxation: HorizonRelaxation | None = None,
) -> tuple[list[ScheduleResult], bool]:
    """Each week in turn (see the module docstring); (weeks done, stopped by Ctrl-C).

    `history`: the first week's release and carry (`_history`), and with rolling
    weeks the previous schedule, whose days count in the windows of the first
    weeks as the weeks done do in later ones (`siteweeks.recent_days`).

    Ctrl-C (`scheduling.solver.interruptible`) stops the week's solve with its best
    schedule and the run after that week; a KeyboardInterrupt after the first
    week keeps the weeks done so far, before it, it is raised as usual.
    """
    done: list[ScheduleResult] = []
    releases, carried, previous = history
    rolling = options.weekly_rules == "rolling"
    held: dict[str, pd.Timestamp] = {}  # anonymous names kept off by their days off
    weekends = _Weekends(run, options.weekend_off_within_weeks)
    for k, span in enumerate(spans):
        week_sites = sites_in_week(
            sites, run.horizon, k, options.week_start_day, options.first_week_days
        )
        if not anyone_works(week_sites):  # a part week no site works in: left short
            if progress is not None:
                cost = sum(r.cost for r in done)
                progress(WeekDone(k + 1, len(spans), cost, None, _since(clock), planned=False))
            continue
        if rolling and roster is not None:
            carried = _recent(previous, done, week_sites, span[0])
        needed = _carried_off(rows_within(frame, week_window(week_sites)), done, options)
        guided = relaxation is not None and relaxation.guides
        if guided and k + 1 < len(spans) and not stop_asked():
            needed = _left_to_next(needed, relaxation.on_duty_from(k + 1))
        try:
            result = schedule_requirements(
                needed,
                sites=week_sites,
                options=options,
                roster=roster,
                release=releases,
                weekend_due=weekends.due(),
                carried=carried if k == 0 or rolling else None,
            )
        except KeyboardInterrupt:
            if not done:
                raise
            return done, True
        if roster is None:
            result = _named_across(result, done, options, held, week_sites)
            held.update(days_off_releases(result.schedule, week_sites, options))
        else:
            releases.update(releases_after(result.schedule, options))
            kept_off = days_off_releases(
                result.schedule, week_sites, options, carried if k == 0 else None
            )
            keep_later(releases, kept_off)
            weekends.record(result.schedule, span)
        done.append(result)
        if progress is not None:
            cost = sum(r.cost for r in done)
            progress(WeekDone(k + 1, len(spans), cost, result.solve.gap, _since(clock)))
        if result.solve.stopped_by == "interrupted" and k + 1 < len(spans):
            return done, True
    notes = _names_over_cap(done, sites) if roster is None else []
    missed = weekends.missed()
    if missed:
        notes.append(weekends.message(missed))
    if notes:
        done[-1] = dataclasses.replace(done[-1], binding=[*done[-1].binding, *notes])
    return done, False


def _names_over_cap(done: list[ScheduleResult], sites: Sequence[Site]) -> list[str]:
    """Sites whose anonymous agents, named across the weeks (`_named_across`), are more
    people than their max_agents: each week keeps the cap, but where no earlier
    agent was free for a week's shifts (rest, days off) a new one was named."""
    if not done:
        return []
    names = pd.concat([r.schedule for r in done]).groupby(SITE)[AGENT].nunique()
    out = []
    for site in sites:
        count = int(names.get(site.name, 0))
        if site.max_agents is not None and count > site.max_agents:
            out.append(
                f"site {site.name!r}: {count} anonymous agents across the weeks, more than "
                f"max_agents {site.max_agents} (each week keeps it; between weeks no earlier "
                "agent was free, after rest and days off, for some of the next week's "
                "shifts): plan with --roster to carry named agents across weeks"
            )
    return out


def _recent(
    previous: pd.DataFrame | None,
    done: list[ScheduleResult],
    sites: Sequence[Site],
    start: pd.Timestamp,
) -> dict[str, Carry]:
    """With rolling weeks, each roster agent's days before a week's run
    (`siteweeks.recent_days`): from the previous schedule and the weeks done."""
    frames = [r.schedule for r in done[-2:]]
    if previous is not None and not previous.empty:
        frames.insert(0, previous)
    if not frames:
        return {}
    times = [f[[AGENT, SITE]].assign(**{c: _utc(f[c]) for c in (START, END)}) for f in frames]
    return recent_days(pd.concat(times, ignore_index=True), sites, start)


def _utc(times: pd.Series) -> pd.Series:
    return pd.to_datetime(times, utc=True)


def _history(
    previous: pd.DataFrame | None,
    release: Mapping[str, pd.Timestamp] | None,
    sites: Sequence[Site],
    horizon_start: pd.Timestamp,
    options: ScheduleOptions,
) -> tuple[dict[str, pd.Timestamp], dict[str, Carry]]:
    """(release, carried) of the first week: `release` with what `previous` adds (see
    `schedule_horizon`), the later of the two per agent."""
    out = dict(release or {})
    if previous is None or previous.empty:
        return out, {}
    kept_off, carried = previous_weeks(previous, sites, horizon_start, options)
    for more in (releases_after(previous, options), kept_off):
        keep_later(out, more)
    return out, carried


def _interrupted(done: int, weeks: int) -> str:
    return (
        f"interrupted: {done} of {weeks} weeks scheduled; the later weeks have no shifts "
        "(their requirement shows as shortfall, as may the final hours the last week "
        "left to the next) and the whole-horizon bound was not kept"
    )


def _gap(objective: float, bound: float) -> float:
    return max(objective - bound, 0.0) / max(abs(objective), 1e-9)


BOUND_PATIENCE = 0.1
"""Once the weeks are scheduled, how long the plan still waits for the bound's
remaining passes, as a share of the seconds the weeks took (the relaxation
before them not counted), and at least `BOUND_MIN_WAIT_SECONDS`."""

BOUND_MIN_WAIT_SECONDS = 30.0
"""The least time the plan waits for the bound once the weeks are scheduled."""


def _patience(weeks_seconds: float) -> float:
    return max(BOUND_PATIENCE * weeks_seconds, BOUND_MIN_WAIT_SECONDS)


@dataclass(frozen=True)
class _Bound:
    """The weeks' bound as the plan took it: `value` (None: unknown) and, when
    the plan stopped waiting before the bound's last pass, a note saying so."""

    value: float | None
    note: str | None = None


@contextlib.contextmanager
def _bound_in_background(
    frame: pd.DataFrame, run: Run, options: ScheduleOptions, relaxation: HorizonRelaxation | None
) -> Iterator[Callable[[float], _Bound]]:
    """The weeks' bound (`weekly_bound`, its duals' pass from `relaxation` when
    there is one, else from `coarse_relaxation` built in that process after the
    least-cost pass), computed in another process meanwhile.

    Yields a function that waits for it at most `patience` seconds more and
    returns the best of the passes done by then: each pass is a valid bound on
    its own, so a bound cut short is weaker, never wrong. It is unknown when no
    pass is done, or the process failed before its first. A Ctrl-C pressed
    while waiting stops the wait the same way. HiGHS runs one thread, so on a
    machine of two or more cores the bound costs no wall-clock time beside the
    weeks. The process is forked where the system can (no re-import of the
    caller's script) and ends with the block.
    """
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    passes = context.Queue()
    process = context.Process(
        target=_bound_passes,
        args=(passes, frame, run, options, relaxation),
        daemon=True,
    )
    try:
        process.start()
    except Exception:  # no process (e.g. arguments spawn could not pickle): bound unknown
        passes.close()
        yield lambda _: _Bound(None, "bound: its process could not start, so it is unknown")
        return

    def wait(patience: float) -> _Bound:
        return _best_pass(passes, process, time.perf_counter() + patience)

    try:
        yield wait
    finally:
        process.terminate()
        process.join(5)
        if process.is_alive():
            process.kill()
            process.join()
        passes.close()
        passes.cancel_join_thread()


_FAILED = "failed"
"""The label `_bound_passes` sends when a pass raised."""


def _bound_passes(
    passes: Queue,
    frame: pd.DataFrame,
    run: Run,
    options: ScheduleOptions,
    relaxation: HorizonRelaxation | None,
) -> None:
    """In the bound's process: each pass of `weekly_bound` as it ends (label,
    bound), then (None, None). Ctrl-C is ignored here: the terminal sends it to
    the whole process group, and a forked child inherits `solver.interruptible`'s
    handler; the plan decides when to stop waiting."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        weekly_bound(
            frame,
            run,
            options,
            relaxation=relaxation,
            build_relaxation=False,  # the plan's own try found none: the hourly one then
            on_pass=lambda label, bound: passes.put((label, bound)),
        )
    except Exception as error:  # a failed pass: those done still bound the plan
        passes.put((_FAILED, type(error).__name__))
    passes.put((None, None))


def _best_pass(passes: Queue, process: BaseProcess, deadline: float) -> _Bound:
    """The best bound of the passes read from `passes` until the last one, the
    process's end, `deadline` (a `time.perf_counter` value) or a Ctrl-C."""
    best: float | None = None
    done = 0
    while True:
        try:
            label, bound = passes.get(timeout=0.2)
        except queue.Empty:
            if not process.is_alive() and passes.empty():
                why = f"its process ended after {done} passes"
                return _Bound(best, _bound_cut_short(best, done, why))
            if stop_asked():
                return _Bound(best, _bound_cut_short(best, done, "Ctrl-C was pressed"))
            if time.perf_counter() >= deadline:
                return _Bound(best, _bound_cut_short(best, done, _patience_words()))
            continue
        if label is None:
            return _Bound(best)
        if label == _FAILED:
            why = f"a pass failed: {bound}"
            return _Bound(best, _bound_cut_short(best, done, why))
        done += 1
        if bound is not None:
            best = bound if best is None else max(best, bound)


def _patience_words() -> str:
    return (
        f"the plan waits {BOUND_PATIENCE:.0%} of the weeks' time after them, at least "
        f"{BOUND_MIN_WAIT_SECONDS:g} s"
    )


def _bound_cut_short(best: float | None, done: int, why: str) -> str:
    if best is None:
        kept = "so the bound is unknown"
    else:
        kept = f"so the bound is the best of its first {done} passes (valid, maybe weaker)"
    return f"bound: its last passes did not finish ({why}), {kept}"


class _Weekends:
    """Weeks each roster agent has gone without a full local weekend off."""

    def __init__(self, run: Run, within: int) -> None:
        self.within = within
        self.zones = {site.name: site.timezone for site in run.active}
        self.agents = {a.name: a.site for a in run.agents or []}
        self.without = dict.fromkeys(self.agents, 0)
        self.worst: dict[str, int] = {}

    def due(self) -> frozenset[str]:
        """Agents whose next week ends their allowance without a weekend off."""
        if self.within <= 0:
            return frozenset()
        return frozenset(a for a, n in self.without.items() if n >= self.within - 1)

    def record(self, schedule: pd.DataFrame, span: tuple[pd.Timestamp, pd.Timestamp]) -> None:
        """Count the week: reset agents with a free weekend starting in it (a part
        week without a local Saturday counts for no one)."""
        zones = {self.zones.get(site, "UTC") for site in self.agents.values()}
        weekends = {zone: local_weekends(span, zone) for zone in sorted(zones)}
        for name, site in self.agents.items():
            saturdays = weekends[self.zones.get(site, "UTC")]
            if not saturdays:
                continue
            shifts = schedule[schedule[AGENT] == name]
            if any(weekend_free(shifts, sat, mon) for sat, mon in saturdays):
                self.without[name] = 0
            else:
                self.without[name] += 1
                self.worst[name] = max(self.worst.get(name, 0), self.without[name])

    def missed(self) -> list[str]:
        """Agents who went `within` weeks or more without a weekend off."""
        if self.within <= 0:
            return []
        return sorted(a for a, n in self.worst.items() if n >= self.within)

    def message(self, missed: list[str]) -> str:
        names = ", ".join(missed[:5]) + (f" and {len(missed) - 5} more" if len(missed) > 5 else "")
        return (
            f"weekends: {len(missed)} agent(s) went {self.within} weeks or more without a full "
            f"weekend off (weekend_off_within_weeks {self.within}; the roster could not spare "
            f"them): {names}"
        )


def _since(clock: float) -> float:
    return time.perf_counter() - clock


def _with_utc(requirements: pd.DataFrame) -> pd.DataFrame:
    frame = requirements.copy()
    frame[INTERVAL_START] = pd.to_datetime(frame[INTERVAL_START], utc=True)
    return frame


def _carried_off(
    needed: pd.DataFrame, done: list[ScheduleResult], options: ScheduleOptions
) -> pd.DataFrame:
    """The week's requirement less what earlier weeks' shifts still cover in it."""
    if not done or needed.empty:
        return needed
    last = done[-1].schedule  # a shift is shorter than a week: only the week before reaches
    spill = last[last[END] > needed[INTERVAL_START].min()]
    if spill.empty:
        return needed
    covered = coverage_frame(needed, spill, options=options)
    served = covered.set_index([INTERVAL_START, QUEUE])[SCHEDULED]
    keys = pd.MultiIndex.from_arrays([needed[INTERVAL_START], needed[QUEUE]])
    carried = served.reindex(keys).fillna(0.0).to_numpy()
    out = needed.copy()
    out[AGENTS_SCHEDULED] = np.maximum(out[AGENTS_SCHEDULED].to_numpy(float) - carried, 0.0)
    return out


def _left_to_next(needed: pd.DataFrame, later: Mapping[Group, pd.Series]) -> pd.DataFrame:
    """The week's requirement less what the whole horizon's relaxation covers with
    the next weeks' shifts (module docstring).

    Args:
        needed: the week's requirement (UTC interval_start, queue, agents).
        later: agents on duty by interval_start per skill group's queues, from
            the next weeks' shifts (`HorizonRelaxation.on_duty_from`).

    Each group's agents are spread over the queues it serves in proportion to
    their requirement, and a queue is lowered by what reaches it, at most its
    requirement: a queue no later group serves keeps all of it.
    """
    times = needed[INTERVAL_START]
    need = needed[AGENTS_SCHEDULED].to_numpy(float)
    lowered = np.zeros(len(needed))
    for group, agents in later.items():
        wanted = np.where(needed[QUEUE].isin(group).to_numpy(), need, 0.0)
        total = pd.Series(wanted, index=needed.index).groupby(times).transform("sum")
        on_duty = times.map(agents).fillna(0.0).to_numpy(float)
        total = total.to_numpy(float)
        lowered += np.divide(wanted * on_duty, total, out=np.zeros_like(need), where=total > 0)
    out = needed.copy()
    out[AGENTS_SCHEDULED] = need - np.clip(lowered, 0.0, need)
    return out


def releases_after(schedule: pd.DataFrame, options: ScheduleOptions) -> dict[str, pd.Timestamp]:
    """Per agent, when it may start again: its last shift's end plus `min_rest_hours`,
    and not before the next local day (one shift a local day)."""
    if schedule.empty:
        return {}
    rest = pd.Timedelta(hours=options.min_rest_hours)
    out = {}
    for agent, shifts in schedule.groupby(AGENT, sort=True):
        last = shifts.loc[shifts[END].idxmax()]
        midnight = local_midnight(pd.Timestamp(last[START]).tz_convert(str(last[TIMEZONE])))
        out[str(agent)] = max(pd.Timestamp(last[END]) + rest, midnight.tz_convert("UTC"))
    return out


def _named_across(
    result: ScheduleResult,
    done: list[ScheduleResult],
    options: ScheduleOptions,
    held: Mapping[str, pd.Timestamp],
    sites: Sequence[Site],
) -> ScheduleResult:
    """Anonymous agents of a week renamed so that each name is one person across weeks.

    Per site, the week's agents are matched to the names used before: a name
    may take a week whose first shift starts after its last shift plus rest
    and after the days off it carried into this week (`held`), and with
    rolling weeks whose days keep every window across the two weeks;
    names used least recently first, new names ("{site}-{k:03d}") only when no
    earlier name can.
    """
    schedule = result.schedule
    if schedule.empty or not done:
        return result
    history = pd.concat([r.schedule for r in done])
    renamed = schedule.copy()
    by_name = {site.name: site for site in sites}
    for site, rows in schedule.groupby(SITE, sort=True):
        before = history[history[SITE] == site]
        together = _together(by_name[str(site)], rows, before, options)
        mapping = _match_names(str(site), rows, before, options, held, together)
        mask = schedule[SITE] == site
        renamed.loc[mask, AGENT] = schedule.loc[mask, AGENT].map(mapping)
    renamed = renamed.sort_values([START, SITE, AGENT, QUEUE], ignore_index=True)
    return dataclasses.replace(result, schedule=renamed)


def _match_names(
    site: str,
    rows: pd.DataFrame,
    before: pd.DataFrame,
    options: ScheduleOptions,
    held: Mapping[str, pd.Timestamp],
    together: Callable[[str, str], bool] = lambda mine, theirs: True,
) -> dict[str, str]:
    """This week's agent names -> names across weeks (see `_named_across`);
    `together(this week's name, earlier name)`: may one person work both."""
    rest = pd.Timedelta(hours=options.min_rest_hours)
    firsts = rows.groupby(AGENT, sort=True)[START].min()
    free = before.groupby(AGENT, sort=True)[END].max() + rest if len(before) else pd.Series()
    for name, until in held.items():
        if name in free.index:
            free[name] = max(free[name], until)
    old = list(free.index)
    fresh = [f"{site}-{k:03d}" for k in range(1, len(old) + len(firsts) + 1)]
    fresh = [name for name in fresh if name not in set(old)][: len(firsts)]
    names = old + fresh
    big = 1e9
    cost = np.full((len(firsts), len(names)), big)
    for i, first in enumerate(firsts.to_numpy()):
        for j, name in enumerate(names):
            if j < len(old):
                if free[name] <= first and together(str(firsts.index[i]), name):
                    cost[i, j] = (free[name] - free.min()).total_seconds() / 1e7
            else:
                cost[i, j] = 1e6 + j
    chosen_rows, chosen_cols = linear_sum_assignment(cost)
    return {str(firsts.index[i]): names[j] for i, j in zip(chosen_rows, chosen_cols, strict=True)}


def _together(
    site: Site, rows: pd.DataFrame, before: pd.DataFrame, options: ScheduleOptions
) -> Callable[[str, str], bool]:
    """With rolling weeks, whether a week's anonymous agent (its `rows`) and an
    earlier name (its shifts in `before`) keep every 7-day window that holds
    days of both (`scheduling.shifts.rolling`); always True with calendar weeks."""
    if options.weekly_rules != "rolling" or before.empty:
        return lambda mine, theirs: True
    day0 = first_local_date(site, rows[START].min())
    week = {str(a): day_hours(r, site, day0) for a, r in rows.groupby(AGENT, sort=True)}
    earlier = {str(a): day_hours(r, site, day0) for a, r in before.groupby(AGENT, sort=True)}
    rolling = Rolling.around_week_start(options)
    firsts = range(1 - WEEK.days, WEEK.days)  # every window holding a day of both weeks

    def keeps(mine: str, theirs: str) -> bool:
        hours = dict(earlier.get(theirs, ()))
        hours.update(week.get(mine, ()))
        return rolling.broken(hours, options.max_hours_per_week, firsts) is None

    return keeps


def _joined(
    frame: pd.DataFrame,
    done: list[ScheduleResult],
    *,
    bound: float | None,
    options: ScheduleOptions,
    started: float,
) -> ScheduleResult:
    """One result for the whole horizon from its weeks (see `schedule_horizon`)."""
    schedule = pd.concat([r.schedule for r in done], ignore_index=True)
    schedule = schedule.sort_values([START, SITE, AGENT, QUEUE], ignore_index=True)
    coverage = coverage_frame(frame, schedule, options=options)
    site_costs: dict[str, float] = {}
    for r in done:
        for site, cost in r.site_costs.items():
            site_costs[site] = site_costs.get(site, 0.0) + cost
    cost = sum(r.cost for r in done)
    objective = plan_objective(cost, coverage, options)
    solve_result = SolveResult(
        status="feasible",
        objective=objective,
        bound=bound,
        gap=None if bound is None else _gap(objective, bound),
        seconds=_since(started),
        solver=done[0].solve.solver,
        notes=tuple(
            f"week {k}: gap {'unknown' if r.solve.gap is None else f'{r.solve.gap:.1%}'}"
            for k, r in enumerate(done, start=1)
        ),
        stopped_by="weeks",
    )
    return ScheduleResult(
        schedule=schedule,
        coverage=coverage,
        unfilled=pd.concat([r.unfilled for r in done], ignore_index=True),
        solve=solve_result,
        binding=list(dict.fromkeys(line for r in done for line in r.binding)),
        cost=cost,
        site_costs=dict(sorted(site_costs.items())),
        objective=objective,
    )
