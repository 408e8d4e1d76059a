"""Orders, keyset paging, totals and filters against a Python model of the contract."""

from __future__ import annotations

import asyncio
import base64
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.records import Provider, Review, ReviewKind, ReviewStatus
from gateway.store.interface import SortOrder, StoredQuery
from gateway.store.pages import SearchPlan
from gateway.store.sqlite import SqliteStore
from resolvers.filters import ReviewOrder, sort_key
from tests.store.factory import IDS, T0, public, review, reviews

ALL = frozenset(Provider)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
RANK = {p: i for i, p in enumerate(Provider)}


def micros(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def contract_key(order: SortOrder) -> Callable[[Review], tuple[Any, ...]]:
    """The interface's ordering contract, written out independently of the store."""

    def key(r: Review) -> tuple[Any, ...]:
        created = micros(r.created_at)
        tie = (RANK[r.provider], r.provider_review_id)
        if order is SortOrder.NEWEST:
            return (-created, *tie)
        if order is SortOrder.OLDEST:
            return (created, *tie)
        if order is SortOrder.HIGHEST_RATED:
            return (-r.rating_exact, -created, *tie)
        if order is SortOrder.LOWEST_RATED:
            return (r.rating_exact, -created, *tie)
        return (-micros(r.updated_at or r.created_at), *tie)

    return key


def folded_words(text: str | None) -> set[str]:
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return set(re.findall(r"\w+", plain.casefold()))


def found(search: str | None, r: Review) -> bool:
    wanted = folded_words(search)
    return wanted <= (folded_words(r.title) | folded_words(r.body))


def matches(q: StoredQuery, r: Review) -> bool:
    sku = r.product.sku if r.product else None
    checks = [
        r.provider in q.providers,
        q.skus is None or (sku in q.skus and r.kind is ReviewKind.PRODUCT),
        q.kinds is None or r.kind in q.kinds,
        r.status in q.statuses,
        q.ratings is None or r.rating in q.ratings,
        q.language is None or r.language == q.language,
        q.created_after is None or r.created_at >= q.created_after,
        q.created_before is None or r.created_at < q.created_before,
        q.with_media is None or bool(r.media) == q.with_media,
        q.verified is None or r.verified is q.verified,
        q.has_reply is None or (r.reply is not None) == q.has_reply,
        found(q.search, r),
    ]
    return all(checks)


async def walk(
    store: SqliteStore, q: StoredQuery, order: SortOrder, size: int
) -> tuple[list[Review], set[int]]:
    seen: list[Review] = []
    totals: set[int] = set()
    after = None
    while True:
        page = await store.list_reviews(q, order, after=after, limit=size)
        totals.add(page.total)
        seen.extend(r for r, _ in page.items)
        if page.next is None:
            return seen, totals
        assert page.next == page.items[-1][1]
        after = page.next


def latest(items: list[Review]) -> list[Review]:
    held = {(r.provider, r.provider_review_id): public(r) for r in items}
    return list(held.values())


queries = st.builds(
    StoredQuery,
    providers=st.frozensets(st.sampled_from(list(Provider)), min_size=1),
    skus=st.none() | st.sampled_from([("SKU-A",), ("SKU-A", "SKU-C")]),
    kinds=st.none() | st.sampled_from([frozenset({ReviewKind.SHOP})]),
    statuses=st.sampled_from(
        [frozenset({ReviewStatus.PUBLISHED}), frozenset(ReviewStatus)]
    ),
    ratings=st.none() | st.just(frozenset({4, 5})),
    language=st.none() | st.just("en"),
    created_after=st.none() | st.just(T0 + timedelta(minutes=2)),
    created_before=st.none() | st.just(T0 + timedelta(minutes=5)),
    with_media=st.none() | st.booleans(),
    verified=st.none() | st.booleans(),
    has_reply=st.none() | st.booleans(),
    search=st.sampled_from([None, "cafe", "KETTLE bad", "fine", "Crème", "nothing"]),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    items=st.lists(reviews(), max_size=40),
    order=st.sampled_from(list(SortOrder)),
    size=st.integers(1, 9),
    query=queries,
    plan=st.sampled_from([SearchPlan(), SearchPlan(0, 0.0), SearchPlan(0, 1e12)]),
    split=st.integers(0, 40),
    gone=st.lists(st.tuples(st.sampled_from(list(Provider)), st.sampled_from(IDS))),
)
def test_every_order_pages_to_the_end_in_the_contract_order(
    items: list[Review],
    order: SortOrder,
    size: int,
    query: StoredQuery,
    plan: SearchPlan,
    split: int,
    gone: list[tuple[Provider, str]],
) -> None:
    async def run() -> None:
        # every full-text plan: probe rows, walk the order's index, sort matches
        store = await SqliteStore.open(":memory:", search=plan)
        try:
            # two batches (so later ones update rows), then some deletes
            await store.upsert(items[:split], seen_at=T0)
            await store.upsert(items[split:], seen_at=T0)
            for provider, review_id in gone:
                await store.delete(provider, [review_id])
            seen, totals = await walk(store, query, order, size)
        finally:
            await store.close()
        held = [
            r for r in latest(items) if (r.provider, r.provider_review_id) not in gone
        ]
        expected = sorted(
            (r for r in held if matches(query, r)), key=contract_key(order)
        )
        assert seen == expected
        assert totals == {len(expected)}

    asyncio.run(run())


@pytest.mark.parametrize(
    ("order", "merged"),
    [
        (SortOrder.NEWEST, ReviewOrder.NEWEST),
        (SortOrder.OLDEST, ReviewOrder.OLDEST),
        (SortOrder.HIGHEST_RATED, ReviewOrder.HIGHEST_RATED),
        (SortOrder.LOWEST_RATED, ReviewOrder.LOWEST_RATED),
    ],
)
async def test_store_order_is_the_order_resolvers_merge_in(
    store: SqliteStore, order: SortOrder, merged: ReviewOrder
) -> None:
    items = [
        review(
            p,
            f"{p.value}-{i}",
            rating=1 + i % 5,
            rating_exact=1 + (i % 9) / 2,
            created_at=T0 + timedelta(seconds=i % 4),
        )
        for i in range(30)
        for p in Provider
    ]
    await store.upsert(items, seen_at=T0)
    seen, _ = await walk(store, StoredQuery(providers=ALL), order, 7)
    assert seen == sorted(map(public, items), key=sort_key(merged))


async def test_search_needs_every_word_accents_and_case_folded(
    store: SqliteStore,
) -> None:
    await store.upsert(
        [
            review(review_id="1", title="Crème brûlée", body="Delicious CAFÉ dessert"),
            review(review_id="2", title="Cafe", body="plain"),
            review(review_id="3", title=None, body="nothing here"),
        ],
        seen_at=T0,
    )

    async def ids(text: str | None) -> list[str]:
        q = StoredQuery(providers=ALL, search=text)
        page = await store.list_reviews(q, SortOrder.NEWEST, limit=10)
        assert page.total == len(page.items)
        return sorted(r.provider_review_id for r, _ in page.items)

    assert await ids("cafe") == ["1", "2"]
    assert await ids("creme  CAFE") == ["1"]
    assert await ids("brulee plain") == []
    assert await ids(None) == ["1", "2", "3"]
    assert await ids("   ") == ["1", "2", "3"]


@pytest.mark.parametrize(
    "hostile",
    [
        '"',
        '""',
        'cafe"',
        "caf*",
        "NEAR(cafe brulee)",
        "-cafe",
        "cafe OR plain",
        "AND",
        "title:cafe",
        "(",
        "^cafe",
        "'; DROP TABLE reviews; --",
        "\x00",
        "*",
        "+",
    ],
)
async def test_search_text_is_data_never_syntax(
    store: SqliteStore, hostile: str
) -> None:
    await store.upsert([review(review_id="1", title="cafe and plain")], seen_at=T0)
    q = StoredQuery(providers=ALL, search=hostile)
    page = await store.list_reviews(q, SortOrder.NEWEST)
    assert page.total == len(page.items)
    assert (await store.count(Provider.TRUSTPILOT)) == 1


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "token",
    [
        "",
        "x",
        "!!!",
        b64("not json"),
        b64("[1]"),
        b64('{"n": 1}'),
        b64('["n", 1.5, 0, "a"]'),
        b64('["n", "1", 0, "a"]'),
        b64('["n", true, 0, "a"]'),
        b64('["n", 1, 9, "a"]'),
        b64('["n", 1, 0, 7]'),
        b64('["n", 1, 0, "a", "extra"]'),
        b64('["z", 1, 0, "a"]'),
    ],
)
async def test_a_malformed_token_is_a_value_error(
    store: SqliteStore, token: str
) -> None:
    with pytest.raises(ValueError, match="cursor"):
        await store.list_reviews(
            StoredQuery(providers=ALL), SortOrder.NEWEST, after=token
        )


