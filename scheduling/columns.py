"""Column names of the scheduling data contracts (see DESIGN.md).

Timestamps are timezone-aware. `INTERVAL_START` grids are in UTC; shift `START`
and `END` are UTC timestamps in frames and rendered in the site's `TIMEZONE` by
the application when written.
"""

INTERVAL_START = "interval_start"
QUEUE = "queue"
VOLUME = "volume"
VOLUME_HIGH = "volume_high"
AHT_SECONDS = "aht_seconds"

# Requirements: one row per (interval_start, queue).
AGENTS = "agents"  # productive agents needed (Erlang / throughput), agents
AGENTS_SCHEDULED = "agents_scheduled"  # agents / (1 - shrinkage), agents
SERVICE_LEVEL = "service_level"  # share answered within target, 0-1
ASA_SECONDS = "asa_seconds"  # average speed of answer, seconds
OCCUPANCY = "occupancy"  # share of productive time busy, 0-1
AGENT_HOURS = "agent_hours"  # agents_scheduled * interval length, hours
CHANNEL = "channel"
WAIT_PROBABILITY = "wait_probability"
BACKLOG = "backlog"  # contacts carried into the next interval (deferred channels)
ABANDONMENT = "abandonment"  # share of contacts hanging up before an answer, 0-1
SHRINKAGE = "shrinkage"  # share of paid time not productive, as applied, 0-1
LEADS = "leads"  # team leads: agents_scheduled / span of control, agents

REQUIREMENTS_COLUMNS = (
    INTERVAL_START,
    QUEUE,
    VOLUME,
    AHT_SECONDS,
    AGENTS,
    AGENTS_SCHEDULED,
    SERVICE_LEVEL,
    ASA_SECONDS,
    OCCUPANCY,
    AGENT_HOURS,
)

# Schedule: one row per agent shift.
AGENT = "agent"
SITE = "site"
START = "start"
END = "end"
TIMEZONE = "timezone"
BREAK_START = "break_start"
BREAK_END = "break_end"
# Breaks of the second and later break rules: ((start, end), ...) in start order,
# UTC in frames; written as ";"-joined "start/end" in the site's local time.
OTHER_BREAKS = "other_breaks"
SKILLS = "skills"

SCHEDULE_COLUMNS = (AGENT, SITE, START, END, TIMEZONE, BREAK_START, BREAK_END, QUEUE)
# The schedule of a run with more than one break rule: `break_start`/`break_end`
# hold the first rule's break (e.g. lunch), `other_breaks` the rest.
SCHEDULE_COLUMNS_OTHER_BREAKS = (
    AGENT,
    SITE,
    START,
    END,
    TIMEZONE,
    BREAK_START,
    BREAK_END,
    OTHER_BREAKS,
    QUEUE,
)

# Coverage: one row per (interval_start, queue).
REQUIRED = "required"
SCHEDULED = "scheduled"
SHORTFALL = "shortfall"
SURPLUS = "surplus"

COVERAGE_COLUMNS = (INTERVAL_START, QUEUE, REQUIRED, SCHEDULED, SHORTFALL, SURPLUS)

# Roster: one row per named agent.
CONTRACTED_HOURS = "contracted_hours"
DAYS_UNAVAILABLE = "days_unavailable"
PREFERRED_START = "preferred_start"

# Candidate shifts (`scheduling.shifts.templates.generate_shifts`): one row per shift.
SHIFT_ID = "shift_id"
PAID_HOURS = "paid_hours"  # hours
COST = "cost"  # cost units per agent on the shift
SHIFT_COLUMNS = (SHIFT_ID, SITE, START, END, PAID_HOURS, COST)

# The long frame of `scheduling.shifts.templates.shift_coverage`.
SHIFT = "shift"
INTERVAL = "interval"
FRACTION = "fraction"  # share of the interval the shift works, 0-1
COVERAGE_LONG_COLUMNS = (SHIFT, INTERVAL, FRACTION)

# The programme's chosen shifts and break plan (`scheduling.shifts.model`).
COUNT = "count"  # agents on the shift, whole
SHORT_IF_LEFT = "short_if_left"  # agent-hours the plan is short with one agent less on it
WEIGHT = "agents"
RULE = "rule"  # break_plan: position of the break's rule in options.break_rules

# Capacity plan (`scheduling.capacity`): one row per (week_start, site); the
# outsourcer's FTE are on rows whose site is `OUTSOURCED_SITE`.
WEEK_START = "week_start"  # local date the plan week starts on
REQUIRED_FTE = "required_fte"  # demand routed to the site this week, FTE
HEADCOUNT = "headcount"  # agents past training (on the floor) during the week, expected
IN_TRAINING = "in_training"  # agents in paid, unproductive training during the week
HIRES = "hires"  # agents in the class that starts this week, whole
CLASS_START = "class_start"  # true when a class starts this week
ATTRITION = "attrition"  # agents leaving the floor during the week, expected
PRODUCTIVE_FTE = "productive_fte"  # headcount weighted by ramp productivity, FTE
OVERTIME_FTE = "overtime_fte"  # overtime worked, FTE
OUTSOURCED_FTE = "outsourced_fte"  # outsourcer's FTE (on the outsourced rows)
SHORT_FTE = "short_fte"  # routed demand not covered, FTE
GRADUATES = "graduates"  # trainees who join the floor at the start of the next week
OUTSOURCED_SITE = "outsourced"

CAPACITY_COLUMNS = (
    WEEK_START,
    SITE,
    REQUIRED_FTE,
    HEADCOUNT,
    IN_TRAINING,
    HIRES,
    CLASS_START,
    ATTRITION,
    PRODUCTIVE_FTE,
    OVERTIME_FTE,
    OUTSOURCED_FTE,
    SHORT_FTE,
    COST,
    GRADUATES,
)
# Required FTE per week (`scheduling.capacity.demand.weekly_requirements`).
WEEKLY_REQUIRED_COLUMNS = (WEEK_START, QUEUE, REQUIRED_FTE)
# Simulation (`scheduling.simulation`): one row per (interval_start, queue).
VOLUME_LOW = "volume_low"
OFFERED = "offered"  # contacts arriving in the interval, mean over replications
ANSWERED = "answered"  # of those, answered (by the end of the horizon), mean
ABANDONED = "abandoned"  # of those, hung up before an answer, mean
SERVICE_LEVEL_P10 = "service_level_p10"  # 10th percentile over replications, 0-1
P_MEET_TARGET = "p_meet_target"  # share of replications meeting the target, 0-1
SIMULATION_COLUMNS = (
    INTERVAL_START,
    QUEUE,
    OFFERED,
    ANSWERED,
    ABANDONED,
    SERVICE_LEVEL,
    SERVICE_LEVEL_P10,
    P_MEET_TARGET,
    ASA_SECONDS,
    OCCUPANCY,
    BACKLOG,
)
# The day summary of a simulation: one row per (queue, day).
DAY = "day"  # the queue's local date
WORST_INTERVALS = "worst_intervals"  # "HH:MM p%" local, lowest p_meet_target first
SIMULATION_DAY_COLUMNS = (QUEUE, DAY, OFFERED, SERVICE_LEVEL, P_MEET_TARGET, WORST_INTERVALS)
