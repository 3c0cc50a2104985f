"""Charts as static inline SVG (matplotlib): offline, printable, deterministic.

matplotlib draws every chart once on the machine that writes the report; the page
carries the SVG text, so it opens offline with no script at all. Text stays text
(`svg.fonttype = "none"`), which keeps files small and lets the browser use its
own fonts; no date is written (`metadata={"Date": None}`) and element ids come
from a fixed salt per chart, so the same plan gives the same bytes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import matplotlib as mpl
import matplotlib.dates as mdates
import pandas as pd
from matplotlib.figure import Figure

# Colour-blind-safe (Okabe-Ito) colours, given to sites in name order.
SITE_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
SHORT = "#D62728"
FORECAST = "#0072B2"
HISTORY = "#7F7F7F"

_STYLE = {
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Helvetica", "Arial"],
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e5e5e5",
    "grid.linewidth": 0.6,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "legend.frameon": False,
    "legend.fontsize": 8,
    "path.simplify": True,
    "axes.axisbelow": True,
}
_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)
_INDENT = re.compile(r"\n[ \t]+")
_DIGITS = re.compile(r"(\d\.\d\d)\d+")
# Every id and reference to one, so that charts on one page never share an id.
_ID_REFERENCE = re.compile(r'(\bid="|url\(#|href="#)')


def site_colours(sites: Sequence[str]) -> dict[str, str]:
    """One fixed colour per site, by sorted name."""
    return {site: SITE_COLOURS[i % len(SITE_COLOURS)] for i, site in enumerate(sorted(sites))}


@contextmanager
def figure(key: str, *, width: float = 10.5, height: float = 3.0) -> Iterator[Figure]:
    """A new figure in the report's style; `key` salts its SVG ids (unique per chart)."""
    with mpl.rc_context({**_STYLE, "svg.hashsalt": f"wfm-{key}"}):
        # A bare Figure, not pyplot: no global figure list, no GUI backend.
        yield Figure(figsize=(width, height), layout="constrained")


def svg(fig: Figure, key: str) -> str:
    """The figure as an <svg> element (no XML prologue), ids prefixed by `key`."""
    buffer = io.StringIO()
    with mpl.rc_context({**_STYLE, "svg.hashsalt": f"wfm-{key}"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    text = _PROLOGUE.sub("", buffer.getvalue(), count=1)
    text = _INDENT.sub("\n", text)  # matplotlib's pretty-printing
    text = _DIGITS.sub(r"\1", text)  # 0.01 pt is finer than any screen or printer
    return _ID_REFERENCE.sub(lambda m: f"{m.group(1)}{key}-", text)


def local_naive(stamps: pd.Series | pd.DatetimeIndex, zone: str) -> pd.Series:
    """UTC timestamps as wall-clock times in `zone` (for plotting on a local axis)."""
    values = pd.Series(pd.DatetimeIndex(stamps).tz_convert(zone).tz_localize(None))
    return values


def day_axis(ax, zone: str, *, minor_hours: int = 6) -> None:
    """Dates on the x axis in `zone`'s wall-clock time, the zone named in the label.

    Up to 10 days: a tick per day ("Mon 23 Nov") and minor ticks every
    `minor_hours`; longer: a tick per Monday ("Mon 23 Nov") and one per day.
    """
    low, high = ax.get_xlim()
    if high - low <= 10.5:
        ax.xaxis.set_major_locator(mdates.DayLocator())
        ax.xaxis.set_minor_locator(mdates.HourLocator(byhour=range(0, 24, minor_hours)))
    else:
        ax.xaxis.set_major_locator(mdates.WeekdayLocator(byweekday=mdates.MO))
        ax.xaxis.set_minor_locator(mdates.DayLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%a %d %b"))
    ax.grid(True, which="major", axis="x", color="#bdbdbd", linewidth=0.8)
    ax.set_xlabel(f"local time ({zone})")


def legend_above(ax, **options) -> None:
    """The legend in one row above the plot's right end, clear of the data."""
    handles, _ = ax.get_legend_handles_labels()
    ax.legend(
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        ncols=max(len(handles), 1),
        borderaxespad=0.2,
        **options,
    )
