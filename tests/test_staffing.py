"""staff_requirements: the requirements frame contract, each channel, every error."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from scheduling.columns import (
    ABANDONMENT,
    AGENT_HOURS,
    AGENTS,
    AGENTS_SCHEDULED,
    ASA_SECONDS,
    BACKLOG,
    CHANNEL,
    INTERVAL_START,
    LEADS,
    OCCUPANCY,
    QUEUE,
    REQUIREMENTS_COLUMNS,
    SERVICE_LEVEL,
    SHRINKAGE,
    VOLUME,
    VOLUME_HIGH,
    WAIT_PROBABILITY,
)
from scheduling.errors import InputError
from scheduling.staffing.queues import QueueSpec
from scheduling.staffing.requirements import STAFFING_COLUMNS, staff_requirements

START = pd.Timestamp("2024-03-04 09:00", tz="UTC")


def make_forecast(
    volumes: dict[str, list[float]],
    *,
    interval_minutes: int = 60,
    start: pd.Timestamp = START,
    aht: dict[str, list[float]] | None = None,
) -> pd.DataFrame:
    """One row per queue per interval, consecutive intervals from `start`."""
    frames = []
    for queue, values in volumes.items():
        frame = pd.DataFrame(
            {
                INTERVAL_START: pd.date_range(
                    start, periods=len(values), freq=f"{interval_minutes}min"
                ),
                QUEUE: queue,
                VOLUME: np.asarray(values, dtype=float),
            }
        )
        if aht is not None:
            frame["aht_seconds"] = aht.get(queue, [np.nan] * len(values))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def phone(**changes) -> QueueSpec:
    fields = {
        "name": "phone",
        "aht_seconds": 180,
        "service_level": 0.8,
        "answer_seconds": 20,
        "max_occupancy": 0.85,
        "shrinkage": 0.3,
    }
    return QueueSpec(**(fields | changes))


def email(**changes) -> QueueSpec:
    fields = {
        "name": "email",
        "channel": "email",
        "aht_seconds": 360,
        "response_hours": 2,
        "max_occupancy": 1.0,
        "shrinkage": 0.0,
    }
    return QueueSpec(**(fields | changes))


# --- contract --------------------------------------------------------------------------


def test_frame_contract_columns_order_sorting_dtypes() -> None:
    queues = {
        "phone": phone(),
        "chat": QueueSpec(name="chat", channel="chat", concurrency=2, aht_seconds=400),
        "email": email(),
    }
    forecast = make_forecast({"phone": [100, 50, 0], "email": [10, 20, 5], "chat": [40, 30, 20]})
    shuffled = forecast.sample(frac=1.0, random_state=1)
    snapshot = shuffled.copy(deep=True)

    out = staff_requirements(shuffled, queues, interval_minutes=60)

    pd.testing.assert_frame_equal(shuffled, snapshot)  # input untouched
    assert tuple(out.columns) == STAFFING_COLUMNS
    assert STAFFING_COLUMNS[: len(REQUIREMENTS_COLUMNS)] == REQUIREMENTS_COLUMNS
    assert STAFFING_COLUMNS[len(REQUIREMENTS_COLUMNS) :] == (
        CHANNEL,
        WAIT_PROBABILITY,
        BACKLOG,
        ABANDONMENT,
        SHRINKAGE,
        LEADS,
    )
    assert out[QUEUE].tolist() == ["chat"] * 3 + ["email"] * 3 + ["phone"] * 3
    for _, group in out.groupby(QUEUE):
        assert group[INTERVAL_START].is_monotonic_increasing
    assert isinstance(out.index, pd.RangeIndex)
    assert isinstance(out[INTERVAL_START].dtype, pd.DatetimeTZDtype)
    assert str(out[INTERVAL_START].dt.tz) == "UTC"
    assert pd.api.types.is_string_dtype(out[QUEUE].dtype)
    assert pd.api.types.is_string_dtype(out[CHANNEL].dtype)
    for column in STAFFING_COLUMNS:
        if column not in (INTERVAL_START, QUEUE, CHANNEL):
            assert out[column].dtype == np.float64, column
    assert out[CHANNEL].tolist() == ["chat"] * 3 + ["email"] * 3 + ["voice"] * 3


def test_same_input_same_output_in_any_row_order() -> None:
    queues = {"phone": phone(), "email": email()}
    forecast = make_forecast({"phone": [120, 80, 40, 10], "email": [30, 0, 12, 7]})
    first = staff_requirements(forecast, queues, interval_minutes=60)
    again = staff_requirements(forecast, queues, interval_minutes=60)
    reordered = staff_requirements(forecast.iloc[::-1], queues, interval_minutes=60)
    pd.testing.assert_frame_equal(first, again)
    pd.testing.assert_frame_equal(first, reordered)


def test_timestamps_in_other_zones_come_back_in_utc() -> None:
    local = pd.date_range("2024-03-04 10:00", periods=2, freq="60min", tz="Europe/Berlin")
    forecast = pd.DataFrame({INTERVAL_START: local, QUEUE: "phone", VOLUME: [200.0, 100.0]})
    out = staff_requirements(forecast, {"phone": phone()}, interval_minutes=60)
    assert out[INTERVAL_START].tolist() == list(local.tz_convert("UTC"))


def test_empty_forecast_gives_empty_frame() -> None:
    forecast = make_forecast({"phone": []})
    out = staff_requirements(forecast, {"phone": phone()}, interval_minutes=60)
    assert out.empty
    assert tuple(out.columns) == STAFFING_COLUMNS


# --- voice -------------------------------------------------------------------------------


def test_voice_matches_the_pyworkforce_worked_example() -> None:
    # pyworkforce README: 100 calls / 30 min, AHT 3 min, 80% in 20 s, max occupancy
    # 0.85, shrinkage 0.3 -> raw_positions 14, positions 20, service level
    # 0.8883500191794669, occupancy 0.7142857, waiting probability 0.1741319336.
    out = staff_requirements(
        make_forecast({"phone": [100]}, interval_minutes=30),
        {"phone": phone()},
        interval_minutes=30,
    )
    row = out.iloc[0]
    assert row[AGENTS] == 14
    assert row[AGENTS_SCHEDULED] == pytest.approx(20.0)
    assert row[AGENT_HOURS] == pytest.approx(10.0)  # 20 agents x 0.5 h
    assert row[SERVICE_LEVEL] == pytest.approx(0.8883500191794669, abs=1e-12)
    assert row[OCCUPANCY] == pytest.approx(0.7142857, abs=1e-7)
    assert row[WAIT_PROBABILITY] == pytest.approx(0.1741319336, abs=1e-10)
    assert row[ASA_SECONDS] == pytest.approx(7.836, abs=1e-3)  # SOURCE.md chk_asa_s
    assert row[BACKLOG] == 0.0


def test_voice_90_percent_goal_and_shrinkage_rounding_to_positions() -> None:
    # pyworkforce MultiErlangC: goal 0.9, max occupancy 0.8, shrinkage 0.3 ->
    # 22 positions, service level 0.9415, occupancy 0.6667 (15 raw agents).
    queue = phone(service_level=0.9, max_occupancy=0.8)
    out = staff_requirements(
        make_forecast({"phone": [100]}, interval_minutes=30),
        {"phone": queue},
        interval_minutes=30,
    )
    row = out.iloc[0]
    assert row[AGENTS] == 15
    assert row[AGENTS_SCHEDULED] == pytest.approx(15 / 0.7)
    assert math.ceil(row[AGENTS_SCHEDULED]) == 22
    assert row[SERVICE_LEVEL] == pytest.approx(0.9415, abs=5e-5)
    assert row[OCCUPANCY] == pytest.approx(0.6667, abs=5e-5)


@pytest.mark.parametrize(
    ("interval_minutes", "shrinkage"), [(15, 0.0), (30, 0.25), (60, 0.5), (60, 0.35)]
)
def test_shrinkage_and_agent_hours_arithmetic(interval_minutes: int, shrinkage: float) -> None:
    volumes = [0, 7, 33, 120, 400]
    out = staff_requirements(
        make_forecast({"phone": volumes}, interval_minutes=interval_minutes),
        {"phone": phone(shrinkage=shrinkage)},
        interval_minutes=interval_minutes,
    )
    np.testing.assert_allclose(out[AGENTS_SCHEDULED], out[AGENTS] / (1 - shrinkage), rtol=1e-15)
    np.testing.assert_allclose(
        out[AGENT_HOURS], out[AGENTS_SCHEDULED] * interval_minutes / 60, rtol=1e-15
    )
    assert (out[AGENTS] == np.floor(out[AGENTS])).all()  # whole agents for voice


def test_zero_volume_needs_nobody_and_reports_a_perfect_interval() -> None:
    out = staff_requirements(
        make_forecast({"phone": [0, 0]}), {"phone": phone()}, interval_minutes=60
    )
    assert out[AGENTS].tolist() == [0.0, 0.0]
    assert out[AGENTS_SCHEDULED].tolist() == [0.0, 0.0]
    assert out[SERVICE_LEVEL].tolist() == [1.0, 1.0]
    assert out[ASA_SECONDS].tolist() == [0.0, 0.0]
    assert out[OCCUPANCY].tolist() == [0.0, 0.0]
    assert out[WAIT_PROBABILITY].tolist() == [0.0, 0.0]


def test_aht_column_overrides_the_configured_aht_except_where_missing() -> None:
    forecast = make_forecast({"phone": [200, 200]}, aht={"phone": [360.0, np.nan]})
    out = staff_requirements(forecast, {"phone": phone()}, interval_minutes=60)
    assert out["aht_seconds"].tolist() == [360.0, 180.0]
    # 200 calls/h at 180 s is 10 Erlangs (14 agents at 80/20); at 360 s, 20 Erlangs.
    assert out[AGENTS].iloc[1] == 14
    assert out[AGENTS].iloc[0] > 20


def test_volume_high_staffs_the_upper_quantile() -> None:
    forecast = make_forecast({"phone": [100, 200, 300]})
    forecast[VOLUME_HIGH] = [150.0, 260.0, 390.0]
    base = staff_requirements(forecast, {"phone": phone()}, interval_minutes=60)
    high = staff_requirements(
        forecast, {"phone": phone()}, interval_minutes=60, volume_column=VOLUME_HIGH
    )
    assert high[VOLUME].tolist() == [150.0, 260.0, 390.0]
    assert (high[AGENTS] >= base[AGENTS]).all()
    assert (high[AGENTS] > base[AGENTS]).any()
    only_high = forecast.rename(columns={VOLUME: VOLUME_HIGH + "_x"}).drop(
        columns=[VOLUME_HIGH + "_x"]
    )
    pd.testing.assert_frame_equal(
        staff_requirements(
            only_high, {"phone": phone()}, interval_minutes=60, volume_column=VOLUME_HIGH
        ),
        high,
    )


# --- chat --------------------------------------------------------------------------------


def test_chat_concurrency_groups_erlang_slots_into_agents() -> None:
    # 100 chats per 30 min at 180 s each: 10 Erlangs of slot traffic. At 80/20 and
    # max occupancy 0.85 that is 14 slots (the pyworkforce case); concurrency 3 ->
    # ceil(14 / 3) = 5 agents, and the measures are those of 15 slots, which the
    # pyworkforce MultiErlangC README gives as SL 0.9415, occupancy 0.6667.
    chat = QueueSpec(
        name="chat",
        channel="chat",
        concurrency=3,
        aht_seconds=180,
        service_level=0.8,
        answer_seconds=20,
        max_occupancy=0.85,
        shrinkage=0.2,
    )
    out = staff_requirements(
        make_forecast({"chat": [100]}, interval_minutes=30), {"chat": chat}, interval_minutes=30
    )
    row = out.iloc[0]
    assert row[AGENTS] == 5
    assert row[AGENTS_SCHEDULED] == pytest.approx(5 / 0.8)
    assert row[SERVICE_LEVEL] == pytest.approx(0.9415, abs=5e-5)
    assert row[OCCUPANCY] == pytest.approx(0.6667, abs=5e-5)
    assert row[WAIT_PROBABILITY] == pytest.approx(0.102042, abs=5e-7)  # SOURCE.md check


def test_chat_with_concurrency_one_is_voice() -> None:
    volumes = [0, 3, 45, 210]
    chat = QueueSpec(name="q", channel="chat", concurrency=1, aht_seconds=240)
    voice = QueueSpec(name="q", channel="voice", aht_seconds=240)
    as_chat = staff_requirements(make_forecast({"q": volumes}), {"q": chat}, interval_minutes=60)
    as_voice = staff_requirements(make_forecast({"q": volumes}), {"q": voice}, interval_minutes=60)
    pd.testing.assert_frame_equal(as_chat.drop(columns=CHANNEL), as_voice.drop(columns=CHANNEL))


# --- email / ticket: see tests/test_deferred.py ------------------------------------------


# --- errors ------------------------------------------------------------------------------


def _error(forecast, queues=None, **kwargs) -> str:
    kwargs.setdefault("interval_minutes", 60)
    with pytest.raises(InputError) as err:
        staff_requirements(forecast, queues or {"phone": phone()}, **kwargs)
    message = str(err.value)
    assert "\n" not in message
    return message


def test_missing_columns_are_named() -> None:
    forecast = make_forecast({"phone": [1, 2]}).drop(columns=[QUEUE])
    message = _error(forecast, volume_column=VOLUME_HIGH)
    assert "missing column(s) queue, volume_high" in message
    assert "interval_start, queue, volume_high" in message


def test_unconfigured_queue_is_named_with_the_configured_ones() -> None:
    forecast = make_forecast({"phone": [1], "sales": [2]})
    message = _error(forecast, {"phone": phone(), "email": email()})
    assert "'sales'" in message
    assert "configured queues: email, phone" in message
    assert "add them to the config" in message


def test_negative_or_missing_volume_shows_up_to_five_rows() -> None:
    forecast = make_forecast({"phone": [1, -1, np.nan, -2, -3, -4, -5, 6]})
    message = _error(forecast)
    assert "volume must be a number of contacts >= 0" in message
    assert "6 row(s) are negative or missing" in message
    assert "('phone', 2024-03-04 10:00 UTC)" in message  # the -1
    assert "('phone', 2024-03-04 11:00 UTC)" in message  # the NaN
    assert "('phone', 2024-03-04 14:00 UTC)" in message  # the 5th bad row
    assert "15:00" not in message  # the 6th is not listed
    assert message.count("('phone'") == 5


def test_bad_volume_in_the_staffed_column_is_named() -> None:
    forecast = make_forecast({"phone": [1, 2]})
    forecast[VOLUME_HIGH] = [3.0, float("inf")]
    message = _error(forecast, volume_column=VOLUME_HIGH)
    assert message.startswith("forecast column volume_high must be a number of contacts")


@pytest.mark.parametrize("bad", [0.0, -30.0, float("inf")])
def test_non_positive_aht_in_the_data(bad: float) -> None:
    forecast = make_forecast({"phone": [10, 10]}, aht={"phone": [200.0, bad]})
    message = _error(forecast)
    assert "aht_seconds must be > 0 seconds" in message
    assert "('phone', 2024-03-04 10:00 UTC)" in message


def test_duplicate_rows_are_counted_and_shown() -> None:
    forecast = make_forecast({"phone": [1, 2, 3]})
    forecast = pd.concat([forecast, forecast.iloc[[1]]], ignore_index=True)
    message = _error(forecast)
    assert "2 duplicate (queue, interval_start) rows" in message
    assert "('phone', 2024-03-04 10:00 UTC)" in message


@pytest.mark.parametrize("bad", [0, -60, 7, 60.0, True, "60"])
def test_bad_interval_minutes(bad) -> None:
    message = _error(make_forecast({"phone": [1]}), interval_minutes=bad)
    assert message.startswith("interval_minutes must be a whole number of minutes")
    assert repr(bad) in message


def test_intervals_that_do_not_fit_interval_minutes() -> None:
    forecast = make_forecast({"phone": [1, 2, 3]}, interval_minutes=30)
    message = _error(forecast, interval_minutes=60)
    assert "queue 'phone'" in message
    assert "steps by 30 minutes" in message
    assert "interval_minutes=60" in message


def test_deferred_queue_with_a_gap() -> None:
    forecast = make_forecast({"email": [1, 2, 3, 4]}).drop(index=[1, 2])
    message = _error(forecast, {"email": email()})
    assert "queue 'email' (email)" in message
    assert "skips 2 interval(s) before 2024-03-04 12:00 UTC" in message
    assert "volume 0" in message


def test_live_queue_may_have_gaps() -> None:
    forecast = make_forecast({"phone": [100, 100, 100]}).drop(index=[1])
    out = staff_requirements(forecast, {"phone": phone()}, interval_minutes=60)
    assert len(out) == 2


def test_naive_timestamps_are_refused() -> None:
    forecast = make_forecast({"phone": [1]})
    forecast[INTERVAL_START] = forecast[INTERVAL_START].dt.tz_localize(None)
    message = _error(forecast)
    assert "interval_start must hold timezone-aware timestamps, got naive timestamps" in message


def test_non_numeric_volume_and_missing_queue() -> None:
    forecast = make_forecast({"phone": [1, 2]})
    forecast[VOLUME] = ["1", "2"]
    assert "column volume must be numeric" in _error(forecast)
    forecast = make_forecast({"phone": [1, 2]})
    forecast[QUEUE] = ["phone", None]
    assert "column queue is empty in 1 row(s)" in _error(forecast)
