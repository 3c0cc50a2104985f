"""Erlang A against a 40-digit birth-death reference and discrete-event simulation."""

from __future__ import annotations

import heapq
import math
import re

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from scheduling.errors import InputError
from scheduling.staffing.erlang import erlang_c_metrics, required_agents
from scheduling.staffing.erlang_a import ErlangAMetrics, erlang_a_metrics, required_agents_a

# --- reference: the birth-death chain summed directly, 40 digits ---------------------------


def _mp_erlang_a(traffic: float, n: int, *, aht: float, answer: float, patience: float) -> dict:
    """Measures of M/M/n+M by summing the stationary distribution term by term.

    The answered-within-t probability of a caller finding j queued is
    x / (x + j + 1) * I_p(j + 1, x + 1) with p = 1 - exp(-theta t) (the (j+1)-th
    order statistic of x + j exponential lives), summed with mpmath's own
    regularised incomplete beta: independent of the closed forms under test.
    """
    mpmath.mp.dps = 40
    a = mpmath.mpf(traffic)
    mu, theta = 1 / mpmath.mpf(aht), 1 / mpmath.mpf(patience)
    lam = a * mu
    x, y = n * mu / theta, lam / theta
    below, term = mpmath.mpf(0), mpmath.mpf(1)
    for k in range(1, n + 1):
        below += term
        term = term * a / k
    queue, j, q = [], 0, term  # q: unnormalised probability of n + j in the system
    while True:
        queue.append(q)
        j += 1
        q = q * lam / (n * mu + j * theta)
        if j > y - x and q < queue[0] * mpmath.mpf(10) ** -45:
            break
    total = below + sum(queue)
    p = 1 - mpmath.exp(-theta * answer)
    served_in_time = below / total
    waited_and_served, harmonic = mpmath.mpf(0), mpmath.mpf(0)
    for j, q in enumerate(queue):
        share = x / (x + j + 1)
        harmonic += 1 / (x + j + 1)
        served_in_time += q / total * share * mpmath.betainc(j + 1, x + 1, 0, p, regularized=True)
        waited_and_served += q / total * share * harmonic / theta
    abandon = theta * sum(j * q for j, q in enumerate(queue)) / total / lam
    return {
        "wait_probability": sum(queue) / total,
        "service_level": served_in_time,
        "abandonment": abandon,
        "asa_seconds": waited_and_served / (1 - abandon),
        "occupancy": a * (1 - abandon) / n,
    }


CASES = [
    # traffic, agents, aht, answer, patience
    (0.5, 1, 300, 30, 100),
    (3.0, 3, 180, 0, 600),
    (10.0, 8, 180, 20, 60),  # fewer agents than Erlangs: still stable
    (10.0, 12, 180, 20, 120),
    (47.3, 50, 240, 15, 90),
    (100.0, 105, 300, 20, 200),
    (100.0, 80, 300, 20, 30),
    (500.0, 510, 300, 20, 300),
]


@pytest.mark.parametrize(("traffic", "agents", "aht", "answer", "patience"), CASES)
def test_matches_the_birth_death_reference(traffic, agents, aht, answer, patience) -> None:
    ref = _mp_erlang_a(traffic, agents, aht=aht, answer=answer, patience=patience)
    got = erlang_a_metrics(
        traffic, agents, aht_seconds=aht, answer_seconds=answer, patience_seconds=patience
    )
    for name, value in ref.items():
        assert getattr(got, name) == pytest.approx(float(value), rel=1e-9, abs=1e-13), name
    assert got.mean_wait_seconds == pytest.approx(float(ref["abandonment"]) * patience, rel=1e-9)


@pytest.mark.parametrize(("traffic", "agents"), [(2.0, 4), (10.0, 14), (80.0, 90)])
def test_endless_patience_is_erlang_c(traffic: float, agents: int) -> None:
    a = erlang_a_metrics(traffic, agents, aht_seconds=180, answer_seconds=20, patience_seconds=1e9)
    c = erlang_c_metrics(traffic, agents, aht_seconds=180, answer_seconds=20)
    assert a.wait_probability == pytest.approx(c.wait_probability, rel=1e-5)
    assert a.service_level == pytest.approx(c.service_level, rel=1e-5)
    assert a.asa_seconds == pytest.approx(c.asa_seconds, rel=1e-5)
    assert a.abandonment < 1e-6


