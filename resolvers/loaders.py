"""Per-request dataloaders over the cross-request result cache.

Each loader batches the keys a request asks for within one tick and sends them to the
platform in as few calls as its API allows (Trustpilot batch-summaries, comma lists of
SKUs, ...). Batch functions answer aligned with their keys: the value, ``None`` for a
missing object, or the exception of a key that failed (aiodataloader rejects only that
key's load). Before calling a platform they take what the ``ResultCache`` holds, and the
misses go out as one call that concurrent identical batches share.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, TypeVar, cast

from aiodataloader import DataLoader

from gateway.cache import cache_key
from gateway.errors import ProviderError
from gateway.records import (
    AttributeSummary,
    Conversation,
    Provider,
    RatingSummary,
    Review,
    ReviewKey,
    ReviewReport,
)
from gateway.store import ReviewStore

if TYPE_CHECKING:
    from resolvers.context import Services

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
SummaryKey = tuple[Provider, str]
ReviewLoadKey = tuple[Provider, ReviewKey]
StoredKey = tuple[Provider, str]
SHOP = "shop"
"""The one key of a platform's shop-wide summary in the result cache."""
MAX_BATCH = 1000
"""Keys per batch across all platforms; each client chunks to its platform's limit
(Trustpilot's batch-summaries takes 100 SKUs), so a loader never splits one
platform's keys below that limit."""


@dataclass(frozen=True, slots=True)
class Loaders:
    """One loader per key kind; built fresh for every request."""

    summary_by_sku: DataLoader[SummaryKey, RatingSummary]
    review_by_key: DataLoader[ReviewLoadKey, Review | None]
    conversation_by_id: DataLoader[str, Conversation | None]
    attribute_summaries_by_sku: DataLoader[str, tuple[AttributeSummary, ...]]
    reports_by_review_id: DataLoader[str, tuple[ReviewReport, ...]]
    """eTrusted review id -> its reports (vetos)."""
    shop_summary_by_provider: DataLoader[Provider, RatingSummary]
    stored_review: DataLoader[StoredKey, Review | None]
    """(platform, platform review id) -> the review the index holds (any status)."""
    stored_summary_by_sku: DataLoader[SummaryKey, RatingSummary]
    """(platform, SKU) -> the exact summary of its PUBLISHED stored reviews."""
    stored_attributes_by_sku: DataLoader[str, tuple[AttributeSummary, ...]]
    stored_shop_summary: DataLoader[Provider, RatingSummary]
    stored_conversation: DataLoader[StoredKey, Conversation | None]
    """(platform, conversation id) -> the thread the index holds (a private one
    without its comments)."""


async def _cached_batch(
    services: Services,
    provider: Provider,
    resource: str,
    keys: Sequence[K],
    fetch: Callable[[list[K]], Awaitable[Sequence[V | ProviderError]]],
) -> dict[K, V | Exception]:
    """Answer ``keys`` from the cache, fetching the misses in one shared call."""
    cache = services.cache
    answers: dict[K, V | Exception] = {}
    misses: list[K] = []
    for key in dict.fromkeys(keys):
        item_key = cache_key(provider, resource, key)
        hit = cache.get(item_key)
        if hit is None:
            misses.append(key)
        else:
            cache.hit(item_key)
            answers[key] = cast("V", hit)
    if not misses:
        return answers

    async def load() -> object:
        return list(await fetch(misses))

    batch_key = cache_key(provider, resource + "-batch", tuple(misses))
    try:
        values = cast(
            "list[V | ProviderError]", await cache.get_or_load(batch_key, load)
        )
    except ProviderError as exc:
        values = [exc] * len(misses)
    cache.invalidate(lambda k: k == batch_key)
    for key, value in zip(misses, values, strict=True):
        item_key = cache_key(provider, resource, key)
        if isinstance(value, ProviderError):
            stale = cache.stale(item_key, value)
            answers[key] = cast("V", stale) if stale is not None else value
            continue
        if value is not None:
            cache.put(item_key, value)
        answers[key] = value
    return answers


def _by_provider(keys: Sequence[tuple[Provider, K]]) -> dict[Provider, list[K]]:
    groups: dict[Provider, list[K]] = defaultdict(list)
    for provider, key in keys:
        groups[provider].append(key)
    return groups


async def _per_provider(
    services: Services,
    resource: str,
    keys: Sequence[tuple[Provider, K]],
    fetch: Callable[[Provider, list[K]], Awaitable[Sequence[V | ProviderError]]],
) -> list[V | Exception]:
    groups = _by_provider(keys)

    async def one(provider: Provider, group: list[K]) -> dict[K, V | Exception]:
        return await _cached_batch(
            services, provider, resource, group, lambda ks: fetch(provider, ks)
        )

    results = await asyncio.gather(*(one(p, g) for p, g in groups.items()))
    answers = dict(zip(groups, results, strict=True))
    return [answers[provider][key] for provider, key in keys]


class SharedLoader(DataLoader[K, V]):
    """A DataLoader whose per-key future survives any one cancelled awaiter.

    aiodataloader hands every field that loads a key the same future; a field that
    is cancelled (graphql-core cancels the siblings of a failed non-null field)
    would cancel it for every other field of the request, whose ``CancelledError``
    then escapes execution as an HTTP 500. Each ``load`` is shielded instead.
    """

    def load(self, key: K) -> asyncio.Future[V]:
        return asyncio.shield(super().load(key))


