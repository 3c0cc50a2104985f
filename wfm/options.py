"""Command-line option parsers shared by several commands."""

from __future__ import annotations

import re

from wfm.errors import WfmError


def parse_horizon(text: str, *, interval_minutes: int) -> int:
    """A duration such as 48h, 28d or 6w as a number of intervals."""
    match = re.fullmatch(r"\s*(\d+)\s*([hdw])\s*", text.lower())
    if not match:
        raise WfmError(f"--horizon: expected a duration such as 48h, 28d or 6w, got {text!r}")
    hours = int(match.group(1)) * {"h": 1, "d": 24, "w": 168}[match.group(2)]
    if hours == 0:
        raise WfmError("--horizon: must be longer than zero, e.g. 1w")
    return hours * 60 // interval_minutes