def test_impatience_needs_fewer_agents_than_erlang_c_for_the_same_wait() -> None:
    # The same 80/20 target: callers who leave shorten the queue for the others.
    kwargs = {"aht_seconds": 180, "answer_seconds": 20, "service_level_target": 0.8}
    c = required_agents(np.array([10.0, 100.0]), **kwargs)
    a = required_agents_a(np.array([10.0, 100.0]), patience_seconds=60, **kwargs)
    assert (a <= c).all()


def test_edge_cases() -> None:
    m = erlang_a_metrics(0.0, [0, 3], aht_seconds=180, answer_seconds=20, patience_seconds=60)
    assert m.service_level.tolist() == [1.0, 1.0]
    assert m.abandonment.tolist() == [0.0, 0.0]
    assert m.asa_seconds.tolist() == [0.0, 0.0]
    nobody = erlang_a_metrics(5.0, 0, aht_seconds=180, answer_seconds=20, patience_seconds=60)
    assert (nobody.service_level, nobody.abandonment, nobody.wait_probability) == (0, 1, 1)
    assert math.isinf(nobody.asa_seconds)
    assert isinstance(nobody, ErlangAMetrics)
    assert isinstance(nobody.service_level, float)
    many = erlang_a_metrics(1.0, 60, aht_seconds=180, answer_seconds=20, patience_seconds=60)
    assert many.wait_probability == pytest.approx(0.0, abs=1e-60)
    assert many.service_level == 1.0


def _minimum(traffic, *, target, max_ab, occ, aht=180.0, answer=20.0, patience=90.0) -> int:
    n = 1
    while True:
        m = _mp_erlang_a(traffic, n, aht=aht, answer=answer, patience=patience)
        if m["service_level"] >= target and m["abandonment"] <= max_ab and m["occupancy"] <= occ:
            return n
        n += 1


@pytest.mark.parametrize(
    ("traffic", "target", "max_ab", "occ"),
    [
        (0.3, 0.8, 1.0, 1.0),
        (4.0, 0.8, 1.0, 1.0),
        (10.0, 0.9, 1.0, 1.0),
        (10.0, 0.5, 0.02, 1.0),  # the abandonment cap binds
        (25.0, 0.2, 1.0, 0.7),  # the occupancy cap binds
        (25.0, 0.8, 0.05, 0.9),
    ],
)
def test_required_agents_is_the_reference_minimum(traffic, target, max_ab, occ) -> None:
    expected = _minimum(traffic, target=target, max_ab=max_ab, occ=occ)
    got = required_agents_a(
        traffic,
        aht_seconds=180,
        answer_seconds=20,
        patience_seconds=90,
        service_level_target=target,
        max_abandonment=max_ab,
        max_occupancy=occ,
    )
    assert got == expected


def test_required_agents_vectorised_is_elementwise() -> None:
    traffic = np.array([0.0, 0.01, 3.0, 30.0, 300.0, 3000.0])
    kwargs = {"aht_seconds": 240, "answer_seconds": 30, "patience_seconds": 120}
    got = required_agents_a(traffic, service_level_target=0.85, max_abandonment=0.03, **kwargs)
    assert got[0] == 0
    for a, n in zip(traffic[1:], got[1:], strict=True):
        at = erlang_a_metrics(a, n, **kwargs)
        below = erlang_a_metrics(a, n - 1, **kwargs)
        assert at.service_level >= 0.85 and at.abandonment <= 0.03
        assert below.service_level < 0.85 or below.abandonment > 0.03