def _loader(
    batch: Callable[[list[K]], Awaitable[Sequence[V | Exception]]],
) -> DataLoader[K, V]:
    # aiodataloader resolves a key whose slot holds an Exception by rejecting that
    # key's load, but its stub types the batch answer as values only.
    return SharedLoader(batch, max_batch_size=MAX_BATCH)  # type: ignore[arg-type]


async def _reports(
    services: Services, review_ids: list[str]
) -> list[tuple[ReviewReport, ...] | Exception]:
    """The reports of eTrusted reviews: their vetos (at most one a review)."""
    client = services.clients.etrusted
    if client is None:
        return [()] * len(review_ids)

    async def one(review_id: str) -> tuple[ReviewReport, ...] | ProviderError:
        try:
            veto = await client.veto(review_id)
        except ProviderError as exc:
            return exc
        return () if veto is None else (veto,)

    async def fetch(
        batch: list[str],
    ) -> Sequence[tuple[ReviewReport, ...] | ProviderError]:
        # eTrusted reads one review's veto per call: the batch runs concurrently.
        return await asyncio.gather(*(one(i) for i in batch))

    answers = await _cached_batch(
        services, Provider.ETRUSTED, "reports", review_ids, fetch
    )
    return [answers[i] for i in review_ids]


async def _shop_summaries(
    services: Services, keys: list[Provider]
) -> list[RatingSummary | Exception]:
    """Each platform's shop-wide summary, through the cache (one key per platform)."""

    async def one(provider: Provider) -> RatingSummary | Exception:
        source = services.shop_summaries[provider]

        async def fetch(_: list[str]) -> list[RatingSummary]:
            return [await source.shop_summary()]

        answers = await _cached_batch(services, provider, "shop-summary", [SHOP], fetch)
        return answers[SHOP]

    return list(await asyncio.gather(*(one(p) for p in keys)))


def _stored_loaders(
    services: Services,
) -> tuple[
    DataLoader[StoredKey, Review | None],
    DataLoader[SummaryKey, RatingSummary],
    DataLoader[str, tuple[AttributeSummary, ...]],
    DataLoader[Provider, RatingSummary],
    DataLoader[StoredKey, Conversation | None],
]:
    """The index's loaders: one store call per batch.

    The store does not fail per platform, so no key is answered with an error.
    """

    def store() -> ReviewStore:
        index = services.index
        assert index is not None  # reads ask the store only when there is an index
        return index.store

    async def reviews(keys: list[StoredKey]) -> list[Review | None]:
        return await store().get(list(keys))

    async def summaries(keys: list[SummaryKey]) -> list[RatingSummary]:
        return await store().rating_summaries(list(keys))

    async def attributes(skus: list[str]) -> list[tuple[AttributeSummary, ...]]:
        return await store().attribute_summaries(list(skus))

    async def shops(providers: list[Provider]) -> list[RatingSummary]:
        return await store().shop_summaries(list(providers))

    async def threads(keys: list[StoredKey]) -> list[Conversation | None]:
        return await store().get_conversations(list(keys))

    return (
        _loader(reviews),
        _loader(summaries),
        _loader(attributes),
        _loader(shops),
        _loader(threads),
    )


def build_loaders(services: Services) -> Loaders:
    """Fresh loaders bound to ``services`` (call inside the running loop)."""

    async def summaries(keys: list[SummaryKey]) -> list[RatingSummary | Exception]:
        async def fetch(
            provider: Provider, skus: list[str]
        ) -> Sequence[RatingSummary | ProviderError]:
            return await services.sources[provider].summaries_by_sku(skus)

        return await _per_provider(services, "summary", keys, fetch)

    async def reviews(keys: list[ReviewLoadKey]) -> list[Review | Exception | None]:
        async def fetch(
            provider: Provider, batch: list[ReviewKey]
        ) -> Sequence[Review | ProviderError | None]:
            return await services.sources[provider].reviews_by_keys(batch)

        return await _per_provider(services, "review", keys, fetch)

    async def conversations(ids: list[str]) -> list[Conversation | Exception | None]:
        source = services.conversations
        if source is None:
            return [None] * len(ids)
        answers = await _cached_batch(
            services,
            Provider.TRUSTPILOT,
            "conversation",
            ids,
            source.conversations_by_ids,
        )
        return [answers[i] for i in ids]

    async def attributes(
        skus: list[str],
    ) -> list[tuple[AttributeSummary, ...] | Exception]:
        source = services.attributes
        if source is None:
            return [()] * len(skus)
        answers = await _cached_batch(
            services,
            Provider.TRUSTPILOT,
            "attributes",
            skus,
            source.attribute_summaries,
        )
        return [answers[s] for s in skus]

    async def reports(
        review_ids: list[str],
    ) -> list[tuple[ReviewReport, ...] | Exception]:
        return await _reports(services, review_ids)

    stored = _stored_loaders(services)
    return Loaders(
        summary_by_sku=_loader(summaries),
        review_by_key=_loader(reviews),
        conversation_by_id=_loader(conversations),
        attribute_summaries_by_sku=_loader(attributes),
        reports_by_review_id=_loader(reports),
        shop_summary_by_provider=_loader(partial(_shop_summaries, services)),
        stored_review=stored[0],
        stored_summary_by_sku=stored[1],
        stored_attributes_by_sku=stored[2],
        stored_shop_summary=stored[3],
        stored_conversation=stored[4],
    )
