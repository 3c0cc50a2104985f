"""The flow of people through a site: hires -> training -> ramp -> productive, minus attrition.

Headcount is modelled in expectation: a class of x hires (a whole number) is
followed as x times the expected share of it still employed, so headcount,
attrition and productive FTE are fractional while hires and class sizes stay
whole. Every quantity is then linear in the class sizes, and the plan is a
small integer programme (see `scheduling.capacity.model`).

Week conventions, for a class that starts in week c with training T weeks:

- it is in training in weeks c .. c+T-1, losing `training_attrition` of its
  hires over those weeks at a steady weekly rate;
- the rest (the graduates) join the floor at the start of week c+T, and count
  in `headcount` from then on;
- k weeks after joining, an agent works at `ramp[k]` of full productivity (1.0
  once the ramp is over) and leaves in that week with probability
  `early_attrition_per_week` for k < `early_attrition_weeks`, else
  `attrition_per_week`.

So headcount(t+1) = headcount(t) - attrition(t) + graduates(t), where
graduates(t) join at the start of week t+1. The agents on the floor when the
plan starts are tenured and fully productive.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scheduling.capacity.params import HiringRules


@dataclass(frozen=True)
class CohortProfile:
    """What one hire of a class amounts to, by weeks since the class started.

    Every array has one value per age 0 .. horizon-1 (weeks since the class
    start), per agent hired.

    Attributes:
        training: agents in training during the week.
        floor: agents on the floor (past training) during the week.
        attrition: agents leaving the floor during the week.
        productive: productive FTE during the week (floor x ramp).
    """

    training: np.ndarray
    floor: np.ndarray
    attrition: np.ndarray
    productive: np.ndarray


def cohort_profile(rules: HiringRules, horizon: int) -> CohortProfile:
    """The expected path of one hire over `horizon` weeks from its class start."""
    ages = np.arange(horizon)
    weeks = rules.training_weeks
    training = np.zeros(horizon)
    if weeks:
        kept = (1.0 - rules.training_attrition) ** (np.arange(weeks) / weeks)
        training[: min(weeks, horizon)] = kept[:horizon]
    tenure = ages - weeks  # weeks on the floor; < 0 while training
    rates = np.where(
        tenure < rules.early_attrition_weeks,
        _early_rate(rules),
        rules.attrition_per_week,
    )
    rates = np.where(tenure >= 0, rates, 0.0)
    survival = np.cumprod(np.concatenate(([1.0], 1.0 - rates[:-1]))) if horizon else rates
    floor = np.where(tenure >= 0, (1.0 - rules.training_attrition) * survival, 0.0)
    ramp = np.asarray(rules.ramp, dtype=float)
    speed = np.where(
        tenure < 0, 0.0, ramp[np.clip(tenure, 0, max(len(ramp) - 1, 0))] if len(ramp) else 1.0
    )
    speed = np.where(tenure >= len(ramp), 1.0, speed)
    return CohortProfile(
        training=training,
        floor=floor,
        attrition=floor * rates,
        productive=floor * speed,
    )


def tenured_floor(rules: HiringRules, horizon: int) -> np.ndarray:
    """Share of the plan's starting agents still on the floor in each week."""
    return (1.0 - rules.attrition_per_week) ** np.arange(horizon)


def _early_rate(rules: HiringRules) -> float:
    if rules.early_attrition_per_week is None:
        return rules.attrition_per_week
    return rules.early_attrition_per_week
