"""wfm.toml: load, validate, and turn into library parameters.

Every field has a default, kept in one place: the dataclass that receives it (the
library's `QueueSpec`, `Site`, `ScheduleOptions`, or the settings below). This
module passes on only what the file sets, through one table per section that maps
a TOML key to its attribute and how to read it; the receiver checks ranges. Every
error names the file, the field and what was expected. Unknown fields are errors
too, because a misspelt `shrinkge` silently ignored would staff a whole quarter
wrong.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from forecasting.calendar import check_timezone
from forecasting.errors import ForecastingError
from scheduling.checks import is_number
from scheduling.errors import SchedulingError
from scheduling.shifts.options import BreakRule, ScheduleOptions
from scheduling.shifts.sites import WEEKDAYS, Site
from scheduling.staffing.queues import QueueSpec
from scheduling.staffing.shrinkage import ShrinkageRule
from wfm.capacity_config import CapacityConfig, parse_capacity
from wfm.errors import WfmError
from wfm.timestamps import check_date_format


class _SettingsError(WfmError):
    """A field of the app's own settings out of range (load_config adds the file name)."""


TOP_FIELDS = {
    "interval_minutes",
    "timezone",
    "forecast",
    "queues",
    "sites",
    "scheduling",
    "staffing",
    "capacity",
    "simulation",
}

# Each section: TOML key -> (attribute of the receiving dataclass, how to read it).
Fields = dict[str, tuple[str, str]]
FORECAST_FIELDS: Fields = {
    "level": ("level", "number"),
    "country": ("country", "text"),
    "subdivision": ("subdivision", "text"),
    "model": ("model", "text"),
    "time_column": ("time_column", "text"),
    "queue_column": ("queue_column", "text"),
    "handle_time_column": ("handle_time_column", "text"),
    "date_format": ("date_format", "text"),
    "holiday_categories": ("holiday_categories", "string_tuple"),
    "closed_holidays": ("closed_holidays", "string_tuple"),
    "open_holidays": ("open_holidays", "string_tuple"),
}
QUEUE_FIELDS: Fields = {
    "channel": ("channel", "text"),
    "timezone": ("timezone", "zone"),
    "aht_seconds": ("aht_seconds", "number"),
    "service_level": ("service_level", "number"),
    "answer_seconds": ("answer_seconds", "number"),
    "response_hours": ("response_hours", "number"),
    "max_occupancy": ("max_occupancy", "number"),
    "shrinkage": ("shrinkage", "number"),
    "concurrency": ("concurrency", "integer"),
    "patience_seconds": ("patience_seconds", "number"),
    "target_asa_seconds": ("target_asa_seconds", "number"),
    "max_abandonment": ("max_abandonment", "number"),
    "concurrency_efficiency": ("concurrency_efficiency", "number"),
    "shrinkage_profile": ("shrinkage_profile", "shrinkage_profile"),
    "open": ("open_minutes", "clock"),
    "close": ("close_minutes", "clock"),
    "days": ("days", "weekdays"),
    "span_of_control": ("span_of_control", "number"),
    "whole_agents": ("whole_agents", "flag"),
}
SHRINKAGE_RULE_FIELDS: Fields = {
    "rate": ("rate", "number"),
    "days": ("days", "weekdays"),
    "from": ("start_minutes", "clock"),
    "to": ("end_minutes", "clock"),
}
SIMULATION_FIELDS: Fields = {
    "handle_time_distribution": ("handle_time_distribution", "text"),
    "handle_time_cv": ("handle_time_cv", "number"),
    "day_error_share": ("day_error_share", "number"),
    "routing": ("routing", "text"),
    "priority": ("priority", "string_tuple"),
}
STAFFING_FIELDS: Fields = {"fte_hours_per_week": ("fte_hours_per_week", "number")}
SITE_FIELDS: Fields = {
    "name": ("name", "text"),
    "timezone": ("timezone", "text"),
    "open": ("open_minutes", "clock"),
    "close": ("close_minutes", "clock"),
    "days": ("days", "weekdays"),
    "queues": ("queues", "strings"),
    "shift_hours": ("shift_hours", "numbers"),
    "start_step_minutes": ("start_step_minutes", "integer"),
    "max_agents": ("max_agents", "integer"),
    "cost_per_hour": ("cost_per_hour", "number"),
    "holidays": ("holidays", "text"),
    "night_premium": ("night_premium", "number"),
    "night_window": ("night_window", "night_window"),  # two attributes, see _night_window
    "weekend_premium": ("weekend_premium", "number"),
    "capacity": ("capacity", "elsewhere"),  # [sites.capacity]: read by wfm.capacity_config
}
SCHEDULING_FIELDS: Fields = {
    "solver": ("solver", "text"),
    "time_limit_seconds": ("time_limit_seconds", "number"),
    "gap": ("gap", "number"),
    "node_limit": ("node_limit", "integer"),
    "shortfall_penalty": ("shortfall_penalty", "number"),
    "surplus_penalty": ("surplus_penalty", "number"),
    "max_days_per_week": ("max_days_per_week", "integer"),
    "consecutive_days_off": ("consecutive_days_off", "integer"),
    "weekend_off_within_weeks": ("weekend_off_within_weeks", "integer"),
    "week_starts": ("week_start_day", "weekday"),
    "weekly_rules": ("weekly_rules", "text"),
    "steady_starts": ("steady_starts", "number"),
    "repair_rounds": ("repair_rounds", "integer"),
    "sweep_passes": ("sweep_passes", "integer"),
    "programme_passes": ("programme_passes", "integer"),
    "max_skill_groups": ("max_skill_groups", "integer"),
    "min_rest_hours": ("min_rest_hours", "number"),
    "max_hours_per_week": ("max_hours_per_week", "number"),
    "cyclic": ("cyclic", "flag"),
    "break_minutes": ("break_minutes", "integer"),
    "break_after_hours": ("break_after_hours", "number"),
    "break_window": ("break_window", "pair"),
    "breaks": ("breaks", "break_rules"),
}
BREAK_SHORTHAND = ("break_minutes", "break_after_hours", "break_window")
BREAK_RULE_FIELDS: Fields = {
    "minutes": ("minutes", "integer"),
    "after_hours": ("after_hours", "number"),
    "window": ("window", "pair"),
}


