"""Fuzz the readers through the CLI: random mutations of the example files.

Every run must end in exit 0 with a readable CSV on stdout, or exit 1 with one
line on stderr ("error: ...") and no traceback. The files are small slices of
examples/company so that the default run stays quick; `pytest -m slow` runs
many more examples.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from conftest import EXAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from wfm.cli import cli

runner = CliRunner()
CONFIG = EXAMPLES / "wfm.toml"
NASTY = [
    "",
    " ",
    "\t",
    "\r",
    "\n",
    "a\x00b",
    "x\ry",
    "NaN",
    "inf",
    "-1",
    "0",
    "1e308",
    "1e15",
    "1e-300",
    "-0",
    '=HYPERLINK("http://x","y")',
    "+cmd",
    "2025-01-06T00:17:50 UTC",
    "2024-12-02T00:17:50+05",
    "2024-12-02T00:17:50+05:30",
    "1677-01-01",
    "1900-01-01 00:00",
    "9999-12-31T00:00:00",
    "2100-01-04 10:00",
    "2019-12-02 10:00",
    "06/12/2024 09:00",
    "13/12/2024 09:00",
    "12/13/2024 09:00",
    "09:13",
    "2024-03-10 02:30",
    "2024-11-03 01:30",
    "2024-12-02",
    "phone",
    "chat;email",
    "Austin",
    "mon",
    "25:00",
    "\U0001f600",
    "a" * 300,
]
KINDS = ("cell", "cell", "cell", "drop_column", "rename_column", "duplicate_row", "drop_rows")


@st.composite
def mutations(draw: st.DrawFn) -> list[tuple]:
    """One to three edits: (kind, row share, column share, new text)."""
    value = st.one_of(st.sampled_from(NASTY), st.text(max_size=12))
    edit = st.tuples(
        st.sampled_from(KINDS),
        st.floats(0, 1, exclude_max=True),
        st.floats(0, 1, exclude_max=True),
        value,
    )
    return draw(st.lists(edit, min_size=1, max_size=3))


def mutate(text: str, edits: list[tuple]) -> str:
    """The CSV `text` with `edits` applied, written back as CSV (quoted as needed)."""
    rows = list(csv.reader(io.StringIO(text)))
    for kind, row_share, column_share, value in edits:
        if len(rows) < 2 or not rows[0]:
            break
        i = 1 + int(row_share * (len(rows) - 1))
        j = int(column_share * len(rows[0]))
        if kind == "cell" and j < len(rows[i]):
            rows[i][j] = value
        elif kind == "drop_column":
            rows = [r[:j] + r[j + 1 :] for r in rows]
        elif kind == "rename_column":
            rows[0][j] = value
        elif kind == "duplicate_row":
            rows.insert(i, list(rows[i]))
        elif kind == "drop_rows":
            rows = rows[:i]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """Small inputs: three weeks of tickets (every 8th), events, roster, and a
    one-day forecast and requirements made from them by wfm itself."""
    folder = tmp_path_factory.mktemp("fuzz")
    tickets = pd.read_csv(EXAMPLES / "tickets.csv.gz", dtype=str, nrows=20_000)
    tickets = tickets[tickets["created_at"] < "2024-12-16"].iloc[::8]
    tickets.to_csv(folder / "history.csv", index=False)
    paths = {"history": folder / "history.csv", "forecast": folder / "forecast.csv"}
    for name in ("events", "roster"):
        paths[name] = folder / f"{name}.csv"
        paths[name].write_text((EXAMPLES / f"{name}.csv").read_text())
    made = runner.invoke(
        cli,
        [*forecast_args(paths["history"]), "-o", str(paths["forecast"])],
    )
    assert made.exit_code == 0, made.output
    paths["requirements"] = folder / "requirements.csv"
    made = runner.invoke(
        cli, ["staff", str(paths["forecast"]), "-c", str(CONFIG), "-o", str(folder / "r.csv")]
    )
    assert made.exit_code == 0, made.output
    paths["requirements"].write_text((folder / "r.csv").read_text())
    return paths


def forecast_args(history: Path, *extra: str) -> list[str]:
    return [
        "forecast",
        str(history),
        "-c",
        str(CONFIG),
        "--horizon",
        "1d",
        "--model",
        "weekly_average",
        "-q",
        *extra,
    ]


def command(reader: str, path: Path, files: dict[str, Path]) -> list[str]:
    """The CLI call that reads `path` as the `reader` file."""
    if reader == "history":
        return forecast_args(path)
    if reader == "events":
        return forecast_args(files["history"], "--events", str(path))
    if reader == "forecast":
        return ["staff", str(path), "-c", str(CONFIG), "-q"]
    requirements = path if reader == "requirements" else files["requirements"]
    roster = path if reader == "roster" else files["roster"]
    return [
        "schedule",
        str(requirements),
        "-c",
        str(CONFIG),
        "--roster",
        str(roster),
        "--time-limit",
        "5",
        "-q",
    ]


def check_outcome(result) -> None:
    """Exit 0 with CSV on stdout, or exit 1 with one 'error:' line; never a traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.stderr
    if result.exit_code == 0:
        assert result.stdout.strip(), "exit 0 but nothing written"
        pd.read_csv(io.StringIO(result.stdout))
        return
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if not line.startswith("warning:")]
    assert len(errors) == 1 and errors[0].startswith("error: "), result.stderr


def fuzz(reader: str, files: dict[str, Path], edits: list[tuple], folder: Path) -> None:
    path = folder / f"mutated-{reader}.csv"
    path.write_text(mutate(files[reader].read_text(), edits), encoding="utf-8")
    check_outcome(runner.invoke(cli, command(reader, path, files)))


QUICK = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
SOLVER = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.mark.parametrize("reader", ["history", "events", "forecast"])
@QUICK
@given(edits=mutations())
def test_mutated_inputs_end_cleanly(files, tmp_path, reader, edits):
    fuzz(reader, files, edits, tmp_path)


@pytest.mark.parametrize("reader", ["requirements", "roster"])
@SOLVER
@given(edits=mutations())
def test_mutated_schedule_inputs_end_cleanly(files, tmp_path, reader, edits):
    fuzz(reader, files, edits, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("reader", ["history", "events", "forecast", "requirements", "roster"])
@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=mutations())
def test_mutated_inputs_end_cleanly_many(files, tmp_path, reader, edits):
    fuzz(reader, files, edits, tmp_path)
