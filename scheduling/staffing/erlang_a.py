"""Erlang A: the M/M/N+M queue of a live channel whose customers hang up.

As Erlang C (`scheduling.staffing.erlang`), contacts arrive at random at `lambda` per second
and hold one of `N` agents for an exponential time of mean `aht_seconds`; in
addition each waiting customer abandons after an exponential patience of mean
`patience_seconds` (rate `theta`). C. Palm (1943) introduced it; the formulas here
follow A. Mandelbaum and S. Zeltyn, "The Palm/Erlang-A queue, with applications to
call centers" (2005), and N. Gans, G. Koole and A. Mandelbaum, "Telephone call
centers: tutorial, review and research prospects", MSOM 5(2), 2003.

With `A = lambda * aht` (Erlangs), `x = N mu / theta` and `y = lambda / theta`,
the stationary probabilities are `A^k / k!` (k <= N) and, with j callers queued,
`pi_N * y^j / ((x+1)(x+2)...(x+j))`. A caller who finds j queued reaches an agent
after the (j+1)-th of the departures (completions at rate N mu, abandonments ahead
at theta each), which is the (j+1)-th order statistic of x + j Exp(theta) lives:
answered within t with probability `x / (x+j+1) * I_p(j+1, x+1)`, p = 1 - exp(-theta t).
Summed over j every measure comes down to

    K(p) = integral_0^p exp(y u) (1 - u)^x du = S(y) - exp(y p - theta t (x+1)) S(y e^-theta t)
    S(z) = sum_j z^j / ((x+1)...(x+j+1)) = e^z z^-(x+1) gamma(x+1, z)

and with `B` Erlang B at N agents and `D = 1/B + y K(1)`:

    P(wait > 0)          = (1 + y K(1)) / D
    P(abandon)           = (1 + (y - x) K(1)) / D
    service level SL(t)  = (1/B - 1 + x K(p)) / D      (answered within t / all offered)
    mean wait, all       = P(abandon) * patience_seconds
    occupancy            = A (1 - P(abandon)) / N

The service level counts a caller who hangs up before `t` as not answered in time
(the conservative convention; some ACDs drop such "short abandons" from the count).
`asa_seconds` is the mean wait of answered callers, from the series
`(x / theta) sum_j t_j H_j / (x+j+1) / sum_j t_j` with t_j = y^j / (x+1)_j and
H_j = sum_{i<=j} 1 / (x+i+1). Where `N < A` the queue is still stable (callers
leave), so every N >= 0 has finite measures. S(z) comes from its series where
z <= x + 1 (a few sqrt(x) terms, never underflows) and from scipy's regularised
incomplete gamma P(x+1, z) in log space above that (never overflows). Zero traffic
never waits; zero agents answer nobody (service level 0, abandonment 1).

As patience grows without bound every measure tends to its Erlang C value; the
tests check this, a 50-digit birth-death reference, and a discrete-event simulation.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from scipy import special

from scheduling.staffing.erlang import (
    SERVICE_LEVEL_TOLERANCE,
    FloatArray,
    IntArray,
    _aht,
    _answer,
    _broadcast,
    _checked,
    _erlang_b_flat,
    _shaped,
    _traffic,
)

_SERIES_EPS = 1e-17
_RESCALE = 1e200


class ErlangAMetrics(NamedTuple):
    """Erlang A measures of one staffing level (arrays of the broadcast shape).

    Attributes:
        agents: agents on the queue, whole agents.
        wait_probability: share of offered contacts that wait at all, 0-1.
        service_level: share of offered contacts answered within the answer
            time, 0-1 (abandoned contacts count as not answered in time).
        abandonment: share of offered contacts that hang up before an answer, 0-1.
        asa_seconds: mean wait of answered contacts, seconds (inf with no agents).
        mean_wait_seconds: mean time in queue of all offered contacts, answered or
            abandoned, seconds.
        occupancy: share of the agents' time spent handling contacts, 0-1.
    """

    agents: IntArray | int
    wait_probability: FloatArray | float
    service_level: FloatArray | float
    abandonment: FloatArray | float
    asa_seconds: FloatArray | float
    mean_wait_seconds: FloatArray | float
    occupancy: FloatArray | float


def erlang_a_metrics(
    traffic: npt.ArrayLike,
    agents: npt.ArrayLike,
    *,
    aht_seconds: npt.ArrayLike,
    answer_seconds: npt.ArrayLike,
    patience_seconds: npt.ArrayLike,
) -> ErlangAMetrics:
    """Every Erlang A measure of `agents` serving `traffic` with impatient callers.

    Args:
        traffic: offered traffic, Erlangs (arrivals per second x AHT seconds), >= 0.
        agents: agents, whole agents >= 0.
        aht_seconds: average handle time, seconds, > 0.
        answer_seconds: target answer time, seconds, >= 0.
        patience_seconds: mean time a caller waits before hanging up, seconds, > 0.

    Returns:
        ErlangAMetrics of the broadcast shape (Python scalars for scalar input).

    Raises:
        InputError: an argument is out of its range (the message names it).
    """
    (a, n, aht, t, patience), shape = _broadcast(
        _traffic(traffic),
        _checked(agents, "agents", lambda v: (v >= 0) & (v == np.floor(v)), "whole agents >= 0"),
        _aht(aht_seconds),
        _answer(answer_seconds),
        _patience(patience_seconds),
    )
    n = n.astype(np.int64)
    m = _measures(a, n, aht, t, patience)
    asa = _answered_wait(a, n, aht, patience, m["wait"])
    return ErlangAMetrics(
        agents=_shaped(n, shape),
        wait_probability=_shaped(m["wait"], shape),
        service_level=_shaped(m["service"], shape),
        abandonment=_shaped(m["abandon"], shape),
        asa_seconds=_shaped(asa, shape),
        mean_wait_seconds=_shaped(m["abandon"] * patience, shape),
        occupancy=_shaped(m["occupancy"], shape),
    )


def required_agents_a(
    traffic: npt.ArrayLike,
    *,
    aht_seconds: npt.ArrayLike,
    answer_seconds: npt.ArrayLike,
    patience_seconds: npt.ArrayLike,
    service_level_target: npt.ArrayLike = 0.0,
    max_abandonment: npt.ArrayLike = 1.0,
    max_occupancy: npt.ArrayLike = 1.0,
) -> IntArray | int:
    """The fewest agents that meet a service level, an abandonment cap and an occupancy cap.

    For each element: the least whole N whose Erlang A service level is at least
    `service_level_target`, whose abandonment share is at most `max_abandonment`
    and whose occupancy is at most `max_occupancy`, each with the tolerance
    `scheduling.staffing.erlang.SERVICE_LEVEL_TOLERANCE` (1e-12, absolute for shares,
    relative for occupancy) so that rounding never adds an agent. All three
    measures improve with every added agent, so a vectorised doubling search for
    an upper bound and then bisection find the minimum for thousands of intervals
    at once. Zero traffic needs 0 agents.

    Args:
        traffic: offered traffic, Erlangs, >= 0.
        aht_seconds: average handle time, seconds, > 0.
        answer_seconds: target answer time, seconds, >= 0.
        patience_seconds: mean caller patience, seconds, > 0.
        service_level_target: share to answer within `answer_seconds`, 0 <= x < 1.
        max_abandonment: highest share of callers allowed to hang up, 0 < x <= 1.
        max_occupancy: cap on busy time / agent time, 0 < x <= 1.

    Returns:
        Agents, whole numbers (int64 array of the broadcast shape, or int).

    Raises:
        InputError: an argument is out of its range (the message names it).
    """
    (a, aht, t, patience, target, max_ab, occ), shape = _broadcast(
        _traffic(traffic),
        _aht(aht_seconds),
        _answer(answer_seconds),
        _patience(patience_seconds),
        _checked(
            service_level_target,
            "service_level_target",
            lambda v: (v >= 0) & (v < 1),
            "a share 0 <= x < 1 (e.g. 0.8 for 80%)",
        ),
        _checked(
            max_abandonment,
            "max_abandonment",
            lambda v: (v > 0) & (v <= 1),
            "a share 0 < x <= 1 (e.g. 0.05 for 5%)",
        ),
        _checked(max_occupancy, "max_occupancy", lambda v: (v > 0) & (v <= 1), "in (0, 1]"),
    )
    result = np.zeros(a.shape, dtype=np.int64)
    idx = np.flatnonzero(a > 0)
    if idx.size == 0:
        return _shaped(result, shape)
    a_i, aht_i, t_i, p_i = a[idx], aht[idx], t[idx], patience[idx]
    target_i, ab_i, occ_i = target[idx], max_ab[idx], occ[idx]

    def meets(n: np.ndarray, sel: np.ndarray) -> np.ndarray:
        m = _measures(a_i[sel], n, aht_i[sel], t_i[sel], p_i[sel])
        return (
            (m["service"] >= target_i[sel] - SERVICE_LEVEL_TOLERANCE)
            & (m["abandon"] <= ab_i[sel] + SERVICE_LEVEL_TOLERANCE)
            & (m["occupancy"] <= occ_i[sel] * (1 + SERVICE_LEVEL_TOLERANCE))
        )

    # Occupancy A (1 - P_ab) / N <= cap and P_ab <= cap_ab give N >= A (1 - cap_ab) / cap.
    lo = np.maximum(np.ceil(a_i * (1 - ab_i) / occ_i * (1 - SERVICE_LEVEL_TOLERANCE)) - 1, 0)
    lo = lo.astype(np.int64)  # lo never meets the targets (or is 0, which never does)
    hi = np.maximum(np.ceil(a_i + 3 * np.sqrt(a_i) + 3), lo + 1).astype(np.int64)
    everyone = np.arange(idx.size)
    todo = everyone[~meets(hi, everyone)]
    while todo.size:  # double the gap above lo until hi meets every target
        hi[todo] = lo[todo] + 2 * (hi[todo] - lo[todo])
        todo = todo[~meets(hi[todo], todo)]
    todo = everyone[hi - lo > 1]
    while todo.size:
        mid = (lo[todo] + hi[todo]) // 2
        ok = meets(mid, todo)
        hi[todo[ok]] = mid[ok]
        lo[todo[~ok]] = mid[~ok]
        todo = todo[hi[todo] - lo[todo] > 1]
    result[idx] = hi
    return _shaped(result, shape)


# --- evaluation on flat arrays -------------------------------------------------------


def _measures(
    a: FloatArray, n: IntArray, aht: FloatArray, t: FloatArray, patience: FloatArray
) -> dict[str, FloatArray]:
    """Wait probability, service level, abandonment and occupancy (1-d arrays)."""
    size = a.shape
    wait = np.zeros(size)
    service = np.ones(size)
    abandon = np.zeros(size)
    occupancy = np.zeros(size)
    busy = a > 0
    nobody = busy & (n == 0)
    wait[nobody], service[nobody], abandon[nobody], occupancy[nobody] = 1.0, 0.0, 1.0, 1.0
    k = np.flatnonzero(busy & (n > 0))
    if k.size:
        a_k, n_k = a[k], n[k].astype(np.float64)
        x = n_k * patience[k] / aht[k]
        y = a_k * patience[k] / aht[k]
        decay = t[k] / patience[k]  # theta t
        with np.errstate(divide="ignore"):
            log_inv_b = -np.log(_erlang_b_flat(a_k, n[k]))  # may be inf: nobody waits
        log_k1 = _log_s(y, x)
        y_late = y * np.exp(-decay)
        log_late = y - y_late - decay * (x + 1) + _log_s(y_late, x)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_kp = log_k1 + np.log1p(-np.exp(np.minimum(log_late - log_k1, 0.0)))
            log_d = np.logaddexp(log_inv_b, np.log(y) + log_k1)
            wait_k = np.exp(np.logaddexp(0.0, np.log(y) + log_k1) - log_d)
            abandon_k = np.exp(-log_d) + (y - x) * np.exp(log_k1 - log_d)
            service_k = np.exp(log_inv_b - log_d) - np.exp(-log_d) + x * np.exp(log_kp - log_d)
        # 1/B overflowing means B == 0: nobody waits at all.
        none = ~np.isfinite(log_inv_b)
        wait_k[none], abandon_k[none], service_k[none] = 0.0, 0.0, 1.0
        wait[k] = np.clip(wait_k, 0.0, 1.0)
        abandon[k] = np.clip(abandon_k, 0.0, 1.0)
        service[k] = np.clip(service_k, 0.0, 1.0)
        occupancy[k] = np.clip(a_k * (1.0 - abandon[k]) / n_k, 0.0, 1.0)
    return {"wait": wait, "service": service, "abandon": abandon, "occupancy": occupancy}


def _log_s(z: FloatArray, x: FloatArray) -> FloatArray:
    """log S(z) = log sum_j z^j / ((x+1)...(x+j+1)), elementwise, z >= 0, x > 0."""
    out = np.empty(z.shape)
    low = z <= x + 1
    # Above x + 1 the regularised P(x+1, z) >= ~1/2: its log is accurate.
    hi = ~low
    if hi.any():
        zh, xh = z[hi], x[hi]
        out[hi] = (
            zh
            - (xh + 1) * np.log(zh)
            + special.gammaln(xh + 1)
            + np.log(special.gammainc(xh + 1, zh))
        )
    idx = np.flatnonzero(low)
    if idx.size:
        zl, xl = z[idx], x[idx]
        term = 1.0 / (xl + 1)
        total = term.copy()
        j = 1
        active = np.arange(idx.size)
        while active.size:
            term[active] *= zl[active] / (xl[active] + j + 1)
            total[active] += term[active]
            active = active[term[active] > _SERIES_EPS * total[active]]
            j += 1
        out[idx] = np.log(total)
    return out


def _answered_wait(
    a: FloatArray, n: IntArray, aht: FloatArray, patience: FloatArray, wait: FloatArray
) -> FloatArray:
    """Mean wait of answered contacts, seconds (series of the module docstring)."""
    asa = np.zeros(a.shape)
    asa[(a > 0) & (n == 0)] = np.inf
    k = np.flatnonzero((a > 0) & (n > 0) & (wait > 0))
    if k.size == 0:
        return asa
    x = n[k] * patience[k] / aht[k]
    y = a[k] * patience[k] / aht[k]
    term = np.ones(k.size)
    harmonic = 1.0 / (x + 1)
    num = term * harmonic / (x + 1)
    den = term.copy()
    active = np.arange(k.size)
    j = 1
    while active.size:
        xa = x[active]
        term[active] *= y[active] / (xa + j)
        harmonic[active] += 1.0 / (xa + j + 1)
        num[active] += term[active] * harmonic[active] / (xa + j + 1)
        den[active] += term[active]
        big = active[term[active] > _RESCALE]
        if big.size:
            term[big] /= _RESCALE
            num[big] /= _RESCALE
            den[big] /= _RESCALE
        past_peak = xa + j >= y[active]
        small = term[active] <= _SERIES_EPS * den[active]
        active = active[~(past_peak & small)]
        j += 1
    theta = 1.0 / patience[k]
    # E[W; answered] = P(W > 0) (x / theta) num / den; divide by P(answered).
    answered_and_waited = wait[k] * x / theta * num / den
    abandon = _measures(a[k], n[k], aht[k], np.zeros(k.size), patience[k])["abandon"]
    with np.errstate(divide="ignore", invalid="ignore"):
        asa[k] = np.where(abandon < 1, answered_and_waited / (1.0 - abandon), np.inf)
    return asa


def _patience(patience_seconds: npt.ArrayLike) -> FloatArray:
    return _checked(patience_seconds, "patience_seconds", lambda v: v > 0, "finite and > 0 seconds")
