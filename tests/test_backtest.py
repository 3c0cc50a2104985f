"""Backtests and accuracy measures: cut-offs, scores, agents, M4 definitions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import make_history

from forecasting import metrics
from forecasting.backtest import SCORE_COLUMNS, backtest, origin_starts
from forecasting.errors import InputError

NY = "America/New_York"
ZONES = {"phone": NY, "chat": NY}


@pytest.fixture(scope="module")
def result():
    history = make_history(days=70, queues=("phone", "chat"), daily_volume=500, seed=3)
    return backtest(
        history,
        horizon=24 * 7,
        interval_minutes=60,
        origins=3,
        timezones=ZONES,
        default_aht={"chat": 500.0},
    )


def test_origins_step_back_from_the_end_of_the_history():
    history = make_history(days=40)
    end = history["interval_start"].max() + pd.Timedelta(hours=1)
    starts = origin_starts(history, horizon=48, origins=3, step=24, interval_minutes=60)
    assert starts == [end - pd.Timedelta(hours=h) for h in (96, 72, 48)]


def test_scores_have_a_row_per_queue_and_model_in_order(result):
    scores = result.scores
    assert list(scores.columns) == list(SCORE_COLUMNS)
    assert scores[["queue", "model"]].values.tolist() == [
        ["chat", "seasonal"],
        ["chat", "seasonal_naive"],
        ["chat", "weekly_average"],
        ["phone", "seasonal"],
        ["phone", "seasonal_naive"],
        ["phone", "weekly_average"],
    ]
    assert (scores["origins"] == 3).all()
    assert len(result.origins) == 6 * 3


def test_the_model_beats_seasonal_naive_and_covers_near_nominal(result):
    scores = result.scores.set_index(["queue", "model"])
    for queue in ("phone", "chat"):
        assert scores.loc[(queue, "seasonal"), "wape_vs_naive"] < 0.85
        assert scores.loc[(queue, "seasonal_naive"), "wape_vs_naive"] == 1.0
        assert 0.72 <= scores.loc[(queue, "seasonal"), "coverage"] <= 0.88
        assert abs(scores.loc[(queue, "seasonal"), "bias"]) < 0.05


def test_error_in_agents_uses_the_queue_aht(result):
    scores = result.scores.set_index(["queue", "model"])
    phone = scores.loc[("phone", "seasonal")]
    # the history's own handle times (about 300 s) win over the configured AHT
    assert 280 < phone["aht_seconds"] < 320
    assert phone["mae_agents"] == pytest.approx(phone["mae"] * phone["aht_seconds"] / 3600)


def test_scores_match_the_per_origin_rows(result):
    per_origin = result.origins.query("queue == 'phone' and model == 'seasonal'")
    scores = result.scores.set_index(["queue", "model"]).loc[("phone", "seasonal")]
    assert scores["mase"] == pytest.approx(per_origin["mase"].mean())
    assert (per_origin["volume"] > 0).all()


def test_configured_aht_is_used_when_the_history_has_none():
    history = make_history(days=35, queues=("chat",)).drop(columns="aht_seconds")
    out = backtest(
        history,
        horizon=48,
        interval_minutes=60,
        origins=2,
        timezones=ZONES,
        default_aht={"chat": 500.0},
        baselines=("seasonal_naive",),
    )
    assert (out.scores["aht_seconds"] == 500.0).all()


def test_too_little_history_before_the_first_origin_is_a_named_error():
    with pytest.raises(InputError) as caught:
        backtest(make_history(days=21), horizon=24 * 7, interval_minutes=60, origins=3)
    assert "origins" in str(caught.value)
    assert "fewer origins" in str(caught.value)


@pytest.mark.parametrize(
    ("options", "message"),
    [({"origins": 0}, "origins"), ({"horizon": 0}, "horizon"), ({"step": 0}, "step")],
)
def test_bad_backtest_options_are_named_errors(options, message):
    defaults = {"horizon": 24, "interval_minutes": 60, "origins": 2}
    with pytest.raises(InputError) as caught:
        backtest(make_history(days=30), **{**defaults, **options})
    assert message in str(caught.value)


# -- metrics ---------------------------------------------------------------------------


def test_wape_bias_and_mae_by_hand():
    actual = np.array([10.0, 0.0, 30.0, np.nan])
    forecast = np.array([12.0, 1.0, 24.0, 99.0])
    assert metrics.wape(actual, forecast) == pytest.approx(9 / 40)
    assert metrics.bias(actual, forecast) == pytest.approx(-3 / 40)
    assert metrics.mae(actual, forecast) == pytest.approx(3.0)


def test_mase_scale_is_the_in_sample_seasonal_difference():
    insample = np.array([1.0, 2.0, 3.0, 2.0, 4.0, 3.0])
    assert metrics.seasonal_scale(insample, period=3) == pytest.approx((1 + 2 + 0) / 3)
    assert metrics.mase([2.0, 2.0], [3.0, 1.0], scale=0.5) == pytest.approx(2.0)


def test_smape_and_owa_as_in_m4():
    # M4: 200 |y - f| / (|y| + |f|), averaged; OWA halves the two ratios to Naive2
    assert metrics.smape([100.0, 50.0], [110.0, 50.0]) == pytest.approx(200 * 10 / 210 / 2)
    assert metrics.owa(9.0, 1.2, smape_naive2=18.0, mase_naive2=2.4) == pytest.approx(0.5)


def test_coverage_leaves_out_closed_hours_when_told():
    actual = np.array([0.0, 0.0, 5.0, 9.0])
    low, high = np.zeros(4), np.array([0.0, 0.0, 6.0, 6.0])
    forecast = np.array([0.0, 0.0, 4.0, 4.0])
    assert metrics.coverage(actual, low, high) == 0.75
    assert metrics.coverage(actual, low, high, forecast=forecast) == 0.5


def test_workload_agents():
    agents = metrics.workload_agents([12.0], aht_seconds=300, interval_minutes=30)
    assert agents.tolist() == [2.0]


def test_held_out_windows_without_volume_do_not_choose_the_model():
    """Found by a new user's run: both held-out weeks fell in an export gap, so a model
    forecasting 0 'did at least 10% better' (WAPE 0.000 vs inf) and was chosen."""
    from forecasting.base import QueueContext
    from forecasting.selection import fit_guarded

    history = make_history(days=70, queues=("phone",), daily_volume=300, seed=4)
    history = history.drop(columns="queue").reset_index(drop=True)
    history.loc[len(history) - 21 * 24 :, "volume"] = 0.0  # the last three weeks: a gap
    context = QueueContext(queue="phone", timezone="UTC", interval_minutes=60)
    fitted = fit_guarded(history, context, model="seasonal", horizon=7 * 24, level=0.8)
    assert not any("instead of" in note for note in fitted.notes), fitted.notes