@dataclass(frozen=True)
class ForecastSettings:
    """[forecast]: interval level, holiday calendar, model and history columns."""

    level: float = 0.8
    country: str | None = None
    subdivision: str | None = None
    model: str = "seasonal"
    time_column: str | None = None
    queue_column: str | None = None
    handle_time_column: str | None = None
    date_format: str | None = None
    holiday_categories: tuple[str, ...] | None = None  # None: public (+ optional where it exists)
    closed_holidays: tuple[str, ...] = ()
    open_holidays: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not (is_number(self.level) and 0 < self.level < 1):
            raise _SettingsError(
                f"forecast.level: expected a share between 0 and 1, e.g. 0.8, got {self.level!r}"
            )
        try:
            check_date_format(self.date_format, where="forecast.date_format")
        except WfmError as e:
            raise _SettingsError(str(e)) from None


@dataclass(frozen=True)
class StaffingSettings:
    """[staffing]: plan-wide staffing settings (per-queue ones live in [queues.NAME])."""

    fte_hours_per_week: float = 40.0

    def __post_init__(self) -> None:
        hours = self.fte_hours_per_week
        if not (is_number(hours) and 0 < hours <= 168):
            raise _SettingsError(
                f"staffing.fte_hours_per_week: expected paid hours in a full-time week, "
                f"e.g. 40, got {hours!r}"
            )


