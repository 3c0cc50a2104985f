"""wfm.toml fuzzed: any mutation of the example config loads, or fails as one WfmError.

Values are replaced by awkward TOML values (nan, inf, huge integers, negative
numbers, wrong types, empty lists, deep nesting), keys dropped or misspelt.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfm.config import load_config
from wfm.errors import WfmError

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "company" / "wfm.toml"
AWKWARD = [
    "nan",
    "inf",
    "-inf",
    "-1",
    "0",
    "1e308",
    "99999999999999999999",
    "true",
    '""',
    '"x"',
    "[]",
    "[1, 2, 3]",
    '["mon", "mon"]',
    "{}",
    '"25:00"',
    '"24:00"',
    "0.5",
    "[[[[[[[[1]]]]]]]]",
    '"Asia/Atlantis"',
    "-0.0",
]


def value_lines(text: str) -> list[int]:
    return [
        i
        for i, line in enumerate(text.splitlines())
        if "=" in line and not line.strip().startswith("#")
    ]


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_mutated_config_loads_or_fails_in_one_line(tmp_path, data) -> None:
    lines = EXAMPLE.read_text().splitlines()
    targets = value_lines("\n".join(lines))
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.sampled_from(targets))
        key = lines[i].split("=", 1)[0]
        kind = data.draw(st.sampled_from(["value", "drop", "misspell"]))
        if kind == "value":
            lines[i] = f"{key}= {data.draw(st.sampled_from(AWKWARD))}"
        elif kind == "drop":
            lines[i] = ""
        else:
            lines[i] = f"{key.strip()}x = 1"
    text = "\n".join(lines) + "\n"
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return  # load_config's own TOML error path is tested elsewhere
    path = tmp_path / "wfm.toml"
    path.write_text(text)
    try:
        load_config(path)
    except WfmError as e:
        assert "\n" not in str(e) and str(e).startswith(str(path))
