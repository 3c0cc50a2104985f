"""Sites: where agents work, in which time zone, when, and at what cost.

`Site` is built by the application from `[[sites]]` in wfm.toml; the library
validates it. The rules of a run are `scheduling.shifts.options.ScheduleOptions`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from scheduling.checks import Range, check_ranges, is_number
from scheduling.errors import InputError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_SITE_AGENTS = 100_000
MIN_START_STEP_MINUTES = 5

SITE_RANGES = (
    Range(
        "max_agents",
        lambda v: 0 <= v <= MAX_SITE_AGENTS,
        f"a whole number of agents, 0 to {MAX_SITE_AGENTS:,}",
        optional=True,
        whole=True,
    ),
    Range("cost_per_hour", lambda v: 0 <= v <= 1e6, ">= 0 and at most 1e6 per paid hour"),
)
"""Each numeric field's documented range (`scheduling.checks`); times and days are
checked in `Site.__post_init__`."""


def zone(name: str, *, where: str) -> ZoneInfo:
    """The IANA zone `name`, or InputError naming `where` it was asked for."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise InputError(
            f"{where}: unknown timezone {name!r}; use an IANA name such as 'Europe/Dublin'"
        ) from None


@dataclass(frozen=True, kw_only=True)
class Site:
    """One site of agents.

    Attributes:
        name: site name, unique.
        timezone: IANA zone of the site; shifts are made in its local time.
        open_minutes: local opening time, minutes after midnight (0-1439).
        close_minutes: local closing time, minutes after midnight (1-1440); a
            value <= open_minutes means the window runs past midnight.
            open 0 and close 1440 is round the clock.
        days: local weekdays on which shifts may start, 0 = Monday.
        queues: queues the site's agents serve.
        shift_hours: allowed paid shift lengths, hours.
        start_step_minutes: shift starts fall on this local step, minutes.
        max_agents: headcount cap (distinct agents in the week), or None.
        cost_per_hour: cost of one paid agent-hour.
        holidays: country code (optionally "CC-SUBDIV") whose public holidays
            close the site, or None.
        night_premium: extra share of `cost_per_hour` for paid time in the local
            night window (0.25: +25%), >= 0.
        night_start_minutes: local start of the night window, minutes after
            midnight (0-1439).
        night_end_minutes: local end of the night window, minutes after midnight
            (0-1440); a value <= night_start_minutes runs past midnight. The
            default window is 22:00-06:00.
        weekend_premium: extra share of `cost_per_hour` for paid time on a local
            Saturday or Sunday, >= 0. See `scheduling.shifts.premiums` for the rule.
        span: in one week of a multi-week run, the site's own week (start, end),
            UTC (`scheduling.shifts.siteweeks`): its shifts start inside it, and
            its local days and its one week count from its start. None: the
            horizon's, in 7-day blocks from its start.
        week_from: with `span`, the local midnight its week starts at (before
            or after the span's start in the horizon's first week): its local
            day 0.
        next_week: with `span`, the site's next week is scheduled after this
            one: a run of days off may reach into it, and it keeps those days
            free (`scheduling.shifts.siteweeks.days_off_releases`).
    """

    name: str
    timezone: str = "UTC"
    open_minutes: int = 0
    close_minutes: int = 1440
    days: tuple[int, ...] = (0, 1, 2, 3, 4)
    queues: tuple[str, ...] = ()
    shift_hours: tuple[float, ...] = (8.0,)
    start_step_minutes: int = 60
    max_agents: int | None = None
    cost_per_hour: float = 1.0
    holidays: str | None = None
    night_premium: float = 0.0
    night_start_minutes: int = 22 * 60
    night_end_minutes: int = 6 * 60
    weekend_premium: float = 0.0
    span: tuple[pd.Timestamp, pd.Timestamp] | None = None
    week_from: pd.Timestamp | None = None
    next_week: bool = False

    def __post_init__(self) -> None:
        where = f"site {self.name!r}"
        zone(self.timezone, where=f"{where}: timezone")
        if not 0 <= self.open_minutes < 1440:
            raise InputError(f"{where}: open must be between 00:00 and 23:59")
        if not 0 < self.close_minutes <= 1440:
            raise InputError(f"{where}: close must be between 00:01 and 24:00")
        if not self.days or any(d not in range(7) for d in self.days):
            raise InputError(f"{where}: days must name at least one of {', '.join(WEEKDAYS)}")
        if not self.shift_hours or any(
            not (is_number(h) and 0 < h <= 24) for h in self.shift_hours
        ):
            raise InputError(f"{where}: shift_hours must be lengths between 0 and 24 hours")
        if max(self.shift_hours) * 60 > self.window_minutes:
            raise InputError(
                f"{where}: a {max(self.shift_hours):g}-hour shift does not fit the "
                f"{self.window_minutes / 60:g}-hour opening window; shorten shift_hours "
                "or widen open/close"
            )
        step = self.start_step_minutes
        if not isinstance(step, int) or step < MIN_START_STEP_MINUTES or 1440 % step:
            # Finer steps multiply candidate shifts, and the rest rows grow with the
            # square of the starts in a rest window (1-minute steps took 3.7 GB).
            raise InputError(
                f"{where}: start_step_minutes must divide a day and be at least "
                f"{MIN_START_STEP_MINUTES} (e.g. 15, 30, 60), got {step!r}"
            )
        check_ranges(self, SITE_RANGES, where=where)
        self._check_premiums(where)

    def _check_premiums(self, where: str) -> None:
        for field in ("night_premium", "weekend_premium"):
            value = getattr(self, field)
            if not (is_number(value) and 0 <= value <= 100):
                raise InputError(
                    f"{where}: {field} must be a share >= 0 (at most 100) of cost_per_hour "
                    f"(0.25 for +25%), got {value!r}"
                )
        start, end = self.night_start_minutes, self.night_end_minutes
        if not (0 <= start < 1440 and 0 <= end <= 1440 and start != end):
            raise InputError(
                f"{where}: night_window must be two different local times between "
                f"00:00 and 24:00, e.g. 22:00-06:00, got {_clock(start)}-{_clock(end)}"
            )

    def with_span(
        self, span: tuple[pd.Timestamp, pd.Timestamp], *, week_from: pd.Timestamp, next_week: bool
    ) -> Site:
        """The site for one of its weeks (see `span`, `week_from` and `next_week`)."""
        return replace(self, span=span, week_from=week_from, next_week=next_week)

    @property
    def window_minutes(self) -> int:
        """Length of the local opening window, minutes (1-1440)."""
        span = self.close_minutes - self.open_minutes
        return span if span > 0 else span + 1440

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def has_premiums(self) -> bool:
        """Whether any paid hour of the site costs more than `cost_per_hour`."""
        return self.night_premium > 0 or self.weekend_premium > 0


def _clock(minutes: int) -> str:
    """Minutes after midnight as "HH:MM" (for messages; any int)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}" if 0 <= minutes <= 1440 else str(minutes)