@settings(max_examples=50, deadline=None, database=None)
@given(
    st.lists(st.floats(0.0, 400.0), min_size=1, max_size=20),
    st.floats(10.0, 900.0),
    st.floats(5.0, 600.0),
    st.floats(0.0, 0.99),
    st.floats(0.01, 1.0),
)
def test_more_traffic_never_needs_fewer_agents(traffic, aht, patience, target, max_ab) -> None:
    ordered = np.sort(np.array(traffic))
    needed = required_agents_a(
        ordered,
        aht_seconds=aht,
        answer_seconds=20,
        patience_seconds=patience,
        service_level_target=target,
        max_abandonment=max_ab,
        max_occupancy=0.9,
    )
    assert (np.diff(needed) >= 0).all()


@settings(max_examples=50, deadline=None, database=None)
@given(st.floats(0.001, 1.0), st.lists(st.floats(5.0, 900.0), min_size=1, max_size=20))
def test_longer_aht_never_needs_fewer_agents(rate, ahts) -> None:
    aht = np.sort(np.array(ahts))
    needed = required_agents_a(
        rate * aht,
        aht_seconds=aht,
        answer_seconds=20,
        patience_seconds=120,
        service_level_target=0.8,
        max_abandonment=0.05,
    )
    assert (np.diff(needed) >= 0).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"patience_seconds": 0}, "patience_seconds must be finite and > 0"),
        ({"patience_seconds": float("inf")}, "patience_seconds must be finite and > 0"),
        ({"max_abandonment": 0}, "max_abandonment must be a share 0 < x <= 1"),
        ({"max_abandonment": 5}, "max_abandonment must be a share 0 < x <= 1"),
        ({"service_level_target": 1.0}, "service_level_target must be a share 0 <= x < 1"),
        ({"aht_seconds": -1}, "aht_seconds must be finite and > 0"),
        ({"answer_seconds": -1}, "answer_seconds must be finite and >= 0"),
        ({"max_occupancy": 1.5}, "max_occupancy must be in (0, 1]"),
    ],
)
def test_bad_arguments_are_named(kwargs, message) -> None:
    args = {"aht_seconds": 180, "answer_seconds": 20, "patience_seconds": 60} | kwargs
    with pytest.raises(InputError, match=re.escape(message)):
        required_agents_a(10.0, **args)


# --- discrete-event simulation -----------------------------------------------------------


def simulate(
    traffic: float,
    agents: int,
    *,
    aht: float,
    answer: float,
    patience: float,
    customers: int,
    seed: int,
) -> dict[str, float]:
    """One run of a FIFO M/M/N+M queue; measures over customers after a warm-up.

    FIFO with N agents: each caller, in order of arrival, is offered the earliest
    moment an agent is free; one whose patience runs out first hangs up and takes
    no agent (the Kiefer-Wolfowitz recursion, exact for this queue).
    """
    rng = np.random.default_rng(seed)
    warm = customers // 10
    total = customers + warm
    arrivals = np.cumsum(rng.exponential(aht / traffic, total))
    service = rng.exponential(aht, total)
    patience_draws = rng.exponential(patience, total) if math.isfinite(patience) else None
    free = [0.0] * agents
    heapq.heapify(free)
    in_time = abandoned = waited = 0
    answered_wait, answered = 0.0, 0
    for i in range(total):
        t = arrivals[i]
        offered = max(free[0] - t, 0.0)
        gives_up = patience_draws is not None and offered > patience_draws[i]
        if not gives_up:
            heapq.heapreplace(free, t + offered + service[i])
        if i < warm:
            continue
        waited += offered > 0
        if gives_up:
            abandoned += 1
        else:
            answered += 1
            answered_wait += offered
            in_time += offered <= answer
    return {
        "service_level": in_time / customers,
        "abandonment": abandoned / customers,
        "wait_probability": waited / customers,
        "asa_seconds": answered_wait / max(answered, 1),
    }


def _interval(samples: list[float]) -> tuple[float, float]:
    """Mean and 95% half-width (Student t) of independent replications."""
    values = np.array(samples)
    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / math.sqrt(len(values))
    return float(values.mean()), float(half)


