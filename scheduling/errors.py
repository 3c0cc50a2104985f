"""Errors raised by the scheduling library.

The CLI catches `SchedulingError` and prints its message as one line.
"""


class SchedulingError(Exception):
    """Base class of every error this library raises on purpose."""


class InputError(SchedulingError, ValueError):
    """An input frame, parameter or site is malformed; the message names the field."""


class InfeasibleError(SchedulingError):
    """No schedule satisfies the hard limits; the message names the limit."""


class SolverUnavailableError(SchedulingError):
    """The requested solver is not installed or cannot be started."""
