"""Errors raised by the forecasting library.

The CLI catches `ForecastingError` and prints its message as one line.
"""


class ForecastingError(Exception):
    """Base class of every error this library raises on purpose."""


class InputError(ForecastingError, ValueError):
    """An input frame or argument is malformed; the message names the column or field."""