@dataclass(frozen=True)
class SimulationSettings:
    """[simulation]: assumptions of `wfm simulate` (ranges: scheduling.simulation.options)."""

    handle_time_distribution: str = "lognormal"
    handle_time_cv: float = 1.0
    day_error_share: float = 0.75
    routing: str = "longest_waiting"
    priority: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    """A validated wfm.toml (or the defaults when there is none)."""

    source: str = "defaults"
    interval_minutes: int = 60
    timezone: str = "UTC"
    forecast: ForecastSettings = field(default_factory=ForecastSettings)
    queues: dict[str, QueueSpec] = field(default_factory=dict)
    sites: tuple[Site, ...] = ()
    scheduling: ScheduleOptions = field(default_factory=ScheduleOptions)
    staffing: StaffingSettings = field(default_factory=StaffingSettings)
    capacity: CapacityConfig = field(default_factory=CapacityConfig)
    simulation: SimulationSettings = field(default_factory=SimulationSettings)

    def queue_timezones(self) -> dict[str, str]:
        return {name: q.timezone for name, q in self.queues.items()}

    def at_interval(self, minutes: int | None) -> Config:
        """This config with `minutes` as every stage's interval (None, or not 15, 30
        or 60, which the forecast stage refuses: unchanged)."""
        if minutes not in (15, 30, 60) or minutes == self.interval_minutes:
            return self
        scheduling = replace(self.scheduling, interval_minutes=minutes)
        return replace(self, interval_minutes=minutes, scheduling=scheduling)

    def queue_aht(self) -> dict[str, float]:
        return {name: q.aht_seconds for name, q in self.queues.items()}


