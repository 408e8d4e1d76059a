"""After many upserts, edits, deletes and prunes, the triggers kept all in step."""

from __future__ import annotations

import dataclasses
import random
import sqlite3
from datetime import timedelta
from pathlib import Path

from gateway.records import Provider, Reply, ReviewStatus
from gateway.store.sqlite import SqliteStore
from tests.store.factory import T0, review

TALLY = (
    "provider, kind, status, rating, rating_exact, coalesce(language, ''), "
    "coalesce(verified, 2), has_media, has_reply"
)


def check_file(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        # FTS5 compares its index with the content table (the reviews).
        conn.execute("INSERT INTO reviews_fts (reviews_fts) VALUES ('integrity-check')")
        for table, key in (
            ("sku_tally", f"coalesce(sku, ''), {TALLY}"),
            ("provider_tally", TALLY),
        ):
            held = conn.execute(f"SELECT * FROM {table}").fetchall()
            counted = conn.execute(
                f"SELECT {key}, count(*) FROM reviews GROUP BY {key}"
            ).fetchall()
            assert sorted(held) == sorted(counted), table
        orphans = conn.execute(
            "SELECT count(*) FROM review_attributes a "
            "WHERE NOT EXISTS (SELECT 1 FROM reviews r WHERE r.id = a.review)"
        ).fetchone()[0]
        assert orphans == 0
    finally:
        conn.close()


async def test_triggers_keep_text_index_tallies_and_attributes_in_step(
    tmp_path: Path,
) -> None:
    rng = random.Random(7)
    path = tmp_path / "r.sqlite3"
    store = await SqliteStore.open(path)
    try:
        for step in range(40):
            batch = []
            for _ in range(15):
                n = rng.randrange(60)
                batch.append(
                    review(
                        rng.choice(list(Provider)),
                        f"r{n}",
                        sku=rng.choice(["A", "B", None]),
                        rating=rng.randint(1, 5),
                        rating_exact=rng.choice([1.0, 2.5, 4.7, 5.0]),
                        status=rng.choice(list(ReviewStatus)),
                        title=rng.choice([None, "Nice", f"word{n}"]),
                        body=rng.choice([None, "good kettle", f"body {step}"]),
                        language=rng.choice([None, "en", "de"]),
                        verified=rng.choice([None, True, False]),
                        reply=rng.choice([None, Reply("ok")]),
                    )
                )
            await store.upsert(batch, seen_at=T0 + timedelta(minutes=step))
            victim = rng.choice(batch)
            if step % 3 == 0:
                await store.delete(victim.provider, [victim.provider_review_id])
            if step % 7 == 6:
                since = T0 + timedelta(minutes=step - 3)
                await store.prune(rng.choice(list(Provider)), not_seen_since=since)
            if step % 5 == 0:
                edited = dataclasses.replace(victim, title="Edited", rating=1)
                await store.upsert([edited], seen_at=T0)
    finally:
        await store.close()
    check_file(path)
