"""What a simulation run is asked for: replications, seed, assumptions, routing."""

from __future__ import annotations

import math
from dataclasses import dataclass

from scheduling.errors import InputError

MAX_REPLICATIONS = 100_000
ROUTINGS = ("longest_waiting", "priority")
HANDLE_TIME_DISTRIBUTIONS = ("lognormal", "exponential")


@dataclass(frozen=True, kw_only=True)
class SimulationOptions:
    """Options of `simulate_schedule`.

    Attributes:
        replications: independent runs of the horizon, 1 to 100,000.
        seed: seed of the run; replication r draws from
            `numpy.random.SeedSequence(seed).spawn(replications)[r]`, so results do
            not depend on `workers`.
        textbook: Erlang's assumptions: arrivals Poisson at the forecast mean (no
            forecast error), exponential handle times, no absence.
        level: share of outcomes `volume_low`..`volume_high` cover (the forecast's
            `level`), 0-1 exclusive.
        day_error_share: share of the forecast error's log-variance that is shared
            by every interval of a queue's local day (the rest is independent per
            interval), 0-1.
        handle_time_distribution: "lognormal" (default) or "exponential".
        handle_time_cv: lognormal handle times: standard deviation / mean, > 0.
        handle_time_cvs: (queue, cv) pairs that override `handle_time_cv` per
            queue (e.g. fitted by `handle_times.fit_handle_time_cv`).
        routing: "longest_waiting": a free agent takes the contact that has waited
            longest among its live queues; "priority": the first of `priority`
            (then the rest by name) with a contact waiting. Either way deferred
            work (email, ticket) is taken only when no live contact waits.
        priority: queue names, most urgent first (routing "priority").
        workers: processes running replications (1: this process).
    """

    replications: int = 200
    seed: int = 1
    textbook: bool = False
    level: float = 0.8
    day_error_share: float = 0.75
    handle_time_distribution: str = "lognormal"
    handle_time_cv: float = 1.0
    handle_time_cvs: tuple[tuple[str, float], ...] = ()
    routing: str = "longest_waiting"
    priority: tuple[str, ...] = ()
    workers: int = 1

    def __post_init__(self) -> None:
        def bad(field: str, expected: str, value: object) -> InputError:
            return InputError(f"simulation: {field} must be {expected}, got {value!r}")

        if not _whole(self.replications) or not 1 <= self.replications <= MAX_REPLICATIONS:
            raise bad(
                "replications", f"a whole number from 1 to {MAX_REPLICATIONS:,}", self.replications
            )
        if not _whole(self.seed) or self.seed < 0:
            raise bad("seed", "a whole number >= 0", self.seed)
        if not _share(self.level) or not 0 < self.level < 1:
            raise bad("level", "a share between 0 and 1 (exclusive), e.g. 0.8", self.level)
        if not _share(self.day_error_share) or not 0 <= self.day_error_share <= 1:
            raise bad("day_error_share", "a share 0 <= x <= 1", self.day_error_share)
        if self.handle_time_distribution not in HANDLE_TIME_DISTRIBUTIONS:
            raise bad(
                "handle_time_distribution",
                " or ".join(HANDLE_TIME_DISTRIBUTIONS),
                self.handle_time_distribution,
            )
        if not _share(self.handle_time_cv) or not 0 < self.handle_time_cv <= 10:
            raise bad("handle_time_cv", "a ratio in (0, 10], e.g. 1.0", self.handle_time_cv)
        for queue, cv in self.handle_time_cvs:
            if not _share(cv) or not 0 < cv <= 10:
                raise bad(f"handle_time_cvs[{queue!r}]", "a ratio in (0, 10]", cv)
        if self.routing not in ROUTINGS:
            raise bad("routing", " or ".join(ROUTINGS), self.routing)
        if not _whole(self.workers) or self.workers < 1:
            raise bad("workers", "a whole number >= 1", self.workers)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _share(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
