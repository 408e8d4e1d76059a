"""A ``StoredQuery`` as SQL: the WHERE clause over ``reviews r``, and full text.

``created_after`` is inclusive and ``created_before`` exclusive (a half-open
window, so adjacent windows never share a review). ``search`` becomes FTS5 phrases,
one per whitespace-separated word of the caller's text, each quoted (with ``"``
doubled), so every word must occur and nothing the caller types is FTS syntax.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import TypeVar

from gateway.records import ReviewKind
from gateway.store.interface import StoredQuery
from gateway.store.rows import KIND_CODE, PROVIDER_CODE, STATUS_CODE, Value, to_us

E = TypeVar("E", bound=Enum)


def fts_query(search: str | None) -> str | None:
    """The FTS5 MATCH expression for ``search``; None when it asks for nothing.

    Words without a letter or digit are dropped: the tokenizer keeps none of their
    characters, so they cannot narrow anything.
    """
    if search is None:
        return None
    words = [w for w in search.split() if any(ch.isalnum() for ch in w)]
    if not words:
        return None
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


@dataclass(slots=True)
class Where:
    """Conditions joined by AND, and their parameters in order."""

    conditions: list[str] = field(default_factory=list)
    params: list[Value] = field(default_factory=list)
    empty: bool = False
    """Some filter admits nothing (an empty set): no row can match."""

    def add(self, condition: str, *params: Value) -> None:
        self.conditions.append(condition)
        self.params.extend(params)

    def one_of(self, column: str, values: Iterable[Value]) -> None:
        chosen = sorted(set(values), key=repr)
        if not chosen:
            self.empty = True
        elif len(chosen) == 1:
            # Equality (not IN) lets SQLite walk an index in order for a page.
            self.add(f"{column} = ?", chosen[0])
        else:
            self.add(f"{column} IN ({', '.join('?' * len(chosen))})", *chosen)

    @property
    def sql(self) -> str:
        return " AND ".join(self.conditions) if self.conditions else "1"


def _codes(values: Iterable[E], codes: dict[E, int]) -> list[Value]:
    return [codes[v] for v in values]


def _kinds(query: StoredQuery) -> list[Value] | None:
    if query.skus is not None:
        kinds = {ReviewKind.PRODUCT} & (query.kinds or {ReviewKind.PRODUCT})
        return _codes(kinds, KIND_CODE)
    if query.kinds is None or set(query.kinds) == set(ReviewKind):
        return None
    return _codes(query.kinds, KIND_CODE)


def key_filters(query: StoredQuery, prefix: str = "r.") -> Where:
    """The filters the tallies can answer too (same columns, same codes).

    Everything but the creation window and full text.
    """
    where = Where()
    if query.skus is not None:
        where.one_of(f"{prefix}sku", query.skus)
    where.one_of(f"{prefix}status", _codes(query.statuses, STATUS_CODE))
    if set(query.providers) != set(PROVIDER_CODE):
        where.one_of(f"{prefix}provider", _codes(query.providers, PROVIDER_CODE))
    kinds = _kinds(query)
    if kinds is not None:
        where.one_of(f"{prefix}kind", kinds)
    if query.ratings is not None:
        where.one_of(f"{prefix}rating", query.ratings)
    if query.language is not None:
        where.add(f"{prefix}language = ?", query.language)
    for column, wanted in (
        ("verified", query.verified),
        ("has_media", query.with_media),
        ("has_reply", query.has_reply),
    ):
        if wanted is not None:
            where.add(f"{prefix}{column} = ?", int(wanted))
    return where


def counts_rows(query: StoredQuery) -> bool:
    """Whether ``query``'s total, full text aside, needs counting rows.

    The tallies know no creation time, and count a missing SKU or language as the
    empty string, so a filter on ``""`` is counted over rows.
    """
    return (
        query.created_after is not None
        or query.created_before is not None
        or query.language == ""
        or (query.skus is not None and "" in query.skus)
    )


def where(query: StoredQuery) -> Where:
    """Every filter of ``query`` over ``reviews r`` but full text (``fts_query``)."""
    result = key_filters(query)
    if query.created_after is not None:
        result.add("r.created_us >= ?", to_us(query.created_after))
    if query.created_before is not None:
        result.add("r.created_us < ?", to_us(query.created_before))
    return result
