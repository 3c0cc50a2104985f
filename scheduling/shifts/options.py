"""Options of one scheduling run: interval, solver settings, weekly rules, breaks.

`ScheduleOptions` is built by the application from `[scheduling]` in wfm.toml; the
library validates it.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Real

from scheduling.checks import Range, check_ranges
from scheduling.errors import InputError
from scheduling.solver import SOLVERS

WEEK_HOURS = 168.0
WEEKLY_RULES = ("calendar", "rolling")

OPTION_RANGES = (
    Range("time_limit_seconds", lambda v: 0 < v <= 7 * 86_400, "> 0 seconds and at most a week"),
    Range("gap", lambda v: 0 <= v < 1, "in [0, 1)"),
    Range(
        "node_limit", lambda v: 1 <= v <= 10**9, "a whole number >= 1", optional=True, whole=True
    ),
    Range("shortfall_penalty", lambda v: 0 <= v <= 1e9, ">= 0 and at most 1e9 per agent-hour"),
    Range("surplus_penalty", lambda v: 0 <= v <= 1e9, ">= 0 and at most 1e9 per agent-hour"),
    Range("max_days_per_week", lambda v: 1 <= v <= 7, "a whole number between 1 and 7", whole=True),
    Range(
        "consecutive_days_off",
        lambda v: 0 <= v <= 6,
        "a whole number of days between 0 and 6",
        whole=True,
    ),
    Range("min_rest_hours", lambda v: 0 <= v <= WEEK_HOURS, ">= 0 hours and at most a week (168)"),
    Range("max_hours_per_week", lambda v: 0 < v <= WEEK_HOURS, "> 0 hours and at most 168"),
    Range("break_minutes", lambda v: 0 <= v <= 240, "0 to 240 minutes", whole=True),
    Range(
        "weekend_off_within_weeks",
        lambda v: 0 <= v <= 52,
        "a whole number of weeks between 0 and 52",
        whole=True,
    ),
    Range("break_after_hours", lambda v: 0 <= v <= 24, "0 to 24 hours"),
    Range("steady_starts", lambda v: 0 <= v <= 100, ">= 0 and at most 100"),
    Range(
        "repair_rounds",
        lambda v: 0 <= v <= 100_000,
        "a whole number between 0 and 100000",
        whole=True,
    ),
    Range("sweep_passes", lambda v: 0 <= v <= 100, "a whole number between 0 and 100", whole=True),
    Range(
        "programme_passes", lambda v: 0 <= v <= 100, "a whole number between 0 and 100", whole=True
    ),
    Range(
        "max_skill_groups",
        lambda v: 0 <= v <= 1000,
        "a whole number between 0 and 1000",
        whole=True,
    ),
)
"""Each numeric option's documented range (`scheduling.checks`)."""


@dataclass(frozen=True, kw_only=True)
class BreakRule:
    """One break, off the queues, in every shift long enough for it.

    Validated by `ScheduleOptions`, which holds the rules of a run.

    Attributes:
        minutes: break length, minutes (> 0).
        after_hours: shifts this long or longer get the break, hours (>= 0).
        window: (from, to) hours after the shift start that the break must lie
            in, or None for the middle third of the shift.
    """

    minutes: int
    after_hours: float = 6.0
    window: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if isinstance(self.window, list):  # e.g. straight from TOML: [3, 5]
            object.__setattr__(self, "window", tuple(self.window))


