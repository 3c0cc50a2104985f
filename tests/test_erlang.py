"""Erlang C against published worked examples and 40-digit arithmetic."""

from __future__ import annotations

import csv
import math
from decimal import Decimal
from pathlib import Path

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling.errors import InputError
from scheduling.staffing.erlang import (
    ErlangCMetrics,
    asa_seconds,
    erlang_b,
    erlang_c_metrics,
    required_agents,
    service_level,
    wait_probability,
)

REFERENCE_CSV = (
    Path(__file__).parents[2]
    / "shared"
    / "data"
    / "erlang_c_reference"
    / "erlang_c_reference_cases.csv"
)


def _reference_rows() -> list:
    if not REFERENCE_CSV.exists():
        return [
            pytest.param(
                None,
                marks=pytest.mark.skip(
                    reason=f"published Erlang C cases not found at {REFERENCE_CSV}"
                ),
                id="reference-data-absent",
            )
        ]
    with REFERENCE_CSV.open(newline="") as f:
        return [pytest.param(row, id=row["case_id"]) for row in csv.DictReader(f)]


def _assert_published(computed: float, published: str, what: str) -> None:
    """`computed` rounds to the published figure (half a unit in its last digit)."""
    decimals = max(-Decimal(published).as_tuple().exponent, 0)
    tolerance = 0.5 * 10.0**-decimals + 1e-12
    assert abs(computed - float(published)) <= tolerance, (
        f"{what}: computed {computed!r}, published {published} (+/- {tolerance:g})"
    )


@pytest.mark.parametrize("row", _reference_rows())
def test_published_reference_cases(row: dict[str, str]) -> None:
    aht = float(row["aht_s"])
    target_s = float(row["target_s"])
    traffic = float(row["calls"]) / float(row["interval_s"]) * aht
    _assert_published(traffic, row["pub_traffic_erlangs"], "traffic")
    checked = 1
    if row["agents"]:
        m = erlang_c_metrics(traffic, int(row["agents"]), aht_seconds=aht, answer_seconds=target_s)
        for column, value in [
            ("pub_occupancy", m.occupancy),
            ("pub_prob_wait", m.wait_probability),
            ("pub_asa_s", m.asa_seconds),
            ("pub_service_level", m.service_level),
        ]:
            if row[column]:
                _assert_published(value, row[column], column)
                checked += 1
    if row["pub_agents_needed"]:
        needed = required_agents(
            traffic,
            aht_seconds=aht,
            answer_seconds=target_s,
            service_level_target=float(row["pub_sl_goal"]),
        )
        assert needed == int(row["pub_agents_needed"])
        checked += 1
    assert checked >= 2, "a reference row with nothing to check"


@pytest.mark.parametrize(
    ("goal", "max_occupancy", "agents", "service", "occupancy"),
    [
        # pyworkforce README: ErlangC(...).required_positions(0.8, max_occupancy=0.85)
        (0.8, 0.85, 14, "0.8883500191794669", "0.7142857142857143"),
        # pyworkforce README MultiErlangC: goal 0.9, max_occupancy 0.8
        (0.9, 0.8, 15, "0.9415", "0.6667"),
    ],
)
def test_pyworkforce_cases_with_their_occupancy_caps(
    goal: float, max_occupancy: float, agents: int, service: str, occupancy: str
) -> None:
    needed = required_agents(
        10.0,
        aht_seconds=180,
        answer_seconds=20,
        service_level_target=goal,
        max_occupancy=max_occupancy,
    )
    assert needed == agents
    m = erlang_c_metrics(10.0, needed, aht_seconds=180, answer_seconds=20)
    _assert_published(m.service_level, service, "service_level")
    _assert_published(m.occupancy, occupancy, "occupancy")