class _Reader:
    """Typed field access that names file and field in every error."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, where: str, expected: str, value: Any) -> WfmError:
        return WfmError(f"{self.source}: {where}: expected {expected}, got {value!r}")

    def table(self, data: dict, key: str, where: str) -> dict:
        value = data.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(where, "a table", value)
        return value

    def given(self, data: dict, fields: Fields, where: str) -> dict[str, Any]:
        """Keyword arguments for the keys `data` sets, read by their kind (see the tables).

        Keys it leaves out are not passed, so the receiver's defaults apply.
        """
        self.check_fields(data, set(fields), f"[{where}]")
        out: dict[str, Any] = {}
        for key, (attribute, kind) in fields.items():
            if key in data and kind != "elsewhere":
                value = getattr(self, kind)(data, key, where)
                out.update(value if kind == "night_window" else {attribute: value})
        return out

    def check_fields(self, data: dict, allowed: set[str], where: str) -> None:
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise WfmError(
                f"{self.source}: {where}: unknown field {unknown[0]!r}; "
                f"known fields: {', '.join(sorted(allowed))}"
            )

    def number(
        self, data: dict, key: str, where: str, default: float | None = None
    ) -> float | None:
        value = data.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"{where}.{key}", "a number", value)
        return float(value)

    def integer(self, data: dict, key: str, where: str, default: int | None = None) -> int | None:
        value = data.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{where}.{key}", "a whole number", value)
        return value

    def text(self, data: dict, key: str, where: str, default: str | None = None) -> str | None:
        value = data.get(key, default)
        if value is not None and not isinstance(value, str):
            raise self.fail(f"{where}.{key}", "a string", value)
        return value

    def flag(self, data: dict, key: str, where: str, default: bool = False) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"{where}.{key}", "true or false", value)
        return value

    def strings(
        self, data: dict, key: str, where: str, default: list[str] | None = None
    ) -> list[str]:
        value = data.get(key, default)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{where}.{key}", "a list of strings", value)
        return value

    def numbers(
        self, data: dict, key: str, where: str, default: list[float] | None = None
    ) -> list[float]:
        value = data.get(key, default)
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        ):
            raise self.fail(f"{where}.{key}", "a non-empty list of numbers", value)
        return [float(v) for v in value]

    def clock(self, data: dict, key: str, where: str, default: str = "") -> int:
        """A local time "HH:MM" ("24:00" allowed) as minutes after midnight."""
        value = data.get(key, default)
        parts = value.split(":") if isinstance(value, str) else []
        if len(parts) != 2 or not all(p.isdigit() and len(p) == 2 for p in parts):
            raise self.fail(f"{where}.{key}", 'a local time "HH:MM"', value)
        hours, minutes = int(parts[0]), int(parts[1])
        if minutes > 59 or hours > 24 or (hours == 24 and minutes):
            raise self.fail(f"{where}.{key}", 'a local time between "00:00" and "24:00"', value)
        return hours * 60 + minutes

    def string_tuple(self, data: dict, key: str, where: str) -> tuple[str, ...]:
        return tuple(self.strings(data, key, where))

    def weekday(self, data: dict, key: str, where: str) -> int:
        """One weekday like "sun" as its number, Monday = 0."""
        day = data.get(key)
        if not isinstance(day, str) or day.lower() not in WEEKDAYS:
            raise self.fail(f"{where}.{key}", f"a weekday from {', '.join(WEEKDAYS)}", day)
        return WEEKDAYS.index(day.lower())

    def weekdays(self, data: dict, key: str, where: str) -> tuple[int, ...]:
        """A list like ["mon", "fri"] as sorted, distinct weekday numbers, Monday = 0."""
        days = self.strings(data, key, where)
        if not days or any(d.lower() not in WEEKDAYS for d in days):
            raise self.fail(f"{where}.{key}", f"weekdays from {', '.join(WEEKDAYS)}", days)
        return tuple(sorted({WEEKDAYS.index(d.lower()) for d in days}))

    def zone(self, data: dict, key: str, where: str) -> str:
        """An IANA zone name, checked."""
        name = self.text(data, key, where)
        check_timezone(name, where=f"{where}.{key}")
        return name

    def pair(self, data: dict, key: str, where: str) -> tuple[float, float]:
        """[from, to] hours after a shift's start."""
        window = self.numbers(data, key, where, [])
        if len(window) != 2:
            raise self.fail(f"{where}.{key}", "[from, to] hours after the shift start", window)
        return (window[0], window[1])

    def night_window(self, data: dict, key: str, where: str) -> dict[str, int]:
        """night_window = ["22:00", "06:00"] as Site's two night fields."""
        window = data[key]
        if not isinstance(window, list) or len(window) != 2:
            raise self.fail(f"{where}.{key}", '["HH:MM", "HH:MM"], e.g. ["22:00", "06:00"]', window)
        start, end = (
            self.clock({f"{key}[{k}]": v}, f"{key}[{k}]", where) for k, v in enumerate(window)
        )
        return {"night_start_minutes": start, "night_end_minutes": end}

    def shrinkage_profile(self, data: dict, key: str, where: str) -> tuple[ShrinkageRule, ...]:
        """shrinkage_profile = [{ days = [...], from = "HH:MM", to = "HH:MM", rate = 0.4 }, ...]."""
        rules = data[key]
        if not isinstance(rules, list):
            raise self.fail(f"{where}.{key}", "an array of inline tables", rules)
        out = []
        for i, rule in enumerate(rules):
            w = f"{where}.{key}[{i}]"
            if not isinstance(rule, dict):
                raise self.fail(
                    w, '{ rate = 0.4, days = ["mon"], from = "09:00", to = "11:00" }', rule
                )
            if "rate" not in rule:
                raise self.fail(f"{w}.rate", "a shrinkage share, e.g. 0.4", None)
            shrinkage = ShrinkageRule(**self.given(rule, SHRINKAGE_RULE_FIELDS, w))
            shrinkage.check(w)
            out.append(shrinkage)
        return tuple(out)

    def break_rules(self, data: dict, key: str, where: str) -> tuple[BreakRule, ...]:
        """[[scheduling.breaks]] (minutes, after_hours, window = [from, to]) as BreakRules."""
        given = [k for k in BREAK_SHORTHAND if k in data]
        if given:
            raise WfmError(
                f"{self.source}: scheduling: both {', '.join(given)} and [[scheduling.breaks]] "
                "are given; use one: break_minutes etc. for a single break, or "
                "[[scheduling.breaks]] for several"
            )
        tables = data[key]
        if not isinstance(tables, list):
            raise self.fail(f"{where}.{key}", "an array of tables [[scheduling.breaks]]", tables)
        rules = []
        for i, table in enumerate(tables):
            w = f"{where}.{key}[{i}]"
            if not isinstance(table, dict):
                raise self.fail(w, "a table with minutes, after_hours, window", table)
            self.check_fields(table, set(BREAK_RULE_FIELDS), f"[[scheduling.breaks]] {i}")
            if "minutes" not in table:
                raise self.fail(f"{w}.minutes", "the break length in minutes, e.g. 30", None)
            rules.append(BreakRule(**self.given(table, BREAK_RULE_FIELDS, w)))
        return tuple(rules)