@dataclass(frozen=True, kw_only=True)
class ScheduleOptions:
    """Rules and solver settings of one scheduling run.

    Attributes:
        interval_minutes: length of a requirement interval, minutes (15, 30, 60).
        solver: "highs" (needs highspy) or "cbc" (bundled with PuLP).
        time_limit_seconds: solver wall-clock limit, seconds.
        gap: relative optimality gap at which the solver may stop, 0-1.
        node_limit: most branch-and-bound nodes of the shift programme (HiGHS),
            or None. Unlike the time limit, a node budget stops every run at the
            same place, so the same inputs give the same schedule on any machine.
        shortfall_penalty: objective cost of one agent-hour short.
        surplus_penalty: objective cost of one agent-hour over the requirement.
        max_days_per_week: days an agent may work in a week.
        consecutive_days_off: each agent has, in every week, a run of at least
            this many consecutive local days without a shift (0: none); the run
            starts in the week and may run into the next (round the horizon's end
            when `cyclic`).
        min_rest_hours: least rest between the end of one shift and the next, hours.
        max_hours_per_week: most paid hours of one agent in a week, hours.
        cyclic: the week repeats: shifts running past its end cover its start.
            A horizon of more than a week is scheduled week by week and is not
            cyclic (`scheduling.shifts.weeks`).
        weekend_off_within_weeks: over a multi-week horizon, an agent who has
            not had a full local weekend off in this many weeks minus one is
            spared weekend shifts in the next week whenever the roster can cover
            them otherwise (never at the cost of coverage); 0 for no such rule.
        steady_starts: weight of an agent's spread of start times within a
            week (mean clock distance between its starts, hours) against its
            starts' distance from its preferred start (hours), for the swaps of
            shifts between agents after the assignment
            (`scheduling.shifts.assign`); the swaps never change which shifts
            are worked, so coverage and cost stay. 0 turns the swaps off.
        break_minutes: unpaid-for-coverage break in shifts of at least
            `break_after_hours`, minutes (0 for none).
        break_after_hours: shifts this long or longer get a break, hours.
        break_window: (from, to) hours after the shift start that the break
            must lie in, or None for the middle third of the shift.
        breaks: several breaks per shift (e.g. a lunch and two short breaks),
            one `BreakRule` each, the first being the main one (the schedule's
            `break_start`/`break_end`); None for the single break of the three
            `break_*` fields above, which must then keep their defaults. An agent
            takes one break at a time: no two rules' (from, to) windows may
            overlap, and rules whose candidate breaks meet in the real shifts
            (a middle third, or a window a shift cannot hold) are rejected when
            the breaks are placed (`scheduling.shifts.breaks`).
        week_start_day: the local weekday (0 = Monday) each site's weeks start
            on over a multi-week horizon (`scheduling.shifts.siteweeks`): by
            default the weekday the horizon starts on in the planning time
            zone. None: that of the UTC midnight nearest the horizon start.
        first_week_days: days of the horizon in its first week (1-7): 7 when
            the weeks start on the horizon's weekday, fewer when they start on
            another (weeks from Sunday, a horizon from Monday: 6, and a last
            part week of 1 day). The days of that first week before the
            horizon are the previous schedule's (`siteweeks.previous_weeks`).
        weekly_rules: "calendar" (the default): days, hours and days off in a
            row hold per week of each site (from `week_start_day`); "rolling":
            they hold in every 7 consecutive local days (`scheduling.shifts.rolling`),
            also across weeks and from the previous schedule.
        repair_rounds: with a roster, most small integer programmes that move
            a few agents' shifts to where the final schedule is short
            (`scheduling.shifts.repair`), per week; 0 turns the repair off.
        sweep_passes: with a roster, most passes of the sweep after the repair
            (`repair.swept_schedule`: every site's agents re-decided in windows
            across the week, cost and shortfall), per week; 0 turns it off.
        programme_passes: most passes of fix-and-resolve over the shift
            programme's answer (`scheduling.shifts.refine`: a day and a half of
            shifts re-decided at a time, the rest fixed; with a roster each
            better answer judged by the schedule its agents make of it), per
            week; 0 turns it off.
        max_skill_groups: with a roster, most skill groups per site the shift
            programme plans with: a site with more skill sets has them merged
            into this many (`scheduling.shifts.skills.planning_skills`); 0
            never merges.
    """

    interval_minutes: int = 60
    solver: str = "highs"
    time_limit_seconds: float = 60.0
    gap: float = 0.01
    node_limit: int | None = None
    shortfall_penalty: float = 1000.0
    surplus_penalty: float = 0.01
    max_days_per_week: int = 5
    consecutive_days_off: int = 2
    min_rest_hours: float = 11.0
    max_hours_per_week: float = 48.0
    cyclic: bool = True
    weekend_off_within_weeks: int = 4
    steady_starts: float = 1.0
    break_minutes: int = 30
    break_after_hours: float = 6.0
    break_window: tuple[float, float] | None = None
    breaks: tuple[BreakRule, ...] | None = None
    week_start_day: int | None = None
    first_week_days: int = 7
    weekly_rules: str = "calendar"
    repair_rounds: int = 40
    sweep_passes: int = 2
    programme_passes: int = 1
    max_skill_groups: int = 8

    @property
    def break_rules(self) -> tuple[BreakRule, ...]:
        """The run's break rules: `breaks`, or the one rule of the `break_*` fields."""
        if self.breaks is not None:
            return self.breaks
        if self.break_minutes <= 0:
            return ()
        return (
            BreakRule(
                minutes=self.break_minutes,
                after_hours=self.break_after_hours,
                window=self.break_window,
            ),
        )

    def __post_init__(self) -> None:
        if self.interval_minutes not in (15, 30, 60):
            raise InputError(
                f"scheduling: interval_minutes must be 15, 30 or 60, got {self.interval_minutes}"
            )
        if self.solver not in SOLVERS:
            raise InputError(
                f"scheduling: solver must be one of {', '.join(SOLVERS)}, got {self.solver!r}"
            )
        check_ranges(self, OPTION_RANGES, where="scheduling")
        if self.break_window is not None:
            begin, end = self.break_window
            if not 0 <= begin < end or (end - begin) * 60 < self.break_minutes:
                raise InputError(
                    "scheduling: break_window must be [from, to] hours after the shift "
                    f"start with 0 <= from < to and room for break_minutes "
                    f"{self.break_minutes}, got {list(self.break_window)}"
                )
        if self.week_start_day is not None and self.week_start_day not in range(7):
            raise InputError(
                f"scheduling: week_start_day must be 0-6 (0 = Monday), got {self.week_start_day!r}"
            )
        if self.first_week_days not in range(1, 8):
            raise InputError(
                f"scheduling: first_week_days must be 1-7, got {self.first_week_days!r}"
            )
        if self.weekly_rules not in WEEKLY_RULES:
            raise InputError(
                f"scheduling: weekly_rules must be one of {', '.join(WEEKLY_RULES)}, "
                f"got {self.weekly_rules!r}"
            )
        if self.breaks is not None:
            if isinstance(self.breaks, list):
                object.__setattr__(self, "breaks", tuple(self.breaks))
            _check_break_rules(self)


