"""`wfm capacity`: required FTE per week, the sites' people, and the plan's scenarios.

The CLI calls `run_capacity` once; this module reads the files, turns the config
into library parameters, and runs the base plan and any `--compare` scenarios.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.forecast import MAX_GROWTH
from scheduling.capacity.demand import quantile_volume, weekly_requirements
from scheduling.capacity.model import CapacityOptions
from scheduling.capacity.params import MAX_HEADCOUNT, SiteCapacity
from scheduling.capacity.plan import CapacityPlan, plan_capacity
from scheduling.columns import (
    OUTSOURCED_FTE,
    OVERTIME_FTE,
    PRODUCTIVE_FTE,
    REQUIRED_FTE,
    VOLUME,
    WEEK_START,
)
from scheduling.errors import InputError
from scheduling.staffing.requirements import staff_requirements
from wfm import readers
from wfm.config import Config
from wfm.errors import WfmError

SCENARIO_KEYS = ("growth", "attrition", "outsourcing", "hire_lead_weeks")
MAX_COMPARE = 2  # the base plan and two more fit side by side


@dataclass(frozen=True)
class Scenario:
    """A what-if over the config: more volume, another attrition rate, no outsourcer."""

    name: str = "base"
    growth: float = 0.0
    attrition: float | None = None  # weekly rate for every site
    outsourcing: bool = True
    hire_lead_weeks: int | None = None


@dataclass(frozen=True)
class CapacityRequest:
    """What `wfm capacity` was asked for."""

    forecast: Path | None = None
    requirements: Path | None = None
    headcount: Path | None = None
    roster: Path | None = None
    start: str | None = None
    quantile: float | None = None
    base: Scenario = field(default_factory=Scenario)
    compare: tuple[str, ...] = ()


@dataclass(frozen=True)
class CapacityRun:
    """The base plan, the compared scenarios' plans, and notes for the reader."""

    plan: CapacityPlan
    scenarios: tuple[tuple[Scenario, CapacityPlan], ...]
    notes: tuple[str, ...]
    quantile_risk: str | None = None


def run_capacity(request: CapacityRequest, config: Config) -> CapacityRun:
    """Plan the base scenario and each `--compare` scenario."""
    if (request.forecast is None) == (request.requirements is None):
        raise WfmError("capacity: give exactly one of --forecast or --requirements")
    if request.headcount is not None and request.roster is not None:
        raise WfmError("capacity: give --headcount or --roster, not both")
    if not config.sites:
        raise WfmError(f"{config.source}: no [[sites]]; `wfm capacity` plans per site")
    if request.quantile is not None and request.forecast is None:
        raise WfmError("--quantile: needs --forecast (requirements have no volume range)")
    start = _start(request.start)
    notes: list[str] = []
    headcount = starting_headcount(request, config, notes)
    demand = _Demand(request, config, start)
    scenarios = [request.base] + [parse_scenario(s, request.base) for s in request.compare]
    if len(scenarios) > 1 + MAX_COMPARE:
        raise WfmError(f"--compare: at most {MAX_COMPARE} scenarios beside the base plan")
    plans = []
    for scenario in scenarios:
        required = demand.weekly(scenario.growth, request.quantile)
        plans.append((scenario, _plan(required, scenario, config, headcount)))
    notes.extend(demand.notes)
    risk = None
    if request.quantile is not None and request.quantile > 0.5:  # the median is the plan's own
        risk = _quantile_risk(demand, request, config, headcount, plans[0][1])
    return CapacityRun(plans[0][1], tuple(plans), tuple(dict.fromkeys(notes)), risk)


def parse_scenario(text: str, base: Scenario) -> Scenario:
    """`growth=0.1,attrition=0.01,outsourcing=off` over the base scenario."""
    changes: dict[str, object] = {"name": text}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = (s.strip() for s in part.partition("="))
        if not sep or key not in SCENARIO_KEYS:
            raise WfmError(
                f"--compare: {part!r} is not KEY=VALUE with KEY one of {', '.join(SCENARIO_KEYS)} "
                "(e.g. 'growth=0.1,outsourcing=off')"
            )
        try:
            if key == "outsourcing":
                if value not in ("on", "off"):
                    raise ValueError
                changes[key] = value == "on"
            elif key == "hire_lead_weeks":
                changes[key] = int(value)
            else:
                changes[key] = float(value)
        except ValueError:
            raise WfmError(f"--compare: {part!r}: bad value {value!r}") from None
    return check_scenario(dataclasses.replace(base, **changes), where="--compare")


