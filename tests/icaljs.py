"""Read an ICS with ical.js (the parser behind Thunderbird and many web calendars).

tests/js holds package.json and package-lock.json; `npm ci --prefix tests/js`
installs ical.js there (`.ci/run` does, and skips these tests when it cannot).
`ics_instants.mjs` registers the file's own VTIMEZONEs, so the wall times are read
through the rules the file carries, as a client without the IANA zone reads them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

JS = Path(__file__).parent / "js"
NODE = shutil.which("node")
INSTALLED = (JS / "node_modules" / "ical.js" / "package.json").is_file()

needs_icaljs = pytest.mark.skipif(
    NODE is None or not INSTALLED,
    reason=(
        "node not found on PATH"
        if NODE is None
        else "ical.js not installed; run `npm ci --prefix tests/js`"
    ),
)


def icaljs_events(text: str, folder: Path) -> list[dict]:
    """Each VEVENT as ical.js reads it: {uid, tzid, start, end} with UTC pd.Timestamps."""
    path = folder / "icaljs-input.ics"
    path.write_text(text, encoding="utf-8", newline="")
    done = subprocess.run(
        [str(NODE), str(JS / "ics_instants.mjs"), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    events = json.loads(done.stdout)
    for event in events:
        for key in ("start", "end"):
            event[key] = pd.Timestamp(event[key])
            assert event[key].tzinfo is not None, event
    return events