def _check_break_rules(options: ScheduleOptions) -> None:
    """InputError naming the field when `options.breaks` is malformed or windows overlap.

    Only clashes that hold whatever the shift length are checked here: two
    (from, to) windows that overlap do so in every shift long enough for both.
    Whether a middle third, or a window cut by a short shift, meets another
    rule's break depends on the site's shift lengths, so `scheduling.shifts.breaks`
    checks the candidate breaks of the real shifts instead.
    """
    shorthand = (options.break_minutes, options.break_after_hours, options.break_window)
    if shorthand != (30, 6.0, None):
        raise InputError(
            "scheduling: give either break_minutes/break_after_hours/break_window (one "
            "break) or breaks (several), not both"
        )
    if not isinstance(options.breaks, tuple) or not all(
        isinstance(rule, BreakRule) for rule in options.breaks
    ):
        raise InputError("scheduling: breaks must be a tuple of BreakRule")
    for i, rule in enumerate(options.breaks):
        _check_break_rule(rule, where=f"scheduling.breaks[{i}]")
    for i, first in enumerate(options.breaks):
        for j in range(i + 1, len(options.breaks)):
            second = options.breaks[j]
            if first.window is None or second.window is None:
                continue
            if max(first.window[0], second.window[0]) < min(first.window[1], second.window[1]):
                raise InputError(
                    f"scheduling: breaks[{i}] (window {_hours_text(first.window)}) and "
                    f"breaks[{j}] (window {_hours_text(second.window)}) overlap, and an agent "
                    "cannot take two breaks at once; give them windows that do not overlap"
                )


def _is_number(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def _check_break_rule(rule: BreakRule, *, where: str) -> None:
    """InputError naming `where` (e.g. "scheduling.breaks[1]") for a malformed rule."""
    if not isinstance(rule.minutes, int) or isinstance(rule.minutes, bool) or rule.minutes <= 0:
        raise InputError(f"{where}.minutes must be a whole number > 0, got {rule.minutes!r}")
    if not (_is_number(rule.after_hours) and rule.after_hours >= 0):
        raise InputError(f"{where}.after_hours must be a number >= 0, got {rule.after_hours!r}")
    if rule.window is None:
        return
    if not (
        isinstance(rule.window, tuple)
        and len(rule.window) == 2
        and all(_is_number(hours) for hours in rule.window)
    ):
        raise InputError(
            f"{where}.window must be [from, to], two numbers of hours after the shift "
            f"start, got {rule.window!r}"
        )
    begin, end = rule.window
    if not 0 <= begin < end or (end - begin) * 60 < rule.minutes:
        raise InputError(
            f"{where}.window must be [from, to] hours after the shift start with "
            f"0 <= from < to and room for its {rule.minutes} minutes, got {list(rule.window)}"
        )


def _hours_text(window: tuple[float, float]) -> str:
    return f"[{window[0]:g}, {window[1]:g}]"