def test_headline_case_needs_14_agents() -> None:
    # 100 calls per 30 minutes, AHT 180 s, 80% answered within 20 s.
    traffic = 100 / 1800 * 180
    assert (
        required_agents(traffic, aht_seconds=180, answer_seconds=20, service_level_target=0.8) == 14
    )
    assert service_level(traffic, 13, aht_seconds=180, answer_seconds=20) < 0.8
    assert service_level(traffic, 14, aht_seconds=180, answer_seconds=20) >= 0.8


# --- 40-digit reference --------------------------------------------------------------

mpmath.mp.dps = 40
AHT, ANSWER = 180.0, 20.0
GRID = [0.01, 0.5, 3, 10, 47.3, 100, 500, 2000, 10000]
TARGETS = [0.5, 0.8, 0.95]


def _mp_erlang(
    traffic: float, n_max: int, *, n_min: int = 0
) -> dict[int, tuple[mpmath.mpf, mpmath.mpf]]:
    """{N: (B, C)} for N = n_min..n_max from the factorial sum, 40 digits.

    B = (A^N / N!) / sum_{k<=N} A^k / k!;  C = tail / (sum_{k<N} A^k / k! + tail)
    with tail = A^N / N! * N / (N - A), and C = 1 for N <= A.
    """
    a = mpmath.mpf(traffic)
    term, below, out = mpmath.mpf(1), mpmath.mpf(0), {}
    for k in range(n_max + 1):
        if k:
            term = term * a / k
        if k < n_min:
            below += term
            continue
        b = term / (below + term)
        c = mpmath.mpf(1) if k <= a else (term * k / (k - a)) / (below + term * k / (k - a))
        out[k] = (b, c)
        below += term
    return out


def _mp_service_level(traffic: float, n: int, c: mpmath.mpf) -> mpmath.mpf:
    return 1 - c * mpmath.exp(-(n - mpmath.mpf(traffic)) * ANSWER / AHT)


def _near_and_above(traffic: float) -> list[int]:
    base = math.floor(traffic) + 1
    root = math.sqrt(traffic)
    return sorted({base, base + 1, base + math.ceil(root), base + math.ceil(3 * root)})


def _mp_minimum(traffic: float, table: dict, target: float) -> int:
    n = math.floor(traffic) + 1
    while _mp_service_level(traffic, n, table[n][1]) < target:
        n += 1
    return n


@pytest.fixture(scope="module")
def mp_tables() -> dict[float, dict]:
    return {a: _mp_erlang(a, math.floor(a) + 1 + math.ceil(5 * math.sqrt(a)) + 5) for a in GRID}


def _rel(x: float, ref: mpmath.mpf) -> float:
    return float(abs(mpmath.mpf(x) - ref) / abs(ref))


@pytest.mark.parametrize("traffic", GRID)
def test_wait_probability_and_service_level_match_mpmath(traffic: float, mp_tables) -> None:
    agents = _near_and_above(traffic)
    table = mp_tables[traffic]
    c = wait_probability(np.full(len(agents), traffic), np.array(agents))
    sl = service_level(traffic, np.array(agents), aht_seconds=AHT, answer_seconds=ANSWER)
    b = erlang_b(traffic, np.array(agents))
    for i, n in enumerate(agents):
        assert _rel(b[i], table[n][0]) < 1e-9, (traffic, n)
        assert _rel(c[i], table[n][1]) < 1e-9, (traffic, n)
        assert _rel(sl[i], _mp_service_level(traffic, n, table[n][1])) < 1e-9, (traffic, n)
        asa = float(table[n][1] * AHT / (n - mpmath.mpf(traffic)))
        assert asa_seconds(traffic, n, aht_seconds=AHT) == pytest.approx(asa, rel=1e-9)


@pytest.mark.parametrize("traffic", GRID)
def test_required_agents_is_the_mpmath_minimum(traffic: float, mp_tables) -> None:
    table = mp_tables[traffic]
    expected = [_mp_minimum(traffic, table, target) for target in TARGETS]
    got = required_agents(
        traffic,
        aht_seconds=AHT,
        answer_seconds=ANSWER,
        service_level_target=np.array(TARGETS),
    )
    assert got.tolist() == expected


