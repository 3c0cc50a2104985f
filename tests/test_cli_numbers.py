"""Numeric options: a bad number is one line naming the option and exit 1, never
typer's usage box (exit 2), a traceback, or a run on a nonsense value."""

from __future__ import annotations

import pytest
import typer.main
from conftest import assert_one_line_error
from typer.testing import CliRunner

from forecasting.errors import ForecastingError
from forecasting.forecast import check_scenario
from wfm.cli import cli

runner = CliRunner()
ERLANG = ["erlang", "--volume", "100", "--interval-minutes", "30", "--aht-seconds", "180"]
NOT_NUMBERS = ["abc", "nan", "inf", "-inf", "1e400", "", "1,5"]


def invoke(*args: str):
    return runner.invoke(cli, [str(a) for a in args])


def numeric_options() -> list[tuple[str, str, type]]:
    """(command, option, int or float) for every number option of every command."""
    group = typer.main.get_command(cli)
    found = []
    for name, command in sorted(group.commands.items()):
        for param in command.params:
            kind = param.type_descriptor.annotation
            if kind in (int, float) and param.param_type_name == "option":
                found.append((name, param.opts[0], kind))
    return found


OPTIONS = numeric_options()


def test_the_commands_have_numeric_options():
    names = {(command, option) for command, option, _ in OPTIONS}
    assert ("erlang", "--agents") in names and ("schedule", "--node-limit") in names
    assert ("forecast", "--workers") in names and ("backtest", "--origins") in names
    assert len(names) >= 25


@pytest.mark.parametrize(("command", "option", "kind"), OPTIONS)
def test_text_nan_and_infinity_are_one_line_naming_the_option(command, option, kind):
    for value in NOT_NUMBERS:
        result = invoke(command, option, value)
        assert_one_line_error(result, f"error: {option}: ")


@pytest.mark.parametrize(("command", "option", "kind"), [o for o in OPTIONS if o[2] is int])
def test_whole_number_options_refuse_fractions(command, option, kind):
    assert_one_line_error(invoke(command, option, "1.5"), f"{option}: expected a whole number")


@pytest.mark.parametrize(
    "option",
    [
        "--agents",
        "--volume",
        "--interval-minutes",
        "--aht-seconds",
        "--service-level",
        "--answer-seconds",
        "--max-occupancy",
        "--target-asa-seconds",
        "--patience-seconds",
        "--max-abandonment",
    ],
)
@pytest.mark.parametrize("value", ["1e24", "-1", "nan", "inf", "abc", "1e308"])
def test_erlang_numbers_out_of_range_are_one_line(option, value):
    args = list(ERLANG)
    if option in args:
        del args[args.index(option) : args.index(option) + 2]
    assert_one_line_error(invoke(*args, option, value), f"error: {option}: ")


def test_erlang_agents_in_exponent_notation_is_read_exactly():
    plain = invoke(*ERLANG, "--agents", "14")
    assert plain.exit_code == 0, plain.output
    assert invoke(*ERLANG, "--agents", "1.4e1").stdout == plain.stdout
    assert plain.stdout.splitlines()[1].startswith("14,")


@pytest.mark.parametrize(
    ("command", "option", "value", "fragment"),
    [
        ("forecast", "--workers", "1e24", "1 to 256 processes"),
        ("backtest", "--workers", "-1", "1 to 256 processes"),
        ("simulate", "--workers", "1e24", "1 to 256 processes"),
        ("backtest", "--origins", "1e24", "1 to 1,000 cut-offs"),
        ("backtest", "--origins", "0", "1 to 1,000 cut-offs"),
        ("schedule", "--node-limit", "1e24", "a whole number >= 1"),
        ("schedule", "--node-limit", "-1", "a whole number >= 1"),
        ("schedule", "--time-limit", "1e24", "at most a week"),
        ("schedule", "--gap", "-1", "in [0, 1)"),
        ("forecast", "--interval", "0", "15, 30 or 60"),
        ("forecast", "--interval", "1e24", "15, 30 or 60"),
        ("forecast", "--level", "1.5", "between 0 and 1"),
        ("forecast", "--growth", "1e308", "at most 100"),
        ("forecast", "--growth", "-1", "greater than -1"),
        ("forecast", "--deflection", "1", "up to (not including) 1"),
        ("capacity", "--growth", "1e24", "at most 100"),
        ("capacity", "--quantile", "1", "between 0 and 1"),
        ("simulate", "--seed", "-1", "0 to 2**63 - 1"),
        ("simulate", "--seed", "1e24", "0 to 2**63 - 1"),
        ("simulate", "--replications", "1e24", "1 to 100,000"),
    ],
)
def test_absurd_sizes_are_refused_before_any_file_is_read(command, option, value, fragment):
    result = invoke(command, "missing.csv", option, value)
    assert_one_line_error(result, f"error: {option}: must be", fragment, f"got {value}")


def test_the_forecasting_library_refuses_growth_that_overflows():
    with pytest.raises(ForecastingError, match="at most 100"):
        check_scenario(growth=1e308, deflection=0.0)
    check_scenario(growth=100.0, deflection=0.0)


def test_help_still_shows_the_number_types():
    text = invoke("erlang", "--help").stdout
    assert "--agents" in text and "<int>" in text and "<float>" in text
    schedule = invoke("schedule", "--help").stdout
    assert "--node-limit" in schedule and "<int>" in schedule
