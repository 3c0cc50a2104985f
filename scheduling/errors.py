"""Errors raised by the scheduling library.

The CLI catches `SchedulingError` and prints its message as one line.
"""


class SchedulingError(Exception):
    """Base class of every error this library raises on purpose."""


class InputError(SchedulingError, ValueError):
    """An input frame, parameter or site is malformed; the message names the field."""


class InfeasibleError(SchedulingError):
    """No schedule satisfies the hard limits; the message names the limit."""


class NoAnswerError(InfeasibleError):
    """The solver stopped (its time or node budget ran out) before it found any
    solution: not a proof that none exists.

    Attributes:
        stopped_by: the limit that stopped it, "time_limit" or "node_limit".
    """

    def __init__(self, message: str, *, stopped_by: str = "time_limit") -> None:
        super().__init__(message)
        self.stopped_by = stopped_by


class SolverUnavailableError(SchedulingError):
    """The requested solver is not installed or cannot be started."""


class FieldError(InputError):
    """One field of a settings object is out of its documented range.

    Attributes:
        where: what holds the field, e.g. "queue 'phone'" ("" for none).
        field: the field's name, e.g. "aht_seconds".
        problem: what is wrong, e.g. "must be > 0 seconds".
        value: the value given.
    """

    def __init__(self, where: str, field: str, problem: str, value: object):
        self.where, self.field, self.problem, self.value = where, field, problem, value
        prefix = f"{where}: " if where else ""
        super().__init__(f"{prefix}{field} {problem}, got {value!r}")