def check_scenario(scenario: Scenario, *, where: str | None = None) -> Scenario:
    """`scenario` if its values are sane; errors name `where` (a --compare entry) or the option."""
    if not np.isfinite(scenario.growth) or not -1 < scenario.growth <= MAX_GROWTH:
        raise WfmError(
            f"{where or '--growth'}: growth must be > -1 and at most {MAX_GROWTH:g} "
            f"(0.1 is 10% more), got {scenario.growth:g}"
        )
    if scenario.attrition is not None and not 0 <= scenario.attrition < 1:
        raise WfmError(
            f"{where or '--attrition'}: attrition must be a weekly share 0 <= x < 1, "
            f"got {scenario.attrition:g}"
        )
    if scenario.hire_lead_weeks is not None and scenario.hire_lead_weeks < 0:
        raise WfmError(
            f"{where or '--compare'}: hire_lead_weeks must be >= 0, got {scenario.hire_lead_weeks}"
        )
    return scenario


def starting_headcount(request: CapacityRequest, config: Config, notes: list[str]) -> dict:
    """Agents per site at the start: --headcount, --roster, [sites.capacity] headcount, or 0."""
    names = [s.name for s in config.sites]
    if request.headcount is not None:
        counts = read_headcount(request.headcount, sites=names)
        absent = [n for n in names if n not in counts]
        if absent:
            notes.append(
                f"{request.headcount}: no row for {', '.join(absent)}: starting from 0 agents "
                "there; add a row per site (agents 0 if it really has nobody)"
            )
        return {name: counts.get(name, 0.0) for name in names}
    if request.roster is not None:
        roster = readers.read_roster(request.roster, sites=names)
        counts = roster.groupby("site").size()
        return {name: float(counts.get(name, 0)) for name in names}
    given = config.capacity.site_headcount
    missing = [n for n in names if n not in given]
    if missing:
        notes.append(
            f"no headcount for {', '.join(missing)}: starting from 0 agents there; "
            "pass --headcount or --roster, or set headcount in [sites.capacity]"
        )
    return {name: float(given.get(name, 0.0)) for name in names}


def read_headcount(path: Path, *, sites: list[str]) -> dict[str, float]:
    """headcount.csv: site, agents [, skills]; rows of one site add up. Sites
    without a row are left out."""
    raw = readers.read_table(path, what="headcount")
    readers.require_columns(raw, ["site", "agents"], path=path, what="headcount")
    site = raw["site"].str.strip()
    agents = readers.parse_numbers(raw["agents"], path=path, column="agents", maximum=MAX_HEADCOUNT)
    unknown = ~site.isin(sites)
    if unknown.any():
        row = int(np.flatnonzero(unknown.to_numpy())[0]) + 2
        raise WfmError(
            f"{path}: row {row}: unknown site {site[unknown].iloc[0]!r}; "
            f"sites in the config: {', '.join(sites)}"
        )
    counts = agents.groupby(site).sum()
    return {name: float(counts[name]) for name in sites if name in counts}


class _Demand:
    """Weekly required FTE, staffed once per (growth, quantile) from the input."""

    def __init__(self, request: CapacityRequest, config: Config, start: dt.date | None):
        self.config, self.start = config, start
        self.path = request.forecast if request.forecast is not None else request.requirements
        self.notes: list[str] = []
        self.forecast = None
        self.requirements = None
        if request.forecast is not None:
            if not config.queues:
                raise WfmError(f"{config.source}: no [queues.NAME]; --forecast needs them")
            self.forecast = readers.read_forecast(request.forecast, tz=config.timezone)
        else:
            self.requirements = readers.read_requirements(request.requirements, tz=config.timezone)
        self._cache: dict[tuple[float, float | None], pd.DataFrame] = {}

    def weekly(self, growth: float, quantile: float | None) -> pd.DataFrame:
        key = (growth, quantile)
        if key not in self._cache:
            self._cache[key] = self._weekly(growth, quantile)
        return self._cache[key]

    def _weekly(self, growth: float, quantile: float | None) -> pd.DataFrame:
        config = self.config
        if self.forecast is not None:
            forecast = self.forecast.copy()
            if quantile is not None:
                forecast[VOLUME] = quantile_volume(
                    forecast, quantile=quantile, level=config.forecast.level
                )
            forecast[VOLUME] = forecast[VOLUME] * (1 + growth)
            requirements = staff_requirements(
                forecast, config.queues, interval_minutes=config.interval_minutes
            )
        else:
            requirements = self.requirements
        try:
            weekly, notes = weekly_requirements(
                requirements,
                fte_hours_per_week=config.staffing.fte_hours_per_week,
                timezone=config.timezone,
                interval_minutes=config.interval_minutes,
                start=self.start,
            )
        except InputError as e:
            raise WfmError(f"{self.path}: {e}") from None
        self.notes.extend(notes)
        if self.forecast is None and growth:
            weekly = weekly.assign(**{REQUIRED_FTE: weekly[REQUIRED_FTE] * (1 + growth)})
        return weekly


