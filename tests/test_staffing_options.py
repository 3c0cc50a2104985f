"""staff_requirements options: Erlang A, chat efficiency, ASA target, shrinkage
profiles, whole agents, team leads, monotonicity, and QueueSpec's bad inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling.columns import (
    ABANDONMENT,
    AGENT_HOURS,
    AGENTS,
    AGENTS_SCHEDULED,
    ASA_SECONDS,
    LEADS,
    SERVICE_LEVEL,
    SHRINKAGE,
)
from scheduling.errors import InputError
from scheduling.staffing.erlang import erlang_c_metrics
from scheduling.staffing.erlang_a import erlang_a_metrics
from scheduling.staffing.queues import QueueSpec
from scheduling.staffing.requirements import chat_handle_seconds, staff_requirements
from scheduling.staffing.shrinkage import ShrinkageRule, shrinkage_rates

START = pd.Timestamp("2024-03-04 09:00", tz="UTC")  # a Monday


def forecast(volumes, *, queue="q", interval_minutes=30, start=START) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "interval_start": pd.date_range(
                start, periods=len(volumes), freq=f"{interval_minutes}min"
            ),
            "queue": queue,
            "volume": np.asarray(volumes, dtype=float),
        }
    )


def staff(volumes, spec: QueueSpec, **kwargs) -> pd.DataFrame:
    interval = kwargs.pop("interval_minutes", 30)
    return staff_requirements(
        forecast(volumes, queue=spec.name, interval_minutes=interval, **kwargs),
        {spec.name: spec},
        interval_minutes=interval,
    )


def voice(**changes) -> QueueSpec:
    fields = {"name": "q", "aht_seconds": 180, "answer_seconds": 20, "shrinkage": 0.3}
    return QueueSpec(**(fields | changes))


# --- Erlang A through staffing -------------------------------------------------------------


def test_patience_staffs_voice_with_erlang_a() -> None:
    spec = voice(patience_seconds=60, service_level=0.8, max_occupancy=1.0)
    out = staff([100, 400], spec)
    traffic = np.array([100, 400]) * 180 / 1800
    for i, row in out.iterrows():
        n = int(row[AGENTS])
        at = erlang_a_metrics(
            traffic[i], n, aht_seconds=180, answer_seconds=20, patience_seconds=60
        )
        below = erlang_a_metrics(
            traffic[i], n - 1, aht_seconds=180, answer_seconds=20, patience_seconds=60
        )
        assert row[SERVICE_LEVEL] == pytest.approx(at.service_level)
        assert row[ABANDONMENT] == pytest.approx(at.abandonment)
        assert row[ASA_SECONDS] == pytest.approx(at.asa_seconds)
        assert at.service_level >= 0.8 > below.service_level


def test_max_abandonment_binds() -> None:
    loose = staff([400], voice(patience_seconds=60, service_level=0.5, max_occupancy=1.0))
    tight = staff(
        [400],
        voice(patience_seconds=60, service_level=0.5, max_occupancy=1.0, max_abandonment=0.005),
    )
    assert tight[AGENTS].iloc[0] > loose[AGENTS].iloc[0]
    assert tight[ABANDONMENT].iloc[0] <= 0.005
    assert loose[ABANDONMENT].iloc[0] > 0.005


def test_without_patience_abandonment_is_zero() -> None:
    assert staff([100, 0], voice())[ABANDONMENT].tolist() == [0.0, 0.0]


# --- Erlang C ASA target ---------------------------------------------------------------------


def test_asa_target_binds_when_stricter_than_the_service_level() -> None:
    base = staff([100], voice(max_occupancy=1.0))  # 14 agents, ASA 7.8 s
    strict = staff([100], voice(max_occupancy=1.0, target_asa_seconds=3.0))
    assert base[AGENTS].iloc[0] == 14
    assert strict[AGENTS].iloc[0] == 16
    assert strict[ASA_SECONDS].iloc[0] <= 3.0
    asa_15 = erlang_c_metrics(10.0, 15, aht_seconds=180, answer_seconds=20).asa_seconds
    assert asa_15 > 3.0


# --- chat --------------------------------------------------------------------------------------


def chat(**changes) -> QueueSpec:
    fields = {
        "name": "q",
        "channel": "chat",
        "concurrency": 3,
        "aht_seconds": 180,
        "service_level": 0.8,
        "answer_seconds": 20,
        "max_occupancy": 0.85,
        "shrinkage": 0.2,
    }
    return QueueSpec(**(fields | changes))


def test_chat_handle_time_rises_with_concurrency() -> None:
    assert chat_handle_seconds(300.0, concurrency=1, efficiency=0.5) == 300.0
    assert chat_handle_seconds(300.0, concurrency=3, efficiency=1.0) == 300.0
    assert chat_handle_seconds(300.0, concurrency=3, efficiency=0.5) == 600.0
    assert chat_handle_seconds(300.0, concurrency=3, efficiency=0.0) == 900.0
    # An agent's throughput c / stretch grows with c, but less than in proportion.
    throughput = [c / chat_handle_seconds(1.0, concurrency=c, efficiency=0.7) for c in (1, 2, 3, 4)]
    assert np.all(np.diff(throughput) > 0)
    assert np.all(np.diff(np.diff(throughput)) < 0)


def test_chat_efficiency_one_is_issue_2s_model_and_lower_needs_more_agents() -> None:
    # 100 chats / 30 min at 180 s: 10 Erlangs of slots -> 14 slots -> 5 agents.
    assert staff([100], chat())[AGENTS].iloc[0] == 5
    # Efficiency 0.75 with 3 chats: each chat takes 180 x 1.5 = 270 s -> 15 Erlangs.
    slower = staff([100], chat(concurrency_efficiency=0.75))
    assert slower["aht_seconds"].iloc[0] == 180  # the forecast's solo AHT is reported
    assert slower[AGENTS].iloc[0] == 7  # ceil(20 slots / 3)
    m = erlang_c_metrics(15.0, 21, aht_seconds=270, answer_seconds=20)
    assert slower[SERVICE_LEVEL].iloc[0] == pytest.approx(m.service_level)


def test_chat_with_patience_uses_erlang_a_slots() -> None:
    out = staff([100], chat(patience_seconds=90))
    a = erlang_a_metrics(
        10.0, 3 * int(out[AGENTS].iloc[0]), aht_seconds=180, answer_seconds=20, patience_seconds=90
    )
    assert out[ABANDONMENT].iloc[0] == pytest.approx(a.abandonment)


# --- shrinkage profile, whole agents, leads ---------------------------------------------------


def test_shrinkage_profile_by_local_weekday_and_hour() -> None:
    rules = (
        ShrinkageRule(rate=0.40, days=(0,), start_minutes=9 * 60, end_minutes=11 * 60),
        ShrinkageRule(rate=0.10, days=(5, 6)),
        ShrinkageRule(rate=0.50, days=(4,), start_minutes=22 * 60, end_minutes=2 * 60),
    )
    starts = pd.DatetimeIndex(
        [
            "2024-03-04 08:30",  # Mon 09:30 in Paris (UTC+1): meeting
            "2024-03-04 10:00",  # Mon 11:00 local: after it
            "2024-03-09 12:00",  # Saturday
            "2024-03-08 22:30",  # Fri 23:30 local: late shift rule
            "2024-03-09 00:30",  # Sat 01:30 local: its part after midnight (last rule wins)
            "2024-03-05 08:30",  # Tuesday: base
        ],
        tz="UTC",
    )
    rates = shrinkage_rates(starts, base=0.3, rules=rules, timezone="Europe/Paris")
    assert rates.tolist() == [0.4, 0.3, 0.1, 0.5, 0.5, 0.3]


def test_shrinkage_profile_through_staffing() -> None:
    spec = voice(
        timezone="UTC",
        shrinkage_profile=(ShrinkageRule(rate=0.5, days=(0,), start_minutes=600, end_minutes=660),),
    )
    out = staff([100, 100, 100], spec, interval_minutes=30)  # 09:00, 09:30, 10:00
    assert out[SHRINKAGE].tolist() == [0.3, 0.3, 0.5]
    np.testing.assert_allclose(out[AGENTS_SCHEDULED], out[AGENTS] / (1 - out[SHRINKAGE]))


def test_whole_agents_and_leads() -> None:
    out = staff([100, 37, 0], voice(whole_agents=True, span_of_control=8))
    assert out[AGENTS_SCHEDULED].tolist() == [20.0, 9.0, 0.0]  # ceil(14 / 0.7), ceil(6 / 0.7)
    assert out[LEADS].tolist() == [3.0, 2.0, 0.0]
    assert out[AGENT_HOURS].tolist() == [10.0, 4.5, 0.0]
    frac = staff([100], voice(span_of_control=8))
    assert frac[LEADS].iloc[0] == pytest.approx(20 / 8)
    assert staff([100], voice())[LEADS].iloc[0] == 0.0


# --- monotone in volume and AHT, every live model --------------------------------------------

SPECS = [
    voice(),
    voice(patience_seconds=90, max_abandonment=0.05),
    chat(concurrency_efficiency=0.8),
    chat(patience_seconds=120),
]


@settings(max_examples=40, deadline=None, database=None)
@given(
    st.sampled_from(range(len(SPECS))),
    st.lists(st.floats(0, 2000), min_size=1, max_size=12),
    st.floats(0, 500),
    st.floats(30, 900),
    st.floats(0, 300),
)
def test_more_volume_or_longer_aht_never_needs_fewer_agents(which, volumes, extra, aht, more):
    spec = SPECS[which]
    frame = forecast(volumes, queue=spec.name)
    frame["aht_seconds"] = aht
    base = staff_requirements(frame, {spec.name: spec}, interval_minutes=30)
    bigger = frame.assign(volume=frame["volume"] + extra)
    longer = frame.assign(aht_seconds=aht + more)
    for other in (bigger, longer):
        out = staff_requirements(other, {spec.name: spec}, interval_minutes=30)
        assert (out[AGENTS].to_numpy() >= base[AGENTS].to_numpy()).all()


# --- bad input: every message names the queue and the field ---------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"aht_seconds": 0}, "aht_seconds"),
        ({"aht_seconds": -5}, "aht_seconds"),
        ({"service_level": 1.0}, "service_level"),
        ({"service_level": 0}, "service_level"),
        ({"service_level": 80}, "service_level"),
        ({"answer_seconds": -1}, "answer_seconds"),
        ({"concurrency": 0, "channel": "chat"}, "concurrency"),
        ({"concurrency": 2}, "concurrency"),  # voice
        ({"concurrency_efficiency": 1.5, "channel": "chat"}, "concurrency_efficiency"),
        ({"shrinkage": 1.0}, "shrinkage"),
        ({"shrinkage": -0.1}, "shrinkage"),
        ({"shrinkage_profile": (ShrinkageRule(rate=1.0),)}, "shrinkage_profile[0]"),
        ({"max_occupancy": 0}, "max_occupancy"),
        ({"max_occupancy": 85}, "max_occupancy"),
        ({"patience_seconds": 0}, "patience_seconds"),
        ({"patience_seconds": 60, "channel": "email"}, "patience_seconds"),
        ({"max_abandonment": 0.05}, "max_abandonment"),
        ({"max_abandonment": 2, "patience_seconds": 60}, "max_abandonment"),
        ({"target_asa_seconds": 0}, "target_asa_seconds"),
        ({"target_asa_seconds": 10, "patience_seconds": 60}, "target_asa_seconds"),
        ({"response_hours": 0, "channel": "email"}, "response_hours"),
        ({"open_minutes": 540}, "open/close/days"),  # voice
        # the times as written, not minutes after midnight ("got (600, 540)")
        ({"open_minutes": 600, "close_minutes": 540, "channel": "ticket"}, "got '10:00-09:00'"),
        ({"days": (), "channel": "ticket"}, "days"),
        ({"span_of_control": 0.5}, "span_of_control"),
        ({"channel": "fax"}, "channel"),
    ],
)
def test_bad_queue_fields_name_queue_and_field(changes, field) -> None:
    with pytest.raises(InputError) as err:
        QueueSpec(**({"name": "billing"} | changes))
    message = str(err.value)
    assert message.startswith("queue 'billing': ")
    assert field in message
    assert "\n" not in message
