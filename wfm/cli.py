"""The `wfm` command line: one short function per command.

Data goes to stdout or -o; people read stderr. Bad input is one line and exit
code 1; anything else escaping here is a bug and keeps its traceback.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from forecasting.errors import ForecastingError
from scheduling.errors import SchedulingError
from scheduling.staffing import erlang, erlang_a
from wfm import app, calendars, folders, readers, render, writers
from wfm.config import Config, load_config
from wfm.errors import WfmError
from wfm.plan_files import write_plan_files

cli = typer.Typer(
    name="wfm",
    help="Workforce management for support teams: forecast, staff, schedule.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="wfm.toml")]
OutOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Write here, not stdout.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No summary on stderr.")]


def main() -> None:
    """Console-script entry point."""
    cli()


def friendly(command):
    """Turn the libraries' and the app's named errors into one line and exit 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (WfmError, ForecastingError, SchedulingError) as e:
            render.error(str(e))
            raise typer.Exit(1) from None

    return wrapper


def _config(path: Path | None) -> Config:
    return load_config(path)


def _write_calendars(schedule: pd.DataFrame, folder: Path) -> None:
    """One <agent>.ics per agent in `folder`, replacing the set all at once."""
    left = folders.write_folder(calendars.agent_calendars(schedule), folder, suffix=".ics")
    if left is not None:
        render.warn(f"{folder}: written, but the earlier calendars stay at {left}; delete it")


def _write_schedule(schedule: pd.DataFrame, path: Path | None, fmt: str) -> None:
    if fmt == "ics":
        writers.write_text(calendars.schedule_ics(schedule), path)
    elif fmt == "google":
        writers.write_csv(calendars.schedule_google_csv(schedule), path)
    else:
        writers.write_text(writers.schedule_csv_text(schedule), path)


