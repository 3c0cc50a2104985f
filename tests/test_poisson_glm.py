"""`poisson_glm` (the daily regression's IRLS) against statsmodels, and where it breaks down."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import statsmodels.api as sm

from forecasting.errors import InputError
from forecasting.regression import poisson_glm

DATA = Path(__file__).parent / "data"


def test_agrees_with_statsmodels_on_a_well_posed_design():
    rng = np.random.default_rng(3)
    days = 120
    weekday = np.eye(7)[np.arange(days) % 7]
    trend = np.arange(days) / days
    x = np.column_stack([weekday, trend, np.sin(2 * np.pi * trend)])
    y = rng.poisson(np.exp(x @ np.r_[np.linspace(5, 6, 7), 0.3, 0.1])).astype(float)
    reference = sm.GLM(y, x, family=sm.families.Poisson()).fit().params
    np.testing.assert_allclose(poisson_glm(x, y), reference, rtol=1e-6, atol=1e-8)


def test_a_column_only_zero_counts_use_stays_finite():
    """A closed holiday: its effect heads for -inf; the fit stops with a finite one."""
    x = np.column_stack([np.ones(20), np.r_[np.zeros(15), np.ones(5)]])
    y = np.r_[np.full(15, 100.0), np.zeros(5)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        beta = poisson_glm(x, y)
    assert beta[0] == pytest.approx(np.log(100))
    assert np.exp(beta.sum()) < 1e-6


def test_a_collinear_gappy_history_is_refused_not_crashed():
    """Found by a new user's run: the bank's counts of days 1-12 of each month for
    three months (40 days, 20 columns) overflowed exp() and then raised numpy's
    LinAlgError ('SVD did not converge') as a traceback; now the model is skipped."""
    data = np.load(DATA / "glm_gappy_bank.npz")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InputError, match="did not converge"):
            poisson_glm(data["x"], data["y"])
