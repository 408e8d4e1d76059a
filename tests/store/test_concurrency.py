"""Reads during writes, and two stores (two gateway processes) writing one file."""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import timedelta
from pathlib import Path

from gateway.records import Provider, ReviewKind
from gateway.store.interface import SortOrder, StoredQuery
from gateway.store.sqlite import SqliteStore
from tests.store.factory import T0, review

ALL = frozenset(Provider)


def batch(provider: Provider, start: int, size: int) -> list:  # type: ignore[type-arg]
    return [
        review(
            provider,
            f"{provider.value}-{i}",
            sku=f"SKU-{i % 7}",
            created_at=T0 + timedelta(seconds=i),
            rating=1 + i % 5,
            rating_exact=float(1 + i % 5),
        )
        for i in range(start, start + size)
    ]


async def test_many_reads_during_writes_see_whole_batches(store: SqliteStore) -> None:
    batches, size = 15, 100
    query = StoredQuery(providers=ALL)
    product = StoredQuery(providers=ALL, skus=("SKU-3",))
    done = asyncio.Event()
    totals: list[int] = []

    async def write() -> None:
        for n in range(batches):
            await store.upsert(batch(Provider.MAYAR, n * size, size), seen_at=T0)
            await asyncio.sleep(0)
        done.set()

    async def read() -> int:
        reads = 0
        while not done.is_set():
            page = await store.list_reviews(query, SortOrder.HIGHEST_RATED, limit=50)
            assert page.total % size == 0  # a batch is one transaction
            totals.append(page.total)
            await store.list_reviews(product, SortOrder.NEWEST, limit=5)
            await store.rating_summaries([(Provider.MAYAR, "SKU-3")])
            await store.get([(Provider.MAYAR, "mayar-7")])
            reads += 1
        return reads

    *reads, _ = await asyncio.gather(*(read() for _ in range(12)), write())
    assert sum(reads) > 0
    assert max(totals) <= batches * size
    final = await store.list_reviews(query, SortOrder.NEWEST)
    assert final.total == batches * size


async def test_two_stores_on_one_file_write_at_once(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    one, two = await SqliteStore.open(path), await SqliteStore.open(path)
    try:

        async def fill(store: SqliteStore, provider: Provider) -> None:
            for n in range(10):
                await store.upsert(batch(provider, n * 50, 50), seen_at=T0)

        await asyncio.gather(fill(one, Provider.TRUSTOO), fill(two, Provider.ETRUSTED))
        for store in (one, two):
            assert await store.count(Provider.TRUSTOO) == 500
            assert await store.count(Provider.ETRUSTED) == 500
            shop = StoredQuery(providers=ALL, kinds=frozenset({ReviewKind.PRODUCT}))
            assert (await store.list_reviews(shop, SortOrder.OLDEST)).total == 1000
    finally:
        await one.close()
        await two.close()


async def test_a_big_write_does_not_block_the_event_loop(store: SqliteStore) -> None:
    ticks: list[float] = []
    writing = asyncio.Event()

    async def tick() -> None:
        while not writing.is_set():
            ticks.append(time.perf_counter())
            await asyncio.sleep(0.001)

    ticker = asyncio.create_task(tick())
    began = time.perf_counter()
    await store.upsert(batch(Provider.TRUSTPILOT, 0, 3000), seen_at=T0)
    took = time.perf_counter() - began
    writing.set()
    await ticker
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    # The loop kept ticking through the write: many ticks, none near its length.
    assert len(ticks) > 10
    assert max(gaps) < took / 2