def _check_against_simulation(runs: list[dict], predicted, names) -> None:
    for name in names:
        mean, half = _interval([r[name] for r in runs])
        value = float(getattr(predicted, name))
        assert abs(mean - value) <= half, (
            f"{name}: predicted {value:.5f}, simulated {mean:.5f} +/- {half:.5f}"
        )


def test_simulation_agrees_at_10_erlangs_fast() -> None:
    # Short AHT only shortens simulated time; the queue is the same in AHT units.
    traffic, agents, patience = 10.0, 11, 60.0
    predicted = erlang_a_metrics(
        traffic, agents, aht_seconds=60, answer_seconds=10, patience_seconds=patience
    )
    runs = [
        simulate(traffic, agents, aht=60, answer=10, patience=patience, customers=8000, seed=s)
        for s in range(12)
    ]
    _check_against_simulation(runs, predicted, ["service_level", "abandonment"])
    # Erlang C's prediction for the same queue is far outside the interval.
    c = erlang_c_metrics(traffic, agents, aht_seconds=60, answer_seconds=10)
    mean, half = _interval([r["service_level"] for r in runs])
    assert abs(mean - c.service_level) > 5 * half


@pytest.mark.slow
@pytest.mark.parametrize(
    ("traffic", "agents", "patience"),
    [(10.0, 11, 120.0), (10.0, 12, math.inf), (100.0, 102, 180.0), (100.0, 108, math.inf)],
)
def test_ciw_simulation_agrees_at_10_and_100_erlangs(traffic, agents, patience) -> None:
    ciw = pytest.importorskip("ciw")
    aht, answer = 300.0, 20.0
    if math.isfinite(patience):
        predicted = erlang_a_metrics(
            traffic, agents, aht_seconds=aht, answer_seconds=answer, patience_seconds=patience
        )
        names = ["service_level", "abandonment", "wait_probability", "asa_seconds"]
    else:
        predicted = erlang_c_metrics(traffic, agents, aht_seconds=aht, answer_seconds=answer)
        names = ["service_level", "wait_probability", "asa_seconds"]
    horizon = 40_000 * aht / traffic  # about 40,000 callers per run
    warm = horizon / 10
    runs = []
    for seed in range(20):
        ciw.seed(seed)
        network = ciw.create_network(
            arrival_distributions=[ciw.dists.Exponential(rate=traffic / aht)],
            service_distributions=[ciw.dists.Exponential(rate=1 / aht)],
            number_of_servers=[agents],
            **(
                {"reneging_time_distributions": [ciw.dists.Exponential(rate=1 / patience)]}
                if math.isfinite(patience)
                else {}
            ),
        )
        sim = ciw.Simulation(network)
        sim.simulate_until_max_time(horizon + warm)
        records = [r for r in sim.get_all_records() if r.arrival_date > warm]
        served = [r for r in records if r.record_type == "service"]
        count = len(records)
        runs.append(
            {
                "service_level": sum(r.waiting_time <= answer for r in served) / count,
                "abandonment": sum(r.record_type == "renege" for r in records) / count,
                "wait_probability": sum(r.waiting_time > 0 for r in records) / count,
                "asa_seconds": (
                    sum(r.waiting_time for r in served) / len(served)
                    if math.isfinite(patience)
                    else sum(r.waiting_time for r in records) / count
                ),
            }
        )
    _check_against_simulation(runs, predicted, names)


@pytest.mark.slow
@pytest.mark.parametrize("traffic", [10.0, 100.0])
def test_own_simulation_agrees_at_10_and_100_erlangs(traffic) -> None:
    agents = int(traffic + 2 * math.sqrt(traffic))
    predicted = erlang_a_metrics(
        traffic, agents, aht_seconds=300, answer_seconds=20, patience_seconds=150
    )
    runs = [
        simulate(traffic, agents, aht=300, answer=20, patience=150, customers=60_000, seed=s)
        for s in range(20)
    ]
    _check_against_simulation(
        runs, predicted, ["service_level", "abandonment", "wait_probability", "asa_seconds"]
    )
