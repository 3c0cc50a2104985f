"""Cost, paid hours and FTE per site; the solve and the limits that bound the plan."""

from __future__ import annotations

import html

from wfm.plan_files import PLAN_JSON
from wfm.report.inputs import PlanFolder
from wfm.report.sections import Section, missing, note, table


def cost_section(plan: PlanFolder) -> Section:
    """Per-site table, solver status and gap, binding limits, coverage totals."""
    title = "Cost, hours and the solve"
    summary = plan.summary
    if not summary:
        return Section("cost", title, missing([PLAN_JSON], "the cost table"), drawn=False)
    sites = summary.get("sites", [])
    rows = [
        [
            str(s["name"]),
            str(s.get("timezone", "")),
            f"{s['agents']}" + (f" / {s['max_agents']}" if s.get("max_agents") is not None else ""),
            f"{s['shifts']}",
            f"{s['paid_hours']:,.1f}",
            f"{s['fte']:,.1f}",
            f"{s['cost']:,.2f}",
        ]
        for s in sites
    ]
    if len(sites) > 1:
        rows.append(
            [
                "all sites",
                "",
                f"{sum(s['agents'] for s in sites)}",
                f"{sum(s['shifts'] for s in sites)}",
                f"{sum(s['paid_hours'] for s in sites):,.1f}",
                f"{sum(s['fte'] for s in sites):,.1f}",
                f"{sum(s['cost'] for s in sites):,.2f}",
            ]
        )
    fte_hours = summary.get("fte_hours_per_week", 40)
    body = table(
        ["site", "time zone", "agents / cap", "shifts", "paid hours", "FTE", "cost"],
        rows,
        numeric_from=2,
    )
    body += note(
        f"FTE: paid hours per week / {fte_hours:g}. Cost includes night and weekend premiums."
    )
    body += _solve(summary.get("solve", {}))
    body += _coverage(summary.get("coverage", {}))
    binding = summary.get("binding", [])
    if binding:
        items = "".join(f"<li>{html.escape(str(b))}</li>" for b in binding)
        body += f"<h3>Binding limits</h3>\n<ul class=binding>\n{items}</ul>\n"
    else:
        body += "<h3>Binding limits</h3>\n<p>None: no site cap or rule bound the plan.</p>\n"
    return Section("cost", title, body)


def _solve(solve: dict) -> str:
    if not solve:
        return ""
    gap = solve.get("gap")
    bound = solve.get("bound")
    parts = [
        f"solver {solve.get('solver', '?')}",
        f"status {solve.get('status', '?')}",
        f"stopped by {solve.get('stopped_by') or '?'}",
        f"objective {solve.get('objective', 0):,.2f}",
        "bound -" if bound is None else f"bound {bound:,.2f}",
        "gap -" if gap is None else f"gap {gap:.2%}",
    ]
    return f"<p class=solve>{html.escape(', '.join(parts))}</p>\n"


def _coverage(coverage: dict) -> str:
    if not coverage:
        return ""
    return (
        "<p>Coverage: "
        f"{coverage.get('scheduled_agent_hours', 0):,.1f} agent-hours scheduled for "
        f"{coverage.get('required_agent_hours', 0):,.1f} required; "
        f"<strong>{coverage.get('short_agent_hours', 0):,.1f} agent-hours short</strong>.</p>\n"
    )
