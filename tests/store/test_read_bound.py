from datetime import timedelta
from pathlib import Path

import pytest

from gateway.errors import InvalidInput
from gateway.records import Provider
from gateway.store import SortOrder, StoredQuery
from gateway.store.sqlite import SqliteStore
from tests.store.factory import T0, review

EVERY = frozenset(Provider)


async def test_a_read_past_its_time_is_refused_and_the_reader_serves_on(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bound.sqlite3"
    filling = await SqliteStore.open(path)
    batch = [
        review(Provider.MAYAR, f"r{i}", created_at=T0 + timedelta(seconds=i))
        for i in range(3000)
    ]
    await filling.upsert(batch, seen_at=T0)
    await filling.close()
    # A date window's exact total counts rows: with no time at all it is refused.
    hasty = await SqliteStore.open(path, readers=1, max_read_s=0.0)
    window = StoredQuery(providers=EVERY, created_after=T0)
    try:
        with pytest.raises(InvalidInput, match="too costly"):
            await hasty.list_reviews(window, SortOrder.NEWEST, limit=10)
    finally:
        await hasty.close()
    patient = await SqliteStore.open(path, readers=1)
    try:
        page = await patient.list_reviews(window, SortOrder.NEWEST, limit=10)
        assert page.total == len(batch)
        # The one reader is not left stuck in an interrupted state.
        again = await patient.list_reviews(window, SortOrder.OLDEST, limit=1)
        assert again.total == len(batch)
    finally:
        await patient.close()
