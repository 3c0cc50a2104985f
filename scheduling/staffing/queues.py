"""Queue parameters that turn volume into agents.

`QueueSpec` is what the staffing model needs to know about one queue. The
application builds it from `[queues.NAME]` in wfm.toml; the library validates it,
and every error names the queue and the field.
"""

from __future__ import annotations

from dataclasses import dataclass

from scheduling.checks import Range, check_ranges
from scheduling.errors import FieldError
from scheduling.staffing.shrinkage import ALL_DAYS, ShrinkageRule

CHANNELS = ("voice", "chat", "email", "ticket")
LIVE_CHANNELS = ("voice", "chat")
DEFERRED_CHANNELS = ("email", "ticket")

DAY_SECONDS = 86_400.0
_SHARE = "(a share: 0.8 for 80%)"

QUEUE_RANGES = (
    Range("aht_seconds", lambda v: 0 < v <= DAY_SECONDS, "> 0 seconds and at most a day (86400)"),
    Range("service_level", lambda v: 0 < v < 1, f"between 0 and 1 (exclusive) {_SHARE}"),
    Range("answer_seconds", lambda v: 0 <= v <= DAY_SECONDS, ">= 0 seconds and at most a day"),
    Range(
        "target_asa_seconds",
        lambda v: 0 < v <= DAY_SECONDS,
        "> 0 seconds and at most a day",
        optional=True,
    ),
    Range("response_hours", lambda v: 0 < v <= 8760, "> 0 hours and at most a year (8760)"),
    Range(
        "max_occupancy",
        lambda v: 0 < v <= 1,
        "in (0, 1]: agents can be busy at most all of their time (a share: 0.85 for 85%)",
    ),
    Range(
        "shrinkage",
        lambda v: 0 <= v < 1,
        "a share 0 <= x < 1 (1 or more leaves no productive time)",
    ),
    Range("concurrency", lambda v: 1 <= v <= 100, "a whole number of chats, 1 to 100", whole=True),
    Range("concurrency_efficiency", lambda v: 0 <= v <= 1, "a share 0 <= x <= 1"),
    Range(
        "patience_seconds",
        lambda v: 0 < v <= DAY_SECONDS,
        "> 0 seconds and at most a day",
        optional=True,
    ),
    Range(
        "max_abandonment", lambda v: 0 < v <= 1, "a share 0 < x <= 1 (0.05 for 5%)", optional=True
    ),
    Range(
        "span_of_control",
        lambda v: 1 <= v <= 10_000,
        "agents per team lead, 1 to 10000",
        optional=True,
    ),
)
"""Each numeric field's documented range (`scheduling.checks`)."""