def test_erlang_b_far_below_traffic_matches_mpmath() -> None:
    # N well below A exercises the warm start, which begins 12 sqrt(A) below N.
    table = _mp_erlang(10000.0, 9000)  # B only; C is 1 below A
    agents = np.array([0, 1, 50, 3000, 8500, 8799, 8800, 9000])
    b = erlang_b(10000.0, agents)
    for value, n in zip(b, agents, strict=True):
        assert _rel(value, table[int(n)][0]) < 1e-9, n


def test_erlang_b_small_values_by_hand() -> None:
    assert erlang_b(2.0, 1) == pytest.approx(2 / 3)
    assert erlang_b(1.0, 2) == pytest.approx(0.2)  # (1/2) / (1 + 1 + 1/2)
    assert erlang_b(5.0, 0) == 1.0
    assert erlang_b(0.0, 3) == 0.0


def test_200k_erlangs_is_finite_and_matches_mpmath() -> None:
    traffic = 200_000.0
    agents = np.array([200_001, 200_015, 200_100, 200_447])
    table = _mp_erlang(traffic, int(agents.max()), n_min=200_001)
    m = erlang_c_metrics(traffic, agents, aht_seconds=AHT, answer_seconds=ANSWER)
    for arr in (m.wait_probability, m.service_level, m.asa_seconds):
        assert np.isfinite(arr).all()
    assert ((m.wait_probability > 0) & (m.wait_probability < 1)).all()
    assert ((m.service_level > 0) & (m.service_level <= 1)).all()
    for i, n in enumerate(agents):
        c = table[int(n)][1]
        assert _rel(m.wait_probability[i], c) < 1e-9, n
        assert _rel(m.service_level[i], _mp_service_level(traffic, int(n), c)) < 1e-9, n
    needed = required_agents(
        traffic, aht_seconds=AHT, answer_seconds=ANSWER, service_level_target=0.8
    )
    assert needed == _mp_minimum(traffic, table, 0.8)


# --- conventions ---------------------------------------------------------------------


def test_unstable_queue_waits_forever() -> None:
    m = erlang_c_metrics([10.0, 10.0, 10.5], [10, 5, 10], aht_seconds=180, answer_seconds=20)
    assert m.wait_probability.tolist() == [1.0, 1.0, 1.0]
    assert m.service_level.tolist() == [0.0, 0.0, 0.0]
    assert np.isinf(m.asa_seconds).all()
    assert m.occupancy.tolist() == [1.0, 1.0, 1.0]


def test_zero_traffic_never_waits() -> None:
    m = erlang_c_metrics(0.0, [0, 1, 5], aht_seconds=180, answer_seconds=20)
    assert m.wait_probability.tolist() == [0.0, 0.0, 0.0]
    assert m.service_level.tolist() == [1.0, 1.0, 1.0]
    assert m.asa_seconds.tolist() == [0.0, 0.0, 0.0]
    assert m.occupancy.tolist() == [0.0, 0.0, 0.0]
    assert required_agents(0.0, aht_seconds=180, answer_seconds=20, service_level_target=0.9) == 0


def test_tiny_traffic_needs_one_agent() -> None:
    assert required_agents(0.01, aht_seconds=180, answer_seconds=20, service_level_target=0.99) == 1
    # N = 1: C = A, so SL = 1 - A exp(-(1 - A) t / AHT)
    expected = 1 - 0.01 * math.exp(-0.99 * 20 / 180)
    assert service_level(0.01, 1, aht_seconds=180, answer_seconds=20) == pytest.approx(
        expected, rel=1e-14
    )


def test_occupancy_cap_binds() -> None:
    # A = 10 is met at 80/20 by 14 agents, but occupancy <= 0.5 needs 20.
    assert (
        required_agents(
            10.0, aht_seconds=180, answer_seconds=20, service_level_target=0.8, max_occupancy=0.5
        )
        == 20
    )
    # A cap met exactly in floating point (8.5 / 0.85 = 10) does not add an agent.
    assert (
        required_agents(
            8.5, aht_seconds=1, answer_seconds=1e6, service_level_target=0.1, max_occupancy=0.85
        )
        == 10
    )


