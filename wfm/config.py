"""wfm.toml: load, validate, and turn into library parameters.

Every field has a default; every error names the file, the field and what was
expected. Unknown fields are errors too, because a misspelt `shrinkge` silently
ignored would staff a whole quarter wrong.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forecasting.calendar import check_timezone
from forecasting.errors import ForecastingError
from scheduling.errors import SchedulingError
from scheduling.shifts.options import BreakRule, ScheduleOptions
from scheduling.shifts.sites import WEEKDAYS, Site
from scheduling.staffing.queues import QueueSpec
from scheduling.staffing.shrinkage import ShrinkageRule
from wfm.errors import WfmError

TOP_FIELDS = {
    "interval_minutes",
    "timezone",
    "forecast",
    "queues",
    "sites",
    "scheduling",
    "staffing",
}
FORECAST_FIELDS = {
    "level",
    "holiday_categories",
    "closed_holidays",
    "country",
    "subdivision",
    "model",
    "time_column",
    "queue_column",
    "handle_time_column",
}
QUEUE_FIELDS = {
    "channel",
    "timezone",
    "aht_seconds",
    "service_level",
    "answer_seconds",
    "response_hours",
    "max_occupancy",
    "shrinkage",
    "concurrency",
    "patience_seconds",
    "target_asa_seconds",
    "max_abandonment",
    "concurrency_efficiency",
    "shrinkage_profile",
    "open",
    "close",
    "days",
    "span_of_control",
    "whole_agents",
}
SHRINKAGE_RULE_FIELDS = {"rate", "days", "from", "to"}
STAFFING_FIELDS = {"fte_hours_per_week"}
SITE_FIELDS = {
    "name",
    "timezone",
    "open",
    "close",
    "days",
    "queues",
    "shift_hours",
    "start_step_minutes",
    "max_agents",
    "cost_per_hour",
    "holidays",
    "night_premium",
    "night_window",
    "weekend_premium",
}
SCHEDULING_FIELDS = {
    "solver",
    "time_limit_seconds",
    "gap",
    "node_limit",
    "shortfall_penalty",
    "surplus_penalty",
    "max_days_per_week",
    "consecutive_days_off",
    "min_rest_hours",
    "max_hours_per_week",
    "cyclic",
    "break_minutes",
    "break_after_hours",
    "break_window",
    "breaks",
}
BREAK_SHORTHAND = ("break_minutes", "break_after_hours", "break_window")
BREAK_RULE_FIELDS = {"minutes", "after_hours", "window"}


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
    holiday_categories: tuple[str, ...] | None = None
    closed_holidays: tuple[str, ...] = ()


@dataclass(frozen=True)
class StaffingSettings:
    """[staffing]: plan-wide staffing settings (per-queue ones live in [queues.NAME])."""

    fte_hours_per_week: float = 40.0


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

    def queue_timezones(self) -> dict[str, str]:
        return {name: q.timezone for name, q in self.queues.items()}

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

    def check_fields(self, data: dict, allowed: set[str], where: str) -> None:
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise WfmError(
                f"{self.source}: {where}: unknown field {unknown[0]!r}; "
                f"known fields: {', '.join(sorted(allowed))}"
            )

    def number(self, data: dict, key: str, where: str, default: float | None) -> float | None:
        value = data.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"{where}.{key}", "a number", value)
        return float(value)

    def integer(self, data: dict, key: str, where: str, default: int | None) -> int | None:
        value = data.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{where}.{key}", "a whole number", value)
        return value

    def text(self, data: dict, key: str, where: str, default: str | None) -> str | None:
        value = data.get(key, default)
        if value is not None and not isinstance(value, str):
            raise self.fail(f"{where}.{key}", "a string", value)
        return value

    def flag(self, data: dict, key: str, where: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"{where}.{key}", "true or false", value)
        return value

    def strings(self, data: dict, key: str, where: str, default: list[str]) -> list[str]:
        value = data.get(key, default)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{where}.{key}", "a list of strings", value)
        return value

    def numbers(self, data: dict, key: str, where: str, default: list[float]) -> list[float]:
        value = data.get(key, default)
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        ):
            raise self.fail(f"{where}.{key}", "a non-empty list of numbers", value)
        return [float(v) for v in value]

    def clock(self, data: dict, key: str, where: str, default: str) -> int:
        """A local time "HH:MM" ("24:00" allowed) as minutes after midnight."""
        value = data.get(key, default)
        parts = value.split(":") if isinstance(value, str) else []
        if len(parts) != 2 or not all(p.isdigit() and len(p) == 2 for p in parts):
            raise self.fail(f"{where}.{key}", 'a local time "HH:MM"', value)
        hours, minutes = int(parts[0]), int(parts[1])
        if minutes > 59 or hours > 24 or (hours == 24 and minutes):
            raise self.fail(f"{where}.{key}", 'a local time between "00:00" and "24:00"', value)
        return hours * 60 + minutes


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
    except (SchedulingError, ForecastingError) as e:
        raise WfmError(f"{source}: {e}") from None


def _parse(data: dict, r: _Reader) -> Config:
    r.check_fields(data, TOP_FIELDS, "top level")
    interval = r.integer(data, "interval_minutes", "top level", 60)
    if interval not in (15, 30, 60):
        raise r.fail("interval_minutes", "15, 30 or 60", interval)
    timezone = r.text(data, "timezone", "top level", "UTC")
    check_timezone(timezone, where="timezone")
    return Config(
        source=r.source,
        interval_minutes=interval,
        timezone=timezone,
        forecast=_forecast(r.table(data, "forecast", "forecast"), r),
        queues=_queues(r.table(data, "queues", "queues"), timezone, r),
        sites=_sites(data.get("sites", []), r),
        scheduling=_scheduling(r.table(data, "scheduling", "scheduling"), interval, r),
        staffing=_staffing(r.table(data, "staffing", "staffing"), r),
    )


def _forecast(data: dict, r: _Reader) -> ForecastSettings:
    r.check_fields(data, FORECAST_FIELDS, "[forecast]")
    w = "forecast"
    level = r.number(data, "level", w, 0.8)
    if not 0 < level < 1:
        raise r.fail("forecast.level", "a share between 0 and 1, e.g. 0.8", level)
    return ForecastSettings(
        level=level,
        country=r.text(data, "country", w, None),
        subdivision=r.text(data, "subdivision", w, None),
        model=r.text(data, "model", w, "seasonal"),
        time_column=r.text(data, "time_column", w, None),
        queue_column=r.text(data, "queue_column", w, None),
        handle_time_column=r.text(data, "handle_time_column", w, None),
        holiday_categories=tuple(r.strings(data, "holiday_categories", w, [])) or None,
        closed_holidays=tuple(r.strings(data, "closed_holidays", w, [])),
    )


def _queues(data: dict, timezone: str, r: _Reader) -> dict[str, QueueSpec]:
    queues = {}
    for name, table in sorted(data.items()):
        w = f"queues.{name}"
        if not isinstance(table, dict):
            raise r.fail(w, "a table [queues.NAME]", table)
        r.check_fields(table, QUEUE_FIELDS, f"[{w}]")
        zone = r.text(table, "timezone", w, timezone)
        check_timezone(zone, where=f"{w}.timezone")
        queues[name] = QueueSpec(
            name=name,
            channel=r.text(table, "channel", w, "voice"),
            timezone=zone,
            aht_seconds=r.number(table, "aht_seconds", w, 300.0),
            service_level=r.number(table, "service_level", w, 0.8),
            answer_seconds=r.number(table, "answer_seconds", w, 20.0),
            response_hours=r.number(table, "response_hours", w, 4.0),
            max_occupancy=r.number(table, "max_occupancy", w, 0.85),
            shrinkage=r.number(table, "shrinkage", w, 0.30),
            concurrency=r.integer(table, "concurrency", w, 1),
            patience_seconds=r.number(table, "patience_seconds", w, None),
            target_asa_seconds=r.number(table, "target_asa_seconds", w, None),
            max_abandonment=r.number(table, "max_abandonment", w, None),
            concurrency_efficiency=r.number(table, "concurrency_efficiency", w, 1.0),
            shrinkage_profile=_shrinkage_profile(table, w, r),
            open_minutes=r.clock(table, "open", w, "00:00"),
            close_minutes=r.clock(table, "close", w, "24:00"),
            days=_weekdays(table, "days", w, r),
            span_of_control=r.number(table, "span_of_control", w, None),
            whole_agents=r.flag(table, "whole_agents", w, False),
        )
    return queues


def _weekdays(table: dict, key: str, where: str, r: _Reader) -> tuple[int, ...]:
    """A list like ["mon", "fri"] as weekday numbers, Monday = 0."""
    days = r.strings(table, key, where, list(WEEKDAYS))
    if not days or any(d.lower() not in WEEKDAYS for d in days):
        raise r.fail(f"{where}.{key}", f"weekdays from {', '.join(WEEKDAYS)}", days)
    return tuple(sorted({WEEKDAYS.index(d.lower()) for d in days}))


def _shrinkage_profile(table: dict, where: str, r: _Reader) -> tuple[ShrinkageRule, ...]:
    """shrinkage_profile = [{ days = [...], from = "HH:MM", to = "HH:MM", rate = 0.4 }, ...]."""
    rules = table.get("shrinkage_profile", [])
    if not isinstance(rules, list):
        raise r.fail(f"{where}.shrinkage_profile", "an array of inline tables", rules)
    out = []
    for i, rule in enumerate(rules):
        w = f"{where}.shrinkage_profile[{i}]"
        if not isinstance(rule, dict):
            raise r.fail(w, '{ rate = 0.4, days = ["mon"], from = "09:00", to = "11:00" }', rule)
        r.check_fields(rule, SHRINKAGE_RULE_FIELDS, w)
        if "rate" not in rule:
            raise r.fail(f"{w}.rate", "a shrinkage share, e.g. 0.4", None)
        rate = r.number(rule, "rate", w, None)
        if not 0 <= rate < 1:
            raise r.fail(
                f"{w}.rate", "a share 0 <= x < 1 (1 or more leaves no productive time)", rate
            )
        out.append(
            ShrinkageRule(
                rate=rate,
                days=_weekdays(rule, "days", w, r),
                start_minutes=r.clock(rule, "from", w, "00:00"),
                end_minutes=r.clock(rule, "to", w, "24:00"),
            )
        )
    return tuple(out)


def _staffing(data: dict, r: _Reader) -> StaffingSettings:
    r.check_fields(data, STAFFING_FIELDS, "[staffing]")
    hours = r.number(data, "fte_hours_per_week", "staffing", 40.0)
    if not 0 < hours <= 168:
        raise r.fail(
            "staffing.fte_hours_per_week", "paid hours in a full-time week, e.g. 40", hours
        )
    return StaffingSettings(fte_hours_per_week=hours)


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
        w = f"sites[{i}] ({name})"
        r.check_fields(table, SITE_FIELDS, w)
        days = r.strings(table, "days", w, list(WEEKDAYS[:5]))
        bad = [d for d in days if d.lower() not in WEEKDAYS]
        if bad or not days:
            raise r.fail(f"{w}.days", f"weekdays from {', '.join(WEEKDAYS)}", days)
        sites.append(
            Site(
                name=name,
                timezone=r.text(table, "timezone", w, "UTC"),
                open_minutes=r.clock(table, "open", w, "00:00"),
                close_minutes=r.clock(table, "close", w, "24:00"),
                days=tuple(sorted(WEEKDAYS.index(d.lower()) for d in days)),
                queues=tuple(r.strings(table, "queues", w, [])),
                shift_hours=tuple(r.numbers(table, "shift_hours", w, [8.0])),
                start_step_minutes=r.integer(table, "start_step_minutes", w, 60),
                max_agents=r.integer(table, "max_agents", w, None),
                cost_per_hour=r.number(table, "cost_per_hour", w, 1.0),
                holidays=r.text(table, "holidays", w, None),
                **_premiums(table, w, r),
            )
        )
    return tuple(sites)


def _premiums(table: dict, where: str, r: _Reader) -> dict[str, Any]:
    """night_premium, night_window = ["22:00", "06:00"], weekend_premium as Site fields."""
    window = table.get("night_window", ["22:00", "06:00"])
    if not isinstance(window, list) or len(window) != 2:
        raise r.fail(f"{where}.night_window", '["HH:MM", "HH:MM"], e.g. ["22:00", "06:00"]', window)
    start, end = (
        r.clock({f"night_window[{k}]": v}, f"night_window[{k}]", where, "")
        for k, v in enumerate(window)
    )
    return {
        "night_premium": r.number(table, "night_premium", where, 0.0),
        "night_start_minutes": start,
        "night_end_minutes": end,
        "weekend_premium": r.number(table, "weekend_premium", where, 0.0),
    }


def _break_window(data: dict, r: _Reader) -> tuple[float, float] | None:
    if "break_window" not in data:
        return None
    window = r.numbers(data, "break_window", "scheduling", [])
    if len(window) != 2:
        raise r.fail("scheduling.break_window", "[from, to] hours after the shift start", window)
    return (window[0], window[1])


def _break_rules(data: dict, r: _Reader) -> tuple[BreakRule, ...] | None:
    """[[scheduling.breaks]] (minutes, after_hours, window = [from, to]) as BreakRules."""
    if "breaks" not in data:
        return None
    given = [key for key in BREAK_SHORTHAND if key in data]
    if given:
        raise WfmError(
            f"{r.source}: scheduling: both {', '.join(given)} and [[scheduling.breaks]] "
            "are given; use one: break_minutes etc. for a single break, or "
            "[[scheduling.breaks]] for several"
        )
    tables = data["breaks"]
    if not isinstance(tables, list):
        raise r.fail("scheduling.breaks", "an array of tables [[scheduling.breaks]]", tables)
    rules = []
    for i, table in enumerate(tables):
        w = f"scheduling.breaks[{i}]"
        if not isinstance(table, dict):
            raise r.fail(w, "a table with minutes, after_hours, window", table)
        r.check_fields(table, BREAK_RULE_FIELDS, f"[[scheduling.breaks]] {i}")
        if "minutes" not in table:
            raise r.fail(f"{w}.minutes", "the break length in minutes, e.g. 30", None)
        window = None
        if "window" in table:
            window = r.numbers(table, "window", w, [])
            if len(window) != 2:
                raise r.fail(f"{w}.window", "[from, to] hours after the shift start", window)
        rules.append(
            BreakRule(
                minutes=r.integer(table, "minutes", w, None),
                after_hours=r.number(table, "after_hours", w, 6.0),
                window=None if window is None else (window[0], window[1]),
            )
        )
    return tuple(rules)


def _scheduling(data: dict, interval: int, r: _Reader) -> ScheduleOptions:
    w = "scheduling"
    r.check_fields(data, SCHEDULING_FIELDS, "[scheduling]")
    return ScheduleOptions(
        interval_minutes=interval,
        solver=r.text(data, "solver", w, "highs"),
        time_limit_seconds=r.number(data, "time_limit_seconds", w, 60.0),
        gap=r.number(data, "gap", w, 0.01),
        node_limit=r.integer(data, "node_limit", w, None),
        shortfall_penalty=r.number(data, "shortfall_penalty", w, 1000.0),
        surplus_penalty=r.number(data, "surplus_penalty", w, 0.01),
        max_days_per_week=r.integer(data, "max_days_per_week", w, 5),
        consecutive_days_off=r.integer(data, "consecutive_days_off", w, 2),
        min_rest_hours=r.number(data, "min_rest_hours", w, 11.0),
        max_hours_per_week=r.number(data, "max_hours_per_week", w, 48.0),
        cyclic=r.flag(data, "cyclic", w, True),
        break_minutes=r.integer(data, "break_minutes", w, 30),
        break_after_hours=r.number(data, "break_after_hours", w, 6.0),
        break_window=_break_window(data, r),
        breaks=_break_rules(data, r),
    )
