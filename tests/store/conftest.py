from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gateway.store.sqlite import SqliteStore


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    """A store on a real file (WAL, a writer and reader threads), closed after."""
    opened = await SqliteStore.open(tmp_path / "data" / "reviews.sqlite3")
    try:
        yield opened
    finally:
        await opened.close()