def test_service_level_ties_count_as_met() -> None:
    exact = service_level(10.0, 14, aht_seconds=180, answer_seconds=20)
    kwargs = {"aht_seconds": 180, "answer_seconds": 20}
    assert required_agents(10.0, service_level_target=exact, **kwargs) == 14
    assert required_agents(10.0, service_level_target=exact + 5e-13, **kwargs) == 14
    assert required_agents(10.0, service_level_target=exact + 1e-9, **kwargs) == 15


def test_broadcasting_shapes_and_scalar_types() -> None:
    traffic = np.array([[1.0], [10.0]])
    agents = np.array([2, 12, 20])
    assert wait_probability(traffic, agents).shape == (2, 3)
    got = required_agents(
        traffic, aht_seconds=np.array([60.0, 180.0]), answer_seconds=20, service_level_target=0.8
    )
    assert got.shape == (2, 2)
    assert got.dtype == np.int64
    assert isinstance(wait_probability(10.0, 14), float)
    assert isinstance(
        required_agents(10.0, aht_seconds=180, answer_seconds=20, service_level_target=0.8), int
    )
    m = erlang_c_metrics(10.0, 14, aht_seconds=180, answer_seconds=20)
    assert isinstance(m, ErlangCMetrics)
    assert isinstance(m.agents, int)


def test_inputs_are_not_mutated() -> None:
    traffic = np.array([10.0, 3.0])
    agents = np.array([14, 5])
    aht = np.array([180.0, 60.0])
    before = (traffic.copy(), agents.copy(), aht.copy())
    erlang_c_metrics(traffic, agents, aht_seconds=aht, answer_seconds=20)
    required_agents(traffic, aht_seconds=aht, answer_seconds=20, service_level_target=0.8)
    for now, then in zip((traffic, agents, aht), before, strict=True):
        np.testing.assert_array_equal(now, then)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: wait_probability(-1.0, 3), "traffic must be finite and >= 0"),
        (lambda: wait_probability([1.0, float("nan")], 3), "traffic must be finite"),
        (lambda: wait_probability(1.0, 2.5), "agents must be whole agents >= 0"),
        (lambda: wait_probability(1.0, -1), "agents must be whole agents >= 0"),
        (lambda: wait_probability("many", 3), "traffic must be numeric"),
        (lambda: asa_seconds(1.0, 3, aht_seconds=0), "aht_seconds must be finite and > 0"),
        (
            lambda: service_level(1.0, 3, aht_seconds=60, answer_seconds=-5),
            "answer_seconds must be finite and >= 0",
        ),
        (
            lambda: required_agents(
                1.0, aht_seconds=60, answer_seconds=20, service_level_target=1.0
            ),
            "service_level_target must be a share 0 <= x < 1",
        ),
        (
            lambda: required_agents(
                1.0, aht_seconds=60, answer_seconds=20, service_level_target=80
            ),
            "service_level_target must be a share 0 <= x < 1",
        ),
        (
            lambda: required_agents(
                1.0, aht_seconds=60, answer_seconds=20, service_level_target=0.8, max_occupancy=0
            ),
            "max_occupancy must be in (0, 1]",
        ),
    ],
)
def test_bad_arguments_raise_input_error_naming_them(call, message: str) -> None:
    with pytest.raises(InputError) as err:
        call()
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_bad_value_position_is_reported() -> None:
    with pytest.raises(InputError, match=r"got -2\.0 at index \(1,\)"):
        wait_probability([1.0, -2.0, -3.0], 3)


# --- properties ----------------------------------------------------------------------