@cli.command()
@friendly
def forecast(
    history: Annotated[
        Path,
        typer.Argument(
            help="Helpdesk export (one row per contact) or counts (interval_start, queue, volume)."
        ),
    ],
    horizon: Annotated[str, typer.Option(help="How far ahead: 48h, 28d, 6w.")] = "6w",
    events: Annotated[
        Path | None, typer.Option(help="events.csv: name, start, end [, kind, queues, uplift].")
    ] = None,
    interval: Annotated[int | None, typer.Option(help="Interval minutes: 15, 30 or 60.")] = None,
    tz: Annotated[str | None, typer.Option(help="Zone of naive timestamps.")] = None,
    model: Annotated[
        str | None,
        typer.Option(help="seasonal, auto, mstl, seasonal_naive, weekly_average, daily_naive."),
    ] = None,
    country: Annotated[str | None, typer.Option(help="Public holidays, e.g. US.")] = None,
    level: Annotated[float | None, typer.Option(help="Interval coverage, e.g. 0.8.")] = None,
    time_col: Annotated[str | None, typer.Option(help="Timestamp column.")] = None,
    queue_col: Annotated[str | None, typer.Option(help="Queue column.")] = None,
    handle_time_col: Annotated[str | None, typer.Option(help="Handle time column (s).")] = None,
    growth: Annotated[
        float, typer.Option(help="What-if: extra volume, 0.15 = 15% more (all queues).")
    ] = 0.0,
    deflection: Annotated[
        float, typer.Option(help="What-if: share of contacts automation answers, e.g. 0.1.")
    ] = 0.0,
    config: ConfigOpt = None,
    output: OutOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Forecast contact volume and handle time per queue and interval.

    A what-if (--growth, --deflection) scales volume and its bounds, and adds the
    columns baseline_volume and scenario to the output.

    Example:

        wfm forecast tickets.csv.gz --events events.csv --horizon 6w --config wfm.toml -o forecast.csv
    """
    cfg = _config(config)
    request = app.ForecastRequest(
        history=history,
        horizon=horizon,
        events=events,
        interval_minutes=interval,
        tz=tz,
        model=model,
        country=country,
        level=level,
        time_col=time_col,
        queue_col=queue_col,
        handle_time_col=handle_time_col,
        growth=growth,
        deflection=deflection,
    )
    with render.progress("forecasting queues", total=max(len(cfg.queues), 1)) as advance:
        result = app.run_forecast(request, cfg, on_queue=advance)
    writers.write_csv(result.forecast, output)
    for note in result.warnings:
        render.warn(note)
    if not quiet:
        render.forecast_summary(
            result.forecast,
            result.effects,
            level if level is not None else cfg.forecast.level,
            models=result.models,
        )


@cli.command()
@friendly
def staff(
    forecast_file: Annotated[
        Path, typer.Argument(metavar="FORECAST", help="A forecast CSV from `wfm forecast`.")
    ],
    config: Annotated[Path, typer.Option("--config", "-c", help="wfm.toml with [queues].")],
    use_high: Annotated[
        bool, typer.Option(help="Staff to volume_high (the forecast's upper quantile).")
    ] = False,
    whole_agents: Annotated[
        bool, typer.Option(help="Round agents, scheduled agents and leads up to people.")
    ] = False,
    fte_hours: Annotated[
        float | None, typer.Option(help="Paid hours of one FTE a week (default [staffing]).")
    ] = None,
    output: OutOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Turn a forecast into agents per queue and interval (Erlang C/A, chat, backlog).

    Writes the requirements CSV; the summary on stderr gives peak agents, agent-hours and FTE per queue and channel.

    Example:

        wfm staff forecast.csv --config wfm.toml -o requirements.csv
    """
    cfg = _config(config)
    if fte_hours is not None and not 0 < fte_hours <= 168:
        raise WfmError(f"--fte-hours: expected paid hours in a week (0-168], got {fte_hours:g}")
    if whole_agents:
        queues = {n: dataclasses.replace(q, whole_agents=True) for n, q in cfg.queues.items()}
        cfg = dataclasses.replace(cfg, queues=queues)
    frame = readers.read_forecast(forecast_file, tz=cfg.timezone)
    requirements = app.run_staff(frame, cfg, use_high=use_high)
    writers.write_csv(requirements, output)
    if not quiet:
        render.staff_summary(
            requirements,
            interval_minutes=cfg.interval_minutes,
            fte_hours=fte_hours or cfg.staffing.fte_hours_per_week,
        )


@cli.command()
@friendly
def schedule(
    requirements: Annotated[Path, typer.Argument(help="A requirements CSV from `wfm staff`.")],
    config: Annotated[Path, typer.Option("--config", "-c", help="wfm.toml with [[sites]].")],
    roster: Annotated[Path | None, typer.Option(help="roster.csv of named agents.")] = None,
    coverage: Annotated[Path | None, typer.Option(help="Also write coverage CSV here.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv, ics or google.")] = "csv",
    agent_calendars: Annotated[
        Path | None,
        typer.Option(
            "--calendars",
            readable=False,  # our own check gives the one-line error
            help=(
                "Also write one <agent>.ics per agent into this folder: new, empty, or one "
                "wfm wrote (other files are never replaced). A file name is the agent's name "
                "folded to a-z, 0-9 and '-'; it gets a hash suffix only when two agents' "
                "names fold to the same name (or one folds to nothing or to a device name "
                "such as CON)."
            ),
        ),
    ] = None,
    time_limit: Annotated[float | None, typer.Option(help="Solver seconds.")] = None,
    gap: Annotated[float | None, typer.Option(help="Relative optimality gap.")] = None,
    solver: Annotated[str | None, typer.Option(help="highs or cbc.")] = None,
    node_limit: Annotated[
        int | None, typer.Option(help="Solver node budget: the same schedule on every run.")
    ] = None,
    output: OutOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Choose shifts at the sites and give them to agents.

    --calendars DIR writes each agent's shifts as DIR/<agent>.ics (one calendar per
    agent, site time zones), beside the main output.

    Example:

        wfm schedule requirements.csv --config wfm.toml --roster roster.csv --coverage coverage.csv > schedule.csv

        wfm schedule requirements.csv --config wfm.toml --roster roster.csv --calendars calendars/ -o schedule.csv
    """
    if fmt not in ("csv", "ics", "google"):
        raise WfmError(f"--format: expected csv, ics or google, got {fmt!r}")
    if agent_calendars is not None:
        folders.check_folder(agent_calendars, suffix=".ics")
    cfg = _config(config)
    frame = readers.read_requirements(requirements, tz=cfg.timezone)
    with render.progress("solving", total=1) as advance:
        result = app.run_schedule(
            frame,
            cfg,
            roster=roster,
            time_limit=time_limit,
            gap=gap,
            solver=solver,
            node_limit=node_limit,
        )
        advance()
    _write_schedule(result.schedule, output, fmt)
    if coverage is not None:
        writers.write_csv(result.coverage, coverage)
    if agent_calendars is not None:
        _write_calendars(result.schedule, agent_calendars)
    if not quiet:
        render.schedule_summary(result, cfg.sites)


@cli.command()
@friendly
def plan(
    config: Annotated[Path, typer.Option("--config", "-c", help="wfm.toml.")],
    history: Annotated[Path, typer.Option(help="Helpdesk export or counts CSV.")],
    out: Annotated[Path, typer.Option(help="Folder for the five output files.")],
    events: Annotated[Path | None, typer.Option(help="events.csv.")] = None,
    roster: Annotated[Path | None, typer.Option(help="roster.csv of named agents.")] = None,
    horizon: Annotated[str, typer.Option(help="How far ahead: 1w, 14d.")] = "1w",
    agent_calendars: Annotated[
        bool,
        typer.Option(
            "--calendars",
            help=(
                "Also write OUT/calendars/<agent>.ics per agent (as schedule --calendars: "
                "a hash suffix only when two agents' names fold to the same name)."
            ),
        ),
    ] = False,
    report: Annotated[
        bool, typer.Option("--report", help="Also write OUT/report.html (see `wfm report`).")
    ] = False,
    quiet: QuietOpt = False,
) -> None:
    """Forecast, staff and schedule in one go; write the plan's files into --out.

    Writes forecast.csv, requirements.csv, schedule.csv, coverage.csv and schedule.ics;
    with --calendars also calendars/<agent>.ics, one calendar per agent. For `wfm
    report` also plan.json (cost, solve, limits) and recent_history.csv (the last
    weeks of history); with --report also report.html.

    Example:

        wfm plan --config wfm.toml --history tickets.csv.gz --events events.csv --roster roster.csv --horizon 1w --out plan/
    """
    cfg = _config(config)
    if out.exists() and not out.is_dir():
        raise WfmError(f"{out}: exists and is not a folder; give --out a folder")
    if agent_calendars:
        folders.check_folder(out / "calendars", suffix=".ics", parent_made_later=True)
    request = app.ForecastRequest(history=history, horizon=horizon, events=events)
    with render.progress("planning", total=3) as advance:
        result = app.run_forecast(request, cfg)
        advance()
        requirements = app.run_staff(result.forecast, cfg)
        advance()
        scheduled = app.run_schedule(requirements, cfg, roster=roster)
        advance()
    out.mkdir(parents=True, exist_ok=True)
    writers.write_csv(result.forecast, out / "forecast.csv")
    writers.write_csv(requirements, out / "requirements.csv")
    _write_schedule(scheduled.schedule, out / "schedule.csv", "csv")
    writers.write_csv(scheduled.coverage, out / "coverage.csv")
    _write_schedule(scheduled.schedule, out / "schedule.ics", "ics")
    write_plan_files(out, cfg, request, result, scheduled)
    if report:
        from wfm.report import build_report  # matplotlib: loaded only when drawing

        writers.write_text(build_report(out).html, out / "report.html")
    if agent_calendars:
        _write_calendars(scheduled.schedule, out / "calendars")
    for note in result.warnings:
        render.warn(note)
    if not quiet:
        render.forecast_summary(result.forecast, result.effects, cfg.forecast.level)
        render.staff_summary(
            requirements,
            interval_minutes=cfg.interval_minutes,
            fte_hours=cfg.staffing.fte_hours_per_week,
        )
        render.schedule_summary(scheduled, cfg.sites)
        names = ["forecast.csv", "requirements.csv", "schedule.csv", "coverage.csv"]
        names += ["schedule.ics", "plan.json", "recent_history.csv"]
        names += ["report.html"] if report else []
        render.info(f"wrote {', '.join(names[:-1])} and {names[-1]} to {out}")
        if agent_calendars:
            render.info(
                f"wrote {scheduled.schedule['agent'].nunique()} agent calendars to {out / 'calendars'}"
            )


@cli.command("report")
@friendly
def report_command(
    plan_dir: Annotated[
        Path, typer.Argument(metavar="PLAN_DIR", help="The folder `wfm plan --out` wrote.")
    ],
    output: OutOpt = None,
) -> None:
    """One self-contained HTML page over a plan folder: charts and tables, offline.

    Reads forecast.csv, requirements.csv, schedule.csv, coverage.csv, plan.json and
    recent_history.csv; also sim.csv (`wfm simulate`) and capacity.csv (`wfm capacity`)
    when present. A needed file missing: the page is still written with the rest, one
    line says what is left out, and the exit code is 1.

    Example:

        wfm report plan/ -o report.html
    """
    from wfm.report import build_report, missing_line  # matplotlib: loaded only here

    report = build_report(plan_dir)
    writers.write_text(report.html, output)
    if report.missing:
        raise WfmError(missing_line(plan_dir, report))


@cli.command("erlang")
@friendly
def erlang_command(
    volume: Annotated[float, typer.Option(help="Contacts arriving in the interval.")],
    interval_minutes: Annotated[float, typer.Option(help="Interval length, minutes.")],
    aht_seconds: Annotated[float, typer.Option(help="Average handle time, seconds.")],
    service_level: Annotated[float, typer.Option(help="Target share answered in time.")] = 0.8,
    answer_seconds: Annotated[float, typer.Option(help="Target answer time, seconds.")] = 20.0,
    max_occupancy: Annotated[float, typer.Option(help="Occupancy cap, 0-1.")] = 1.0,
    target_asa_seconds: Annotated[
        float | None, typer.Option(help="Erlang C: cap on the average speed of answer, s.")
    ] = None,
    patience_seconds: Annotated[
        float | None, typer.Option(help="Callers' mean patience, s: use Erlang A.")
    ] = None,
    max_abandonment: Annotated[
        float | None, typer.Option(help="Erlang A: highest share hanging up, 0-1.")
    ] = None,
    agents: Annotated[int | None, typer.Option(help="Report this headcount instead.")] = None,
) -> None:
    """Erlang C (or A) for one interval: agents needed, or the service of a headcount.

    Writes one CSV row (agents, service_level, asa_seconds, occupancy, wait_probability;
    with --patience-seconds also abandonment, and asa_seconds is the answered callers' mean wait).

    Example:

        wfm erlang --volume 100 --interval-minutes 30 --aht-seconds 180 --service-level 0.8 --answer-seconds 20

        wfm erlang --volume 100 --interval-minutes 30 --aht-seconds 180 --patience-seconds 120 --max-abandonment 0.05
    """
    if volume < 0:
        raise WfmError(f"--volume: must be >= 0, got {volume:g}")
    if interval_minutes <= 0:
        raise WfmError(f"--interval-minutes: must be > 0, got {interval_minutes:g}")
    if aht_seconds <= 0:
        raise WfmError(f"--aht-seconds: must be > 0, got {aht_seconds:g}")
    if not 0 < service_level < 1:
        raise WfmError(f"--service-level: must be between 0 and 1, got {service_level:g}")
    if answer_seconds < 0:
        raise WfmError(f"--answer-seconds: must be >= 0, got {answer_seconds:g}")
    if not 0 < max_occupancy <= 1:
        raise WfmError(f"--max-occupancy: must be in (0, 1], got {max_occupancy:g}")
    if target_asa_seconds is not None and not target_asa_seconds > 0:
        raise WfmError(f"--target-asa-seconds: must be > 0, got {target_asa_seconds:g}")
    if patience_seconds is not None and not patience_seconds > 0:
        raise WfmError(f"--patience-seconds: must be > 0, got {patience_seconds:g}")
    if max_abandonment is not None and not 0 < max_abandonment <= 1:
        raise WfmError(f"--max-abandonment: must be in (0, 1], got {max_abandonment:g}")
    if max_abandonment is not None and patience_seconds is None:
        raise WfmError("--max-abandonment: needs --patience-seconds (Erlang A)")
    if target_asa_seconds is not None and patience_seconds is not None:
        raise WfmError("--target-asa-seconds: Erlang C only; drop it or --patience-seconds")
    if agents is not None and agents < 0:
        raise WfmError(f"--agents: must be >= 0, got {agents}")
    traffic = volume * aht_seconds / (interval_minutes * 60)
    if patience_seconds is not None:
        if agents is None:
            agents = int(
                erlang_a.required_agents_a(
                    traffic,
                    aht_seconds=aht_seconds,
                    answer_seconds=answer_seconds,
                    patience_seconds=patience_seconds,
                    service_level_target=service_level,
                    max_abandonment=1.0 if max_abandonment is None else max_abandonment,
                    max_occupancy=max_occupancy,
                )
            )
        a = erlang_a.erlang_a_metrics(
            traffic,
            agents,
            aht_seconds=aht_seconds,
            answer_seconds=answer_seconds,
            patience_seconds=patience_seconds,
        )
        row = {
            "agents": agents,
            "service_level": float(a.service_level),
            "asa_seconds": float(a.asa_seconds),
            "occupancy": float(a.occupancy),
            "wait_probability": float(a.wait_probability),
            "abandonment": float(a.abandonment),
        }
        writers.write_csv(pd.DataFrame([row]), None)
        return
    if agents is None:
        agents = int(
            erlang.required_agents(
                traffic,
                aht_seconds=aht_seconds,
                answer_seconds=answer_seconds,
                service_level_target=service_level,
                max_occupancy=max_occupancy,
                asa_target_seconds=target_asa_seconds,
            )
        )
    metrics = erlang.erlang_c_metrics(
        traffic, agents, aht_seconds=aht_seconds, answer_seconds=answer_seconds
    )
    row = {
        "agents": agents,
        "service_level": float(metrics.service_level),
        "asa_seconds": float(metrics.asa_seconds),
        "occupancy": float(metrics.occupancy),
        "wait_probability": float(metrics.wait_probability),
    }
    writers.write_csv(pd.DataFrame([row]), None)


@cli.command("backtest")
@friendly
def backtest_command(
    history: Annotated[
        Path,
        typer.Argument(
            help="Helpdesk export (one row per contact) or counts (interval_start, queue, volume)."
        ),
    ],
    horizon: Annotated[str, typer.Option(help="Forecast length at each cut-off: 2w, 14d.")] = "2w",
    origins: Annotated[int, typer.Option(help="Number of cut-offs.")] = 4,
    step: Annotated[
        str | None, typer.Option(help="Time between cut-offs (default: the horizon).")
    ] = None,
    events: Annotated[
        Path | None, typer.Option(help="events.csv: name, start, end [, kind, queues, uplift].")
    ] = None,
    interval: Annotated[int | None, typer.Option(help="Interval minutes: 15, 30 or 60.")] = None,
    tz: Annotated[str | None, typer.Option(help="Zone of naive timestamps.")] = None,
    model: Annotated[str | None, typer.Option(help="Model to evaluate (see forecast).")] = None,
    country: Annotated[str | None, typer.Option(help="Public holidays, e.g. US.")] = None,
    level: Annotated[float | None, typer.Option(help="Interval coverage, e.g. 0.8.")] = None,
    time_col: Annotated[str | None, typer.Option(help="Timestamp column.")] = None,
    queue_col: Annotated[str | None, typer.Option(help="Queue column.")] = None,
    handle_time_col: Annotated[str | None, typer.Option(help="Handle time column (s).")] = None,
    config: ConfigOpt = None,
    output: OutOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Score the forecast at past cut-offs against what happened, beside naive baselines.

    Writes one CSV row per queue and model: WAPE, its ratio to seasonal naive, MASE,
    bias, interval coverage, mean absolute error in contacts and in agents at the
    queue's AHT.

    Example:

        wfm backtest tickets.csv.gz --events events.csv --horizon 2w --origins 6 --config wfm.toml
    """
    cfg = _config(config)
    request = app.BacktestRequest(
        history=history,
        horizon=horizon,
        origins=origins,
        step=step,
        events=events,
        interval_minutes=interval,
        tz=tz,
        model=model,
        country=country,
        level=level,
        time_col=time_col,
        queue_col=queue_col,
        handle_time_col=handle_time_col,
    )
    with render.progress("backtesting cut-offs", total=max(origins, 1)) as advance:
        result = app.run_backtest(request, cfg, on_origin=advance)
    writers.write_csv(result.scores, output)
    for note in result.warnings:
        render.warn(note)
    if not quiet:
        render.backtest_summary(
            result.scores, level=level if level is not None else cfg.forecast.level
        )
