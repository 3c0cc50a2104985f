"""The plan folder as the report reads it: each file's frame, or why it is absent.

Files from `wfm plan --out DIR` (the report needs each of them):
forecast.csv, requirements.csv, schedule.csv, coverage.csv, plan.json and
recent_history.csv. Files of other commands, shown when present: sim.csv
(`wfm simulate`) and capacity.csv (`wfm capacity`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from wfm import readers
from wfm.errors import WfmError
from wfm.plan_files import PLAN_JSON, RECENT_HISTORY

# file -> (timestamp columns, number columns that must be present)
NEEDED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "forecast.csv": (("interval_start",), ("volume", "volume_low", "volume_high")),
    "requirements.csv": (("interval_start",), ("agents", "agents_scheduled")),
    "schedule.csv": (("start", "end"), ()),
    "coverage.csv": (("interval_start",), ("required", "scheduled", "shortfall", "surplus")),
    RECENT_HISTORY: (("interval_start",), ("volume",)),
}
OPTIONAL: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "sim.csv": (("interval_start",), ("p_meet_target",)),
    "capacity.csv": (
        ("week_start",),
        ("required_fte", "productive_fte", "overtime_fte", "outsourced_fte", "short_fte"),
    ),
}
_NOT_NUMBERS = ("queue", "events", "timezone", "break_start", "break_end", "other_breaks")
TEXT_COLUMNS = {"schedule.csv": ("agent", "site", "timezone", "queue"), "capacity.csv": ("site",)}


@dataclass
class PlanFolder:
    """What the report has to work with.

    Attributes:
        path: the plan folder.
        frames: file name -> frame, for each file read (timestamps UTC, numbers float).
        summary: plan.json as a dict, or None when absent.
        missing: needed files that are not in the folder, in `NEEDED` order.
    """

    path: Path
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    summary: dict | None = None
    missing: list[str] = field(default_factory=list)

    def get(self, name: str) -> pd.DataFrame | None:
        return self.frames.get(name)

    def has(self, *names: str) -> bool:
        return all(n in self.frames or (n == PLAN_JSON and self.summary) for n in names)

    def queue_zone(self, queue: str) -> str:
        """The queue's local time zone from plan.json; UTC when it is not known."""
        queues = (self.summary or {}).get("queues", {})
        return str(queues.get(queue, {}).get("timezone") or "UTC")


def read_plan_folder(path: Path) -> PlanFolder:
    """Read every report input in `path`; absent needed files are listed, not fatal.

    Raises:
        WfmError: `path` is not a folder, holds none of the plan files, or a file
            present cannot be read (the message names the file and the column).
    """
    path = Path(path)
    if not path.is_dir():
        raise WfmError(f"{path}: not a folder; give the folder `wfm plan --out` wrote")
    plan = PlanFolder(path=path)
    for name, (times, numbers) in {**NEEDED, **OPTIONAL}.items():
        if (path / name).is_file():
            plan.frames[name] = _read(path / name, times, numbers, TEXT_COLUMNS.get(name, ()))
        elif name in NEEDED:
            plan.missing.append(name)
    if (path / PLAN_JSON).is_file():
        plan.summary = _read_summary(path / PLAN_JSON)
    else:
        plan.missing.append(PLAN_JSON)
    if not any(name in plan.frames for name in NEEDED):
        raise WfmError(
            f"{path}: holds none of the plan files (forecast.csv, requirements.csv, "
            "schedule.csv, coverage.csv); give the folder `wfm plan --out` wrote"
        )
    return plan


def _read(
    path: Path, times: Sequence[str], numbers: Sequence[str], texts: Sequence[str]
) -> pd.DataFrame:
    raw = readers.read_table(path, what=path.stem)
    readers.require_columns(raw, [*times, *numbers, *texts], path=path, what=path.stem)
    frame = raw.copy()
    for column in times:
        frame[column] = readers.parse_timestamps(raw[column], tz="UTC", path=path, column=column)
    for column in ("break_start", "break_end"):
        if column in raw.columns:  # blank when a shift has no break
            frame[column] = pd.to_datetime(
                raw[column].str.strip().replace("", None), utc=True, format="ISO8601"
            )
    for column in numbers:
        frame[column] = readers.parse_numbers(
            raw[column], path=path, column=column, minimum=None, allow_blank=True
        )
    for column in raw.columns:
        if column in (*times, *numbers, *texts, *_NOT_NUMBERS):
            continue
        parsed = pd.to_numeric(raw[column].str.strip().replace("", "nan"), errors="coerce")
        if parsed.notna().any():
            frame[column] = parsed
    return frame


def _read_summary(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise WfmError(f"{path}: cannot read it as JSON ({e}); re-run `wfm plan`") from None
    if not isinstance(data, dict):
        raise WfmError(f"{path}: expected a JSON object; re-run `wfm plan`")
    return data
