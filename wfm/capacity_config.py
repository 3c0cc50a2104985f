"""[capacity] and [sites.capacity] of wfm.toml: hiring, attrition, overtime, outsourcing.

`[capacity]` sets every field for all sites; a `[sites.capacity]` table right
after a `[[sites]]` entry overrides the site-level fields for that site. The
outsourcer, the short penalty and the solver limits are plan-wide and live only in
`[capacity]`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from scheduling.capacity.params import HiringRules, Outsourcer
from scheduling.checks import Range, check_ranges
from wfm.errors import WfmError

SITE_LEVEL_FIELDS = {
    "attrition_per_week",
    "attrition_per_month",
    "early_attrition_per_week",
    "early_attrition_weeks",
    "training_attrition",
    "hire_lead_weeks",
    "class_every_weeks",
    "training_weeks",
    "ramp",
    "class_min",
    "class_max",
    "hiring_cost",
    "overtime_max_share",
    "overtime_cost_multiplier",
    "max_headcount",
}
PLAN_FIELDS = {
    "outsource_max_fte",
    "outsource_cost_per_fte_week",
    "outsource_min_weeks",
    "outsource_lead_weeks",
    "short_penalty_per_fte_week",
    "time_limit_seconds",
    "gap",
}
CAPACITY_FIELDS = SITE_LEVEL_FIELDS | PLAN_FIELDS
SITE_CAPACITY_FIELDS = SITE_LEVEL_FIELDS | {"headcount"}
_INTEGERS = {
    "early_attrition_weeks",
    "hire_lead_weeks",
    "class_every_weeks",
    "training_weeks",
    "class_min",
    "class_max",
    "max_headcount",
}


# [capacity] key -> (Outsourcer attribute, reader kind); defaults stay Outsourcer's.
OUTSOURCER_FIELDS = {
    "outsource_max_fte": ("max_fte", "number"),
    "outsource_cost_per_fte_week": ("cost_per_fte_week", "number"),
    "outsource_min_weeks": ("min_weeks", "integer"),
    "outsource_lead_weeks": ("lead_weeks", "integer"),
}
PLAN_SETTINGS = ("short_penalty_per_fte_week", "time_limit_seconds", "gap")
PLAN_RANGES = (
    Range("short_penalty_per_fte_week", lambda v: 0 <= v <= 1e9, ">= 0 (at most 1e9)"),
    Range("time_limit_seconds", lambda v: 0 < v <= 7 * 86_400, "> 0 seconds and at most a week"),
    Range("gap", lambda v: 0 <= v < 1, "a relative gap 0 <= x < 1, e.g. 0.001"),
)


@dataclass(frozen=True)
class CapacityConfig:
    """[capacity] with its per-site overrides, validated."""

    rules: HiringRules = field(default_factory=HiringRules)
    site_rules: dict[str, HiringRules] = field(default_factory=dict)
    site_headcount: dict[str, float] = field(default_factory=dict)
    outsourcer: Outsourcer = field(default_factory=Outsourcer)
    short_penalty_per_fte_week: float = 10000.0
    time_limit_seconds: float = 60.0
    gap: float = 0.001

    def __post_init__(self) -> None:
        check_ranges(self, PLAN_RANGES, where="capacity")

    def rules_for(self, site: str) -> HiringRules:
        return self.site_rules.get(site, self.rules)


def parse_capacity(data: dict, reader: Any) -> CapacityConfig:
    """The [capacity] table and each [[sites]] entry's capacity table.

    Args:
        data: the whole parsed wfm.toml.
        reader: wfm.config's field reader (names the file in errors).

    Raises:
        WfmError, InputError: an unknown, ill-typed or out-of-range field.
    """
    table = reader.table(data, "capacity", "capacity")
    reader.check_fields(table, CAPACITY_FIELDS, "[capacity]")
    rules = _rules(table, HiringRules(), "capacity", reader)
    site_rules, headcount = {}, {}
    sites = data.get("sites", [])
    for i, site in enumerate(sites if isinstance(sites, list) else []):
        if not isinstance(site, dict) or "capacity" not in site:
            continue
        name = site.get("name")
        where = f"sites[{i}] ({name}).capacity"
        own = site["capacity"]
        if not isinstance(own, dict):
            raise reader.fail(where, "a table [sites.capacity]", own)
        plan_wide = sorted(set(own) & PLAN_FIELDS)
        if plan_wide:
            raise WfmError(
                f"{reader.source}: {where}: {plan_wide[0]} is plan-wide; set it in [capacity]"
            )
        reader.check_fields(own, SITE_CAPACITY_FIELDS, f"[{where}]")
        site_rules[name] = _rules(own, rules, where, reader)
        if "headcount" in own:
            count = reader.number(own, "headcount", where, None)
            if count < 0:
                raise reader.fail(f"{where}.headcount", "agents >= 0", count)
            headcount[name] = count
    w = "capacity"
    outsourcer = Outsourcer(
        **{
            attribute: getattr(reader, kind)(table, key, w)
            for key, (attribute, kind) in OUTSOURCER_FIELDS.items()
            if key in table
        }
    )
    plan = {key: reader.number(table, key, w) for key in PLAN_SETTINGS if key in table}
    return CapacityConfig(rules, site_rules, headcount, outsourcer, **plan)


def _rules(table: dict, base: HiringRules, where: str, reader: Any) -> HiringRules:
    """`base` with the site-level fields `table` sets, checked."""
    changes: dict[str, Any] = {}
    for key in sorted(SITE_LEVEL_FIELDS & set(table)):
        if key == "ramp":
            changes[key] = _ramp(table, where, reader)
        elif key == "attrition_per_month":
            continue
        elif key in _INTEGERS:
            changes[key] = reader.integer(table, key, where, None)
        else:
            changes[key] = reader.number(table, key, where, None)
    if "attrition_per_month" in table:
        if "attrition_per_week" in table:
            raise WfmError(
                f"{reader.source}: {where}: both attrition_per_week and attrition_per_month; "
                "give one"
            )
        monthly = reader.number(table, "attrition_per_month", where, None)
        if not 0 <= monthly < 1:
            raise reader.fail(f"{where}.attrition_per_month", "a share 0 <= x < 1", monthly)
        changes["attrition_per_week"] = 1.0 - (1.0 - monthly) ** (12 / 52)
    rules = dataclasses.replace(base, **changes)
    rules.check(where)
    return rules


def _ramp(table: dict, where: str, reader: Any) -> tuple[float, ...]:
    value = table["ramp"]
    if not isinstance(value, list) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in value
    ):
        raise reader.fail(f"{where}.ramp", "a list of productivity shares, e.g. [0.5, 0.75]", value)
    return tuple(float(v) for v in value)
