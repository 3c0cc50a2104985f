"""Command-line options shared by several commands, and their parsers.

`history_options` gives forecast, backtest and plan the same nine options for
reading and modelling a history (events, interval, clock, model, holidays, level,
column names), declared once here and handed to the command as one
`HistoryOptions`.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Annotated, Any

import typer

from wfm.errors import WfmError

MAX_HORIZON_WEEKS = 104


@dataclass(frozen=True)
class HistoryOptions:
    """How to read a history and forecast it; None leaves the config's setting."""

    events: Path | None = None
    interval: int | None = None
    tz: str | None = None
    model: str | None = None
    country: str | None = None
    level: float | None = None
    time_col: str | None = None
    queue_col: str | None = None
    handle_time_col: str | None = None
    workers: int | None = None
    date_format: str | None = None


_HELP = {
    "events": "events.csv: name, start, end [, kind, queues, uplift].",
    "interval": "Interval minutes: 15, 30 or 60.",
    "tz": "Zone of naive timestamps and the queues' local clock.",
    "model": "seasonal, auto, mstl, seasonal_naive, weekly_average, daily_naive.",
    "country": "Public holidays, e.g. US.",
    "level": "Interval coverage, e.g. 0.8.",
    "time_col": "Timestamp column.",
    "queue_col": "Queue column.",
    "handle_time_col": "Handle time column (s).",
    "workers": "Processes fitting queues in parallel (default: all cores).",
    "date_format": "Numeric dates: DD/MM/YYYY or MM/DD/YYYY (when the file cannot tell).",
}
_TYPES = {"events": Path, "interval": int, "level": float, "workers": int}


def _option(name: str) -> Any:
    kind = _TYPES.get(name, str)
    return Annotated[kind | None, typer.Option(help=_HELP[name])]


def history_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give a typer command the `HistoryOptions` options, passed as `history_options`.

    The command declares `history_options: HistoryOptions` (keyword-only) where the
    options should stand in its --help; they take that place in the signature
    typer reads.
    """
    names = [f.name for f in fields(HistoryOptions)]
    signature = inspect.signature(command, eval_str=True)
    cut = list(signature.parameters).index("history_options")
    own = [p for p in signature.parameters.values() if p.name != "history_options"]
    added = [
        inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=_option(n))
        for n in names
    ]
    tail = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own[cut:]]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        given = HistoryOptions(**{n: kwargs.pop(n) for n in names})
        return command(*args, history_options=given, **kwargs)

    wrapper.__signature__ = signature.replace(parameters=[*own[:cut], *added, *tail])
    wrapper.__annotations__ = {
        p.name: p.annotation for p in wrapper.__signature__.parameters.values()
    }
    return wrapper


def parse_horizon(text: str, *, interval_minutes: int, option: str = "--horizon") -> int:
    """A duration such as 48h, 28d or 6w as a number of intervals (at most two years)."""
    match = re.fullmatch(r"\s*(\d{1,7})\s*([hdw])\s*", text.lower())
    if not match:
        raise WfmError(f"{option}: expected a duration such as 48h, 28d or 6w, got {text!r}")
    hours = int(match.group(1)) * {"h": 1, "d": 24, "w": 168}[match.group(2)]
    if hours == 0:
        raise WfmError(f"{option}: must be longer than zero, e.g. 1w")
    if hours > MAX_HORIZON_WEEKS * 168:
        raise WfmError(
            f"{option}: {text.strip()} is longer than {MAX_HORIZON_WEEKS} weeks (two years), "
            "the longest wfm plans; give a shorter duration"
        )
    return hours * 60 // interval_minutes
