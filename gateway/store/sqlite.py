"""The embedded review store: ``ReviewStore`` over one SQLite file (or ``:memory:``).

WAL mode (readers never wait for the writer), ``synchronous=NORMAL`` (durable at
each checkpoint, never corrupt), foreign keys on, and a busy timeout so that two
gateway processes can share a file. The schema and its versions are in
``gateway.store.migrations``; the row mapping in ``gateway.store.rows``; orders and
tokens in ``gateway.store.keyset``; filters in ``gateway.store.matching``; one
page of a list in ``gateway.store.pages``.

The query plans are SQLite's own from the schema (no ``ANALYZE`` statistics), so
they do not change with the data: each list reads its order's index.

Concurrency: one writer connection and ``readers`` reader connections, each on its
own thread (``gateway.store.connections``). ``:memory:`` is one connection for
everything (an in-memory database is private to its connection).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from gateway.records import (
    AttributeSummary,
    Conversation,
    Provider,
    RatingSummary,
    Review,
    ReviewKind,
    ReviewStatus,
)
from gateway.store import keyset
from gateway.store.connections import (
    MAX_READ_S,
    Connection,
    ReaderPool,
    transaction,
)
from gateway.store.interface import SortOrder, StoredPage, StoredQuery, SyncState
from gateway.store.migrations import MIGRATIONS, Migration, migrate
from gateway.store.pages import DEFAULT_PLAN, SearchPlan, hydrate, read_page
from gateway.store.rows import (
    KIND_CODE,
    PROVIDER_CODE,
    REVIEW_COLUMNS,
    SELECT_COLUMNS,
    STATUS_CODE,
    ReviewRow,
    Value,
    from_us,
    to_row,
    to_us,
)
from gateway.store.summaries import attribute_summary, rating_summary
from gateway.store.threads import from_thread_row, to_thread_row

T = TypeVar("T")
MEMORY = ":memory:"
MAX_LIMIT = 1000
"""The largest page ``list_reviews`` returns (callers ask for 100 at most)."""

_PUBLISHED = STATUS_CODE[ReviewStatus.PUBLISHED]
_PRODUCT = KIND_CODE[ReviewKind.PRODUCT]
_SHOP = KIND_CODE[ReviewKind.SHOP]
_INSERT = (
    f"INSERT INTO reviews ({', '.join(REVIEW_COLUMNS)}, seen_us) "
    f"VALUES ({', '.join('?' * (len(REVIEW_COLUMNS) + 1))}) RETURNING id"
)
_UPDATE = (
    f"UPDATE reviews SET {', '.join(f'{c} = ?' for c in REVIEW_COLUMNS)}, "
    "seen_us = max(seen_us, ?) WHERE id = ?"
)


Clock = Callable[[], float]
"""Seconds since the epoch (``time.time``); leases expire by it."""


class SqliteStore:
    """``ReviewStore`` on SQLite. Open with ``await SqliteStore.open(path)``."""

    def __init__(
        self,
        writer: Connection,
        readers: ReaderPool,
        clock: Clock,
        search: SearchPlan = DEFAULT_PLAN,
    ):
        self._writer = writer
        self._readers = readers
        self._clock = clock
        self._search = search
        self._closed = False

    @classmethod
    async def open(
        cls,
        path: str | Path,
        *,
        readers: int = 4,
        max_read_s: float = MAX_READ_S,
        clock: Clock = time.time,
        migrations: Sequence[Migration] = MIGRATIONS,
        search: SearchPlan = DEFAULT_PLAN,
    ) -> SqliteStore:
        """Open (creating the file and its directory) and migrate the store.

        ``readers`` reader connections serve reads (``:memory:``: the one
        connection serves all), each read at most ``max_read_s`` seconds.
        ``clock`` is the lease clock, ``migrations`` the schema steps, ``search``
        the full-text plan's thresholds: seams for tests.
        """
        target = str(path)
        if target == MEMORY:
            writer = await Connection.open(MEMORY)
            await writer.run(lambda conn: migrate(conn, migrations))
            shared = ReaderPool([writer], owned=False, max_read_s=max_read_s)
            return cls(writer, shared, clock, search)
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        writer = await Connection.open(target)
        pool: list[Connection] = []
        try:
            await writer.run(_enable_wal)
            await writer.run(lambda conn: migrate(conn, migrations))
            for _ in range(readers):
                pool.append(await Connection.open(target, read_only=True))
        except BaseException:
            for conn in (*pool, writer):
                await conn.close()
            raise
        return cls(writer, ReaderPool(pool, max_read_s=max_read_s), clock, search)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self._readers.close()
        await self._writer.close()

    # -- writes ------------------------------------------------------------------

    async def upsert(self, reviews: Sequence[Review], *, seen_at: datetime) -> int:
        batch, seen = list(reviews), to_us(seen_at)
        if not batch:
            return 0

        def work(conn: sqlite3.Connection) -> int:
            # Mapping a big batch takes a while: on the writer's thread, not the loop.
            rows = [to_row(review) for review in batch]
            return transaction(conn, lambda: _upsert(conn, rows, seen))

        return await self._writer.run(work)

    async def delete(self, provider: Provider, review_ids: Sequence[str]) -> int:
        code = PROVIDER_CODE[provider]
        ids = list(dict.fromkeys(review_ids))

        def work(conn: sqlite3.Connection) -> int:
            removed = 0
            for review_id in ids:
                cursor = conn.execute(
                    "DELETE FROM reviews WHERE provider = ? AND review_id = ?",
                    (code, review_id),
                )
                removed += cursor.rowcount
            return removed

        return await self._writer.run(
            lambda conn: transaction(conn, lambda: work(conn))
        )

    async def prune(self, provider: Provider, *, not_seen_since: datetime) -> int:
        params = (PROVIDER_CODE[provider], to_us(not_seen_since))

        def work(conn: sqlite3.Connection) -> int:
            cursor = conn.execute(
                "DELETE FROM reviews WHERE provider = ? AND seen_us < ?", params
            )
            return cursor.rowcount

        return await self._writer.run(
            lambda conn: transaction(conn, lambda: work(conn))
        )

    async def upsert_conversations(self, conversations: Sequence[Conversation]) -> int:
        rows = [to_thread_row(thread) for thread in conversations]
        if not rows:
            return 0

        def work(conn: sqlite3.Connection) -> int:
            changed = 0
            for row in rows:
                cursor = conn.execute(
                    "INSERT INTO conversations (provider, conversation_id, review_id,"
                    " state, comments) VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT (provider, conversation_id) DO UPDATE SET"
                    " review_id = excluded.review_id, state = excluded.state,"
                    " comments = excluded.comments"
                    " WHERE (review_id, state, comments) IS NOT"
                    " (excluded.review_id, excluded.state, excluded.comments)",
                    row,
                )
                changed += cursor.rowcount
            return changed

        return await self._writer.run(
            lambda conn: transaction(conn, lambda: work(conn))
        )

    # -- reads -------------------------------------------------------------------

    async def get(self, keys: Sequence[tuple[Provider, str]]) -> list[Review | None]:
        wanted = [(PROVIDER_CODE[p], review_id) for p, review_id in keys]
        by_provider: dict[int, list[str]] = {}
        for code, review_id in dict.fromkeys(wanted):
            by_provider.setdefault(code, []).append(review_id)

        def work(conn: sqlite3.Connection) -> list[Review | None]:
            found: dict[tuple[int, str], Review] = {}
            for code, ids in by_provider.items():
                for chunk in _chunks(ids, 500):
                    rows = conn.execute(
                        f"SELECT r.id, {SELECT_COLUMNS} FROM reviews r "
                        "WHERE r.provider = ? "
                        f"AND r.review_id IN ({', '.join('?' * len(chunk))})",
                        [code, *chunk],
                    ).fetchall()
                    for review in hydrate(conn, rows):
                        found[(code, review.provider_review_id)] = review
            return [found.get(key) for key in wanted]

        return await self._readers.run(work)

    async def get_conversations(
        self, keys: Sequence[tuple[Provider, str]]
    ) -> list[Conversation | None]:
        wanted = [(PROVIDER_CODE[p], thread_id) for p, thread_id in keys]

        def work(conn: sqlite3.Connection) -> list[Conversation | None]:
            found: dict[tuple[int, str], Conversation] = {}
            for chunk in _chunks(list(dict.fromkeys(wanted)), 250):
                where = " OR ".join(
                    "(provider = ? AND conversation_id = ?)" for _ in chunk
                )
                rows = conn.execute(
                    "SELECT provider, conversation_id, review_id, state, comments"
                    f" FROM conversations WHERE {where}",
                    [value for key in chunk for value in key],
                ).fetchall()
                for row in rows:
                    found[(row[0], row[1])] = from_thread_row(row)
            return [found.get(key) for key in wanted]

        return await self._readers.run(work)

    async def list_reviews(
        self,
        query: StoredQuery,
        order: SortOrder,
        *,
        after: str | None = None,
        limit: int = 20,
    ) -> StoredPage:
        if not 0 < limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
        resume = keyset.decode(order, after) if after is not None else None
        return await self._readers.run(
            lambda conn: read_page(conn, query, order, resume, limit, self._search)
        )

    async def rating_summaries(
        self, keys: Sequence[tuple[Provider, str]]
    ) -> list[RatingSummary]:
        skus = sorted({sku for _, sku in keys})

        def work(conn: sqlite3.Connection) -> list[RatingSummary]:
            groups: dict[tuple[int, str], list[tuple[int, float, int]]] = {}
            for chunk in _chunks(skus, 500):
                for code, sku, stars, exact, n in conn.execute(
                    "SELECT provider, sku, rating, rating_exact, sum(n) FROM sku_tally "
                    f"WHERE sku IN ({', '.join('?' * len(chunk))}) AND status = ? "
                    "AND kind = ? GROUP BY provider, sku, rating, rating_exact",
                    [*chunk, _PUBLISHED, _PRODUCT],
                ):
                    groups.setdefault((code, sku), []).append((stars, exact, n))
            return [
                rating_summary(p, sku, groups.get((PROVIDER_CODE[p], sku), ()))
                for p, sku in keys
            ]

        return await self._readers.run(work)

    async def shop_summaries(
        self, providers: Sequence[Provider]
    ) -> list[RatingSummary]:
        def work(conn: sqlite3.Connection) -> list[RatingSummary]:
            return [
                rating_summary(
                    provider,
                    None,
                    conn.execute(
                        "SELECT rating, rating_exact, sum(n) FROM provider_tally "
                        "WHERE status = ? AND kind = ? AND provider = ? "
                        "GROUP BY rating, rating_exact",
                        (_PUBLISHED, _SHOP, PROVIDER_CODE[provider]),
                    ).fetchall(),
                )
                for provider in providers
            ]

        return await self._readers.run(work)

    async def attribute_summaries(
        self, skus: Sequence[str]
    ) -> list[tuple[AttributeSummary, ...]]:
        return await self._readers.run(
            lambda conn: [_attribute_summaries(conn, sku) for sku in skus]
        )

    async def count(self, provider: Provider) -> int:
        def work(conn: sqlite3.Connection) -> int:
            row = conn.execute(
                "SELECT coalesce(sum(n), 0) FROM provider_tally WHERE provider = ?",
                (PROVIDER_CODE[provider],),
            ).fetchone()
            return int(row[0])

        return await self._readers.run(work)

    # -- sync state and leases ---------------------------------------------------

    async def load_state(self, provider: Provider) -> SyncState | None:
        def work(conn: sqlite3.Connection) -> SyncState | None:
            row = conn.execute(
                "SELECT backfilled, cursor, watermark_us, last_success_us, "
                "last_reconciled_us, last_error, extra FROM sync_state "
                "WHERE provider = ?",
                (provider.value,),
            ).fetchone()
            return None if row is None else _state(provider, row)

        return await self._readers.run(work)

    async def save_state(self, state: SyncState) -> None:
        values = (
            state.provider.value,
            int(state.backfilled),
            state.cursor,
            _opt_us(state.watermark),
            _opt_us(state.last_success_at),
            _opt_us(state.last_reconciled_at),
            state.last_error,
            json.dumps(dict(state.extra), sort_keys=True, separators=(",", ":")),
        )

        def work(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT OR REPLACE INTO sync_state (provider, backfilled, cursor, "
                "watermark_us, last_success_us, last_reconciled_us, last_error, "
                "extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )

        await self._writer.run(lambda conn: transaction(conn, lambda: work(conn)))

    async def claim(self, name: str, owner: str, ttl_s: float) -> bool:
        now = self._clock()
        now_us, expires_us = int(now * 1_000_000), int((now + ttl_s) * 1_000_000)

        def work(conn: sqlite3.Connection) -> bool:
            row = conn.execute(
                "SELECT owner, expires_us FROM leases WHERE name = ?", (name,)
            ).fetchone()
            if row is not None and row[0] != owner and row[1] > now_us:
                return False
            conn.execute(
                "INSERT OR REPLACE INTO leases (name, owner, expires_us) "
                "VALUES (?, ?, ?)",
                (name, owner, expires_us),
            )
            return True

        # BEGIN IMMEDIATE takes the write lock before the read: two processes
        # cannot both see the lease free.
        return await self._writer.run(
            lambda conn: transaction(conn, lambda: work(conn))
        )

    async def release(self, name: str, owner: str) -> None:
        def work(conn: sqlite3.Connection) -> None:
            conn.execute(
                "DELETE FROM leases WHERE name = ? AND owner = ?", (name, owner)
            )

        await self._writer.run(lambda conn: transaction(conn, lambda: work(conn)))


def _enable_wal(conn: sqlite3.Connection) -> None:
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise sqlite3.OperationalError(f"cannot switch the store to WAL ({mode})")


def _opt_us(moment: datetime | None) -> int | None:
    return None if moment is None else to_us(moment)


def _chunks(items: list[T], size: int) -> list[list[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _upsert(conn: sqlite3.Connection, rows: Sequence[ReviewRow], seen: int) -> int:
    changed = 0
    for row in rows:
        held = conn.execute(
            "SELECT id, digest FROM reviews WHERE provider = ? AND review_id = ?",
            (row.provider, row.review_id),
        ).fetchone()
        if held is not None and held[1] == row.digest:
            conn.execute(
                "UPDATE reviews SET seen_us = ? WHERE id = ? AND seen_us < ?",
                (seen, held[0], seen),
            )
            continue
        if held is None:
            review = conn.execute(_INSERT, (*row.values, seen)).fetchone()[0]
        else:
            review = held[0]
            conn.execute(_UPDATE, (*row.values, seen, review))
            conn.execute("DELETE FROM review_attributes WHERE review = ?", (review,))
        conn.executemany(
            "INSERT INTO review_attributes (review, position, attribute_id, name, "
            "rating) VALUES (?, ?, ?, ?, ?)",
            [(review, i, *attribute) for i, attribute in enumerate(row.attributes)],
        )
        changed += 1
    return changed


def _attribute_summaries(
    conn: sqlite3.Connection, sku: str
) -> tuple[AttributeSummary, ...]:
    rows = conn.execute(
        "SELECT a.attribute_id, min(a.name), a.rating, count(*) "
        "FROM reviews r JOIN review_attributes a ON a.review = r.id "
        "WHERE r.sku = ? AND r.status = ? AND r.kind = ? "
        "GROUP BY a.attribute_id, a.rating ORDER BY a.attribute_id",
        (sku, _PUBLISHED, _PRODUCT),
    ).fetchall()
    grouped: dict[str, tuple[str, list[tuple[int, int]]]] = {}
    for attribute_id, name, stars, n in rows:
        held_name, groups = grouped.setdefault(attribute_id, (name, []))
        grouped[attribute_id] = (min(held_name, name), groups)
        groups.append((stars, n))
    return tuple(
        attribute_summary(attribute_id, name, groups)
        for attribute_id, (name, groups) in grouped.items()
    )


def _state(provider: Provider, row: Sequence[Value]) -> SyncState:
    backfilled, cursor, watermark, success, reconciled, error, extra = row
    return SyncState(
        provider=provider,
        backfilled=bool(backfilled),
        cursor=None if cursor is None else str(cursor),
        watermark=_opt_dt(watermark),
        last_success_at=_opt_dt(success),
        last_reconciled_at=_opt_dt(reconciled),
        last_error=None if error is None else str(error),
        extra={str(k): str(v) for k, v in json.loads(str(extra)).items()},
    )


def _opt_dt(us: Value) -> datetime | None:
    if us is None:
        return None
    assert isinstance(us, int)
    return from_us(us).astimezone(UTC)