@dataclass(frozen=True, kw_only=True)
class QueueSpec:
    """Service targets and agent parameters of one queue.

    Attributes:
        name: queue name as it appears in the forecast's `queue` column.
        channel: "voice", "chat" (live: Erlang C, or Erlang A with patience) or
            "email", "ticket" (deferred: throughput and backlog).
        timezone: IANA zone of the queue's customers (local clock for seasonality,
            shrinkage profiles and business hours).
        aht_seconds: average handle time of one contact, seconds, used where the
            forecast has no `aht_seconds`. Chat: of a chat handled alone when
            `concurrency_efficiency` < 1, else of a chat at full concurrency.
        service_level: target share of contacts answered within `answer_seconds`
            (live) or within `response_hours` (deferred), 0-1 exclusive.
        answer_seconds: live channels: target answer time, seconds, >= 0.
        target_asa_seconds: live channels without patience: optional cap on the
            average speed of answer, seconds, > 0.
        response_hours: deferred channels: target response time, hours, > 0.
        max_occupancy: cap on the share of productive time an agent is busy, 0-1.
        shrinkage: share of paid time not available for contacts (breaks,
            meetings, training, absence), 0 <= shrinkage < 1.
        shrinkage_profile: rules that override `shrinkage` by local weekday and
            time of day; the last matching rule wins.
        concurrency: chat only: chats one agent handles at once, whole, >= 1.
        concurrency_efficiency: chat only: 1 means a chat takes as long whatever
            else its agent handles; lower values stretch each chat by
            (1 - efficiency) of its solo handle time per extra chat held, 0-1.
        patience_seconds: optional mean customer patience, seconds (live channels
            are then staffed with Erlang A).
        max_abandonment: optional cap on the share of callers who hang up, 0-1;
            needs `patience_seconds`.
        open_minutes: deferred only: local start of handling hours, minutes after
            midnight.
        close_minutes: deferred only: local end of handling hours, minutes after
            midnight (1440 = midnight); after `open_minutes`.
        days: deferred only: local weekdays with handling hours, Monday = 0.
        span_of_control: optional agents per team lead (e.g. 8); adds leads.
        whole_agents: round agents, scheduled agents and leads up to whole people.
    """

    name: str
    channel: str = "voice"
    timezone: str = "UTC"
    aht_seconds: float = 300.0
    service_level: float = 0.80
    answer_seconds: float = 20.0
    target_asa_seconds: float | None = None
    response_hours: float = 4.0
    max_occupancy: float = 0.85
    shrinkage: float = 0.30
    shrinkage_profile: tuple[ShrinkageRule, ...] = ()
    concurrency: int = 1
    concurrency_efficiency: float = 1.0
    patience_seconds: float | None = None
    max_abandonment: float | None = None
    open_minutes: int = 0
    close_minutes: int = 1440
    days: tuple[int, ...] = ALL_DAYS
    span_of_control: float | None = None
    whole_agents: bool = False

    def __post_init__(self) -> None:
        where = f"queue {self.name!r}"
        if self.channel not in CHANNELS:
            raise FieldError(
                where, "channel", f"must be one of {', '.join(CHANNELS)}", self.channel
            )
        check_ranges(self, QUEUE_RANGES, where=where)
        for i, rule in enumerate(self.shrinkage_profile):
            rule.check(f"{where}: shrinkage_profile[{i}]")
        if not isinstance(self.whole_agents, bool):
            raise FieldError(where, "whole_agents", "must be true or false", self.whole_agents)
        self._check_channel_fields(where)
        self._check_hours(where)

    def _check_channel_fields(self, where: str) -> None:
        """Fields that only some channels, or only some combinations, allow."""
        rules = (
            (
                self.concurrency > 1 and self.channel != "chat",
                "concurrency",
                f"must be 1 for a {self.channel} queue (only chat)",
            ),
            (
                self.patience_seconds is not None and not self.is_live,
                "patience_seconds",
                "must be unset for a deferred queue",
            ),
            (
                self.patience_seconds is not None and self.target_asa_seconds is not None,
                "target_asa_seconds",
                "must be unset with patience_seconds (Erlang A targets are service_level "
                "and max_abandonment)",
            ),
            (
                self.max_abandonment is not None and self.patience_seconds is None,
                "max_abandonment",
                "needs patience_seconds (Erlang A: set the callers' mean patience)",
            ),
        )
        for broken, field_name, problem in rules:
            if broken:
                raise FieldError(where, field_name, problem, getattr(self, field_name))

    def _check_hours(self, where: str) -> None:
        """Business hours: deferred queues only, open before close, real weekdays."""
        hours = (self.open_minutes, self.close_minutes)
        if self.has_hours and self.is_live:
            raise FieldError(
                where,
                "open/close/days",
                "must be unset for a live queue (give closed hours volume 0 instead)",
                (*hours, self.days),
            )
        if not 0 <= self.open_minutes < self.close_minutes <= 1440:
            raise FieldError(
                where,
                "open/close",
                "must be local times with open before close (00:00 to 24:00)",
                "-".join(_clock(m) for m in hours),
            )
        if not self.days or any(d not in ALL_DAYS for d in self.days):
            raise FieldError(where, "days", "must be weekdays Monday (0) to Sunday (6)", self.days)

    @property
    def is_live(self) -> bool:
        """True for channels answered while the customer waits (voice, chat)."""
        return self.channel in LIVE_CHANNELS

    @property
    def has_hours(self) -> bool:
        """True when handling is limited to business hours (deferred queues)."""
        return (self.open_minutes, self.close_minutes, tuple(self.days)) != (0, 1440, ALL_DAYS)


def _clock(minutes: object) -> str:
    """Minutes after midnight as HH:MM (anything else as it is)."""
    if isinstance(minutes, int | float) and 0 <= minutes <= 1440 and minutes == int(minutes):
        return f"{int(minutes) // 60:02d}:{int(minutes) % 60:02d}"
    return repr(minutes)
