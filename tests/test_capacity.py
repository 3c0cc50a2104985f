"""Capacity plan: hand-solved cases, conserved flows, brute force, and lead-time monotonicity."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduling.capacity.demand import quantile_volume, weekly_requirements
from scheduling.capacity.flows import cohort_profile
from scheduling.capacity.model import CapacityOptions
from scheduling.capacity.params import HiringRules, Outsourcer, SiteCapacity
from scheduling.capacity.plan import plan_capacity
from scheduling.columns import CAPACITY_COLUMNS
from scheduling.errors import InputError

MONDAY = dt.date(2027, 1, 4)
EXACT = CapacityOptions(gap=0.0, short_penalty_per_fte_week=10000.0)
NO_OUTSOURCER = Outsourcer(max_fte=0.0)


def demand(values, queue="phone") -> pd.DataFrame:
    """Required FTE per week for one queue."""
    return pd.DataFrame(
        {
            "week_start": [MONDAY + dt.timedelta(weeks=i) for i in range(len(values))],
            "queue": queue,
            "required_fte": [float(v) for v in values],
        }
    )


def site(name="A", *, headcount=0.0, weekly_cost=1000.0, queues=("phone",), **rules):
    base = dict(
        attrition_per_week=0.0,
        hire_lead_weeks=0,
        training_weeks=0,
        ramp=(),
        class_min=1,
        class_max=50,
        hiring_cost=0.0,
        overtime_max_share=0.0,
    )
    base.update(rules)
    return SiteCapacity(
        name=name,
        queues=queues,
        weekly_cost=weekly_cost,
        headcount=headcount,
        rules=HiringRules(**base),
    )


def rows(plan, name="A") -> pd.DataFrame:
    return plan.plan[plan.plan["site"] == name].reset_index(drop=True)


def test_flat_demand_hires_the_gap_at_once_and_outsources_the_training_weeks():
    # 100 FTE needed, 90 on staff, 2 weeks of training, outsourcing at twice the wage.
    a = site(headcount=90, training_weeks=2)
    supplier = Outsourcer(max_fte=50, cost_per_fte_week=2000, min_weeks=1, lead_weeks=0)
    plan = plan_capacity(demand([100] * 8), sites=[a], outsourcer=supplier, options=EXACT)
    assert list(plan.classes["hires"]) == [10]
    assert list(plan.classes["week_start"]) == [MONDAY]
    out = rows(plan, "outsourced")["outsourced_fte"].tolist()
    assert out == pytest.approx([10, 10, 0, 0, 0, 0, 0, 0])
    # Salaries: 90 + 10 trainees for 2 weeks, then 100 on the floor; 10 outsourced x 2 weeks.
    expected = 100 * 1000 * 8 + 10 * 2000 * 2
    assert plan.solve.objective == pytest.approx(expected)
    assert plan.total_cost == pytest.approx(expected)
    assert plan.short_fte_weeks == 0
    assert list(plan.plan.columns) == list(CAPACITY_COLUMNS)


def test_outsourcing_dearer_than_short_is_left_short_and_the_reason_is_lead_time():
    a = site(headcount=90, training_weeks=2, hire_lead_weeks=1)
    plan = plan_capacity(
        demand([100] * 6),
        sites=[a],
        outsourcer=NO_OUTSOURCER,
        options=CapacityOptions(gap=0.0, short_penalty_per_fte_week=5000),
    )
    # A class decided now starts in week 1 and joins the floor in week 3.
    assert list(plan.classes["week_start"]) == [MONDAY + dt.timedelta(weeks=1)]
    assert rows(plan)["short_fte"].tolist() == pytest.approx([10, 10, 10, 0, 0, 0])
    assert [w.week_start for w in plan.short_weeks] == [
        MONDAY + dt.timedelta(weeks=i) for i in range(3)
    ]
    assert all("lead time" in w.reasons[0] for w in plan.short_weeks)


def test_class_size_cap_is_named_when_it_binds():
    a = site(headcount=0, class_max=5, class_every_weeks=10)
    plan = plan_capacity(demand([8] * 4), sites=[a], outsourcer=NO_OUTSOURCER, options=EXACT)
    assert list(plan.classes["hires"]) == [5]
    assert plan.short_fte_weeks == pytest.approx(12)
    assert any("class size cap" in r for w in plan.short_weeks for r in w.reasons)


def test_class_min_forces_a_bigger_class_or_none():
    # 2 FTE short at a site where a class has at least 4: hire 4 (cheaper than short).
    a = site(headcount=8, class_min=4, class_max=6)
    plan = plan_capacity(demand([10] * 5), sites=[a], outsourcer=NO_OUTSOURCER, options=EXACT)
    assert list(plan.classes["hires"]) == [4]
    assert rows(plan)["headcount"].tolist() == pytest.approx([12] * 5)


def test_outsourcer_contract_is_paid_for_its_minimum_weeks():
    # A one-week spike of 10 FTE; no time to hire; the outsourcer bills 3 weeks at least.
    a = site(headcount=10, hire_lead_weeks=5)
    supplier = Outsourcer(max_fte=20, cost_per_fte_week=500, min_weeks=3, lead_weeks=1)
    plan = plan_capacity(
        demand([10, 10, 20, 10, 10, 10]), sites=[a], outsourcer=supplier, options=EXACT
    )
    out = rows(plan, "outsourced")
    level = out["outsourced_fte"].to_numpy()
    # Three weeks of 10 FTE that include the spike (weeks 1-3 or 2-4 cost the same).
    assert sorted(level.round(6)) == [0, 0, 0, 10, 10, 10]
    weeks = np.flatnonzero(level > 1e-6)
    assert weeks[-1] - weeks[0] == 2 and weeks[0] <= 2 <= weeks[-1]
    assert out["required_fte"].tolist() == pytest.approx([0, 0, 10, 0, 0, 0])
    assert plan.solve.objective == pytest.approx(6 * 10 * 1000 + 3 * 10 * 500)


def test_outsourcer_notice_leaves_the_first_weeks_short():
    a = site(headcount=10, hire_lead_weeks=9)
    supplier = Outsourcer(max_fte=20, cost_per_fte_week=500, min_weeks=1, lead_weeks=2)
    plan = plan_capacity(demand([15] * 4), sites=[a], outsourcer=supplier, options=EXACT)
    assert rows(plan)["short_fte"].tolist() == pytest.approx([5, 5, 0, 0])
    assert "notice" in " ".join(plan.short_weeks[0].reasons)


def test_overtime_covers_a_small_gap_within_its_share():
    a = site(headcount=100, overtime_max_share=0.1, overtime_cost_multiplier=1.5, hire_lead_weeks=9)
    plan = plan_capacity(demand([105, 112]), sites=[a], outsourcer=NO_OUTSOURCER, options=EXACT)
    assert rows(plan)["overtime_fte"].tolist() == pytest.approx([5, 10])
    assert rows(plan)["short_fte"].tolist() == pytest.approx([0, 2])


def test_sites_cover_only_the_queues_they_serve():
    phone = site("P", headcount=5, queues=("phone",), hire_lead_weeks=9)
    email = site("E", headcount=20, queues=("email",), hire_lead_weeks=9)
    required = pd.concat([demand([10, 10], "phone"), demand([1, 1], "email")])
    plan = plan_capacity(required, sites=[phone, email], outsourcer=NO_OUTSOURCER, options=EXACT)
    assert rows(plan, "P")["short_fte"].tolist() == pytest.approx([5, 5])
    assert rows(plan, "E")["short_fte"].tolist() == pytest.approx([0, 0])


def test_shared_queues_split_demand_in_proportion_to_supply():
    a = site("A", headcount=30, hire_lead_weeks=9)
    b = site("B", headcount=10, hire_lead_weeks=9)
    plan = plan_capacity(demand([20, 48]), sites=[a, b], outsourcer=NO_OUTSOURCER, options=EXACT)
    assert rows(plan, "A")["required_fte"].tolist() == pytest.approx([15, 36])
    assert rows(plan, "B")["required_fte"].tolist() == pytest.approx([5, 12])
    assert rows(plan, "A")["short_fte"].tolist() == pytest.approx([0, 6])
    assert rows(plan, "B")["short_fte"].tolist() == pytest.approx([0, 2])


def test_flows_are_conserved_with_attrition_in_training_and_early_tenure():
    a = site(
        headcount=40,
        attrition_per_week=0.01,
        early_attrition_per_week=0.03,
        early_attrition_weeks=4,
        training_attrition=0.2,
        training_weeks=3,
        ramp=(0.4, 0.8),
        hire_lead_weeks=1,
        class_min=3,
        class_max=12,
        hiring_cost=500,
    )
    needs = [40, 42, 45, 50, 55, 60, 62, 62, 62, 60, 58, 58]
    plan = plan_capacity(demand(needs), sites=[a], outsourcer=NO_OUTSOURCER, options=EXACT)
    r = rows(plan)
    assert plan.total_hires > 0
    for t in range(len(r) - 1):
        after = r["headcount"][t] + r["graduates"][t] - r["attrition"][t]
        assert r["headcount"][t + 1] == pytest.approx(after)
    # Every hire either graduates or leaves in training: graduates = 0.8 x hires.
    done = r["graduates"].sum()
    graduated = sum(h for t, h in enumerate(r["hires"]) if t + 3 <= len(r))
    assert done == pytest.approx(0.8 * graduated)
    assert (r["productive_fte"] <= r["headcount"] + 1e-9).all()
    assert r["hires"].dtype.kind == "i"
    assert ((r["hires"] == 0) | ((r["hires"] >= 3) & (r["hires"] <= 12))).all()


def test_cohort_profile_matches_a_week_by_week_simulation():
    rules = HiringRules(
        attrition_per_week=0.02,
        early_attrition_per_week=0.05,
        early_attrition_weeks=3,
        training_attrition=0.3,
        training_weeks=2,
        ramp=(0.5, 0.9),
    )
    profile = cohort_profile(rules, 10)
    # Follow one hire: a state (training weeks left, tenure, expected people).
    people, trainees, floor, productive, leavers = 1.0, [], [], [], []
    per_week = 0.7 ** (1 / 2)
    for week in range(10):
        if week < 2:
            trainees.append(people)
            floor.append(0.0)
            productive.append(0.0)
            leavers.append(0.0)
            people *= per_week
            continue
        tenure = week - 2
        trainees.append(0.0)
        floor.append(people)
        productive.append(people * ((0.5, 0.9)[tenure] if tenure < 2 else 1.0))
        rate = 0.05 if tenure < 3 else 0.02
        leavers.append(people * rate)
        people -= people * rate
    assert profile.training == pytest.approx(trainees)
    assert profile.floor == pytest.approx(floor)
    assert profile.productive == pytest.approx(productive)
    assert profile.attrition == pytest.approx(leavers)


def brute_force(needs, a: SiteCapacity, penalty: float) -> float:
    """Least cost over every class plan, overtime and shortfall priced in closed form."""
    rules = a.rules
    horizon = len(needs)
    profile = cohort_profile(rules, horizon)
    weeks = range(rules.hire_lead_weeks, horizon - rules.training_weeks, rules.class_every_weeks)
    sizes = [0, *range(rules.class_min, rules.class_max + 1)]
    base = a.headcount * (1 - rules.attrition_per_week) ** np.arange(horizon)
    best = float("inf")
    for plan in itertools.product(sizes, repeat=len(weeks)):
        x = np.zeros(horizon)
        for c, n in zip(weeks, plan, strict=True):
            x[c] = n
        floor = base + np.convolve(x, profile.floor)[:horizon]
        training = np.convolve(x, profile.training)[:horizon]
        productive = base + np.convolve(x, profile.productive)[:horizon]
        gap = np.clip(np.asarray(needs) - productive, 0, None)
        overtime_price = a.weekly_cost * rules.overtime_cost_multiplier
        overtime = np.minimum(gap, rules.overtime_max_share * productive)
        if overtime_price >= penalty:
            overtime = np.zeros(horizon)
        cost = (
            a.weekly_cost * (floor + training).sum()
            + rules.hiring_cost * x.sum()
            + overtime_price * overtime.sum()
            + penalty * (gap - overtime).sum()
        )
        best = min(best, cost)
    return best


@pytest.mark.parametrize("seed", range(6))
def test_programme_equals_brute_force_on_tiny_horizons(seed):
    rng = np.random.default_rng(seed)
    horizon = int(rng.integers(4, 7))
    needs = rng.uniform(3, 14, size=horizon).round(2)
    a = site(
        headcount=float(rng.integers(2, 8)),
        attrition_per_week=float(rng.choice([0.0, 0.05])),
        training_weeks=int(rng.integers(0, 2)),
        training_attrition=float(rng.choice([0.0, 0.25])),
        ramp=((0.5,) if rng.random() < 0.5 else ()),
        hire_lead_weeks=int(rng.integers(0, 2)),
        class_min=int(rng.integers(1, 3)),
        class_max=int(rng.integers(3, 6)),
        hiring_cost=float(rng.choice([0, 300, 2000])),
        overtime_max_share=float(rng.choice([0.0, 0.1])),
        overtime_cost_multiplier=1.5,
    )
    penalty = float(rng.choice([800.0, 2500.0, 10000.0]))
    options = CapacityOptions(gap=0.0, short_penalty_per_fte_week=penalty)
    plan = plan_capacity(demand(needs), sites=[a], outsourcer=NO_OUTSOURCER, options=options)
    assert plan.solve.objective == pytest.approx(brute_force(needs, a, penalty), rel=1e-6)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    needs=st.lists(st.integers(0, 30), min_size=5, max_size=8),
    headcount=st.integers(0, 20),
    lead=st.integers(0, 3),
    outsource_lead=st.integers(0, 3),
    training=st.integers(0, 2),
    attrition=st.sampled_from([0.0, 0.02]),
)
def test_more_lead_time_never_lowers_cost(
    needs, headcount, lead, outsource_lead, training, attrition
):
    a = site(
        headcount=float(headcount),
        hire_lead_weeks=lead,
        training_weeks=training,
        attrition_per_week=attrition,
        class_min=2,
        class_max=8,
        hiring_cost=1000,
        overtime_max_share=0.1,
    )
    supplier = Outsourcer(max_fte=5, cost_per_fte_week=1500, min_weeks=2, lead_weeks=outsource_lead)
    required = demand(needs)

    def cost(s, o):
        return plan_capacity(required, sites=[s], outsourcer=o, options=EXACT).solve.objective

    now = cost(a, supplier)
    later_hire = dataclasses.replace(
        a, rules=dataclasses.replace(a.rules, hire_lead_weeks=lead + 1)
    )
    later_outsource = dataclasses.replace(supplier, lead_weeks=outsource_lead + 1)
    assert cost(later_hire, supplier) >= now - 1e-6 * max(1.0, now)
    assert cost(a, later_outsource) >= now - 1e-6 * max(1.0, now)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"attrition_per_week": -0.1}, "attrition_per_week"),
        ({"attrition_per_week": 1.5}, "attrition_per_week"),
        ({"training_attrition": 1.0}, "training_attrition"),
        ({"ramp": (0.9, 0.5)}, "ramp"),
        ({"ramp": (0.5, 1.2)}, "ramp"),
        ({"class_min": 10, "class_max": 5}, "class_max"),
        ({"overtime_cost_multiplier": 0.5}, "overtime_cost_multiplier"),
        ({"hire_lead_weeks": -1}, "hire_lead_weeks"),
    ],
)
def test_bad_rules_name_the_field(change, field):
    with pytest.raises(InputError, match=field):
        site(**change)


def test_bad_outsourcer_names_the_field():
    with pytest.raises(InputError, match="outsource_min_weeks"):
        Outsourcer(min_weeks=0)
    with pytest.raises(InputError, match="outsource_max_fte"):
        Outsourcer(max_fte=-1)


def test_a_queue_no_site_serves_is_refused():
    with pytest.raises(InputError, match="'email' are served by no site"):
        plan_capacity(
            pd.concat([demand([1, 1]), demand([1, 1], "email")]),
            sites=[site()],
            outsourcer=NO_OUTSOURCER,
            options=EXACT,
        )


def hourly(queue: str, start: str, hours: int, agents: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "interval_start": pd.date_range(start, periods=hours, freq="h", tz="UTC"),
            "queue": queue,
            "agents_scheduled": agents,
        }
    )


def test_weekly_requirements_sum_agent_hours_into_ftes():
    # 2 agents round the clock for two weeks and a day = 336 agent-hours a week = 8.4 FTE at 40 h.
    frame = pd.concat(
        [hourly("phone", "2027-01-04", 15 * 24, 2.0), hourly("chat", "2027-01-04", 15 * 24, 1.0)]
    )
    weekly, notes = weekly_requirements(
        frame, fte_hours_per_week=40, timezone="UTC", interval_minutes=60
    )
    second = MONDAY + dt.timedelta(weeks=1)
    assert weekly["week_start"].tolist() == [MONDAY, MONDAY, second, second]
    assert weekly["required_fte"].tolist() == pytest.approx([4.2, 8.4, 4.2, 8.4])
    assert any("partial week" in n for n in notes)


def test_weekly_requirements_follow_the_local_calendar_across_dst():
    # New York's spring-forward week has 167 hours; every one of them is counted in it.
    start = pd.Timestamp("2027-03-08", tz="America/New_York").tz_convert("UTC")
    hours = int((pd.Timestamp("2027-03-22", tz="America/New_York") - start).total_seconds() // 3600)
    frame = hourly("phone", str(start.tz_localize(None)), hours, 1.0)
    weekly, _ = weekly_requirements(
        frame, fte_hours_per_week=1, timezone="America/New_York", interval_minutes=60
    )
    assert weekly["required_fte"].tolist() == [167.0, 168.0]


def test_weekly_requirements_start_on_the_given_day_and_refuse_too_little():
    frame = hourly("phone", "2027-01-04", 21 * 24, 1.0)
    weekly, notes = weekly_requirements(
        frame,
        fte_hours_per_week=168,
        timezone="UTC",
        interval_minutes=60,
        start=dt.date(2027, 1, 6),
    )
    assert weekly["week_start"].tolist() == [dt.date(2027, 1, 6), dt.date(2027, 1, 13)]
    assert any("before 2027-01-06" in n for n in notes)
    with pytest.raises(InputError, match="no whole week"):
        weekly_requirements(
            hourly("phone", "2027-01-04", 100, 1.0),
            fte_hours_per_week=40,
            timezone="UTC",
            interval_minutes=60,
        )


def test_quantile_volume_reads_the_forecast_interval():
    forecast = pd.DataFrame({"volume": [10.0, 0.0], "volume_low": [6, 0], "volume_high": [15, 0]})
    assert quantile_volume(forecast, quantile=0.5, level=0.8).tolist() == [10, 0]
    assert quantile_volume(forecast, quantile=0.9, level=0.8).tolist() == pytest.approx([15, 0])
    assert quantile_volume(forecast, quantile=0.1, level=0.8).tolist() == pytest.approx([6, 0])
    p80 = quantile_volume(forecast, quantile=0.8, level=0.8)[0]
    assert 10 < p80 < 15


def test_the_capacity_library_imports_no_application_and_no_shifts():
    import ast
    from pathlib import Path

    import scheduling.capacity

    folder = Path(scheduling.capacity.__file__).parent
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                top = name.split(".")[0]
                assert top not in ("wfm", "typer", "rich"), (path.name, name)
                assert not name.startswith("scheduling.shifts"), (path.name, name)
