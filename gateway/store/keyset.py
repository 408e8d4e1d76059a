"""The store's orders in SQL, and the keyset tokens that resume them.

Every order is the contract's total order (``gateway.store.interface``): the
order's own key, then provider rank and provider review id, ascending, exactly as
``resolvers.filters.sort_key`` sorts merged pages. A token is the last row's values
of that whole key, as compact JSON in URL-safe base64 (no padding), tagged with the
order it belongs to; it names no row, so it stays valid when that row is gone.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from gateway.store.interface import SortOrder
from gateway.store.rows import PROVIDERS, Value


@dataclass(frozen=True, slots=True)
class Column:
    """One column of an order's key and its direction."""

    name: str
    descending: bool
    kind: type[int] | type[float] | type[str]


_CREATED_DESC = Column("created_us", True, int)
_TIE: Final = (Column("provider", False, int), Column("review_id", False, str))

KEYS: Final[dict[SortOrder, tuple[Column, ...]]] = {
    SortOrder.NEWEST: (_CREATED_DESC, *_TIE),
    SortOrder.OLDEST: (Column("created_us", False, int), *_TIE),
    SortOrder.HIGHEST_RATED: (
        Column("rating_exact", True, float),
        _CREATED_DESC,
        *_TIE,
    ),
    SortOrder.LOWEST_RATED: (
        Column("rating_exact", False, float),
        _CREATED_DESC,
        *_TIE,
    ),
    SortOrder.MOST_RECENTLY_UPDATED: (Column("activity_us", True, int), *_TIE),
}
"""Each order's full key, from its first column to the tie-break."""

_TAGS: Final = {
    SortOrder.NEWEST: "n",
    SortOrder.OLDEST: "o",
    SortOrder.HIGHEST_RATED: "h",
    SortOrder.LOWEST_RATED: "l",
    SortOrder.MOST_RECENTLY_UPDATED: "u",
}


def order_by(order: SortOrder) -> str:
    """The ``ORDER BY`` list of ``order`` over the ``reviews`` alias ``r``."""
    return ", ".join(
        f"r.{c.name} {'DESC' if c.descending else 'ASC'}" for c in KEYS[order]
    )


def key_columns(order: SortOrder) -> str:
    """The ``SELECT`` list of ``order``'s key (what a token is made of)."""
    return ", ".join(f"r.{c.name}" for c in KEYS[order])


def encode(order: SortOrder, values: Sequence[Value]) -> str:
    """The token resuming ``order`` after a row whose key is ``values``."""
    payload = json.dumps([_TAGS[order], *values], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii").rstrip("=")


def decode(order: SortOrder, token: str) -> list[Value]:
    """The key values in ``token``; ``ValueError`` unless made for ``order``."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError, ValueError):
        raise ValueError("malformed review list cursor") from None
    columns = KEYS[order]
    if not isinstance(payload, list) or len(payload) != len(columns) + 1:
        raise ValueError("malformed review list cursor") from None
    if payload[0] not in _TAGS.values():
        raise ValueError("malformed review list cursor")
    if payload[0] != _TAGS[order]:
        raise ValueError(
            f"this cursor belongs to another order than {order.name}: "
            "start again without `after`"
        )
    values: list[Value] = []
    for column, value in zip(columns, payload[1:], strict=True):
        values.append(_checked(column, value))
    if not 0 <= int(values[-2]) < len(PROVIDERS):  # type: ignore[arg-type]
        raise ValueError("malformed review list cursor")
    return values


def _checked(column: Column, value: object) -> Value:
    if column.kind is float and type(value) is int:
        return float(value)
    if type(value) is not column.kind:
        raise ValueError("malformed review list cursor")
    assert isinstance(value, int | float | str)
    return value


def after(order: SortOrder, values: Sequence[Value]) -> tuple[str, list[Value]]:
    """A WHERE condition: rows strictly after ``values`` in ``order``.

    The first column also gets a plain range bound (``<=``/``>=``) so that SQLite
    seeks the order's index to the resume point instead of scanning from the start.
    """
    columns = KEYS[order]
    first = columns[0]
    bound = f"r.{first.name} {'<=' if first.descending else '>='} ?"
    condition, params = _strictly_after(columns, values)
    return f"{bound} AND ({condition})", [values[0], *params]


def _strictly_after(
    columns: Sequence[Column], values: Sequence[Value]
) -> tuple[str, list[Value]]:
    if len(columns) == len(_TIE):
        # The tie-break is ascending on both columns: one row-value comparison.
        return "(r.provider, r.review_id) > (?, ?)", list(values)
    head, value = columns[0], values[0]
    rest, params = _strictly_after(columns[1:], values[1:])
    op = "<" if head.descending else ">"
    return (
        f"r.{head.name} {op} ? OR (r.{head.name} = ? AND ({rest}))",
        [value, value, *params],
    )
