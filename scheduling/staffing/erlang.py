"""Erlang C: the M/M/N queue of a live channel, exact and vectorised.

Contacts arrive at random (Poisson) at `lambda` per second, each holds one of `N`
agents for an exponential handle time with mean `aht_seconds`, and callers wait in
one FIFO queue without hanging up. With offered traffic `A = lambda * aht_seconds`
(Erlangs) and `N > A` the queue is stable and

    B(0) = 1,  B(n) = A * B(n-1) / (n + A * B(n-1))        (Erlang B, loss)
    C = N * B(N) / (N - A * (1 - B(N)))                     (Erlang C, P(wait > 0))
    SL(t) = 1 - C * exp(-(N - A) * t / aht_seconds)         (P(wait <= t))
    ASA = C * aht_seconds / (N - A)                         (mean wait, seconds)

(A. K. Erlang, 1917; see G. Koole, *Call Center Optimization*, 2013). The
forward recursion for B is the numerically stable way to evaluate it (D. L.
Jagerman, "Some properties of the Erlang loss function", Bell System Technical
Journal 53(3), 1974): it never forms factorials or powers, so it neither overflows
at 200,000 Erlangs nor loses digits at 0.01.

Warm start: the recursion is linear in 1/B (1/B(n) = 1 + n / (A B(n-1))), so an
error in 1/B(m) is multiplied by n / A at each later step n and, below `n = A`,
dies out geometrically. Starting the recursion `12 * sqrt(A)` agents
below `min(N, A)` from the fluid guess `B = 1 - m / A` damps the guess's error by
at least `exp(-72)` before it matters, which makes B exact to rounding in about
`12 * sqrt(A) + (N - A)` steps instead of `N` (5,500 instead of 200,000 at
200,000 Erlangs).

`required_agents` finds the least N meeting a service level, an optional ASA cap and
an occupancy cap, whichever binds; `staff_erlang_c` returns that N with its measures
in one pass. Erlang A (callers who hang up) is in `scheduling.staffing.erlang_a`.

Where `N <= A` the queue grows without bound: the wait probability is 1, the
service level 0 and the ASA infinite. Zero traffic never waits (wait probability 0,
service level 1, ASA 0) whatever the agents, including none.

Every function broadcasts its array arguments against each other like a numpy
ufunc, returns arrays of the broadcast shape, and returns Python scalars when all
arguments are scalars.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from scheduling.errors import InputError

SERVICE_LEVEL_TOLERANCE = 1e-12
"""A service level within this of its target counts as meeting it (absolute, 0-1);
an occupancy within this share of its cap counts as within it (relative)."""

_WARM_START_SIGMAS = 12.0

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class ErlangCMetrics(NamedTuple):
    """Erlang C measures of one staffing level (arrays of the broadcast shape).

    Attributes:
        agents: agents (servers) on the queue, whole agents.
        wait_probability: share of contacts that wait at all, 0-1.
        service_level: share of contacts answered within the answer time, 0-1.
        asa_seconds: average speed of answer over all contacts, seconds.
        occupancy: share of the agents' time spent handling contacts, 0-1
            (A / N; 1 where N <= A > 0; 0 without traffic).
    """

    agents: IntArray | int
    wait_probability: FloatArray | float
    service_level: FloatArray | float
    asa_seconds: FloatArray | float
    occupancy: FloatArray | float


def erlang_b(traffic: npt.ArrayLike, agents: npt.ArrayLike) -> FloatArray | float:
    """Erlang B: the share of contacts lost when `agents` serve `traffic` with no queue.

    Args:
        traffic: offered traffic, Erlangs (arrivals per second x AHT seconds), >= 0.
        agents: servers, whole agents >= 0.

    Returns:
        B(agents) for each broadcast element, 0-1 (1 where agents == 0).

    Raises:
        InputError: traffic negative or not finite; agents negative or not whole.
    """
    (a, n), shape = _broadcast(_traffic(traffic), _agents(agents))
    return _shaped(_erlang_b_flat(a, n), shape)


def wait_probability(traffic: npt.ArrayLike, agents: npt.ArrayLike) -> FloatArray | float:
    """Erlang C: the probability that a contact waits at all, P(wait > 0).

    Args:
        traffic: offered traffic, Erlangs (arrivals per second x AHT seconds), >= 0.
        agents: agents, whole agents >= 0.

    Returns:
        C = N B / (N - A (1 - B)), 0-1; 1.0 where agents <= traffic; 0.0 where
        traffic == 0.

    Raises:
        InputError: traffic negative or not finite; agents negative or not whole.
    """
    (a, n), shape = _broadcast(_traffic(traffic), _agents(agents))
    return _shaped(_erlang_c_flat(a, n, _erlang_b_flat(a, n)), shape)


def service_level(
    traffic: npt.ArrayLike,
    agents: npt.ArrayLike,
    *,
    aht_seconds: npt.ArrayLike,
    answer_seconds: npt.ArrayLike,
) -> FloatArray | float:
    """The share of contacts answered within `answer_seconds`, P(wait <= t).

    Args:
        traffic: offered traffic, Erlangs (arrivals per second x AHT seconds), >= 0.
        agents: agents, whole agents >= 0.
        aht_seconds: average handle time, seconds, > 0.
        answer_seconds: target answer time t, seconds, >= 0.

    Returns:
        1 - C exp(-(N - A) t / AHT), 0-1; 0.0 where agents <= traffic; 1.0 where
        traffic == 0.

    Raises:
        InputError: an argument is out of its range (the message names it).
    """
    (a, n, aht, t), shape = _broadcast(
        _traffic(traffic), _agents(agents), _aht(aht_seconds), _answer(answer_seconds)
    )
    c = _erlang_c_flat(a, n, _erlang_b_flat(a, n))
    return _shaped(_service_level_flat(a, n, c, aht, t), shape)


def asa_seconds(
    traffic: npt.ArrayLike, agents: npt.ArrayLike, *, aht_seconds: npt.ArrayLike
) -> FloatArray | float:
    """Average speed of answer: the mean wait over all contacts, seconds.

    Args:
        traffic: offered traffic, Erlangs (arrivals per second x AHT seconds), >= 0.
        agents: agents, whole agents >= 0.
        aht_seconds: average handle time, seconds, > 0.

    Returns:
        C AHT / (N - A), seconds; inf where agents <= traffic; 0.0 where
        traffic == 0.

    Raises:
        InputError: an argument is out of its range (the message names it).
    """
    (a, n, aht), shape = _broadcast(_traffic(traffic), _agents(agents), _aht(aht_seconds))
    c = _erlang_c_flat(a, n, _erlang_b_flat(a, n))
    return _shaped(_asa_flat(a, n, c, aht), shape)


def erlang_c_metrics(
    traffic: npt.ArrayLike,
    agents: npt.ArrayLike,
    *,
    aht_seconds: npt.ArrayLike,
    answer_seconds: npt.ArrayLike,
) -> ErlangCMetrics:
    """Every Erlang C measure of `agents` serving `traffic`, from one B recursion.

    Args:
        traffic: offered traffic, Erlangs (arrivals per second x AHT seconds), >= 0.
        agents: agents, whole agents >= 0.
        aht_seconds: average handle time, seconds, > 0.
        answer_seconds: target answer time, seconds, >= 0.

    Returns:
        ErlangCMetrics(agents, wait_probability, service_level, asa_seconds,
        occupancy), each of the broadcast shape; see the module docstring for
        the values where agents <= traffic or traffic == 0.

    Raises:
        InputError: an argument is out of its range (the message names it).
    """
    (a, n, aht, t), shape = _broadcast(
        _traffic(traffic), _agents(agents), _aht(aht_seconds), _answer(answer_seconds)
    )
    return _metrics(a, n, _erlang_b_flat(a, n), aht, t, shape)


def required_agents(
    traffic: npt.ArrayLike,
    *,
    aht_seconds: npt.ArrayLike,
    answer_seconds: npt.ArrayLike,
    service_level_target: npt.ArrayLike,
    max_occupancy: npt.ArrayLike = 1.0,
    target_asa_seconds: npt.ArrayLike | None = None,
) -> IntArray | int:
    """The fewest agents that meet a service level, an ASA target and an occupancy cap.

    For each element: the least whole N with N > A (when A > 0), a service level
    within `answer_seconds` of at least `service_level_target`, an ASA of at most
    `target_asa_seconds` (when given) and an occupancy A / N of at most
    `max_occupancy`: whichever binds. A service level within
    `SERVICE_LEVEL_TOLERANCE` (1e-12) below the target counts as meeting it, and an
    ASA or occupancy within a relative 1e-12 above its cap as within it, so that
    rounding in the last bit never adds an agent. Zero traffic needs 0 agents.

    The search starts every element at its lower bound
    max(floor(A) + 1, ceil(A / max_occupancy)), evaluates B there once (warm-started
    recursion, see the module docstring), then steps all unfinished elements up one
    agent at a time, carrying B forward; it costs about 12 sqrt(A) + (N - A) vector
    steps for the largest element, so thousands of intervals go in one call.

    Args:
        traffic: offered traffic, Erlangs (arrivals per second x AHT seconds), >= 0.
        aht_seconds: average handle time, seconds, > 0.
        answer_seconds: target answer time, seconds, >= 0.
        service_level_target: share to answer within `answer_seconds`, 0 <= x < 1.
        max_occupancy: cap on A / N, 0 < x <= 1.
        target_asa_seconds: cap on the average speed of answer, seconds, > 0;
            None (or inf) for no ASA target.

    Returns:
        Agents, whole numbers (int64 array of the broadcast shape, or int).

    Raises:
        InputError: an argument is out of its range (the message names it).
    """
    agents, _, shape = _required(
        traffic,
        aht_seconds=aht_seconds,
        answer_seconds=answer_seconds,
        service_level_target=service_level_target,
        max_occupancy=max_occupancy,
        target_asa_seconds=target_asa_seconds,
    )
    return _shaped(agents, shape)


def staff_erlang_c(
    traffic: npt.ArrayLike,
    *,
    aht_seconds: npt.ArrayLike,
    answer_seconds: npt.ArrayLike,
    service_level_target: npt.ArrayLike,
    max_occupancy: npt.ArrayLike = 1.0,
    target_asa_seconds: npt.ArrayLike | None = None,
) -> ErlangCMetrics:
    """`required_agents` and the Erlang C measures at that headcount, in one pass.

    The same as `erlang_c_metrics(traffic, required_agents(...), ...)`, but the
    Erlang B value the search ends on is reused rather than recomputed.

    Args:
        traffic: offered traffic, Erlangs (arrivals per second x AHT seconds), >= 0.
        aht_seconds: average handle time, seconds, > 0.
        answer_seconds: target answer time, seconds, >= 0.
        service_level_target: share to answer within `answer_seconds`, 0 <= x < 1.
        max_occupancy: cap on A / N, 0 < x <= 1.
        target_asa_seconds: cap on the average speed of answer, seconds, > 0, or None.

    Returns:
        ErlangCMetrics at the least agents that meet every target.

    Raises:
        InputError: an argument is out of its range (the message names it).
    """
    (n, b, a, aht, t), _, shape = _required(
        traffic,
        aht_seconds=aht_seconds,
        answer_seconds=answer_seconds,
        service_level_target=service_level_target,
        max_occupancy=max_occupancy,
        target_asa_seconds=target_asa_seconds,
        with_b=True,
    )
    return _metrics(a, n, b, aht, t, shape)


def _metrics(
    a: FloatArray,
    n: IntArray,
    b: FloatArray,
    aht: FloatArray,
    t: FloatArray,
    shape: tuple[int, ...],
) -> ErlangCMetrics:
    """Every measure of n agents on traffic a, given Erlang B value b (flat arrays)."""
    c = _erlang_c_flat(a, n, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        occupancy = np.where(a == 0, 0.0, np.where(n > a, a / np.maximum(n, 1), 1.0))
    return ErlangCMetrics(
        agents=_shaped(n, shape),
        wait_probability=_shaped(c, shape),
        service_level=_shaped(_service_level_flat(a, n, c, aht, t), shape),
        asa_seconds=_shaped(_asa_flat(a, n, c, aht), shape),
        occupancy=_shaped(occupancy, shape),
    )


def _required(
    traffic: npt.ArrayLike,
    *,
    aht_seconds: npt.ArrayLike,
    answer_seconds: npt.ArrayLike,
    service_level_target: npt.ArrayLike,
    max_occupancy: npt.ArrayLike,
    target_asa_seconds: npt.ArrayLike | None,
    with_b: bool = False,
) -> tuple[Any, None, tuple[int, ...]]:
    """Flat agents (with_b: (agents, B there, A, aht, t)), None, and the broadcast shape."""
    asa_cap = np.inf if target_asa_seconds is None else target_asa_seconds
    (a, aht, t, target, occ, asa_goal), shape = _broadcast(
        _traffic(traffic),
        _aht(aht_seconds),
        _answer(answer_seconds),
        _checked(
            service_level_target,
            "service_level_target",
            lambda x: (x >= 0) & (x < 1),
            "a share 0 <= x < 1 (e.g. 0.8 for 80%)",
        ),
        _checked(max_occupancy, "max_occupancy", lambda x: (x > 0) & (x <= 1), "in (0, 1]"),
        _target_asa(asa_cap),
    )
    busy = a > 0
    lower = np.zeros(a.shape, dtype=np.int64)
    by_queue = np.floor(a[busy]) + 1
    by_occupancy = np.ceil(a[busy] / occ[busy] * (1 - SERVICE_LEVEL_TOLERANCE))
    lower[busy] = np.maximum(by_queue, by_occupancy).astype(np.int64)

    result = lower.copy()
    final_b = np.zeros(a.shape)
    idx = np.flatnonzero(busy)
    a_i, aht_i, t_i = a[idx], aht[idx], t[idx]
    goal_i = target[idx] - SERVICE_LEVEL_TOLERANCE
    asa_i = asa_goal[idx] * (1 + SERVICE_LEVEL_TOLERANCE)
    n_i = lower[idx].astype(np.float64)
    b_i = _erlang_b_flat(a_i, lower[idx])
    while idx.size:
        c_i = n_i * b_i / (n_i - a_i * (1.0 - b_i))
        met = 1.0 - c_i * np.exp(-(n_i - a_i) * t_i / aht_i) >= goal_i
        met &= c_i * aht_i / (n_i - a_i) <= asa_i
        result[idx[met]] = n_i[met].astype(np.int64)
        final_b[idx[met]] = b_i[met]
        keep = ~met
        idx, a_i, aht_i, t_i, goal_i = idx[keep], a_i[keep], aht_i[keep], t_i[keep], goal_i[keep]
        asa_i = asa_i[keep]
        n_i, b_i = n_i[keep] + 1.0, b_i[keep]
        ab = a_i * b_i
        b_i = ab / (n_i + ab)
    return ((result, final_b, a, aht, t) if with_b else result), None, shape


# --- evaluation on flat arrays -------------------------------------------------------


def _erlang_b_flat(a: FloatArray, n: IntArray) -> FloatArray:
    """B(n) at traffic a for 1-d arrays, warm-started below min(n, a)."""
    b = np.ones(a.shape, dtype=np.float64)
    if a.size == 0:
        return b
    top = np.minimum(n, np.floor(a))
    start = np.maximum(top - np.ceil(_WARM_START_SIGMAS * np.sqrt(a)), 0).astype(np.int64)
    warm = start > 0
    b[warm] = 1.0 - start[warm] / a[warm]  # fluid guess; its error is damped away
    return _step_b(a, b, start, n - start)


def _step_b(a: FloatArray, b: FloatArray, start: IntArray, steps: IntArray) -> FloatArray:
    """Carry B from n = start to n = start + steps for every element.

    Elements are sorted by steps, longest first, so the ones still running at step
    s are a prefix: each step works on a slice, never a fancy-indexed copy.
    """
    out = b.copy()
    max_steps = int(steps.max(initial=0))
    if max_steps == 0:
        return out
    # Steps are small whole numbers: a 16-bit key lets numpy radix-sort in O(n).
    key = -steps.astype(np.int16) if max_steps < 32767 else -steps
    order = np.argsort(key, kind="stable")
    a_s, b_s = a[order], out[order]
    n_s = start[order].astype(np.float64)
    running = np.searchsorted(-steps[order], -np.arange(1, max_steps + 1), side="right")
    for s in range(1, max_steps + 1):
        k = running[s - 1]
        ab = a_s[:k] * b_s[:k]
        b_s[:k] = ab / (n_s[:k] + s + ab)
        if s % 256 == 0 and not b_s[:k].any():
            break  # all underflowed to 0, where the recursion stays
    out[order] = b_s
    return out


def _erlang_c_flat(a: FloatArray, n: IntArray, b: FloatArray) -> FloatArray:
    c = np.ones(a.shape, dtype=np.float64)
    stable = n > a
    ns, bs = n[stable], b[stable]
    c[stable] = ns * bs / (ns - a[stable] * (1.0 - bs))
    c[a == 0] = 0.0
    return np.clip(c, 0.0, 1.0)


def _service_level_flat(
    a: FloatArray, n: IntArray, c: FloatArray, aht: FloatArray, t: FloatArray
) -> FloatArray:
    sl = np.zeros(a.shape, dtype=np.float64)
    stable = n > a
    sl[stable] = 1.0 - c[stable] * np.exp(-(n[stable] - a[stable]) * t[stable] / aht[stable])
    sl[a == 0] = 1.0
    return np.clip(sl, 0.0, 1.0)


def _asa_flat(a: FloatArray, n: IntArray, c: FloatArray, aht: FloatArray) -> FloatArray:
    asa = np.full(a.shape, np.inf)
    stable = n > a
    asa[stable] = c[stable] * aht[stable] / (n[stable] - a[stable])
    asa[a == 0] = 0.0
    return asa


# --- validation and shapes -----------------------------------------------------------


def _checked(
    values: npt.ArrayLike,
    name: str,
    ok: Callable[[FloatArray], npt.NDArray[np.bool_]],
    expected: str,
) -> FloatArray:
    """`values` as a float array, or InputError naming `name` and a bad value."""
    try:
        x = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be numeric ({expected}); got {values!r}") from None
    with np.errstate(invalid="ignore"):
        bad = ~(np.isfinite(x) & ok(x))
    if bad.any():
        where = np.argwhere(bad)[0]
        at = f" at index {tuple(int(i) for i in where)}" if x.ndim else ""
        count = int(bad.sum())
        more = f" ({count} bad values)" if count > 1 else ""
        raise InputError(f"{name} must be {expected}; got {x[bad][0].item()!r}{at}{more}")
    return x


def _traffic(traffic: npt.ArrayLike) -> FloatArray:
    return _checked(traffic, "traffic", lambda x: x >= 0, "finite and >= 0 Erlangs")


def _aht(aht_seconds: npt.ArrayLike) -> FloatArray:
    return _checked(aht_seconds, "aht_seconds", lambda x: x > 0, "finite and > 0 seconds")


def _answer(answer_seconds: npt.ArrayLike) -> FloatArray:
    return _checked(answer_seconds, "answer_seconds", lambda x: x >= 0, "finite and >= 0 seconds")


def _target_asa(target_asa_seconds: npt.ArrayLike) -> FloatArray:
    """Finite and > 0, or +inf for no target."""
    try:
        x = np.asarray(target_asa_seconds, dtype=np.float64)
    except (TypeError, ValueError):
        x = None
    if x is not None and np.all(np.isposinf(x) | (np.isfinite(x) & (x > 0))):
        return x
    return _checked(
        target_asa_seconds, "target_asa_seconds", lambda v: v > 0, "> 0 seconds (or None)"
    )


def _agents(agents: npt.ArrayLike) -> IntArray:
    x = _checked(agents, "agents", lambda x: (x >= 0) & (x == np.floor(x)), "whole agents >= 0")
    return x.astype(np.int64)


def _broadcast(*arrays: np.ndarray) -> tuple[list[np.ndarray], tuple[int, ...]]:
    """Broadcast, then flatten to 1-d contiguous copies (inputs are never touched)."""
    shaped = np.broadcast_arrays(*arrays)
    shape = shaped[0].shape if shaped else ()
    return [np.array(x, copy=True).ravel() for x in shaped], shape


def _shaped(flat: np.ndarray, shape: tuple[int, ...]) -> Any:
    """`flat` in `shape`; a Python int or float for a scalar shape."""
    out = flat.reshape(shape)
    if out.ndim == 0:
        value = out.item()
        return int(value) if np.issubdtype(out.dtype, np.integer) else float(value)
    return out