async def test_a_token_of_another_order_is_refused(store: SqliteStore) -> None:
    await store.upsert([review(review_id=str(i)) for i in range(3)], seen_at=T0)
    page = await store.list_reviews(
        StoredQuery(providers=ALL), SortOrder.NEWEST, limit=1
    )
    assert page.next is not None
    with pytest.raises(ValueError, match="another order than OLDEST"):
        await store.list_reviews(
            StoredQuery(providers=ALL), SortOrder.OLDEST, after=page.next
        )


async def test_a_token_outlives_the_row_it_was_made_after(store: SqliteStore) -> None:
    await store.upsert(
        [
            review(review_id=str(i), created_at=T0 + timedelta(hours=i))
            for i in range(4)
        ],
        seen_at=T0,
    )
    q = StoredQuery(providers=ALL)
    first = await store.list_reviews(q, SortOrder.NEWEST, limit=2)
    assert [r.provider_review_id for r, _ in first.items] == ["3", "2"]
    await store.delete(Provider.TRUSTPILOT, ["2"])
    rest = await store.list_reviews(q, SortOrder.NEWEST, after=first.next, limit=5)
    assert [r.provider_review_id for r, _ in rest.items] == ["1", "0"]
    assert rest.total == 3
    assert rest.next is None


async def test_empty_filters_match_nothing(store: SqliteStore) -> None:
    await store.upsert([review()], seen_at=T0)
    for q in (
        StoredQuery(providers=frozenset()),
        StoredQuery(providers=ALL, skus=()),
        StoredQuery(providers=ALL, statuses=frozenset()),
        StoredQuery(providers=ALL, skus=("SKU-A",), kinds=frozenset({ReviewKind.SHOP})),
    ):
        page = await store.list_reviews(q, SortOrder.NEWEST)
        assert (page.items, page.total, page.next) == ((), 0, None)
