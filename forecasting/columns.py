"""Column names of the forecasting data contracts (see DESIGN.md).

Every frame that crosses a module boundary uses these names. Timestamps are
timezone-aware; interval grids are in UTC.
"""

# History, ticket level: one row per contact.
CREATED_AT = "created_at"
QUEUE = "queue"
HANDLE_TIME_SECONDS = "handle_time_seconds"

# History as counts, and the aggregated history every model fits on.
INTERVAL_START = "interval_start"
VOLUME = "volume"
AHT_SECONDS = "aht_seconds"

# Forecast.
VOLUME_LOW = "volume_low"
VOLUME_HIGH = "volume_high"
EVENTS = "events"

FORECAST_COLUMNS = (
    INTERVAL_START,
    QUEUE,
    VOLUME,
    VOLUME_LOW,
    VOLUME_HIGH,
    AHT_SECONDS,
    EVENTS,
)

# Appended to a forecast by a what-if scenario (after the contract's columns).
BASELINE_VOLUME = "baseline_volume"
SCENARIO = "scenario"

# Events.
EVENT_NAME = "name"
EVENT_START = "start"
EVENT_END = "end"
EVENT_QUEUES = "queues"
EVENT_UPLIFT = "uplift"
EVENT_KIND = "kind"
