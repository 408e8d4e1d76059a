"""Query-string parsing with Trustoo's rules: paging, sorting, arrays and 0/1 flags.

The docs' own curl samples send unused parameters empty (``start_time=&sort_by=``),
so an empty value means "not given". Array parameters arrive in every shape seen in
public clients: comma lists (``ratings=4,5``), repeated keys and ``key[]`` /
``key[0]`` keys.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, TypeVar

from .envelope import invalid, parse_time

Query = Mapping[str, str]
"""``request.query``: a multidict, whose ``items()`` yields repeated keys."""
T = TypeVar("T")

SORT_ORDERS: Final = ("created-descending", "created-ascending")
_ARRAY_KEY: Final = re.compile(r"^(?P<name>[a-z_]+)\[\d*\]$")
_DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def text(query: Query, name: str) -> str | None:
    """A scalar parameter, ``None`` when absent or empty."""
    value = query.get(name, "")
    return value or None


def integer(query: Query, name: str, low: int, high: int | None = None) -> int | None:
    """An integer parameter within ``low..high``; code 3 when malformed."""
    value = text(query, name)
    if value is None:
        return None
    if not re.fullmatch(r"-?\d{1,18}", value):
        raise invalid(f"{name} must be an integer")
    number = int(value)
    if number < low or (high is not None and number > high):
        bound = f"between {low} and {high}" if high is not None else f">= {low}"
        raise invalid(f"{name} must be {bound}")
    return number


def flag(query: Query, name: str) -> bool | None:
    """A 0/1 parameter as a bool, ``None`` when absent."""
    value = integer(query, name, 0, 1)
    return None if value is None else value == 1


def array(query: Query, name: str) -> list[str]:
    """Every value of an array parameter, whichever way it was spelt."""
    values: list[str] = []
    for key, value in query.items():
        match = _ARRAY_KEY.match(key)
        if key == name or (match is not None and match["name"] == name):
            values.extend(part.strip() for part in value.split(","))
    return [value for value in values if value]


def int_array(query: Query, name: str, low: int, high: int | None = None) -> list[int]:
    numbers: list[int] = []
    for value in array(query, name):
        if not re.fullmatch(r"\d{1,19}", value):
            raise invalid(f"{name} must be a list of integers")
        number = int(value)
        if number < low or (high is not None and number > high):
            raise invalid(f"{name} values must be between {low} and {high}")
        numbers.append(number)
    return numbers


def descending(query: Query) -> bool:
    """``sort_by``: created-descending (the default) or created-ascending."""
    value = text(query, "sort_by") or SORT_ORDERS[0]
    if value not in SORT_ORDERS:
        raise invalid(f"sort_by must be one of {', '.join(SORT_ORDERS)}")
    return value == SORT_ORDERS[0]


def moment(query: Query, name: str) -> datetime | None:
    """A time filter: ``YYYY-MM-DD HH:MM:SS``, ``YYYY-MM-DD`` or Unix seconds."""
    value = text(query, name)
    if value is None:
        return None
    if value.isascii() and value.isdigit() and len(value) <= 12:
        return datetime.fromtimestamp(int(value), UTC)
    if _DATE.match(value):
        value += " 00:00:00"
    parsed = parse_time(value)
    if parsed is None:
        raise invalid(f"{name} must be a time like 2025-06-20 00:00:00")
    return parsed


@dataclass(frozen=True, slots=True)
class Paging:
    """A validated ``page`` / ``page_size`` pair."""

    page: int
    page_size: int

    def window(self, items: Sequence[T]) -> Sequence[T]:
        start = (self.page - 1) * self.page_size
        return items[start : start + self.page_size]

    def body(
        self, items: Sequence[T], render: Callable[[T], object]
    ) -> dict[str, object]:
        """The ``data`` of a list answer: ``{page: {...}, list: [...]}``."""
        count = len(items)
        return {
            "page": {
                "page": self.page,
                "page_size": self.page_size,
                "total_page": math.ceil(count / self.page_size),
                "count": count,
            },
            "list": [render(item) for item in self.window(items)],
        }


def paging(query: Query, max_page_size: int, default_size: int = 20) -> Paging:
    """``page`` (default 1) and ``page_size`` (default 20, 1..``max_page_size``)."""
    page = integer(query, "page", 1)
    size = integer(query, "page_size", 1, max_page_size)
    return Paging(page or 1, size or default_size)
