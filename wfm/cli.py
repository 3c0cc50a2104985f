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
from typer.core import TyperGroup

from forecasting.errors import ForecastingError
from scheduling.errors import SchedulingError
from scheduling.solver import solve_progress
from wfm import app, calendars, folders, readers, render, simulate_app, writers
from wfm import capacity as capacity_app
from wfm.config import Config, load_config
from wfm.errors import WfmError
from wfm.options import (
    AGENTS,
    GROWTH,
    INTERVAL,
    ORIGINS,
    REPLICATIONS,
    SEED,
    SHARE,
    SHARE_FROM_ZERO,
    WORKERS,
    GapOpt,
    HistoryOptions,
    NodeLimitOpt,
    OptionError,
    TimeLimitOpt,
    history_options,
    number,
)
from wfm.plan_files import write_plan_files
from wfm.plan_set import plan_set


class WfmGroup(TyperGroup):
    """typer's command group, with an option's bad number as one line and exit 1.

    Options parse before a command's `friendly` wrapper runs, so the `number`
    parsers' `OptionError` is caught here, where each command's options are read.
    """

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except OptionError as e:
            render.error(str(e))
            raise typer.Exit(1) from None


cli = typer.Typer(
    cls=WfmGroup,
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
SolverLogOpt = Annotated[
    Path | None,
    typer.Option("--solver-log", help="Append the solvers' own logs to this file."),
]


PreviousOpt = Annotated[
    Path | None,
    typer.Option(
        "--previous",
        help=(
            "The schedule CSV before the horizon: rest after its shifts, days off "
            "in a row and the days and hours of each site's first week carry over."
        ),
    ),
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Schedule a horizon of more than 8 weeks.")]
IntervalOpt = Annotated[
    int | None,
    typer.Option(
        "--interval",
        help="Interval minutes of the input: 15, 30 or 60 (default: the config's).",
        parser=number("--interval", whole=True, within=INTERVAL),
    ),
]


CalendarsDirOpt = Annotated[
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
]
CalendarsFlagOpt = Annotated[
    bool,
    typer.Option(
        "--calendars",
        help=(
            "Also write OUT/calendars/<agent>.ics per agent (as schedule --calendars: "
            "a hash suffix only when two agents' names fold to the same name)."
        ),
    ),
]
CalendarTzOpt = Annotated[
    str | None,
    typer.Option(
        "--calendar-timezone",
        help=(
            "With --format google: write every row's times in this IANA zone, the zone "
            "of the Google calendar you import into (needed when sites are in several zones)."
        ),
    ),
]
CompareOpt = Annotated[
    list[str] | None,
    typer.Option(
        help="Also plan this scenario and compare (up to 2): e.g. 'growth=0.1,outsourcing=off'; "
        "keys growth, attrition, outsourcing, hire_lead_weeks."
    ),
]
AgentsOutOpt = Annotated[
    Path | None,
    typer.Option(
        "--agents-out",
        help="With --roster: also write each agent's shifts and hours a week here.",
    ),
]


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


def _level(options: HistoryOptions, config: Config) -> float:
    return options.level if options.level is not None else config.forecast.level


def _write_calendars(schedule: pd.DataFrame, folder: Path) -> None:
    """One <agent>.ics per agent in `folder`, replacing the set all at once."""
    left = folders.write_folder(calendars.agent_calendars(schedule), folder, suffix=".ics")
    if left is not None:
        render.warn(f"{folder}: written, but the earlier calendars stay at {left}; delete it")


def _write_schedule(
    schedule: pd.DataFrame, path: Path | None, fmt: str, calendar_tz: str | None = None
) -> None:
    if fmt == "ics":
        writers.write_text(calendars.schedule_ics(schedule), path)
    elif fmt == "google":
        frame = calendars.schedule_google_csv(schedule, timezone=calendar_tz)
        writers.write_csv(frame, path)
    else:
        writers.write_text(writers.schedule_csv_text(schedule), path)


@cli.command()
@friendly
@history_options
def forecast(
    history: Annotated[
        Path,
        typer.Argument(
            help="Helpdesk export (one row per contact) or counts (interval_start, queue, volume)."
        ),
    ],
    horizon: Annotated[str, typer.Option(help="How far ahead: 48h, 28d, 6w.")] = "6w",
    growth: Annotated[
        float,
        typer.Option(
            help="What-if: extra volume, 0.15 = 15% more (all queues).",
            parser=number("--growth", within=GROWTH),
        ),
    ] = 0.0,
    deflection: Annotated[
        float,
        typer.Option(
            help="What-if: share of contacts automation answers, e.g. 0.1.",
            parser=number("--deflection", within=SHARE_FROM_ZERO),
        ),
    ] = 0.0,
    *,
    history_options: HistoryOptions,
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
        options=history_options,
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
            _level(history_options, cfg),
            models=result.models,
        )


@cli.command()
@friendly
def staff(
    forecast_file: Annotated[
        Path, typer.Argument(metavar="FORECAST", help="A forecast CSV from `wfm forecast`.")
    ],
    config: Annotated[Path, typer.Option("--config", "-c", help="wfm.toml with \\[queues].")],
    use_high: Annotated[
        bool, typer.Option(help="Staff to volume_high (the forecast's upper quantile).")
    ] = False,
    whole_agents: Annotated[
        bool, typer.Option(help="Round agents, scheduled agents and leads up to people.")
    ] = False,
    fte_hours: Annotated[
        float | None,
        typer.Option(
            help="Paid hours of one FTE a week (default \\[staffing]).",
            parser=number("--fte-hours"),
        ),
    ] = None,
    interval: IntervalOpt = None,
    output: OutOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Turn a forecast into agents per queue and interval (Erlang C/A, chat, backlog).

    Writes the requirements CSV; the summary on stderr gives peak agents, agent-hours and FTE per queue and channel.

    Example:

        wfm staff forecast.csv --config wfm.toml -o requirements.csv
    """
    cfg = _config(config).at_interval(interval)
    if fte_hours is not None and not 0 < fte_hours <= 168:
        raise WfmError(f"--fte-hours: expected paid hours in a week (0-168], got {fte_hours:g}")
    if whole_agents:
        queues = {n: dataclasses.replace(q, whole_agents=True) for n, q in cfg.queues.items()}
        cfg = dataclasses.replace(cfg, queues=queues)
    frame = readers.read_forecast(forecast_file, tz=cfg.timezone)
    requirements = app.run_staff(frame, cfg, use_high=use_high, source=forecast_file)
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
    config: Annotated[Path, typer.Option("--config", "-c", help="wfm.toml with \\[\\[sites]].")],
    roster: Annotated[Path | None, typer.Option(help="roster.csv of named agents.")] = None,
    coverage: Annotated[Path | None, typer.Option(help="Also write coverage CSV here.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv, ics or google.")] = "csv",
    agent_calendars: CalendarsDirOpt = None,
    calendar_tz: CalendarTzOpt = None,
    time_limit: TimeLimitOpt = None,
    gap: GapOpt = None,
    solver: Annotated[str | None, typer.Option(help="highs or cbc.")] = None,
    node_limit: NodeLimitOpt = None,
    agents_out: AgentsOutOpt = None,
    solver_log: SolverLogOpt = None,
    previous: PreviousOpt = None,
    force: ForceOpt = False,
    interval: IntervalOpt = None,
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
    if agents_out is not None and roster is None:
        raise WfmError("--agents-out: needs --roster (the agents to report on)")
    if agent_calendars is not None:
        folders.check_folder(agent_calendars, suffix=".ics")
    cfg = _config(config).at_interval(interval)
    calendars.check_google_options(fmt, calendar_tz, [site.timezone for site in cfg.sites])
    frame = readers.read_requirements(requirements, tz=cfg.timezone)
    app.check_requirements_file(requirements, frame, cfg, force=force)
    with (
        render.progress("solving", total=1) as advance,
        solve_progress(lambda state: advance.describe(render.solving(state))),
    ):
        result = app.run_schedule(
            frame,
            cfg,
            roster=roster,
            time_limit=time_limit,
            gap=gap,
            solver=solver,
            node_limit=node_limit,
            log_path=solver_log,
            previous=previous,
            force=force,
            progress=None if quiet else render.week_done,
        )
        advance()
    _write_schedule(result.schedule, output, fmt, calendar_tz)
    if coverage is not None:
        writers.write_csv(result.coverage, coverage)
    if agent_calendars is not None:
        _write_calendars(result.schedule, agent_calendars)
    agents = app.agents_report(result.schedule, frame, cfg, roster) if roster else None
    if agents_out is not None and agents is not None:
        writers.write_csv(agents, agents_out)
    if not quiet:
        render.schedule_summary(result)
        render.agents_summary(agents)


@cli.command()
@friendly
@history_options
def plan(
    config: Annotated[Path, typer.Option("--config", "-c", help="wfm.toml.")],
    history: Annotated[Path, typer.Option(help="Helpdesk export or counts CSV.")],
    out: Annotated[Path, typer.Option(help="Folder for the plan's files.")],
    roster: Annotated[Path | None, typer.Option(help="roster.csv of named agents.")] = None,
    horizon: Annotated[str, typer.Option(help="How far ahead: 1w, 14d.")] = "1w",
    agent_calendars: CalendarsFlagOpt = False,
    report: Annotated[
        bool, typer.Option("--report", help="Also write OUT/report.html (see `wfm report`).")
    ] = False,
    *,
    history_options: HistoryOptions,
    solver_log: SolverLogOpt = None,
    previous: PreviousOpt = None,
    force: ForceOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Forecast, staff and schedule in one go; write the files into --out.

    Writes forecast.csv, requirements.csv, schedule.csv, coverage.csv and schedule.ics;
    with --roster also agents.csv (each agent's shifts and hours a week); with
    --calendars also calendars/<agent>.ics, one calendar per agent. For `wfm
    report` also plan.json (cost, solve, limits) and recent_history.csv (the last
    weeks of history); with --report also report.html.

    Example:

        wfm plan --config wfm.toml --history tickets.csv.gz --events events.csv --roster roster.csv --horizon 1w --out plan/
    """
    # --interval sets the forecast's interval and so the staffing's and schedule's too
    cfg = _config(config).at_interval(history_options.interval)
    app.check_plan_horizon(horizon, force=force)
    if out.exists() and not out.is_dir():
        raise WfmError(f"{out}: exists and is not a folder; give --out a folder")
    if agent_calendars:
        folders.check_folder(out / "calendars", suffix=".ics", parent_made_later=True)
    request = app.ForecastRequest(history=history, horizon=horizon, options=history_options)
    with (
        render.progress("planning", total=3) as advance,
        solve_progress(lambda state: advance.describe(render.solving(state))),
    ):
        planned = app.run_plan(
            request,
            cfg,
            roster=roster,
            log_path=solver_log,
            on_stage=advance,
            previous=previous,
            force=force,
            progress=None if quiet else render.week_done,
        )
    agents = _write_plan(planned, out, cfg, request, roster=roster, report=report)
    if agent_calendars:
        _write_calendars(planned.scheduled.schedule, out / "calendars")
    for note in planned.forecast.warnings:
        render.warn(note)
    if not quiet:
        _plan_summary(planned, agents, cfg, _level(history_options, cfg))
        names = ["forecast.csv", "requirements.csv", "schedule.csv", "coverage.csv"]
        names += ["schedule.ics", "plan.json", "recent_history.csv"]
        names += ["agents.csv"] if agents is not None else []
        names += ["report.html"] if report else []
        render.info(f"wrote {', '.join(names[:-1])} and {names[-1]} to {out}")
        if agent_calendars:
            count = planned.scheduled.schedule["agent"].nunique()
            render.info(f"wrote {count} agent calendars to {out / 'calendars'}")


def _write_plan(
    planned: app.PlanResult,
    out: Path,
    cfg: Config,
    request: app.ForecastRequest,
    *,
    roster: Path | None,
    report: bool,
) -> pd.DataFrame | None:
    """The plan's files into `out` as one set (wfm.plan_set); the agents table."""
    scheduled = planned.scheduled
    agents = None
    with plan_set(out) as staging:
        writers.write_text(planned.forecast_csv, staging / "forecast.csv")
        writers.write_text(planned.requirements_csv, staging / "requirements.csv")
        _write_schedule(scheduled.schedule, staging / "schedule.csv", "csv")
        writers.write_csv(scheduled.coverage, staging / "coverage.csv")
        _write_schedule(scheduled.schedule, staging / "schedule.ics", "ics")
        if roster is not None:
            agents = app.agents_report(scheduled.schedule, planned.requirements, cfg, roster)
            writers.write_csv(agents, staging / "agents.csv")
        write_plan_files(staging, cfg, request, planned.forecast, scheduled)
        if report:
            from wfm.report import build_report  # matplotlib: loaded only when drawing

            writers.write_text(build_report(staging).html, staging / "report.html")
    return agents


def _plan_summary(
    planned: app.PlanResult, agents: pd.DataFrame | None, cfg: Config, level: float
) -> None:
    result = planned.forecast
    render.forecast_summary(result.forecast, result.effects, level)
    render.staff_summary(
        planned.requirements,
        interval_minutes=cfg.interval_minutes,
        fte_hours=cfg.staffing.fte_hours_per_week,
    )
    render.schedule_summary(planned.scheduled)
    render.agents_summary(agents)


@cli.command("capacity")
@friendly
def capacity_command(
    config: Annotated[
        Path,
        typer.Option("--config", "-c", help="wfm.toml with sites and their capacity settings."),
    ],
    forecast_file: Annotated[
        Path | None, typer.Option("--forecast", help="A forecast CSV: staffed as `wfm staff`.")
    ] = None,
    requirements: Annotated[
        Path | None,
        typer.Option(help="A requirements CSV (interval_start, queue, agents_scheduled)."),
    ] = None,
    headcount: Annotated[
        Path | None, typer.Option(help="headcount.csv: site, agents [, skills].")
    ] = None,
    roster: Annotated[
        Path | None, typer.Option(help="roster.csv: agents counted per site.")
    ] = None,
    start: Annotated[
        str | None, typer.Option(help="First day of week 1, YYYY-MM-DD (default: first Monday).")
    ] = None,
    quantile: Annotated[
        float | None,
        typer.Option(
            help="Plan to this forecast quantile, e.g. 0.8 (--forecast).",
            parser=number("--quantile", within=SHARE),
        ),
    ] = None,
    growth: Annotated[
        float,
        typer.Option(
            help="What-if: extra volume, 0.1 = 10% more.", parser=number("--growth", within=GROWTH)
        ),
    ] = 0.0,
    attrition: Annotated[
        float | None,
        typer.Option(
            help="What-if: weekly attrition at every site, e.g. 0.01.",
            parser=number("--attrition"),
        ),
    ] = None,
    no_outsourcing: Annotated[
        bool, typer.Option("--no-outsourcing", help="What-if: no outsourcer.")
    ] = False,
    compare: CompareOpt = None,
    output: OutOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Plan hiring classes, overtime and outsourcing per site and week, weeks to a year ahead.

    Writes one row per site and week (and the outsourcer's rows); the summary on
    stderr lists the classes to open, peak outsourcing, total cost and the weeks short.

    Example:

        wfm capacity --forecast forecast.csv --config wfm.toml --roster roster.csv -o capacity.csv
    """
    cfg = _config(config)
    base = capacity_app.Scenario(growth=growth, attrition=attrition, outsourcing=not no_outsourcing)
    request = capacity_app.CapacityRequest(
        forecast=forecast_file,
        requirements=requirements,
        headcount=headcount,
        roster=roster,
        start=start,
        quantile=quantile,
        base=capacity_app.check_scenario(base),
        compare=tuple(compare or ()),
    )
    with render.progress("planning capacity", total=1) as advance:
        run = capacity_app.run_capacity(request, cfg)
        advance()
    writers.write_csv(run.plan.plan, output)
    for note in run.notes:
        render.warn(note)
    if not quiet:
        render.capacity_summary(run)


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
    line says what is left out, and the exit code is 1. A file changed since `wfm plan`
    wrote it (its .wfm-plan says so): no page, one line, exit 1.

    Example:

        wfm report plan/ -o report.html
    """
    from wfm.report import build_report, check_plan_set, missing_line  # matplotlib: only here

    report = build_report(plan_dir)
    unchecked = check_plan_set(plan_dir)
    writers.write_text(report.html, output)
    if unchecked is not None:
        render.warn(unchecked)
    for line in report.stale:
        render.warn(f"{plan_dir}: {line}")
    if report.missing:
        raise WfmError(missing_line(plan_dir, report))


@cli.command("erlang")
@friendly
def erlang_command(
    volume: Annotated[
        float, typer.Option(help="Contacts arriving in the interval.", parser=number("--volume"))
    ],
    interval_minutes: Annotated[
        float, typer.Option(help="Interval length, minutes.", parser=number("--interval-minutes"))
    ],
    aht_seconds: Annotated[
        float, typer.Option(help="Average handle time, seconds.", parser=number("--aht-seconds"))
    ],
    service_level: Annotated[
        float, typer.Option(help="Target share answered in time.", parser=number("--service-level"))
    ] = 0.8,
    answer_seconds: Annotated[
        float, typer.Option(help="Target answer time, seconds.", parser=number("--answer-seconds"))
    ] = 20.0,
    max_occupancy: Annotated[
        float, typer.Option(help="Occupancy cap, 0-1.", parser=number("--max-occupancy"))
    ] = 1.0,
    target_asa_seconds: Annotated[
        float | None,
        typer.Option(
            help="Erlang C: cap on the average speed of answer, s.",
            parser=number("--target-asa-seconds"),
        ),
    ] = None,
    patience_seconds: Annotated[
        float | None,
        typer.Option(
            help="Callers' mean patience, s: use Erlang A.", parser=number("--patience-seconds")
        ),
    ] = None,
    max_abandonment: Annotated[
        float | None,
        typer.Option(
            help="Erlang A: highest share hanging up, 0-1.", parser=number("--max-abandonment")
        ),
    ] = None,
    agents: Annotated[
        int | None,
        typer.Option(
            help="Report this headcount instead.",
            parser=number("--agents", whole=True, within=AGENTS),
        ),
    ] = None,
) -> None:
    """Erlang C (or A) for one interval: agents needed, or the service of a headcount.

    Writes one CSV row (agents, service_level, asa_seconds, occupancy, wait_probability;
    with --patience-seconds also abandonment, and asa_seconds is the answered callers' mean wait).

    Example:

        wfm erlang --volume 100 --interval-minutes 30 --aht-seconds 180 --service-level 0.8 --answer-seconds 20

        wfm erlang --volume 100 --interval-minutes 30 --aht-seconds 180 --patience-seconds 120 --max-abandonment 0.05
    """
    spec = app.erlang_queue(
        aht_seconds=aht_seconds,
        service_level=service_level,
        answer_seconds=answer_seconds,
        max_occupancy=max_occupancy,
        target_asa_seconds=target_asa_seconds,
        patience_seconds=patience_seconds,
        max_abandonment=max_abandonment,
    )
    row = app.run_erlang(spec, volume=volume, interval_minutes=interval_minutes, agents=agents)
    writers.write_csv(pd.DataFrame([row]), None)
    traffic = volume * aht_seconds / (interval_minutes * 60)
    if patience_seconds is None and row["agents"] <= traffic and traffic > 0:
        render.warn(
            f"{row['agents']} agents cannot keep up with {traffic:.4g} Erlangs of work: the "
            "queue grows without limit (Erlang C: service level 0, ASA infinite); add agents"
        )


@cli.command("backtest")
@friendly
@history_options
def backtest_command(
    history: Annotated[
        Path,
        typer.Argument(
            help="Helpdesk export (one row per contact) or counts (interval_start, queue, volume)."
        ),
    ],
    horizon: Annotated[str, typer.Option(help="Forecast length at each cut-off: 2w, 14d.")] = "2w",
    origins: Annotated[
        int,
        typer.Option(
            help="Number of cut-offs.",
            parser=number("--origins", whole=True, within=ORIGINS),
        ),
    ] = 4,
    step: Annotated[
        str | None, typer.Option(help="Time between cut-offs (default: the horizon).")
    ] = None,
    *,
    history_options: HistoryOptions,
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
        history=history, horizon=horizon, options=history_options, origins=origins, step=step
    )
    with render.progress("backtesting cut-offs", total=max(origins, 1)) as advance:
        result = app.run_backtest(request, cfg, on_origin=advance)
    writers.write_csv(result.scores, output)
    for note in result.warnings:
        render.warn(note)
    if not quiet:
        render.backtest_summary(result.scores, level=_level(history_options, cfg))


@cli.command()
@friendly
def simulate(
    schedule_file: Annotated[
        Path,
        typer.Argument(
            metavar="SCHEDULE", help="A schedule CSV (from `wfm schedule` or any tool)."
        ),
    ],
    forecast_file: Annotated[
        Path, typer.Option("--forecast", help="A forecast CSV covering the schedule's horizon.")
    ],
    config: Annotated[Path, typer.Option("--config", "-c", help="wfm.toml with \\[queues].")],
    replications: Annotated[
        int,
        typer.Option(
            help="Independent runs, 1 to 100,000.",
            parser=number("--replications", whole=True, within=REPLICATIONS),
        ),
    ] = 200,
    seed: Annotated[
        int,
        typer.Option(
            help="Same seed, same output.", parser=number("--seed", whole=True, within=SEED)
        ),
    ] = 1,
    textbook: Annotated[
        bool,
        typer.Option(
            help="Erlang's assumptions: Poisson at the forecast, exponential handle times, no absence."
        ),
    ] = False,
    history: Annotated[
        Path | None,
        typer.Option(help="Ticket-level history: fit each queue's handle-time spread to it."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Processes (default: all cores).",
            parser=number("--workers", whole=True, within=WORKERS),
        ),
    ] = None,
    output: OutOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Simulate a schedule against the forecast: how likely is each interval to meet its target?

    Writes one row per interval and queue: offered, answered, abandoned, service_level
    (mean over replications), service_level_p10, p_meet_target, asa_seconds, occupancy,
    backlog. The summary on stderr gives each queue's days: the chance the day meets
    its target and its worst hours.

    Example:

        wfm simulate plan/schedule.csv --forecast plan/forecast.csv --config wfm.toml -o sim.csv
    """
    cfg = _config(config)
    request = simulate_app.SimulateRequest(
        schedule=schedule_file,
        forecast=forecast_file,
        replications=replications,
        seed=seed,
        textbook=textbook,
        history=history,
        workers=workers,
    )
    simulate_app.check_request(request, cfg)
    with render.progress("simulating", total=replications) as advance:
        result, notes = simulate_app.run_simulate(
            request, cfg, on_replications=lambda n: [advance() for _ in range(n)]
        )
    writers.write_csv(result.intervals, output)
    if not quiet:
        for note in notes:
            render.info(note)
        simulate_app.simulation_summary(result, cfg)