def load_config(path: Path | None) -> Config:
    """Read and validate wfm.toml; None gives the defaults.

    Raises:
        WfmError: a missing or unreadable file, bad TOML, or a bad field.
    """
    if path is None:
        return Config()
    source = str(path)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WfmError(f"{source}: config file not found; pass --config PATH") from None
    except (OSError, UnicodeDecodeError) as e:
        raise WfmError(f"{source}: cannot read config: {e}") from None
    except tomllib.TOMLDecodeError as e:
        raise WfmError(f"{source}: not valid TOML: {e}") from None
    try:
        return _parse(data, _Reader(source))
    except (SchedulingError, ForecastingError, _SettingsError) as e:
        raise WfmError(f"{source}: {e}") from None


def _parse(data: dict, r: _Reader) -> Config:
    r.check_fields(data, TOP_FIELDS, "top level")
    top = {k: data[k] for k in ("interval_minutes", "timezone") if k in data}
    interval = r.integer(top, "interval_minutes", "top level", Config.interval_minutes)
    if interval not in (15, 30, 60):
        raise r.fail("interval_minutes", "15, 30 or 60", interval)
    timezone = r.text(top, "timezone", "top level", Config.timezone)
    check_timezone(timezone, where="timezone")
    queues = _queues(r.table(data, "queues", "queues"), timezone, r)
    sites = _sites(data.get("sites", []), r)
    _check_site_queues(sites, queues, r)
    return Config(
        source=r.source,
        interval_minutes=interval,
        timezone=timezone,
        forecast=ForecastSettings(
            **r.given(r.table(data, "forecast", "forecast"), FORECAST_FIELDS, "forecast")
        ),
        queues=queues,
        sites=sites,
        scheduling=ScheduleOptions(
            interval_minutes=interval,
            **r.given(r.table(data, "scheduling", "scheduling"), SCHEDULING_FIELDS, "scheduling"),
        ),
        capacity=parse_capacity(data, r),
        simulation=SimulationSettings(
            **r.given(r.table(data, "simulation", "simulation"), SIMULATION_FIELDS, "simulation")
        ),
        staffing=StaffingSettings(
            **r.given(r.table(data, "staffing", "staffing"), STAFFING_FIELDS, "staffing")
        ),
    )


def _queues(data: dict, timezone: str, r: _Reader) -> dict[str, QueueSpec]:
    """[queues.NAME] tables; a queue without a timezone keeps the top-level one."""
    queues = {}
    for name, table in sorted(data.items()):
        w = f"queues.{name}"
        if not isinstance(table, dict):
            raise r.fail(w, "a table [queues.NAME]", table)
        queues[name] = QueueSpec(
            name=name, **{"timezone": timezone, **r.given(table, QUEUE_FIELDS, w)}
        )
    return queues


def _check_site_queues(sites: tuple[Site, ...], queues: dict[str, QueueSpec], r: _Reader) -> None:
    """Every queue a site serves is a [queues.NAME] of the config, when it has any
    (a misspelt one would leave the real queue unserved there, silently)."""
    if not queues:
        return
    for i, site in enumerate(sites):
        unknown = sorted(set(site.queues) - set(queues))
        if unknown:
            raise WfmError(
                f"{r.source}: sites[{i}] ({site.name}).queues: no [queues.NAME] table for "
                f"{', '.join(map(repr, unknown))} (the config's queues: "
                f"{', '.join(sorted(queues))}); fix the name or add its table"
            )


def _sites(data: Any, r: _Reader) -> tuple[Site, ...]:
    if not isinstance(data, list):
        raise r.fail("sites", "an array of tables [[sites]]", data)
    sites, seen = [], set()
    for i, table in enumerate(data):
        if not isinstance(table, dict):
            raise r.fail(f"sites[{i}]", "a table", table)
        name = r.text(table, "name", f"sites[{i}]", None)
        if not name:
            raise r.fail(f"sites[{i}].name", "a site name", name)
        if name in seen:
            raise WfmError(f"{r.source}: sites[{i}].name: site {name!r} appears twice")
        seen.add(name)
        given = r.given(table, SITE_FIELDS, f"sites[{i}] ({name})")
        if "open_minutes" in given and given["open_minutes"] == given.get("close_minutes"):
            raise WfmError(
                f"{r.source}: sites[{i}] ({name}): open and close are both "
                f'{table["open"]!r}; a site open round the clock has open = "00:00", '
                'close = "24:00"'
            )
        for key in ("queues", "shift_hours"):
            if key in given:
                given[key] = tuple(given[key])
        sites.append(Site(**given))
    return tuple(sites)
