"""Queue parameters that turn volume into agents.

`QueueSpec` is what the staffing model needs to know about one queue. The
application builds it from `[queues.NAME]` in wfm.toml; the library validates it.
"""

from __future__ import annotations

from dataclasses import dataclass

from scheduling.errors import InputError

CHANNELS = ("voice", "chat", "email", "ticket")
LIVE_CHANNELS = ("voice", "chat")
DEFERRED_CHANNELS = ("email", "ticket")


@dataclass(frozen=True, kw_only=True)
class QueueSpec:
    """Service targets and agent parameters of one queue.

    Attributes:
        name: queue name as it appears in the forecast's `queue` column.
        channel: "voice", "chat" (live, Erlang C) or "email", "ticket" (deferred).
        timezone: IANA zone of the queue's customers (local clock for seasonality).
        aht_seconds: average handle time of one contact, seconds, used where the
            forecast has no `aht_seconds`.
        service_level: target share of contacts answered within `answer_seconds`
            (live) or within `response_hours` (deferred), 0-1 exclusive.
        answer_seconds: live channels: target answer time, seconds.
        response_hours: deferred channels: target response time, hours.
        max_occupancy: cap on the share of productive time an agent is busy, 0-1.
        shrinkage: share of paid time not available for contacts (breaks,
            meetings, training, absence), 0 <= shrinkage < 1.
        concurrency: chat only: contacts one agent handles at once, >= 1.
        patience_seconds: optional mean customer patience, seconds (Erlang A).
    """

    name: str
    channel: str = "voice"
    timezone: str = "UTC"
    aht_seconds: float = 300.0
    service_level: float = 0.80
    answer_seconds: float = 20.0
    response_hours: float = 4.0
    max_occupancy: float = 0.85
    shrinkage: float = 0.30
    concurrency: int = 1
    patience_seconds: float | None = None

    def __post_init__(self) -> None:
        where = f"queue {self.name!r}"
        if self.channel not in CHANNELS:
            raise InputError(
                f"{where}: channel {self.channel!r} is not one of {', '.join(CHANNELS)}"
            )
        if not self.aht_seconds > 0:
            raise InputError(f"{where}: aht_seconds must be > 0, got {self.aht_seconds}")
        if not 0 < self.service_level < 1:
            raise InputError(
                f"{where}: service_level must be between 0 and 1 (exclusive), "
                f"got {self.service_level}"
            )
        if self.answer_seconds < 0:
            raise InputError(f"{where}: answer_seconds must be >= 0, got {self.answer_seconds}")
        if not self.response_hours > 0:
            raise InputError(f"{where}: response_hours must be > 0, got {self.response_hours}")
        if not 0 < self.max_occupancy <= 1:
            raise InputError(f"{where}: max_occupancy must be in (0, 1], got {self.max_occupancy}")
        if not 0 <= self.shrinkage < 1:
            raise InputError(f"{where}: shrinkage must be in [0, 1), got {self.shrinkage}")
        if self.concurrency < 1:
            raise InputError(f"{where}: concurrency must be >= 1, got {self.concurrency}")
        if self.patience_seconds is not None and not self.patience_seconds > 0:
            raise InputError(f"{where}: patience_seconds must be > 0, got {self.patience_seconds}")

    @property
    def is_live(self) -> bool:
        """True for channels answered while the customer waits (voice, chat)."""
        return self.channel in LIVE_CHANNELS
