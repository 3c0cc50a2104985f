"""Queue parameters that turn volume into agents.

`QueueSpec` is what the staffing model needs to know about one queue. The
application builds it from `[queues.NAME]` in wfm.toml; the library validates it,
and every error names the queue and the field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scheduling.errors import InputError
from scheduling.staffing.shrinkage import ALL_DAYS, ShrinkageRule

CHANNELS = ("voice", "chat", "email", "ticket")
LIVE_CHANNELS = ("voice", "chat")
DEFERRED_CHANNELS = ("email", "ticket")


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

        def bad(field: str, expected: str, value: object) -> InputError:
            return InputError(f"{where}: {field} must be {expected}, got {value!r}")

        if self.channel not in CHANNELS:
            raise bad("channel", f"one of {', '.join(CHANNELS)}", self.channel)
        if not _finite(self.aht_seconds) or not self.aht_seconds > 0:
            raise bad("aht_seconds", "> 0 seconds", self.aht_seconds)
        if not _finite(self.service_level) or not 0 < self.service_level < 1:
            hint = " (a share: 0.8 for 80%)" if _finite(self.service_level) else ""
            raise bad("service_level", f"between 0 and 1 (exclusive){hint}", self.service_level)
        if not _finite(self.answer_seconds) or self.answer_seconds < 0:
            raise bad("answer_seconds", ">= 0 seconds", self.answer_seconds)
        if self.target_asa_seconds is not None and not (
            _finite(self.target_asa_seconds) and self.target_asa_seconds > 0
        ):
            raise bad("target_asa_seconds", "> 0 seconds", self.target_asa_seconds)
        if not _finite(self.response_hours) or not self.response_hours > 0:
            raise bad("response_hours", "> 0 hours", self.response_hours)
        if not _finite(self.max_occupancy) or not 0 < self.max_occupancy <= 1:
            hint = " (a share: 0.85 for 85%)" if _finite(self.max_occupancy) else ""
            raise bad(
                "max_occupancy",
                f"in (0, 1]: agents can be busy at most all of their time{hint}",
                self.max_occupancy,
            )
        if not _finite(self.shrinkage) or not 0 <= self.shrinkage < 1:
            raise bad(
                "shrinkage",
                "a share 0 <= x < 1 (1 or more leaves no productive time)",
                self.shrinkage,
            )
        for i, rule in enumerate(self.shrinkage_profile):
            rule.check(f"{where}: shrinkage_profile[{i}]")
        if (
            isinstance(self.concurrency, bool)
            or not isinstance(self.concurrency, int)
            or self.concurrency < 1
        ):
            raise bad("concurrency", "a whole number of chats >= 1", self.concurrency)
        if self.concurrency > 1 and self.channel != "chat":
            raise bad("concurrency", f"1 for a {self.channel} queue (only chat)", self.concurrency)
        if not _finite(self.concurrency_efficiency) or not 0 <= self.concurrency_efficiency <= 1:
            raise bad("concurrency_efficiency", "a share 0 <= x <= 1", self.concurrency_efficiency)
        if self.patience_seconds is not None:
            if not _finite(self.patience_seconds) or not self.patience_seconds > 0:
                raise bad("patience_seconds", "> 0 seconds", self.patience_seconds)
            if not self.is_live:
                raise bad("patience_seconds", "unset for a deferred queue", self.patience_seconds)
            if self.target_asa_seconds is not None:
                raise bad(
                    "target_asa_seconds",
                    "unset with patience_seconds (Erlang A targets are service_level "
                    "and max_abandonment)",
                    self.target_asa_seconds,
                )
        if self.max_abandonment is not None:
            if not _finite(self.max_abandonment) or not 0 < self.max_abandonment <= 1:
                raise bad(
                    "max_abandonment", "a share 0 < x <= 1 (0.05 for 5%)", self.max_abandonment
                )
            if self.patience_seconds is None:
                raise bad(
                    "max_abandonment",
                    "used with patience_seconds (set the callers' mean patience)",
                    self.max_abandonment,
                )
        hours_set = (self.open_minutes, self.close_minutes, tuple(self.days)) != (0, 1440, ALL_DAYS)
        if hours_set and self.is_live:
            raise bad(
                "open/close/days",
                "unset for a live queue (give closed hours volume 0 instead)",
                (self.open_minutes, self.close_minutes, self.days),
            )
        if not 0 <= self.open_minutes < self.close_minutes <= 1440:
            raise bad(
                "open/close",
                "local times with open before close (00:00 to 24:00)",
                (self.open_minutes, self.close_minutes),
            )
        if not self.days or any(d not in ALL_DAYS for d in self.days):
            raise bad("days", "weekdays Monday (0) to Sunday (6)", self.days)
        if self.span_of_control is not None and not (
            _finite(self.span_of_control) and self.span_of_control >= 1
        ):
            raise bad("span_of_control", "agents per team lead, >= 1", self.span_of_control)
        if not isinstance(self.whole_agents, bool):
            raise bad("whole_agents", "true or false", self.whole_agents)

    @property
    def is_live(self) -> bool:
        """True for channels answered while the customer waits (voice, chat)."""
        return self.channel in LIVE_CHANNELS

    @property
    def has_hours(self) -> bool:
        """True when handling is limited to business hours (deferred queues)."""
        return (self.open_minutes, self.close_minutes, tuple(self.days)) != (0, 1440, ALL_DAYS)


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
