"""Upsert, get, delete, prune, count, summaries, sync state and leases."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import timedelta
from fractions import Fraction
from pathlib import Path

import pytest

from gateway.records import (
    AttributeRating,
    Customer,
    Media,
    MediaType,
    Provider,
    Reply,
    ReviewKind,
    ReviewStatus,
    StarDistribution,
)
from gateway.store.interface import SortOrder, StoredQuery, SyncState
from gateway.store.sqlite import SqliteStore
from tests.store.factory import T0, public, review

ALL = frozenset(Provider)


def full_review(review_id: str = "full"):  # type: ignore[no-untyped-def]
    return review(
        Provider.ETRUSTED,
        review_id,
        rating=5,
        rating_exact=4.7,
        updated_at=T0 + timedelta(days=2, microseconds=7),
        verified=True,
        imported=True,
        media=(
            Media(MediaType.IMAGE, "https://cdn/1.jpg", "https://cdn/1t.jpg"),
            Media(MediaType.VIDEO, "https://cdn/2.mp4"),
        ),
        reply=Reply("Thank you", T0 + timedelta(days=1), None, True),
        conversation_id="conv-1",
        attribute_ratings=(
            AttributeRating("z-fit", "Fit", 3),
            AttributeRating("a-quality", "Quality", 5),
        ),
        locator="link-9",
        raw={"secret": "raw payload"},
    )


async def test_a_review_round_trips_minus_customer_and_raw(store: SqliteStore) -> None:
    full = dataclasses.replace(
        full_review(), customer=Customer(name="Zebulon Quux", email="zq@mail.invalid")
    )
    shop = review(Provider.TRUSTOO, "shop-1", sku=None, title=None, body=None)
    assert await store.upsert([full, shop], seen_at=T0) == 2
    got = await store.get(
        [
            (Provider.ETRUSTED, "full"),
            (Provider.MAYAR, "full"),
            (Provider.TRUSTOO, "shop-1"),
        ]
    )
    assert got == [public(full), None, shop]
    assert got[0] is not None
    assert got[0].customer is None
    assert got[0].attribute_ratings == full.attribute_ratings  # order kept


def every_byte(folder: Path) -> bytes:
    """The database file and any WAL or journal beside it."""
    return b"".join(p.read_bytes() for p in folder.iterdir() if p.is_file())


async def test_no_trace_of_the_customer_in_the_files(tmp_path: Path) -> None:
    path = tmp_path / "pii.sqlite3"
    store = await SqliteStore.open(path)
    pii = Customer(
        name="Zebulon Quux",
        email="zebulon.quux@mail.invalid",
        phone="+49 151 0000 1234",
        order_reference="ORDER-77-SECRET",
        provider_customer_id="cust-secret-42",
    )
    await store.upsert(
        [dataclasses.replace(full_review(), customer=pii, raw={"email": pii.email})],
        seen_at=T0,
    )
    await store.upsert(
        [dataclasses.replace(full_review(), customer=pii, rating=1)], seen_at=T0
    )
    await store.close()
    blob = every_byte(tmp_path)
    assert b"Thank you" in blob  # the file is readable: the check can fail
    for secret in (
        "Zebulon",
        "Quux",
        "zebulon.quux",
        "0000 1234",
        "ORDER-77",
        "cust-secret",
    ):
        assert secret.encode() not in blob
        assert secret.encode("utf-16-le") not in blob


async def test_upsert_counts_new_and_changed_only(store: SqliteStore) -> None:
    a, b = review(review_id="a"), review(review_id="b")
    assert await store.upsert([a, b], seen_at=T0) == 2
    assert await store.upsert([a, b], seen_at=T0 + timedelta(hours=1)) == 0
    # raw and customer are not stored, so a change to them changes nothing
    same = dataclasses.replace(a, raw={"x": 1}, customer=Customer(name="N"))
    assert await store.upsert([same], seen_at=T0) == 0
    edited = dataclasses.replace(b, body="Edited", rating=2, rating_exact=2.0)
    assert await store.upsert([edited, a], seen_at=T0) == 1
    assert await store.get([(Provider.TRUSTPILOT, "b")]) == [edited]
    summary = (await store.rating_summaries([(Provider.TRUSTPILOT, "SKU-A")]))[0]
    assert (summary.count, summary.distribution) == (2, StarDistribution(two=1, four=1))
    searched = await store.list_reviews(
        StoredQuery(providers=ALL, search="edited"), SortOrder.NEWEST
    )
    assert [r for r, _ in searched.items] == [edited]
    gone = await store.list_reviews(
        StoredQuery(providers=ALL, search="looks good"), SortOrder.NEWEST
    )
    assert [r.provider_review_id for r, _ in gone.items] == ["a"]


async def test_delete_and_count(store: SqliteStore) -> None:
    await store.upsert(
        [
            review(p, str(i))
            for p in (Provider.MAYAR, Provider.TRUSTOO)
            for i in range(3)
        ],
        seen_at=T0,
    )
    assert await store.count(Provider.MAYAR) == 3
    assert await store.delete(Provider.MAYAR, ["0", "1", "1", "nope"]) == 2
    assert await store.count(Provider.MAYAR) == 1
    assert await store.count(Provider.TRUSTOO) == 3
    assert await store.count(Provider.ETRUSTED) == 0
    page = await store.list_reviews(StoredQuery(providers=ALL), SortOrder.NEWEST)
    assert page.total == 4


async def test_prune_removes_what_a_walk_did_not_see(store: SqliteStore) -> None:
    walk_started = T0 + timedelta(hours=1)
    await store.upsert(
        [review(Provider.MAYAR, str(i)) for i in range(4)]
        + [review(Provider.TRUSTOO, "t")],
        seen_at=T0,
    )
    await store.upsert(
        [review(Provider.MAYAR, "1"), review(Provider.MAYAR, "3")],
        seen_at=walk_started + timedelta(minutes=1),
    )
    # an older sighting never moves a review back in time
    await store.upsert([review(Provider.MAYAR, "3")], seen_at=T0)
    assert await store.prune(Provider.MAYAR, not_seen_since=walk_started) == 2
    held = await store.get([(Provider.MAYAR, str(i)) for i in range(4)])
    assert [r is not None for r in held] == [False, True, False, True]
    assert await store.count(Provider.TRUSTOO) == 1


async def test_summaries_are_exact(store: SqliteStore) -> None:
    exact = [4.7, 4.3, 1.1, 2.2, 3.3, 5.0, 4.1, 0.1 + 0.2]
    items = [
        review(Provider.ETRUSTED, f"e{i}", rating=round(x) or 1, rating_exact=x)
        for i, x in enumerate(exact)
    ] + [
        review(
            Provider.ETRUSTED,
            "hidden",
            rating=1,
            rating_exact=1.0,
            status=ReviewStatus.HIDDEN,
        ),
        review(Provider.ETRUSTED, "other-sku", sku="SKU-B", rating=1, rating_exact=1.0),
        review(Provider.ETRUSTED, "s1", sku=None, rating=5, rating_exact=5.0),
        review(Provider.ETRUSTED, "s2", sku=None, rating=2, rating_exact=2.5),
        review(
            Provider.ETRUSTED,
            "s3",
            sku=None,
            rating=3,
            rating_exact=3.0,
            status=ReviewStatus.PENDING,
        ),
    ]
    await store.upsert(items, seen_at=T0)
    summary, none = await store.rating_summaries(
        [(Provider.ETRUSTED, "SKU-A"), (Provider.MAYAR, "SKU-A")]
    )
    expected_avg = float(sum(map(Fraction, exact)) / len(exact))
    stars = Counter(round(x) or 1 for x in exact)
    assert summary.count == len(exact)
    assert summary.average == expected_avg
    assert summary.distribution == StarDistribution.of(stars)
    assert (summary.provider, summary.sku) == (Provider.ETRUSTED, "SKU-A")
    assert (none.count, none.average, none.distribution) == (
        0,
        None,
        StarDistribution(),
    )
    shop, empty = await store.shop_summaries([Provider.ETRUSTED, Provider.TRUSTOO])
    assert (shop.count, shop.average, shop.sku) == (2, 3.75, None)
    assert shop.distribution == StarDistribution(two=1, five=1)
    assert empty.count == 0
    assert empty.average is None


async def test_attribute_summaries_over_every_platform(store: SqliteStore) -> None:
    def rated(p: Provider, rid: str, q: int, fit: int | None, **kw: object):  # type: ignore[no-untyped-def]
        attrs = [AttributeRating("quality", "Quality", q)]
        if fit is not None:
            attrs.append(AttributeRating("fit", "Fit", fit))
        return review(p, rid, attribute_ratings=tuple(attrs), **kw)

    await store.upsert(
        [
            rated(Provider.TRUSTPILOT, "1", 5, 2),
            rated(Provider.ETRUSTED, "2", 4, None),
            rated(Provider.MAYAR, "3", 4, 3),
            rated(Provider.MAYAR, "4", 1, 1, status=ReviewStatus.HIDDEN),
            rated(Provider.MAYAR, "5", 1, 1, sku="SKU-B"),
        ],
        seen_at=T0,
    )
    a, c = await store.attribute_summaries(["SKU-A", "SKU-C"])
    assert c == ()
    assert [s.id for s in a] == ["fit", "quality"]
    fit, quality = a
    assert (fit.name, fit.count, fit.average) == ("Fit", 2, 2.5)
    assert fit.distribution == StarDistribution(two=1, three=1)
    assert (quality.count, quality.average) == (3, float(Fraction(13, 3)))
    assert quality.distribution == StarDistribution(four=2, five=1)


async def test_sync_state_round_trips(store: SqliteStore) -> None:
    assert await store.load_state(Provider.MAYAR) is None
    state = SyncState(
        Provider.MAYAR,
        backfilled=True,
        cursor="page=7",
        watermark=T0 + timedelta(microseconds=3),
        last_success_at=T0,
        last_reconciled_at=None,
        last_error="PROVIDER_RATE_LIMITED",
        extra={"webhook_id": "w-1", "lane": "b"},
    )
    await store.save_state(state)
    assert await store.load_state(Provider.MAYAR) == state
    await store.save_state(SyncState(Provider.MAYAR))
    assert await store.load_state(Provider.MAYAR) == SyncState(Provider.MAYAR)
    assert await store.load_state(Provider.TRUSTOO) is None


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_one_holder_of_a_lease_across_two_stores(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "shared.sqlite3"
    one = await SqliteStore.open(path, clock=clock)
    two = await SqliteStore.open(path, clock=clock)
    try:
        assert await one.claim("sync:mayar", "gw-1", 30)
        assert not await two.claim("sync:mayar", "gw-2", 30)
        assert await two.claim("sync:trustoo", "gw-2", 30)  # names are independent
        clock.now += 20
        assert await one.claim("sync:mayar", "gw-1", 30)  # renewed to now + 30
        clock.now += 20
        assert not await two.claim("sync:mayar", "gw-2", 30)
        clock.now += 11
        assert await two.claim("sync:mayar", "gw-2", 30)  # expired: taken over
        assert not await one.claim("sync:mayar", "gw-1", 30)
        await one.release("sync:mayar", "gw-1")  # not the holder: no effect
        assert not await one.claim("sync:mayar", "gw-1", 30)
        await two.release("sync:mayar", "gw-2")
        assert await one.claim("sync:mayar", "gw-1", 30)
    finally:
        await one.close()
        await two.close()


async def test_kinds_filter_and_skus_imply_product(store: SqliteStore) -> None:
    await store.upsert(
        [review(review_id="p"), review(review_id="s", sku=None)], seen_at=T0
    )

    async def ids(q: StoredQuery) -> list[str]:
        page = await store.list_reviews(q, SortOrder.NEWEST)
        assert page.total == len(page.items)
        return sorted(r.provider_review_id for r, _ in page.items)

    assert await ids(StoredQuery(providers=ALL)) == ["p", "s"]
    shop = frozenset({ReviewKind.SHOP})
    assert await ids(StoredQuery(providers=ALL, kinds=shop)) == ["s"]
    assert await ids(StoredQuery(providers=ALL, skus=("SKU-A",))) == ["p"]


@pytest.mark.parametrize("limit", [0, -1, 1001])
async def test_a_limit_out_of_range_is_refused(store: SqliteStore, limit: int) -> None:
    with pytest.raises(ValueError, match="limit"):
        await store.list_reviews(
            StoredQuery(providers=ALL), SortOrder.NEWEST, limit=limit
        )
