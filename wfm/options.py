"""Command-line options shared by several commands, and their parsers.

`history_options` gives forecast, backtest and plan the same nine options for
reading and modelling a history (events, interval, clock, model, holidays, level,
column names), declared once here and handed to the command as one
`HistoryOptions`.
"""

from __future__ import annotations

import functools
import inspect
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer

from forecasting.forecast import MAX_GROWTH
from scheduling.checks import Range
from scheduling.shifts.options import OPTION_RANGES
from scheduling.simulation.options import MAX_REPLICATIONS
from scheduling.staffing.requirements import MAX_AGENTS
from wfm.errors import WfmError

MAX_HORIZON_WEEKS = 104
MAX_WORKERS = 256
MAX_ORIGINS = 1000

# Documented ranges of command-line options, checked while parsing (see `number`).
WORKERS = Range("workers", lambda v: 1 <= v <= MAX_WORKERS, f"1 to {MAX_WORKERS} processes")
ORIGINS = Range("origins", lambda v: 1 <= v <= MAX_ORIGINS, f"1 to {MAX_ORIGINS:,} cut-offs")
AGENTS = Range("agents", lambda v: 0 <= v <= MAX_AGENTS, f"0 to {MAX_AGENTS:,} agents")
SHARE = Range("share", lambda v: 0 < v < 1, "a share between 0 and 1, e.g. 0.8")
SHARE_FROM_ZERO = Range(
    "share", lambda v: 0 <= v < 1, "a share from 0 up to (not including) 1, e.g. 0.1"
)
GROWTH = Range(
    "growth",
    lambda v: -1 < v <= MAX_GROWTH,
    f"greater than -1 and at most {MAX_GROWTH:g} (0.15 = 15% more volume)",
)
REPLICATIONS = Range(
    "replications", lambda v: 1 <= v <= MAX_REPLICATIONS, f"1 to {MAX_REPLICATIONS:,} runs"
)
SEED = Range("seed", lambda v: 0 <= v < 2**63, "a whole number from 0 to 2**63 - 1")
INTERVAL = Range("interval", lambda v: v in (15, 30, 60), "15, 30 or 60 minutes")


def scheduling_range(field: str) -> Range:
    """The [scheduling] table's range of `field`, for the option that overrides it."""
    return next(row for row in OPTION_RANGES if row.field == field)


class OptionError(WfmError):
    """A numeric option's value is not a number in its range; raised while parsing."""


def number(
    option: str, *, whole: bool = False, within: Range | None = None
) -> Callable[[object], float | int]:
    """A typer `parser` for a numeric option: one line naming the option, not a usage box.

    Reads what a person writes for a number ("14", "0.8", "1e3", "1_000"); refuses
    text, NaN, infinity and (with `whole`) fractions, and values outside `within`,
    up front, before any file is read. The CLI turns `OptionError` into
    `error: <option>: ...` and exit code 1.

    Args:
        option: the option as typed, e.g. "--agents".
        whole: the value must be a whole number (returned as int).
        within: the documented range; its `expected` text goes into the message.
    """

    def parse(value: object) -> float | int:
        text = str(value).strip()
        try:
            exact = Decimal(text)
        except InvalidOperation:
            raise OptionError(f"{option}: expected a number, got {text!r}") from None
        if not exact.is_finite():
            raise OptionError(f"{option}: expected a finite number, got {text!r}")
        if not math.isfinite(float(exact)):
            raise OptionError(f"{option}: {text} is too large for any setting")
        if whole and exact != exact.to_integral_value():
            raise OptionError(f"{option}: expected a whole number, got {text!r}")
        result = int(exact) if whole else float(exact)
        if within is not None and not within.test(result):
            raise OptionError(f"{option}: must be {within.expected}, got {text}")
        return result

    return parse


# `wfm schedule`'s overrides of [scheduling], checked against that table's ranges.
TimeLimitOpt = Annotated[
    float | None,
    typer.Option(
        help="Solver seconds.",
        parser=number("--time-limit", within=scheduling_range("time_limit_seconds")),
    ),
]
GapOpt = Annotated[
    float | None,
    typer.Option(
        help="Relative optimality gap.", parser=number("--gap", within=scheduling_range("gap"))
    ),
]
NodeLimitOpt = Annotated[
    int | None,
    typer.Option(
        help="Solver node budget: the same schedule on every run.",
        parser=number("--node-limit", whole=True, within=scheduling_range("node_limit")),
    ),
]


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
_NUMBERS = {
    "interval": number("--interval", whole=True, within=INTERVAL),
    "level": number("--level", within=SHARE),
    "workers": number("--workers", whole=True, within=WORKERS),
}


def _option(name: str) -> Any:
    kind = _TYPES.get(name, str)
    return Annotated[kind | None, typer.Option(help=_HELP[name], parser=_NUMBERS.get(name))]


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
