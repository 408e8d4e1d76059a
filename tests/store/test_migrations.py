"""Versioned migrations: run once, in order, at open; a newer file is refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from gateway.errors import ConfigError
from gateway.records import Provider
from gateway.store.migrations import MIGRATIONS, Migration, StoreVersionError, migrate
from gateway.store.sqlite import SqliteStore
from tests.store.factory import T0, review

LATEST = MIGRATIONS[-1].version
NEXT = Migration(
    LATEST + 1,
    "a test step: a note per review",
    (
        "ALTER TABLE reviews ADD COLUMN note TEXT",
        "CREATE INDEX reviews_note ON reviews (note)",
    ),
)


def schema(path: Path) -> tuple[int, list[tuple[str, str]]]:
    with sqlite3.connect(path) as conn:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        objects = conn.execute(
            "SELECT name, sql FROM sqlite_master ORDER BY name"
        ).fetchall()
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    conn.close()
    assert mode == "wal"
    return version, objects


async def test_opening_twice_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite3"
    store = await SqliteStore.open(path)
    await store.upsert([review()], seen_at=T0)
    await store.close()
    first = schema(path)
    assert first[0] == LATEST == len(MIGRATIONS)
    store = await SqliteStore.open(path)
    try:
        assert await store.count(Provider.TRUSTPILOT) == 1
    finally:
        await store.close()
    assert schema(path) == first


async def test_an_older_file_is_migrated_keeping_its_reviews(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite3"
    store = await SqliteStore.open(path, migrations=MIGRATIONS)
    await store.upsert([review()], seen_at=T0)
    await store.close()
    store = await SqliteStore.open(path, migrations=(*MIGRATIONS, NEXT))
    try:
        assert await store.get([(Provider.TRUSTPILOT, "r1")]) == [review()]
    finally:
        await store.close()
    version, objects = schema(path)
    assert version == LATEST + 1
    assert "reviews_note" in {name for name, _ in objects}


async def test_an_empty_sqlite_file_gets_the_whole_schema(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite3"
    sqlite3.connect(path).close()
    store = await SqliteStore.open(path)
    await store.close()
    assert schema(path)[0] == LATEST


async def test_a_newer_file_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite3"
    store = await SqliteStore.open(path, migrations=(*MIGRATIONS, NEXT))
    await store.close()
    with pytest.raises(StoreVersionError) as caught:
        await SqliteStore.open(path)
    assert isinstance(caught.value, ConfigError)
    message = f"schema version {LATEST + 1}, newer than this gateway knows ({LATEST})"
    assert message in str(caught.value)
    assert schema(path)[0] == LATEST + 1


def test_a_failing_step_leaves_the_file_at_its_version() -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    broken = Migration(
        LATEST + 1, "broken", ("ALTER TABLE reviews ADD COLUMN x", "NOT SQL")
    )
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, (*MIGRATIONS, broken))
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
    columns = [row[1] for row in conn.execute("PRAGMA table_info(reviews)")]
    assert "x" not in columns
    assert migrate(conn) == LATEST
    conn.close()
