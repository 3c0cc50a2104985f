"""Parameters of a capacity plan: how each site's people come and go, and the outsourcer.

`SiteCapacity` is what the plan needs to know about one site (its people, what an
agent costs, hiring, training, ramp, attrition, overtime); `Outsourcer` is the
supplier that can add FTE for a price. The application builds both from
`[capacity]` and `[sites.capacity]` in wfm.toml; the library validates them, and
every error names the site and the field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scheduling.errors import InputError

MAX_HEADCOUNT = 1_000_000  # agents at one site: more is a typo, not a contact centre


@dataclass(frozen=True, kw_only=True)
class HiringRules:
    """Attrition, hiring classes, training, ramp and overtime at one site.

    Attributes:
        attrition_per_week: share of agents on the floor who leave each week, 0-1.
        early_attrition_per_week: share who leave each week in their first
            `early_attrition_weeks` weeks after training (None: as
            `attrition_per_week`), 0-1.
        early_attrition_weeks: weeks after training with the early rate, >= 0.
        training_attrition: share of a class who leave during training, 0-1.
        hire_lead_weeks: recruiting: weeks from the decision (the plan's first
            week) to the earliest class start, >= 0.
        class_every_weeks: classes may start every this many weeks from the
            earliest start, >= 1.
        training_weeks: weeks of paid, unproductive training, >= 0.
        ramp: productivity in the weeks after training, each 0-1 and not
            decreasing; 1.0 after the last ( (): full at once).
        class_min: least agents in a class that opens, >= 1.
        class_max: most agents in one class, >= class_min.
        hiring_cost: cost per hire, cost units.
        overtime_max_share: overtime at most this share of the productive FTE's
            paid hours, 0-1.
        overtime_cost_multiplier: an overtime FTE-week costs this times a
            regular one, >= 1.
        max_headcount: most agents at the site, trainees included (None: no cap).
    """

    attrition_per_week: float = 0.005
    early_attrition_per_week: float | None = None
    early_attrition_weeks: int = 0
    training_attrition: float = 0.0
    hire_lead_weeks: int = 4
    class_every_weeks: int = 1
    training_weeks: int = 3
    ramp: tuple[float, ...] = (0.5, 0.75, 0.9)
    class_min: int = 4
    class_max: int = 15
    hiring_cost: float = 3000.0
    overtime_max_share: float = 0.1
    overtime_cost_multiplier: float = 1.5
    max_headcount: int | None = None

    def check(self, where: str) -> None:
        """Raise InputError naming `where` and the field when a value is out of range."""

        def bad(name: str, expected: str, value: object) -> InputError:
            return InputError(f"{where}: {name} must be {expected}, got {value!r}")

        for name in ("attrition_per_week", "training_attrition", "overtime_max_share"):
            value = getattr(self, name)
            if not _share(value):
                raise bad(name, "a share 0 <= x < 1 (0.005 for 0.5%)", value)
        early = self.early_attrition_per_week
        if early is not None and not _share(early):
            raise bad("early_attrition_per_week", "a share 0 <= x < 1", early)
        for name, low in (
            ("early_attrition_weeks", 0),
            ("hire_lead_weeks", 0),
            ("class_every_weeks", 1),
            ("training_weeks", 0),
            ("class_min", 1),
        ):
            value = getattr(self, name)
            if not _whole(value) or value < low:
                raise bad(name, f"a whole number >= {low}", value)
        if not _whole(self.class_max) or self.class_max < self.class_min:
            raise bad(
                "class_max", f"a whole number >= class_min ({self.class_min})", self.class_max
            )
        if any(not (_finite(p) and 0 <= p <= 1) for p in self.ramp):
            raise bad("ramp", "productivity shares between 0 and 1", list(self.ramp))
        if any(b < a for a, b in zip(self.ramp, self.ramp[1:], strict=False)):
            raise bad("ramp", "not decreasing (agents get faster, not slower)", list(self.ramp))
        if not _finite(self.hiring_cost) or self.hiring_cost < 0:
            raise bad("hiring_cost", ">= 0", self.hiring_cost)
        if not _finite(self.overtime_cost_multiplier) or self.overtime_cost_multiplier < 1:
            raise bad("overtime_cost_multiplier", ">= 1", self.overtime_cost_multiplier)
        if self.max_headcount is not None and (
            not _whole(self.max_headcount) or self.max_headcount < 0
        ):
            raise bad("max_headcount", "a whole number >= 0", self.max_headcount)

    def productive_from(self) -> int:
        """Weeks from the decision until a first class is on the floor."""
        return self.hire_lead_weeks + self.training_weeks


@dataclass(frozen=True, kw_only=True)
class SiteCapacity:
    """One site in the capacity plan.

    Attributes:
        name: site name.
        queues: queues the site's agents serve.
        weekly_cost: cost of one agent for one week (cost_per_hour x FTE hours).
        headcount: agents on the floor at the start of the plan, fully productive.
        rules: attrition, hiring, training, ramp and overtime.
    """

    name: str
    queues: tuple[str, ...]
    weekly_cost: float
    headcount: float = 0.0
    rules: HiringRules = HiringRules()

    def __post_init__(self) -> None:
        where = f"site {self.name!r}"
        if not _finite(self.weekly_cost) or self.weekly_cost < 0:
            raise InputError(f"{where}: weekly cost must be >= 0, got {self.weekly_cost!r}")
        if not _finite(self.headcount) or not 0 <= self.headcount <= MAX_HEADCOUNT:
            raise InputError(
                f"{where}: headcount must be 0 to {MAX_HEADCOUNT:,} agents, got {self.headcount!r}"
            )
        self.rules.check(f"{where}: capacity")


@dataclass(frozen=True, kw_only=True)
class Outsourcer:
    """A supplier of FTE for the peak, serving every queue.

    Attributes:
        max_fte: most FTE available in a week (0: no outsourcer).
        cost_per_fte_week: cost of one outsourced FTE for one week.
        min_weeks: every FTE contracted is paid for at least this many weeks
            (cut at the end of the plan), >= 1.
        lead_weeks: notice: weeks from the decision to the first outsourced week.
    """

    max_fte: float = 20.0
    cost_per_fte_week: float = 1800.0
    min_weeks: int = 4
    lead_weeks: int = 2

    def __post_init__(self) -> None:
        where = "outsourcer"
        if not _finite(self.max_fte) or self.max_fte < 0:
            raise InputError(f"{where}: outsource_max_fte must be >= 0, got {self.max_fte!r}")
        if not _finite(self.cost_per_fte_week) or self.cost_per_fte_week < 0:
            raise InputError(
                f"{where}: outsource_cost_per_fte_week must be >= 0, got {self.cost_per_fte_week!r}"
            )
        if not _whole(self.min_weeks) or self.min_weeks < 1:
            raise InputError(
                f"{where}: outsource_min_weeks must be a whole number >= 1, got {self.min_weeks!r}"
            )
        if not _whole(self.lead_weeks) or self.lead_weeks < 0:
            raise InputError(
                f"{where}: outsource_lead_weeks must be a whole number >= 0, "
                f"got {self.lead_weeks!r}"
            )


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _share(value: object) -> bool:
    return _finite(value) and 0 <= value < 1  # type: ignore[operator]


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