traffics = st.floats(min_value=0.0, max_value=800.0, allow_nan=False)
params = st.fixed_dictionaries(
    {
        "answer_seconds": st.floats(min_value=0.0, max_value=600.0),
        "service_level_target": st.floats(min_value=0.0, max_value=0.99),
        "max_occupancy": st.floats(min_value=0.3, max_value=1.0),
    }
)


@settings(max_examples=60, deadline=None, database=None)
@given(st.lists(traffics, min_size=1, max_size=25), st.floats(1.0, 1800.0), params)
def test_more_traffic_never_needs_fewer_agents(traffic, aht, kwargs) -> None:
    ordered = np.sort(np.array(traffic))
    needed = required_agents(ordered, aht_seconds=aht, **kwargs)
    assert (np.diff(needed) >= 0).all()


@settings(max_examples=60, deadline=None, database=None)
@given(
    st.floats(0.0, 2.0),  # calls per second
    st.lists(st.floats(1.0, 900.0), min_size=1, max_size=25),
    params,
)
def test_longer_aht_never_needs_fewer_agents(rate, ahts, kwargs) -> None:
    aht = np.sort(np.array(ahts))
    needed = required_agents(rate * aht, aht_seconds=aht, **kwargs)
    assert (np.diff(needed) >= 0).all()


@settings(max_examples=60, deadline=None, database=None)
@given(traffics, st.floats(1.0, 1800.0), st.floats(0.0, 600.0), st.integers(1, 60))
def test_service_level_increases_with_agents(traffic, aht, answer, extra) -> None:
    agents = np.arange(math.floor(traffic) + 1, math.floor(traffic) + 1 + extra)
    sl = service_level(traffic, agents, aht_seconds=aht, answer_seconds=answer)
    assert (np.diff(sl) >= -1e-12).all()
    assert ((sl >= 0) & (sl <= 1)).all()


# --- ASA target and the one-pass staffing call ------------------------------------------


def test_asa_target_binds_and_is_the_mpmath_minimum(mp_tables) -> None:
    traffic = 47.3
    table = mp_tables[traffic]
    for cap in (30.0, 5.0, 1.0, 0.2):
        expected = _mp_minimum(traffic, table, 0.5)
        while float(table[expected][1] * AHT / (expected - mpmath.mpf(traffic))) > cap:
            expected += 1
        got = required_agents(
            traffic,
            aht_seconds=AHT,
            answer_seconds=ANSWER,
            service_level_target=0.5,
            target_asa_seconds=cap,
        )
        assert got == expected, cap
    # None and inf mean no ASA target.
    kwargs = {"aht_seconds": AHT, "answer_seconds": ANSWER, "service_level_target": 0.8}
    assert required_agents(10.0, target_asa_seconds=None, **kwargs) == 14
    assert required_agents(10.0, target_asa_seconds=np.inf, **kwargs) == 14


@pytest.mark.parametrize("bad", [0.0, -3.0, float("nan"), "soon"])
def test_bad_asa_target_is_named(bad) -> None:
    with pytest.raises(InputError, match="target_asa_seconds"):
        required_agents(
            10.0,
            aht_seconds=180,
            answer_seconds=20,
            service_level_target=0.8,
            target_asa_seconds=bad,
        )


def test_staff_erlang_c_equals_required_agents_then_metrics() -> None:
    from scheduling.staffing.erlang import staff_erlang_c

    rng = np.random.default_rng(3)
    traffic = np.concatenate([[0.0, 0.01, 10.0], rng.uniform(0, 400, 500)])
    kwargs = {
        "aht_seconds": 240.0,
        "answer_seconds": 30.0,
        "service_level_target": 0.85,
        "max_occupancy": 0.9,
    }
    one_pass = staff_erlang_c(traffic, **kwargs)
    agents = required_agents(traffic, **kwargs)
    two_pass = erlang_c_metrics(traffic, agents, aht_seconds=240.0, answer_seconds=30.0)
    for got, want in zip(one_pass, two_pass, strict=True):
        np.testing.assert_array_equal(got, want)
