"""One page of a stored list: its rows, their keyset tokens and the exact total.

The WHERE clause comes from ``gateway.store.matching``, the order and tokens from
``gateway.store.keyset``. Totals come from the tallies unless a creation window or
full text needs rows counted. A search picks its plan by selectivity (see
``SearchPlan``), so a product's search and a rare word's search both stay cheap.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, replace

from gateway.records import Review
from gateway.store import keyset
from gateway.store.interface import SortOrder, StoredPage, StoredQuery
from gateway.store.matching import Where, counts_rows, fts_query, key_filters, where
from gateway.store.rows import REVIEW_COLUMNS, SELECT_COLUMNS, Value, from_row


@dataclass(frozen=True, slots=True)
class SearchPlan:
    """How a search is run; the defaults suit any size (tests vary them).

    Measured on 1,000,000 reviews: checking one row against the text index costs
    about 30 us, reading and sorting one match about 2 us.
    """

    row_probes: int = 5_000
    """Up to this many rows matching the other filters (a product's reviews), each
    is checked against the full-text index; beyond, the words' matches are read
    from the full-text index and checked against the filters."""
    walk_factor: float = 16.0
    """Reading matches so, a page walks the order's index checking each row (it
    meets about ``limit * rows / matches`` rows) when ``matches ** 2`` exceeds
    ``walk_factor * limit * rows``; otherwise it sorts the matches."""


DEFAULT_PLAN = SearchPlan()

_MATCHES_ROW = (
    "EXISTS (SELECT 1 FROM reviews_fts WHERE reviews_fts MATCH ? "
    "AND reviews_fts.rowid = r.id)"
)
_FROM_TEXT = "reviews_fts CROSS JOIN reviews r ON r.id = reviews_fts.rowid"


@dataclass(frozen=True, slots=True)
class _Plan:
    """Where a page reads from, and the exact total it reports."""

    total: int
    source: str
    conditions: list[str]
    params: list[Value]


def read_page(
    conn: sqlite3.Connection,
    query: StoredQuery,
    order: SortOrder,
    resume: list[Value] | None,
    limit: int,
    plan: SearchPlan,
) -> StoredPage:
    matching = where(query)
    if matching.empty:
        return StoredPage(items=(), total=0)
    words = fts_query(query.search)
    if words is None:
        chosen = _Plan(
            _total(conn, query, matching),
            "reviews r",
            matching.conditions,
            matching.params,
        )
    else:
        chosen = _text_plan(conn, query, matching, words, plan, limit)
    if chosen.total == 0:
        return StoredPage(items=(), total=0)
    conditions, params = chosen.conditions, chosen.params
    if resume is not None:
        condition, extra = keyset.after(order, resume)
        conditions, params = [*conditions, condition], [*params, *extra]
    rows = conn.execute(
        f"SELECT r.id, {SELECT_COLUMNS}, {keyset.key_columns(order)} "
        f"FROM {chosen.source} WHERE {' AND '.join(conditions) or '1'} "
        f"ORDER BY {keyset.order_by(order)} LIMIT ?",
        [*params, limit + 1],
    ).fetchall()
    width = len(REVIEW_COLUMNS)  # id + every column but the digest
    page = rows[:limit]
    reviews = hydrate(conn, [row[:width] for row in page])
    items = tuple(
        (review, keyset.encode(order, row[width:]))
        for review, row in zip(reviews, page, strict=True)
    )
    return StoredPage(
        items=items,
        total=chosen.total,
        next=items[-1][1] if len(rows) > limit else None,
    )


def _total(conn: sqlite3.Connection, query: StoredQuery, matching: Where) -> int:
    """The exact count of ``matching`` rows (no full text): tallies when they can."""
    if counts_rows(query):
        sql = f"SELECT count(*) FROM reviews r WHERE {matching.sql}"
        return int(conn.execute(sql, matching.params).fetchone()[0])
    tally = "sku_tally" if query.skus is not None else "provider_tally"
    counted = key_filters(query, prefix="")
    sql = f"SELECT coalesce(sum(n), 0) FROM {tally} WHERE {counted.sql}"
    return int(conn.execute(sql, counted.params).fetchone()[0])


def _text_plan(
    conn: sqlite3.Connection,
    query: StoredQuery,
    matching: Where,
    words: str,
    plan: SearchPlan,
    limit: int,
) -> _Plan:
    """A search's plan and exact total, chosen by how many rows each side holds.

    Where the other filters leave few rows (a product), each is checked against
    the text index; otherwise the words' matches are read from the text index and
    checked against the filters, then sorted, or met walking the order's index.
    """
    unbounded = replace(query, created_after=None, created_before=None)
    rows = _total(conn, unbounded, where(unbounded))  # the window aside: cheap
    probed = [*matching.conditions, _MATCHES_ROW]
    probe_params = [*matching.params, words]
    if rows <= plan.row_probes:
        sql = f"SELECT count(*) FROM reviews r WHERE {' AND '.join(probed)}"
        total = int(conn.execute(sql, probe_params).fetchone()[0])
        return _Plan(total, "reviews r", probed, probe_params)
    sql = (
        f"SELECT count(*) FROM {_FROM_TEXT} "
        f"WHERE reviews_fts MATCH ? AND {matching.sql}"
    )
    total = int(conn.execute(sql, [words, *matching.params]).fetchone()[0])
    if total * total > plan.walk_factor * (limit + 1) * rows:
        return _Plan(total, "reviews r", probed, probe_params)
    conditions = ["reviews_fts MATCH ?", *matching.conditions]
    return _Plan(total, _FROM_TEXT, conditions, [words, *matching.params])


def hydrate(conn: sqlite3.Connection, rows: Sequence[Sequence[Value]]) -> list[Review]:
    """Reviews from ``id, SELECT_COLUMNS...`` rows, with their attribute ratings."""
    attributes: dict[int, list[tuple[str, str, int]]] = {}
    ids = [int(row[0]) for row in rows]  # type: ignore[arg-type]
    if ids:
        for review, attribute_id, name, rating in conn.execute(
            "SELECT review, attribute_id, name, rating FROM review_attributes "
            f"WHERE review IN ({', '.join('?' * len(ids))}) ORDER BY review, position",
            ids,
        ):
            attributes.setdefault(review, []).append((attribute_id, name, rating))
    return [from_row(row[1:], attributes.get(int(row[0]), ())) for row in rows]  # type: ignore[arg-type]
