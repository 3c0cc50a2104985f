"""Contacts of one replication: volumes drawn from the forecast's uncertainty.

Forecast error model. A forecast row gives the mean `volume` m and bounds
`volume_low`..`volume_high` covering a share `level` of outcomes. Read as a
normal spread, the outcome's variance is v = ((high - low) / (2 z))^2 with
z = Phi^-1((1 + level) / 2). Part of v is the Poisson noise of arrivals
themselves (variance m); the rest is the forecast's own error, modelled as a
mean-one lognormal multiplier on the rate with log-variance
s^2 = ln(1 + max(v - m, 0) / m^2) (the variance of m x M is m^2 (e^(s^2) - 1)).
Forecast errors are correlated within a day (a busy Monday is busy all
morning), so each replication draws for every queue and local day one
multiplier shared by the day's intervals, with log-variance `day_error_share`
x the day's volume-weighted mean s^2, and for every interval an independent one
with the remaining (1 - `day_error_share`) x s^2 of that interval. Arrivals are
then a Poisson process at the multiplied rate, uniform within the interval.
Without bounds (or in textbook mode) the rate is the forecast mean.

Handle times are lognormal with mean = the interval's `aht_seconds` and a
coefficient of variation per queue (`handle_time_cv`, or fitted to history;
exponential in textbook mode);
patience is exponential with mean `patience_seconds` (Erlang A's assumption).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from scheduling.errors import InputError

MAX_CONTACTS = 20_000_000  # one replication's contacts: about 40 bytes each in memory


@dataclass(frozen=True)
class Demand:
    """The forecast on the simulation grid: arrays of shape (intervals, queues).

    Attributes:
        mean: forecast contacts per interval.
        log_var_interval: log-variance of the independent per-interval multiplier.
        log_var_day: (days, queues): log-variance of the day multiplier.
        day: (intervals, queues): index of the queue's local day of each interval.
        aht_seconds: mean handle time, seconds (chat: per chat at full concurrency).
        patience_seconds: (queues,): mean patience, seconds; inf for none.
        interval_seconds: interval length, seconds.
    """

    mean: np.ndarray
    log_var_interval: np.ndarray
    log_var_day: np.ndarray
    day: np.ndarray
    aht_seconds: np.ndarray
    patience_seconds: np.ndarray
    interval_seconds: float


@dataclass(frozen=True)
class Contacts:
    """One replication's contacts in arrival order (1-D arrays, one per contact)."""

    time: np.ndarray  # arrival, seconds after the horizon start
    queue: np.ndarray  # queue index
    interval: np.ndarray  # interval index of the arrival
    handle: np.ndarray  # handle time, seconds
    deadline: np.ndarray  # arrival + patience, seconds (inf: waits for ever)


def log_variances(
    mean: np.ndarray, low: np.ndarray, high: np.ndarray, *, level: float
) -> np.ndarray:
    """Log-variance s^2 of the forecast-error multiplier of each cell (0 without bounds)."""
    z = norm.ppf((1 + level) / 2)
    spread = np.where(np.isfinite(low) & np.isfinite(high), (high - low) / (2 * z), 0.0)
    extra = np.maximum(spread**2 - mean, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log1p(np.where(mean > 0, extra / mean**2, 0.0))
    return np.nan_to_num(out, nan=0.0, posinf=0.0)


def split_day_error(
    log_var: np.ndarray, mean: np.ndarray, day: np.ndarray, *, day_share: float
) -> tuple[np.ndarray, np.ndarray]:
    """(per-interval log-variance, per-(day, queue) log-variance) of the error model."""
    n_days = int(day.max()) + 1 if day.size else 0
    n_queues = mean.shape[1]
    day_var = np.zeros((n_days, n_queues))
    for q in range(n_queues):
        weight = np.bincount(day[:, q], weights=mean[:, q], minlength=n_days)
        total = np.bincount(day[:, q], weights=mean[:, q] * log_var[:, q], minlength=n_days)
        day_var[:, q] = np.divide(total, weight, out=np.zeros(n_days), where=weight > 0)
    return (1 - day_share) * log_var, day_share * day_var


def draw_rates(demand: Demand, rng: np.random.Generator, *, textbook: bool) -> np.ndarray:
    """Arrival rate per interval and queue (contacts per interval) of one replication."""
    if textbook:
        return demand.mean
    s_day = np.sqrt(demand.log_var_day)
    day_mult = np.exp(s_day * rng.standard_normal(s_day.shape) - demand.log_var_day / 2)
    s_int = np.sqrt(demand.log_var_interval)
    int_mult = np.exp(s_int * rng.standard_normal(s_int.shape) - demand.log_var_interval / 2)
    queues = np.arange(demand.mean.shape[1])
    return demand.mean * int_mult * day_mult[demand.day, queues]


def draw_contacts(
    demand: Demand,
    rng: np.random.Generator,
    *,
    textbook: bool,
    exponential: bool,
    handle_time_cv: np.ndarray | float,
) -> Contacts:
    """Every contact of one replication, sorted by arrival time (ties by queue)."""
    rates = draw_rates(demand, rng, textbook=textbook)
    drawn = float(rates.sum())
    if not np.isfinite(drawn) or drawn > MAX_CONTACTS:
        # Bounds far above a small volume give a lognormal with a huge tail.
        raise InputError(
            f"forecast: a replication drew {drawn:.3g} contacts, more than the "
            f"{MAX_CONTACTS:,} a simulation holds; check volume_low and volume_high "
            "against volume"
        )
    counts = rng.poisson(rates)
    flat = counts.ravel()  # interval-major: cell k is (k // queues, k % queues)
    cell = np.repeat(np.arange(flat.size), flat)
    n_queues = demand.mean.shape[1]
    interval, queue = cell // n_queues, cell % n_queues
    time = (interval + rng.random(cell.size)) * demand.interval_seconds
    mean_handle = demand.aht_seconds[interval, queue]
    if exponential:
        handle = rng.exponential(1.0, cell.size) * mean_handle
    else:
        s2 = np.log1p(
            np.broadcast_to(np.asarray(handle_time_cv, dtype=float), (n_queues,))[queue] ** 2
        )
        handle = mean_handle * np.exp(np.sqrt(s2) * rng.standard_normal(cell.size) - s2 / 2)
    patience = demand.patience_seconds[queue]
    finite = np.isfinite(patience)
    wait_limit = np.full(cell.size, np.inf)
    wait_limit[finite] = rng.exponential(1.0, int(finite.sum())) * patience[finite]
    order = np.lexsort((queue, time))
    return Contacts(
        time=time[order],
        queue=queue[order],
        interval=interval[order],
        handle=handle[order],
        deadline=(time + wait_limit)[order],
    )