def site_capacities(
    config: Config, headcount: dict[str, float], scenario: Scenario
) -> list[SiteCapacity]:
    """The config's sites as the plan sees them, under `scenario`."""
    hours = config.staffing.fte_hours_per_week
    out = []
    for site in config.sites:
        rules = config.capacity.rules_for(site.name)
        if scenario.attrition is not None:
            rules = dataclasses.replace(rules, attrition_per_week=scenario.attrition)
        if scenario.hire_lead_weeks is not None:
            rules = dataclasses.replace(rules, hire_lead_weeks=scenario.hire_lead_weeks)
        out.append(
            SiteCapacity(
                name=site.name,
                queues=tuple(site.queues),
                weekly_cost=site.cost_per_hour * hours,
                headcount=headcount[site.name],
                rules=rules,
            )
        )
    return out


def _plan(
    required: pd.DataFrame, scenario: Scenario, config: Config, headcount: dict[str, float]
) -> CapacityPlan:
    settings = config.capacity
    sites = site_capacities(config, headcount, scenario)
    _check_horizon(required, sites, config)
    outsourcer = settings.outsourcer
    if not scenario.outsourcing:
        outsourcer = dataclasses.replace(outsourcer, max_fte=0.0)
    options = CapacityOptions(
        short_penalty_per_fte_week=settings.short_penalty_per_fte_week,
        solver=config.scheduling.solver,
        time_limit_seconds=settings.time_limit_seconds,
        gap=settings.gap,
    )
    return plan_capacity(required, sites=sites, outsourcer=outsourcer, options=options)


def _check_horizon(required: pd.DataFrame, sites: list[SiteCapacity], config: Config) -> None:
    weeks = required[WEEK_START].nunique()
    needed = min(s.rules.productive_from() for s in sites)
    if weeks <= needed:
        raise WfmError(
            f"capacity: the forecast covers {weeks} whole weeks, but a class decided now "
            f"joins the floor only after {needed} (hire_lead_weeks + training_weeks in "
            f"{config.source}); forecast a longer horizon (e.g. --horizon 52w)"
        )


def _quantile_risk(
    demand: _Demand,
    request: CapacityRequest,
    config: Config,
    headcount: dict[str, float],
    quantile_plan: CapacityPlan,
) -> str:
    """How short the plan to the median forecast would be at the quantile's volume."""
    base = request.base
    median = _plan(demand.weekly(base.growth, None), base, config, headcount)
    high = demand.weekly(base.growth, request.quantile).groupby(WEEK_START)[REQUIRED_FTE].sum()
    frame = median.plan
    supply = frame.groupby(WEEK_START)[[PRODUCTIVE_FTE, OVERTIME_FTE, OUTSOURCED_FTE]].sum()
    gap = (high - supply.sum(axis=1)).clip(lower=0.0)
    p = f"P{request.quantile * 100:g}"
    extra = quantile_plan.total_cost - median.total_cost
    weeks = int((gap > 1e-4).sum())
    if abs(extra) < 0.5:
        cost, joint = "costs the same", "and"
    else:
        saved = f"{extra:,.0f} less" if extra > 0 else f"{-extra:,.0f} more"
        cost, joint = f"costs {median.total_cost:,.0f} ({saved})", "but" if extra > 0 else "and"
    short = (
        f"is {gap.sum():,.1f} FTE-weeks short in {weeks} week{'s' if weeks != 1 else ''}"
        if weeks
        else "is not short"
    )
    return f"planned to the median forecast instead, the plan {cost} {joint} {short} at {p} volume"


def _start(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise WfmError(f"--start: expected a date YYYY-MM-DD, got {text!r}") from None
