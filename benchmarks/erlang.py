"""Erlang C speed and accuracy: wfm against a scalar loop, pyworkforce and mpmath.

Speed: a year of 15-minute intervals (35,040) for three queues of different sizes
(105,120 intervals), staffed to 80% in 20 s with occupancy at most 85%: the least
agents and their measures. Three implementations run on the same inputs in one
run: wfm's vectorised `required_agents` + `erlang_c_metrics`, a scalar loop over
intervals (the textbook Erlang B recursion in Python floats, one interval at a
time), and pyworkforce's `ErlangC(...).required_positions` when it is installed
(in this interpreter, or in the one named by --peers-python / $WFM_PEERS_PYTHON,
where it is timed inside that process, excluding start-up and file IO).
pyworkforce refuses zero volume, so intervals without contacts count as 0 agents
there without a call. Times are the best of --repeat runs.

Accuracy: required agents, service level, wait probability and ASA at 500, 10,000
and 200,000 Erlangs against a 40-digit mpmath evaluation of the same recursion.

    python benchmarks/erlang.py [--repeat 3] [--peers-python PATH]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import mpmath
import numpy as np
import pandas as pd

from scheduling.staffing.erlang import erlang_c_metrics, required_agents, staff_erlang_c
from scheduling.staffing.erlang_a import required_agents_a

INTERVAL_MINUTES = 15
ANSWER_SECONDS = 20.0
TARGET = 0.8
MAX_OCCUPANCY = 0.85
QUEUES = (  # name, AHT seconds, peak Erlangs
    ("billing", 240.0, 3.0),
    ("support", 360.0, 40.0),
    ("sales", 300.0, 120.0),
)

PEER_SCRIPT = r"""
import json, sys, time
from pyworkforce.queuing import ErlangC
import pyworkforce
data = json.load(open(sys.argv[1]))
best, agents = float("inf"), None
for _ in range(data["repeat"]):
    start = time.perf_counter()
    out = []
    for volume, aht in zip(data["volume"], data["aht_minutes"]):
        if volume <= 0:
            out.append(0)
            continue
        e = ErlangC(transactions=volume, aht=aht, asa=data["answer_minutes"],
                    interval=data["interval"])
        out.append(e.required_positions(service_level=data["target"],
                                        max_occupancy=data["max_occupancy"])["raw_positions"])
    best = min(best, time.perf_counter() - start)
    agents = out
json.dump({"seconds": best, "agents": agents,
           "version": getattr(pyworkforce, "__version__", "?")}, open(sys.argv[2], "w"))
