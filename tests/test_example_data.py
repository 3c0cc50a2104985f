"""The example company in examples/company: reproducible, and shows the patterns
examples/README.md promises."""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "examples" / "generate_company.py"
COMPANY = ROOT / "examples" / "company"
FILES = ("tickets.csv.gz", "events.csv", "wfm.toml", "roster.csv", "headcount.csv")
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


@pytest.fixture(scope="module")
def tickets() -> pd.DataFrame:
    return pd.read_csv(COMPANY / "tickets.csv.gz")


@pytest.fixture(scope="module")
def daily(tickets: pd.DataFrame) -> pd.Series:
    """Contacts per New York local day, all channels."""
    counts = tickets["created_at"].str[:10].value_counts().sort_index()
    counts.index = pd.DatetimeIndex(counts.index)
    return counts


@pytest.fixture(scope="module")
def config() -> dict:
    with open(COMPANY / "wfm.toml", "rb") as f:
        return tomllib.load(f)


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return pd.read_csv(COMPANY / "events.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def roster() -> pd.DataFrame:
    return pd.read_csv(COMPANY / "roster.csv", dtype=str, keep_default_na=False)


def test_committed_files_equal_a_fresh_regeneration(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    for name in FILES:
        fresh, committed = tmp_path / name, COMPANY / name
        if name.endswith(".gz"):
            # Content first, for a clear message if only the compression differs.
            assert gzip.decompress(fresh.read_bytes()) == gzip.decompress(committed.read_bytes()), (
                f"{name}: content differs; rerun examples/generate_company.py"
            )
        assert fresh.read_bytes() == committed.read_bytes(), (
            f"{name} differs from a fresh run of examples/generate_company.py"
        )


def test_history_covers_two_years_with_offsets(tickets: pd.DataFrame) -> None:
    stamps = tickets["created_at"]
    assert list(tickets.columns) == ["created_at", "channel", "handle_time_seconds"]
    assert stamps.str.match(STAMP).all()
    assert stamps.iloc[0].startswith("2024-11-25T00:")
    assert stamps.iloc[-1].startswith("2026-11-22T23:")
    assert set(stamps.str[-6:]) == {"-05:00", "-04:00"}
    # Offsets follow New York's clock: EST in winter, EDT in summer.
    assert set(stamps[stamps.str.startswith("2025-01-15")].str[-6:]) == {"-05:00"}
    assert set(stamps[stamps.str.startswith("2025-07-15")].str[-6:]) == {"-04:00"}
    # Spring forward: no 02:xx local on 2025-03-09; fall back: 01:xx twice on 2025-11-02.
    assert not stamps.str.startswith("2025-03-09T02").any()
    assert set(stamps[stamps.str.startswith("2025-11-02T01")].str[-6:]) == {"-04:00", "-05:00"}
    utc = pd.to_datetime(stamps, utc=True, format="ISO8601")
    assert utc.is_monotonic_increasing
    days = pd.DatetimeIndex(stamps.str[:10].unique())
    assert len(days) == 728  # every day of 104 weeks
    assert 250_000 < len(tickets) < 330_000


def test_channels_mix_and_handle_times(tickets: pd.DataFrame) -> None:
    share = tickets["channel"].value_counts(normalize=True)
    assert set(share.index) == {"phone", "chat", "email"}
    assert share["phone"] == pytest.approx(0.45, abs=0.02)
    assert share["chat"] == pytest.approx(0.35, abs=0.02)
    assert share["email"] == pytest.approx(0.20, abs=0.02)
    handle = tickets.groupby("channel")["handle_time_seconds"].mean()
    assert handle["phone"] == pytest.approx(360, rel=0.05)
    assert handle["chat"] == pytest.approx(540, rel=0.05)
    assert handle["email"] == pytest.approx(420, rel=0.05)
    assert (tickets["handle_time_seconds"] > 0).all()


def test_weekly_and_yearly_patterns(daily: pd.Series) -> None:
    by_weekday = daily.groupby(daily.index.day_of_week).mean()
    assert by_weekday[0] == by_weekday.max()  # Monday highest
    assert by_weekday[0] > 2 * by_weekday[5]  # Monday > Saturday, by far
    assert by_weekday[0] > by_weekday[4]  # falling through Friday
    assert 0.25 < by_weekday[5:].mean() / by_weekday[:5].mean() < 0.45
    weekdays = daily[daily.index.day_of_week < 5]
    for year in (2025, 2026):
        jan = weekdays[f"{year}-01-12" : f"{year}-01-31"].mean()
        aug = weekdays[f"{year}-07-20" : f"{year}-08-10"].mean()
        assert jan > 1.08 * aug, year  # January surge vs summer dip
    first, second = daily[:"2025-11-23"].sum(), daily["2025-11-24":].sum()
    assert 1.05 < second / first < 1.20  # about 12% a year growth


def test_intraday_curve_and_overnight_volume(tickets: pd.DataFrame) -> None:
    day = pd.DatetimeIndex(tickets["created_at"].str[:10])
    weekday = tickets[day.day_of_week < 5]
    hour = weekday["created_at"].str[11:13].astype(int)
    for channel in ("phone", "chat"):
        by_hour = hour[weekday["channel"] == channel].value_counts().sort_index()
        assert by_hour.idxmax() in (9, 10, 11), channel
        overnight = by_hour.loc[2:4].mean() / by_hour.max()
        assert 0.05 < overnight < 0.15, channel
    email = hour[weekday["channel"] == "email"].value_counts().sort_index()
    assert email.loc[2:4].mean() / email.max() > 0.2  # flatter


def _baseline(daily: pd.Series, day: pd.Timestamp, skip: set) -> float:
    """Median volume of the same weekday one to three weeks either side."""
    near = [day + pd.Timedelta(weeks=k) for k in (-3, -2, -1, 1, 2, 3)]
    return float(daily.reindex([d for d in near if d not in skip]).dropna().median())


def test_holidays_dip_and_rebound(daily: pd.Series, events: pd.DataFrame) -> None:
    us = holidays.country_holidays("US", years=(2024, 2025, 2026))
    holiday_days = {pd.Timestamp(d) for d in us}
    launch_days = set()
    for _, event in events[events["kind"] == "launch"].iterrows():
        launch_days.update(pd.date_range(event["start"], event["end"]))
    skip = holiday_days | launch_days
    ratios, rebounds = [], []
    for day in sorted(holiday_days):
        if day not in daily.index or day.day_of_week >= 5:
            continue
        ratios.append(daily[day] / _baseline(daily, day, skip))
        nxt = day + pd.Timedelta(days=1)
        while nxt.day_of_week >= 5 or nxt in holiday_days:
            nxt += pd.Timedelta(days=1)
        if nxt in daily.index and nxt not in launch_days:
            rebounds.append(daily[nxt] / _baseline(daily, nxt, skip))
    assert len(ratios) >= 20
    assert max(ratios) < 0.55  # about 35% of a normal day
    assert 1.05 < sum(rebounds) / len(rebounds) < 1.30  # about 115% the next working day


def test_launch_spikes_and_outage(
    tickets: pd.DataFrame, daily: pd.Series, events: pd.DataFrame
) -> None:
    launches = events[events["kind"] == "launch"]
    past = launches[pd.to_datetime(launches["start"]) <= daily.index[-1]]
    assert set(past["name"]) == {"Mobile app 2.0", "Billing v3"}
    for _, launch in past.iterrows():
        day = pd.Timestamp(launch["start"])
        assert daily[day] > 1.4 * daily[day - pd.Timedelta(weeks=1)], launch["name"]
        assert daily[pd.Timestamp(launch["end"])] < daily[day]  # it decays
        for channel in ("phone", "chat", "email"):
            mine = tickets[tickets["channel"] == channel]["created_at"].str[:10]
            now = (mine == day.strftime("%Y-%m-%d")).sum()
            before = (mine == (day - pd.Timedelta(weeks=1)).strftime("%Y-%m-%d")).sum()
            assert now > 1.3 * before, (launch["name"], channel)

    outage = events[events["kind"] == "outage"].iloc[0]
    assert outage["queues"] == "phone;chat"
    start = pd.Timestamp(outage["start"])
    end = pd.Timestamp(outage["end"])
    utc = pd.to_datetime(tickets["created_at"], utc=True, format="ISO8601")
    live = tickets["channel"].isin(["phone", "chat"])
    during = (live & (utc >= start) & (utc < end)).sum()
    week = pd.Timedelta(weeks=1)
    before = (live & (utc >= start - week) & (utc < end - week)).sum()
    assert during > 2.2 * before
    assert not pd.to_datetime(launches["start"]).isna().any()
    future = launches[launches["name"] == "Workflows GA"].iloc[0]
    assert pd.Timestamp(future["start"]) > daily.index[-1]


def test_events_file(events: pd.DataFrame) -> None:
    assert list(events.columns) == ["name", "kind", "start", "end", "queues", "uplift"]
    assert (events["uplift"] == "").all()  # every effect is to be learned
    assert set(events["kind"]) == {"launch", "outage"}
    for _, row in events.iterrows():
        assert pd.Timestamp(row["start"]) <= pd.Timestamp(row["end"]), row["name"]


def test_config_parses_with_three_follow_the_sun_sites(config: dict) -> None:
    assert config["interval_minutes"] == 60
    ZoneInfo(config["timezone"])
    assert config["forecast"]["queue_column"] == "channel"
    queues = config["queues"]
    assert {name: q["channel"] for name, q in queues.items()} == {
        "phone": "voice",
        "chat": "chat",
        "email": "email",
    }
    sites = {site["name"]: site for site in config["sites"]}
    assert set(sites) == {"Austin", "Dublin", "Manila"}
    for name, site in sites.items():
        ZoneInfo(site["timezone"])  # a valid IANA zone
        assert set(site["queues"]) <= set(queues), name
        assert re.fullmatch(r"\d\d:\d\d", site["open"]) and re.fullmatch(
            r"\d\d:\d\d", site["close"]
        )
    assert sites["Manila"]["open"] == "00:00" and sites["Manila"]["close"] == "24:00"
    assert len(sites["Manila"]["days"]) == 7
    scheduling = config["scheduling"]
    assert scheduling["solver"] in ("highs", "cbc")
    assert scheduling["cyclic"] is True


def test_roster_matches_config(roster: pd.DataFrame, config: dict) -> None:
    assert list(roster.columns) == [
        "agent",
        "site",
        "skills",
        "contracted_hours",
        "days_unavailable",
        "preferred_start",
    ]
    assert roster["agent"].is_unique
    sites = {site["name"] for site in config["sites"]}
    assert set(roster["site"]) <= sites
    assert roster["site"].value_counts().to_dict() == {"Manila": 26, "Austin": 22, "Dublin": 16}
    days = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
    for _, agent in roster.iterrows():
        assert set(agent["skills"].split(";")) <= set(config["queues"]), agent["agent"]
        assert int(agent["contracted_hours"]) in (30, 40)
        if agent["days_unavailable"]:
            assert set(agent["days_unavailable"].split(";")) <= days, agent["agent"]
        if agent["preferred_start"]:
            assert re.fullmatch(r"\d\d:00", agent["preferred_start"]), agent["agent"]
