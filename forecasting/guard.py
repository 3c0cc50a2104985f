"""A model that never loses to last week: held-out choice among the model, baselines, blends.

A calibrated regression can still fail on a series it was not built for (a
level shift, no weekly cycle, a short history). The planners' rules of thumb,
seasonal naive and the four-week average, fail differently. So before a queue
is forecast, the model and those baselines are each fitted on the history
without its latest windows of `h` intervals and forecast them (rolling
origins, Tashman 2000, IJF 16(4)). The candidates:

- the equal-weight mean of the model and the four-week average (with the
  model's holiday and event factors): the base. Combinations are hard to beat
  (Clemen 1989, "Combining forecasts: a review", IJF 5(4); Makridakis,
  Spiliotis & Assimakopoulos 2020, "The M4 Competition", IJF 36(1));
- the model alone;
- the model re-anchored to the recent level: times the ratio of actual to
  fitted volume over the last LEVEL_DAYS days of its training history (a local
  level: it follows level shifts the model's global trend misses), alone and
  blended with the four-week average;
- seasonal naive, the four-week average and daily naive (yesterday).

forecasting.selection.choose_guarded keeps the base unless another candidate
did clearly better in every window, and says so. Every member is fitted once
per window and once on the whole history; the blends reuse those fits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.base import QueueContext, VolumeModel
from forecasting.columns import INTERVAL_START, VOLUME
from forecasting.errors import InputError
from forecasting.models import MODELS

LEVEL_DAYS = 14  # the recent level is measured over this many days
LEVEL_RANGE = (0.5, 2.0)  # a re-anchoring factor outside this is not trusted
BASELINES = ("seasonal_naive", "weekly_average", "daily_naive")
LEVEL = "+level"


@dataclass(frozen=True)
class Spec:
    """A candidate: equal-weight mean of members; `anchored` members are re-levelled."""

    name: str
    members: tuple[tuple[str, bool], ...]


def candidate_specs(model: str) -> list[Spec]:
    """The candidates for `model`, the model alone first."""
    specs = [Spec(model, ((model, False),))]
    if model == "seasonal":
        specs.append(Spec(model + LEVEL, ((model, True),)))
    specs += [Spec(name, ((name, False),)) for name in BASELINES]
    specs.append(Spec(f"{model}+weekly_average", ((model, False), ("weekly_average", False))))
    if model == "seasonal":
        specs.append(
            Spec(f"{model}{LEVEL}+weekly_average", ((model, True), ("weekly_average", False)))
        )
    return specs


class Blend(VolumeModel):
    """An equal-weight mean of fitted members, each scaled by its own factor.

    Members other than the first are multiplied by the first member's calendar
    factor (holidays, events) when it has one, so a baseline in a blend does
    not forget a holiday the model learned.
    """

    name = "blend"

    def __init__(self, members: Sequence[VolumeModel], scales: Sequence[float], label: str):
        self.members = list(members)
        self.scales = list(scales)
        self.label = label
        self.alpha = float(self.members[0].alpha)
        self.effects = getattr(self.members[0], "effects", None)

    def fit(self, history: pd.DataFrame, context: QueueContext) -> Blend:
        raise NotImplementedError("a Blend is built from fitted members")

    def predict_mean(self, grid: pd.DatetimeIndex) -> np.ndarray:
        return blend_mean(self.members, self.scales, grid)


def blend_mean(
    members: Sequence[VolumeModel], scales: Sequence[float], grid: pd.DatetimeIndex
) -> np.ndarray:
    """Mean of the members' scaled forecasts; non-calendar members get the calendar factor."""
    calendar = getattr(members[0], "special_factor", None)
    total = np.zeros(len(grid))
    for i, (member, scale) in enumerate(zip(members, scales, strict=True)):
        mean = member.predict_mean(grid) * scale
        if i > 0 and calendar is not None and member.name in BASELINES:
            mean = mean * calendar(grid)
        total += mean
    return total / len(members)


def level_ratio(model: VolumeModel, history: pd.DataFrame, context: QueueContext) -> float:
    """Actual over fitted volume in the last LEVEL_DAYS days of `history`, within LEVEL_RANGE.

    1.0 when the model cannot say what it fitted or the window is empty.
    """
    recent = history.iloc[-LEVEL_DAYS * context.per_day :]
    actual = recent[VOLUME].to_numpy(float)
    fitted = model.predict_mean(pd.DatetimeIndex(recent[INTERVAL_START]))
    known = ~np.isnan(actual)
    predicted = float(fitted[known].sum())
    if predicted <= 0 or known.sum() < context.per_day:
        return 1.0
    return float(np.clip(actual[known].sum() / predicted, *LEVEL_RANGE))


@dataclass
class Fitted:
    """Members fitted on one training history, with their re-anchoring factors."""

    models: dict[str, VolumeModel]
    ratios: dict[str, float]

    def build(self, spec: Spec) -> Blend | None:
        """The candidate `spec` from these fits (None when a member failed to fit)."""
        if any(name not in self.models for name, _ in spec.members):
            return None
        members = [self.models[name] for name, _ in spec.members]
        scales = [self.ratios[name] if anchored else 1.0 for name, anchored in spec.members]
        return Blend(members, scales, spec.name)


def fit_members(
    history: pd.DataFrame, context: QueueContext, names: Sequence[str], *, anchor: Sequence[str]
) -> Fitted:
    """Fit each named model that has enough history; skip those that raise InputError."""
    models: dict[str, VolumeModel] = {}
    ratios: dict[str, float] = {}
    for name in names:
        if len(history) < MODELS[name].min_days * context.per_day:
            continue
        try:
            models[name] = MODELS[name]().fit(history, context)
        except InputError:
            continue
        if name in anchor:
            ratios[name] = level_ratio(models[name], history, context)
    return Fitted(models=models, ratios=ratios)


def member_names(specs: Sequence[Spec]) -> tuple[list[str], list[str]]:
    """(every member model, the members some candidate re-anchors), in first-use order."""
    names: list[str] = []
    anchor: list[str] = []
    for spec in specs:
        for name, anchored in spec.members:
            if name not in names:
                names.append(name)
            if anchored and name not in anchor:
                anchor.append(name)
    return names, anchor


def window_means(
    fitted: Fitted, specs: Sequence[Spec], grid: pd.DatetimeIndex
) -> dict[str, np.ndarray]:
    """Each buildable candidate's forecast of `grid`, each member predicted once."""
    member = {name: model.predict_mean(grid) for name, model in fitted.models.items()}
    first = fitted.models.get(specs[0].members[0][0])
    calendar = first.special_factor(grid) if hasattr(first, "special_factor") else None
    out: dict[str, np.ndarray] = {}
    for spec in specs:
        if any(name not in member for name, _ in spec.members):
            continue
        total = np.zeros(len(grid))
        for i, (name, anchored) in enumerate(spec.members):
            mean = member[name] * (fitted.ratios[name] if anchored else 1.0)
            if i > 0 and calendar is not None and name in BASELINES:
                mean = mean * calendar
            total += mean
        out[spec.name] = total / len(spec.members)
    return out