"""


def year_of_intervals(seed: int = 0) -> pd.DataFrame:
    """35,040 15-minute intervals per queue with daily, weekly and yearly shape."""
    rng = np.random.default_rng(seed)
    starts = pd.date_range("2025-01-01", periods=365 * 96, freq="15min", tz="UTC")
    hour = starts.hour.to_numpy() + starts.minute.to_numpy() / 60
    day = starts.day_of_week.to_numpy()
    season = 1 + 0.2 * np.cos(2 * np.pi * (starts.day_of_year.to_numpy() - 330) / 365)
    shape = (np.exp(-0.5 * ((hour - 13) / 3.5) ** 2) + 0.03) * np.where(day < 5, 1.0, 0.45)
    shape = shape * season / (shape * season).max()
    frames = []
    for name, aht, peak in QUEUES:
        rate = peak * shape * INTERVAL_MINUTES * 60 / aht  # contacts per interval
        frames.append(
            pd.DataFrame(
                {
                    "interval_start": starts,
                    "queue": name,
                    "volume": rng.poisson(rate).astype(float),
                    "aht_seconds": aht,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def wfm_agents(traffic: np.ndarray, aht: np.ndarray) -> np.ndarray:
    """Least agents and their service level, ASA, occupancy and wait probability."""
    metrics = staff_erlang_c(
        traffic,
        aht_seconds=aht,
        answer_seconds=ANSWER_SECONDS,
        service_level_target=TARGET,
        max_occupancy=MAX_OCCUPANCY,
    )
    return metrics.agents


def scalar_agents(traffic: np.ndarray, aht: np.ndarray) -> np.ndarray:
    """One interval at a time: B recursion up to the lower bound, then step up."""
    out = []
    for a, h in zip(traffic.tolist(), aht.tolist(), strict=True):
        if a <= 0:
            out.append(0)
            continue
        n = max(math.floor(a) + 1, math.ceil(a / MAX_OCCUPANCY * (1 - 1e-12)))
        b = 1.0
        for k in range(1, n + 1):
            b = a * b / (k + a * b)
        while True:
            c = n * b / (n - a * (1 - b))
            if 1 - c * math.exp(-(n - a) * ANSWER_SECONDS / h) >= TARGET - 1e-12:
                break
            n += 1
            b = a * b / (n + a * b)
        out.append(n)
    return np.array(out)


def best_of(repeat: int, fn, *args):
    best, result = math.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - start)
    return best, result


def peer_python(option: str | None) -> str | None:
    """An interpreter with pyworkforce: this one, or --peers-python / $WFM_PEERS_PYTHON."""
    try:
        import pyworkforce  # noqa: F401

        return sys.executable
    except ImportError:
        pass
    candidate = option or os.environ.get("WFM_PEERS_PYTHON")
    return candidate if candidate and Path(candidate).exists() else None


def run_pyworkforce(python: str, volume, aht, *, repeat: int, timeout: float = 900) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        script, inputs, outputs = (Path(tmp) / n for n in ("peer.py", "in.json", "out.json"))
        script.write_text(PEER_SCRIPT)
        inputs.write_text(
            json.dumps(
                {
                    "volume": [float(v) for v in volume],
                    "aht_minutes": [float(h) / 60 for h in aht],
                    "answer_minutes": ANSWER_SECONDS / 60,
                    "interval": INTERVAL_MINUTES,
                    "target": TARGET,
                    "max_occupancy": MAX_OCCUPANCY,
                    "repeat": repeat,
                }
            )
        )
        try:
            subprocess.run(
                [python, str(script), str(inputs), str(outputs)], check=True, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            return {"seconds": math.inf, "agents": None, "version": f"timeout {timeout:g} s"}
        return json.loads(outputs.read_text())


def mp_reference(traffic: float, aht: float) -> dict:
    """Least N for 80% in 20 s (no occupancy cap), and its measures, in 40 digits."""
    mpmath.mp.dps = 40
    a = mpmath.mpf(traffic)
    b = mpmath.mpf(1)
    n = math.floor(traffic) + 1
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    while True:
        c = n * b / (n - a * (1 - b))
        sl = 1 - c * mpmath.exp(-(n - a) * ANSWER_SECONDS / aht)
        if sl >= TARGET:
            return {"agents": n, "service_level": sl, "wait": c, "asa": c * aht / (n - a)}
        n += 1
        b = a * b / (n + a * b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peers-python", default=None)
    args = parser.parse_args()

    frame = year_of_intervals()
    volume = frame["volume"].to_numpy()
    aht = frame["aht_seconds"].to_numpy()
    traffic = volume * aht / (INTERVAL_MINUTES * 60)
    count = len(frame)
    print(
        f"Erlang C: {count:,} intervals ({count // len(QUEUES):,} x {len(QUEUES)} queues, "
        f"{INTERVAL_MINUTES}-minute), {TARGET:.0%} in {ANSWER_SECONDS:g} s, occupancy <= "
        f"{MAX_OCCUPANCY:.0%}; mean {traffic.mean():.1f} Erlangs, peak {traffic.max():.1f}; "
        f"best of {args.repeat}"
    )
    wfm_seconds, wfm = best_of(args.repeat, wfm_agents, traffic, aht)
    rows = [("wfm staff_erlang_c (agents + measures)", wfm_seconds, wfm, "")]
    scalar_seconds, scalar = best_of(1, scalar_agents, traffic, aht)
    rows.append(("scalar loop (Python floats)", scalar_seconds, scalar, "1 run"))
    python = peer_python(args.peers_python)
    peer = None
    if python:
        peer = run_pyworkforce(python, volume, aht, repeat=args.repeat)
        agents = np.array(peer["agents"]) if peer["agents"] is not None else None
        rows.append(
            (f"pyworkforce {peer['version']} ErlangC", peer["seconds"], agents, "own process")
        )
    else:
        print("pyworkforce: not installed here; pass --peers-python or set WFM_PEERS_PYTHON")
    a_seconds, _ = best_of(
        args.repeat,
        lambda: required_agents_a(
            traffic,
            aht_seconds=aht,
            answer_seconds=ANSWER_SECONDS,
            patience_seconds=120.0,
            service_level_target=TARGET,
            max_occupancy=MAX_OCCUPANCY,
        ),
    )

    print()
    print(
        f"{'method':<42} {'seconds':>9} {'intervals/s':>12} {'x wfm time':>11} {'agents = wfm':>14}"
    )
    for name, seconds, agents, note in rows:
        same = "-" if agents is None else f"{int((agents == wfm).sum()):,}/{count:,}"
        rate = count / seconds if seconds else math.inf
        print(
            f"{name:<42} {seconds:>9.3f} {rate:>12,.0f} {seconds / wfm_seconds:>11.1f} "
            f"{same:>14}  {note}"
        )
    print(
        f"{'(info) wfm Erlang A, patience 120 s':<42} {a_seconds:>9.3f} {count / a_seconds:>12,.0f}"
    )
    if peer is not None and peer["agents"] is not None:
        diff = np.array(peer["agents"]) - wfm
        if (diff != 0).any():
            where = np.flatnonzero(diff)
            print(
                f"pyworkforce differs in {len(where)} intervals (by {sorted(set(diff[where]))} "
                f"agents), e.g. {traffic[where[0]]:.4f} Erlangs: wfm {wfm[where[0]]}, "
                f"pyworkforce {peer['agents'][where[0]]} (it starts its search at round(A + 1))"
            )
    target_ok = wfm_seconds < 0.5
    print(f"target < 0.5 s of compute: {'met' if target_ok else 'NOT met'} ({wfm_seconds:.3f} s)")
    if peer is not None and math.isfinite(peer["seconds"]):
        ratio = peer["seconds"] / wfm_seconds
        print(f"target >= 50x pyworkforce: {'met' if ratio >= 50 else 'NOT met'} ({ratio:.0f}x)")

    print()
    print("Accuracy against mpmath (40 digits), AHT 300 s, 80% in 20 s, no occupancy cap")
    header = (
        f"{'Erlangs':>9} {'mpmath N':>9} {'wfm N':>7} {'scalar N':>9} {'pyworkforce N':>14} "
        f"{'SL rel err':>11} {'P(wait) rel err':>16} {'ASA rel err':>12}"
    )
    print(header)
    for erlangs in (500.0, 10_000.0, 200_000.0):
        ref = mp_reference(erlangs, 300.0)
        n = required_agents(
            erlangs, aht_seconds=300.0, answer_seconds=ANSWER_SECONDS, service_level_target=TARGET
        )
        m = erlang_c_metrics(
            erlangs, ref["agents"], aht_seconds=300.0, answer_seconds=ANSWER_SECONDS
        )

        def rel(x, ref_value):
            return float(abs(mpmath.mpf(x) - ref_value) / ref_value)

        scalar_n = _scalar_uncapped(erlangs, 300.0)
        peer_n = "-"
        if python:
            # pyworkforce needs volume per interval: 15-minute interval, AHT 5 minutes.
            volume_one = erlangs * INTERVAL_MINUTES / 5.0
            out = _pyworkforce_one(python, volume_one, 300.0)
            peer_n = str(out)
        print(
            f"{erlangs:>9,.0f} {ref['agents']:>9,} {n:>7,} {scalar_n:>9,} {peer_n:>14} "
            f"{rel(m.service_level, ref['service_level']):>11.1e} "
            f"{rel(m.wait_probability, ref['wait']):>16.1e} "
            f"{rel(m.asa_seconds, ref['asa']):>12.1e}"
        )


def _scalar_uncapped(traffic: float, aht: float) -> int:
    global MAX_OCCUPANCY
    saved, MAX_OCCUPANCY = MAX_OCCUPANCY, 1.0
    try:
        return int(scalar_agents(np.array([traffic]), np.array([aht]))[0])
    finally:
        MAX_OCCUPANCY = saved


def _pyworkforce_one(python: str, volume: float, aht: float) -> str:
    code = (
        "from pyworkforce.queuing import ErlangC\n"
        f"e = ErlangC(transactions={volume!r}, aht={aht / 60!r}, asa={ANSWER_SECONDS / 60!r}, "
        f"interval={INTERVAL_MINUTES})\n"
        f"print(e.required_positions(service_level={TARGET}, max_occupancy=1.0)['raw_positions'])"
    )
    try:
        done = subprocess.run(
            [python, "-c", code], capture_output=True, text=True, timeout=600, check=False
        )
    except subprocess.TimeoutExpired:
        return "timeout"
    if done.returncode:
        return done.stderr.strip().splitlines()[-1][:40] if done.stderr else "error"
    return f"{int(done.stdout):,}"


if __name__ == "__main__":
    main()
