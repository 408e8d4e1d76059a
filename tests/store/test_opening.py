"""open_store: the configured store, open and migrated; unknown schemes refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.config import StoreSettings
from gateway.errors import ConfigError
from gateway.records import Provider
from gateway.store import open_store
from tests.store.factory import T0, review


@pytest.mark.parametrize("relative", ["deep/er/reviews.sqlite3", ":memory:"])
async def test_open_store_opens_a_working_sqlite_store(
    tmp_path: Path, relative: str
) -> None:
    path = relative if relative == ":memory:" else str(tmp_path / relative)
    store = await open_store(StoreSettings(path=path))
    try:
        assert await store.upsert([review()], seen_at=T0) == 1
        assert await store.count(Provider.TRUSTPILOT) == 1
    finally:
        await store.close()
    if relative != ":memory:":
        assert (tmp_path / relative).is_file()


@pytest.mark.parametrize(
    "path",
    ["postgresql://user:hunter2@db/reviews", "redis://cache:6379/0", "", "   "],
)
async def test_an_unknown_store_is_a_config_error(path: str) -> None:
    with pytest.raises(ConfigError) as caught:
        await open_store(StoreSettings(path=path))
    assert "hunter2" not in str(caught.value)
    assert "[store] path" in str(caught.value)
