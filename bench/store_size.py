"""The review store at scale: insert time, file size and query latencies.

    .venv/bin/python bench/store_size.py [--reviews N] [--path FILE]

Generates N plausible reviews (default 1,000,000) over the four platforms and about
2,000 SKUs, with titles and bodies of realistic length, inserts them in batches
through ``SqliteStore.upsert``, then times the reads the gateway makes through the
async interface (each includes the hop to a reader thread). Figures are printed,
never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gateway.records import (
    AttributeRating,
    Author,
    Media,
    MediaType,
    ProductRef,
    Provider,
    Reply,
    Review,
    ReviewKind,
    ReviewStatus,
)
from gateway.store.interface import SortOrder, StoredQuery
from gateway.store.sqlite import SqliteStore

SKUS = 2_000
BATCH = 5_000
ALL = frozenset(Provider)
START = datetime(2021, 1, 1, tzinfo=UTC)
SPAN_S = 5 * 365 * 24 * 3600

_COMMON = (
    "the a and it is was this for very good great quality product price fast "
    "delivery arrived packaging size fits well love recommend would again buy "
    "colour color material soft sturdy cheap expensive worth money service shop "
    "order ordered days week quickly easy use using used perfect nice happy "
    "disappointed broke broken after month return returned refund support friendly "
    "helpful description picture looks exactly expected better than smaller larger "
    "kettle jacket shoes lamp blender chair backpack headphones charger cable mug "
    "coffee tea water battery screen sound comfortable warm light heavy smell "
    "stitching zipper button handle lid glass steel wood cotton leather plastic "
    "gift daughter son husband wife friend christmas birthday summer winter rain "
    "café crème über naïve déjà straße smørrebrød"
)
_SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "te", "vi", "po", "da", "ge", "hu")
WORDS = _COMMON.split()
WORDS += [a + b + c for a in _SYLLABLES for b in _SYLLABLES for c in _SYLLABLES]
"""A long tail of rarer words after the common ones (review text is Zipfian)."""
WEIGHTS = [1.0 / (rank + 1) for rank in range(len(WORDS))]


def sentence(rng: random.Random, words: int) -> str:
    chosen = rng.choices(WORDS, WEIGHTS, k=words)
    return " ".join(chosen).capitalize() + "."


def generate(n: int, seed: int = 10) -> Iterator[Review]:
    rng = random.Random(seed)
    providers = list(Provider)
    for i in range(n):
        provider = providers[i % 4]
        shop = rng.random() < 0.15
        sku = None if shop else f"SKU-{rng.randrange(SKUS):05d}"
        stars = rng.choices([1, 2, 3, 4, 5], [5, 4, 8, 25, 58])[0]
        exact = stars - rng.choice([0.0, 0.0, 0.3, 0.5]) if stars > 1 else 1.0
        created = START + timedelta(seconds=rng.randrange(SPAN_S))
        body = " ".join(
            sentence(rng, rng.randint(6, 16)) for _ in range(rng.randint(1, 5))
        )
        yield Review(
            provider=provider,
            provider_review_id=f"{provider.value[:2]}-{i:08d}",
            rating=stars,
            rating_exact=exact if provider is Provider.ETRUSTED else float(stars),
            created_at=created,
            updated_at=created + timedelta(days=3) if rng.random() < 0.1 else None,
            status=ReviewStatus.PUBLISHED
            if rng.random() < 0.93
            else ReviewStatus.HIDDEN,
            author=Author(
                f"{rng.choice(['Ann', 'Budi', 'Chen', 'Dana'])} {chr(65 + i % 26)}.",
                "DE",
            ),
            title=sentence(rng, rng.randint(2, 6)),
            body=body,
            language=rng.choice(["en", "de", "id", None]),
            verified=rng.random() < 0.7,
            product=None
            if sku is None
            else ProductRef(provider, f"p{sku}", sku=sku, name=f"Product {sku}"),
            kind=ReviewKind.SHOP if shop else ReviewKind.PRODUCT,
            media=(Media(MediaType.IMAGE, f"https://cdn.example/{i}.jpg"),)
            if rng.random() < 0.05
            else (),
            reply=Reply("Thank you for your review!", created + timedelta(days=1))
            if rng.random() < 0.2
            else None,
            attribute_ratings=(AttributeRating("quality", "Quality", stars),)
            if provider is Provider.ETRUSTED and not shop
            else (),
        )


async def timed(
    label: str, runs: int, make: Callable[[int], Awaitable[object]]
) -> None:
    samples = []
    for i in range(runs):
        began = time.perf_counter()
        await make(i)
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    p50 = statistics.median(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    print(f"  {label:<44} p50 {p50:8.2f} ms   p99 {p99:8.2f} ms   (n={runs})")


async def insert(store: SqliteStore, n: int) -> None:
    began = time.perf_counter()
    batch: list[Review] = []
    seen = datetime.now(UTC)
    for review in generate(n):
        batch.append(review)
        if len(batch) == BATCH:
            await store.upsert(batch, seen_at=seen)
            batch = []
    if batch:
        await store.upsert(batch, seen_at=seen)
    elapsed = time.perf_counter() - began
    print(
        f"insert: {n:,} reviews in {elapsed:.1f} s "
        f"({n / elapsed:,.0f}/s, batches of {BATCH:,})"
    )


async def deep_token(store: SqliteStore, order: SortOrder, pages: int) -> str | None:
    after = None
    for _ in range(pages):
        page = await store.list_reviews(
            StoredQuery(providers=ALL), order, after=after, limit=100
        )
        after = page.next
    return after


async def queries(store: SqliteStore, runs: int) -> None:
    rng = random.Random(1)
    skus = [f"SKU-{rng.randrange(SKUS):05d}" for _ in range(runs)]
    published = StoredQuery(providers=ALL)
    print("latency (through the async interface):")
    await timed(
        "a bare hop to a reader thread and back",
        runs,
        lambda i: store._readers.run(lambda conn: None),
    )
    await timed(
        "product page (sku, PUBLISHED, NEWEST, 10+total)",
        runs,
        lambda i: store.list_reviews(
            StoredQuery(providers=ALL, skus=(skus[i],)), SortOrder.NEWEST, limit=10
        ),
    )
    await timed(
        "product page, HIGHEST_RATED, page 2",
        runs,
        lambda i: _second_page(store, skus[i]),
    )
    for order in SortOrder:
        await timed(
            f"shop-wide page 1, {order.name} (20+total)",
            runs,
            lambda i, order=order: store.list_reviews(published, order, limit=20),
        )
        token = await deep_token(store, order, 50)
        await timed(
            f"shop-wide page after 5,000, {order.name}",
            runs,
            lambda i, order=order, token=token: store.list_reviews(
                published, order, after=token, limit=20
            ),
        )
    one = StoredQuery(
        providers=frozenset({Provider.MAYAR}), kinds=frozenset({ReviewKind.SHOP})
    )
    await timed(
        "shop reviews of one platform, NEWEST",
        runs,
        lambda i: store.list_reviews(one, SortOrder.NEWEST),
    )
    lang = StoredQuery(providers=ALL, language="de", verified=True)
    await timed(
        "shop-wide, language + verified filters",
        max(5, runs // 10),
        lambda i: store.list_reviews(lang, SortOrder.NEWEST),
    )
    for text in ("good", "zipper broke", "smørrebrød", "kalomi", "coffee great"):
        q = StoredQuery(providers=ALL, search=text)
        await timed(
            f"search {text!r}, NEWEST, 20+total",
            max(5, runs // 10),
            lambda i, q=q: store.list_reviews(q, SortOrder.NEWEST),
        )
    q = StoredQuery(providers=ALL, skus=("SKU-00042",), search="good")
    await timed(
        "search 'good' within one product",
        runs,
        lambda i: store.list_reviews(q, SortOrder.NEWEST),
    )
    await timed(
        "rating summaries, 1 sku x 4 platforms",
        runs,
        lambda i: store.rating_summaries([(p, skus[i]) for p in Provider]),
    )
    await timed(
        "rating summaries, 50 skus x 4 platforms",
        max(5, runs // 10),
        lambda i: store.rating_summaries([(p, s) for s in skus[:50] for p in Provider]),
    )
    await timed(
        "shop summaries, 4 platforms",
        runs,
        lambda i: store.shop_summaries(list(Provider)),
    )
    await timed(
        "attribute summaries, 1 sku",
        runs,
        lambda i: store.attribute_summaries([skus[i]]),
    )
    await timed(
        "get 20 reviews by key",
        runs,
        lambda i: store.get(
            [(Provider.ETRUSTED, f"et-{4 * (i * 20 + k) + 1:08d}") for k in range(20)]
        ),
    )


async def _second_page(store: SqliteStore, sku: str) -> object:
    q = StoredQuery(providers=ALL, skus=(sku,))
    first = await store.list_reviews(q, SortOrder.HIGHEST_RATED, limit=10)
    return await store.list_reviews(
        q, SortOrder.HIGHEST_RATED, after=first.next, limit=10
    )


def size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--path", type=Path, default=None, help="keep the file here")
    parser.add_argument(
        "--reads-only", action="store_true", help="time the reads of --path again"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        path = args.path or Path(scratch) / "reviews.sqlite3"
        store = await SqliteStore.open(path)
        try:
            if not args.reads_only:
                await insert(store, args.reviews)
            await store.close()  # checkpoints the WAL: the size is the file's own
            total = size(path)
            store = await SqliteStore.open(path)
            held = sum([await store.count(p) for p in Provider])
            print(
                f"file size: {total / 1e6:,.1f} MB for {held:,} reviews "
                f"({total / max(held, 1):,.0f} bytes per review)"
            )
            await queries(store, args.runs)
        finally:
            await store.close()


if __name__ == "__main__":
    asyncio.run(main())
