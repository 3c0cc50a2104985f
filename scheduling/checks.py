"""Range checks as tables: one row per field, read the same way for every settings object.

A row names a field, the test its value must pass and what was expected; a value
that fails raises `FieldError` naming the holder, the field and the value. Numbers
must be real and finite (no bool, NaN or infinity), so no check has to say so.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from scheduling.errors import FieldError


@dataclass(frozen=True)
class Range:
    """A field's documented range.

    Attributes:
        field: attribute name.
        test: True for a value in range (called only on finite numbers).
        expected: the range in words, e.g. "> 0 seconds".
        optional: None is allowed (the field is unset).
        whole: the value must be a whole number.
    """

    field: str
    test: Callable[[float], bool]
    expected: str
    optional: bool = False
    whole: bool = False


def is_number(value: object) -> bool:
    """A real, finite number that is not a bool."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and (isinstance(value, int) or math.isfinite(value))
    )


def check_ranges(holder: object, ranges: Sequence[Range], *, where: str) -> None:
    """Raise FieldError for the first field of `holder` outside its range."""
    for row in ranges:
        value = getattr(holder, row.field)
        if value is None and row.optional:
            continue
        kind_ok = is_number(value) and (not row.whole or isinstance(value, int))
        if not kind_ok or not row.test(value):
            raise FieldError(where, row.field, f"must be {row.expected}", value)
