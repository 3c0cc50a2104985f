"""Prediction intervals: negative-binomial quantiles calibrated on a holdout.

Contact counts are over-dispersed: their variance exceeds the Poisson mean
because the arrival rate itself is uncertain (Jongbloed & Koole 2001, "Managing
uncertainty in call centres using Poisson mixtures", Applied Stochastic Models
in Business and Industry 17(4)). We use the NB2 family, var = mu + alpha mu^2
(Cameron & Trivedi 2013, "Regression Analysis of Count Data", 2nd ed., ch. 3),
whose quantiles are exact for counts and stay zero where the mean is zero.

Intervals are calibrated on a holdout, not on in-sample residuals, which are
smaller than real forecast errors (the model has seen those days, and the level
drifts over a horizon). The model is fitted on the history before the latest
`h` intervals and forecasts them; then

1. `alpha` is estimated by moments from those out-of-sample errors, and
2. the quantile level is adjusted so that the intervals cover the nominal share
   of the holdout's actuals: split-conformal calibration (Angelopoulos & Bates
   2023, "Conformal prediction: a gentle introduction", Foundations and Trends
   in Machine Learning 16(4); Romano, Patterson & Candes 2019, "Conformalized
   quantile regression", NeurIPS). The adjustment matters for small counts:
   integer bounds of a Poisson interval cover more than the nominal share, so
   the calibrated level is then a little below it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

MAX_ALPHA = 4.0
BISECTION_STEPS = 30
LEVEL_RANGE = (0.05, 0.995)


@dataclass(frozen=True)
class Calibration:
    """Interval settings fitted on a holdout.

    Attributes:
        alpha: NB2 dispersion.
        level: the nominal coverage calibrated for, 0-1.
        quantile_level: the central level whose NB quantiles cover `level` of
            the holdout, 0-1.
    """

    alpha: float
    level: float
    quantile_level: float

    def quantiles_for(self, level: float) -> float:
        """The quantile level to use for nominal `level` (itself if not calibrated)."""
        return self.quantile_level if abs(level - self.level) < 1e-9 else level


def nb_interval(mean: np.ndarray, *, alpha: float, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Central `level` interval of a negative binomial with mean and alpha.

    Args:
        mean: expected contacts per interval, >= 0.
        alpha: NB2 dispersion, >= 0 (0 is Poisson).
        level: share the interval covers, 0-1.

    Returns:
        (low, high) contacts per interval; low <= mean <= high, both 0 where the
        mean is 0.
    """
    lower_q, upper_q = (1 - level) / 2, (1 + level) / 2
    mean = np.asarray(mean, dtype=float)
    positive = mean > 0
    low = np.zeros_like(mean)
    high = np.zeros_like(mean)
    m = mean[positive]
    if alpha <= 1e-9:
        low[positive] = stats.poisson.ppf(lower_q, m)
        high[positive] = stats.poisson.ppf(upper_q, m)
    else:
        n = 1.0 / alpha
        p = n / (n + m)
        low[positive] = stats.nbinom.ppf(lower_q, n, p)
        high[positive] = stats.nbinom.ppf(upper_q, n, p)
    return np.minimum(low, mean), np.maximum(high, mean)


def coverage(actual: np.ndarray, low: np.ndarray, high: np.ndarray) -> float:
    """Share of `actual` inside [low, high], NaN actuals ignored (NaN if none)."""
    actual = np.asarray(actual, dtype=float)
    known = ~np.isnan(actual)
    if not known.any():
        return float("nan")
    inside = (actual[known] >= low[known]) & (actual[known] <= high[known])
    return float(inside.mean())


def moment_dispersion(actual: np.ndarray, mean: np.ndarray) -> float:
    """NB2 alpha by the method of moments: sum((y - mu)^2 - mu) / sum(mu^2), >= 0."""
    actual = np.asarray(actual, dtype=float)
    mean = np.asarray(mean, dtype=float)
    known = ~np.isnan(actual) & (mean > 0)
    denominator = float(np.sum(mean[known] ** 2))
    if denominator == 0:
        return 0.0
    value = float(np.sum((actual[known] - mean[known]) ** 2 - mean[known])) / denominator
    return min(max(0.0, value), MAX_ALPHA)


def calibrate(actual: np.ndarray, mean: np.ndarray, *, level: float) -> Calibration:
    """Fit interval settings on a holdout forecast.

    Only intervals with a positive forecast count: closed hours are trivially
    covered and would make the open ones too narrow.

    Args:
        actual: holdout contacts per interval (NaN = unknown, ignored).
        mean: forecast of the holdout made before it, contacts per interval.
        level: nominal coverage, 0-1.

    Returns:
        Calibration: alpha by moments, then the quantile level (within
        LEVEL_RANGE) whose intervals cover `level` of the holdout; if even the
        widest level falls short, alpha grows until it covers.
    """
    actual = np.asarray(actual, dtype=float)
    mean = np.asarray(mean, dtype=float)
    keep = ~np.isnan(actual) & (mean > 0)
    y, m = actual[keep], mean[keep]
    if len(y) == 0:
        return Calibration(alpha=0.0, level=level, quantile_level=level)
    alpha = moment_dispersion(y, m)

    cdfs: dict[float, tuple[np.ndarray, np.ndarray]] = {}

    def covered(alpha: float, quantile_level: float) -> float:
        # y >= ppf(q_lo) iff F(floor y) >= q_lo; y <= ppf(q_hi) iff F(ceil y - 1) < q_hi
        if alpha not in cdfs:
            cdfs[alpha] = (_cdf(np.floor(y), m, alpha), _cdf(np.ceil(y) - 1, m, alpha))
        below, above = cdfs[alpha]
        q_lo, q_hi = (1 - quantile_level) / 2, (1 + quantile_level) / 2
        inside = ((below >= q_lo) | (y >= m)) & ((above < q_hi) | (y <= m))
        return float(inside.mean())

    lo, hi = LEVEL_RANGE
    if covered(alpha, hi) < level:
        return Calibration(
            alpha=_bisect(lambda a: covered(a, level) >= level, alpha, MAX_ALPHA),
            level=level,
            quantile_level=level,
        )
    if covered(alpha, lo) >= level:
        return Calibration(alpha=alpha, level=level, quantile_level=lo)
    for _ in range(BISECTION_STEPS):
        mid = (lo + hi) / 2
        if covered(alpha, mid) >= level:
            hi = mid
        else:
            lo = mid
    return Calibration(alpha=alpha, level=level, quantile_level=hi)


def _cdf(k: np.ndarray, mean: np.ndarray, alpha: float) -> np.ndarray:
    if alpha <= 1e-9:
        return stats.poisson.cdf(k, mean)
    n = 1.0 / alpha
    return stats.nbinom.cdf(k, n, n / (n + mean))


def _bisect(enough, low: float, high: float) -> float:
    """Smallest alpha in [low, high] (log scale) for which `enough(alpha)` holds."""
    if enough(low):
        return low
    if not enough(high):
        return high
    a, b = np.log(max(low, 1e-5)), np.log(high)
    for _ in range(BISECTION_STEPS):
        mid = (a + b) / 2
        if enough(float(np.exp(mid))):
            b = mid
        else:
            a = mid
    return float(np.exp(b))
