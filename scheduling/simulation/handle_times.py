"""Handle-time spread fitted to history: a lognormal's coefficient of variation per queue.

The simulation draws handle times from a lognormal whose mean is the forecast's
`aht_seconds` (which moves with the time of day); only its shape comes from
history. For a lognormal, the coefficient of variation is sqrt(exp(s^2) - 1)
with s^2 the variance of log handle time, which is what is fitted here (robust
to the long right tail that inflates the plain standard deviation).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scheduling.columns import QUEUE
from scheduling.errors import InputError

HANDLE_TIME_SECONDS = "handle_time_seconds"


def fit_handle_time_cv(contacts: pd.DataFrame, *, min_contacts: int = 30) -> dict[str, float]:
    """Lognormal coefficient of variation of handle time per queue.

    Args:
        contacts: one row per contact: `queue`, `handle_time_seconds` (seconds;
            NaN and values <= 0 are ignored).
        min_contacts: queues with fewer usable handle times are left out.

    Returns:
        queue -> coefficient of variation (standard deviation / mean), for the
        queues with enough handle times, in name order.

    Raises:
        InputError: a column is missing.
    """
    for column in (QUEUE, HANDLE_TIME_SECONDS):
        if column not in contacts.columns:
            raise InputError(f"history: no column {column!r} to fit handle times from")
    handle = pd.to_numeric(contacts[HANDLE_TIME_SECONDS], errors="coerce")
    usable = contacts.assign(log=np.log(handle.where(handle > 0)))
    out = {}
    for queue, part in usable.dropna(subset=["log"]).groupby(QUEUE, sort=True):
        if len(part) >= min_contacts:
            out[str(queue)] = float(np.sqrt(np.expm1(part["log"].var(ddof=1))))
    return out
