"""Review use cases: merged lists over the platforms, and single reviews by id."""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from gateway.config import CatalogEntry
from gateway.errors import ProviderError
from gateway.records import (
    Provider,
    Review,
    ReviewKey,
    ReviewKind,
    ReviewReport,
    ReviewStatus,
)
from resolvers import cursor as cursors
from resolvers.connections import Connection, Edge, check_first
from resolvers.context import READ_PRIVATE, Context, ErrorSink
from resolvers.cursor import STORE_STREAM, Cursor, StreamPosition
from resolvers.filters import WITH_REPLIES, ReviewFilter, ReviewOrder
from resolvers.merge import MergeStream, Stream, merge, page_size
from resolvers.products import Product, product
from resolvers.stored import StoreStream, stored_query

DEFAULT_FIRST: Final = 20
PRODUCT_REVIEWS: Final = frozenset({ReviewKind.PRODUCT})


ReviewConnection = Connection[Review]
"""One page of a merged review list."""


def _providers(
    ctx: Context, skus: tuple[str, ...] | None, f: ReviewFilter
) -> list[Provider]:
    chosen = [
        p
        for p in ctx.services.providers
        if (f.providers is None or p in f.providers)
        and (f.has_reply is not True or p in WITH_REPLIES)
    ]
    if skus is None:
        return chosen
    catalog = ctx.services.catalog
    return [p for p in chosen if any(catalog.listed_on(p, sku) for sku in skus)]


def _split(
    ctx: Context, providers: list[Provider], start: Cursor, resumed: bool
) -> tuple[list[Provider], list[Provider]]:
    """The list's platforms read from the index, and those read live.

    A cursor keeps the split it was issued with, so paging on never repeats or
    skips a review: a platform it holds a live position for stays live for that
    list (its backfill may have finished since), and one that was in its store
    stream stays there while there is an index.
    """
    in_store = STORE_STREAM in start.streams and ctx.services.index is not None
    indexed: list[Provider] = []
    live: list[Provider] = []
    for p in providers:
        if not resumed:
            stored = ctx.services.indexed(p)
        else:
            was_live = p.value in start.streams
            stored = not was_live and (in_store or ctx.services.indexed(p))
        (indexed if stored else live).append(p)
    return indexed, live


async def list_reviews(
    ctx: Context,
    sink: ErrorSink,
    *,
    skus: tuple[str, ...] | None,
    review_filter: ReviewFilter,
    order: ReviewOrder,
    first: int = DEFAULT_FIRST,
    after: str | None = None,
) -> ReviewConnection:
    """One page of the reviews of ``skus`` (``None``: the whole shop), merged.

    The platforms served by the review index are one store stream, filtered in SQL
    and paged natively in every order (``resolvers.stored``); the others are read
    live, their filters sent down where the platform applies them and the rest
    applied here. ``after`` must be a cursor of the same list (same scope, filter
    and order). A platform that fails is named in ``missing`` and keeps the list
    open; a page left with no edge by it still has an end cursor
    (``resume_cursor``) to page on from. ``total_count`` is exact unless a live
    platform is filtered in the gateway in NEWEST order (it is not read whole).
    """
    check_first(first, ctx.services.settings.max_page_size)
    if skus is not None and review_filter.kinds is None:
        # A product's list holds its product reviews (shop reviews name no product).
        review_filter = replace(review_filter, kinds=PRODUCT_REVIEWS)
    providers = _providers(ctx, skus, review_filter)
    list_print = cursors.fingerprint(skus, review_filter, order, tuple(providers))
    settings = ctx.services.settings
    start = (
        cursors.decode(after, list_print, settings) if after else Cursor(list_print, {})
    )
    size = page_size(first, settings.max_page_size)
    indexed, live = _split(ctx, providers, start, after is not None)
    query = review_filter.query(skus)
    streams: list[MergeStream] = [
        Stream(
            ctx,
            ctx.services.sources[p],
            query,
            review_filter,
            start.streams.get(p.value, StreamPosition(None, size, 0)),
        )
        for p in live
    ]
    index = ctx.services.index
    if indexed and index is not None:
        # The store pages by keyset: a page of ``first`` is all this list can
        # take from it, whatever page size the cursor was made with.
        at = start.streams.get(STORE_STREAM, StreamPosition(None, size, 0))
        stored = StoreStream(
            index.store,
            stored_query(indexed, skus, review_filter),
            order,
            replace(at, page_size=max(first, 1)),
        )
        await stored.prime()
        streams.append(stored)
    merged = await merge(streams, order, first, sink)
    edges = tuple(
        Edge(cursors.encode(Cursor(list_print, positions), settings), review)
        for review, positions in merged.items
    )
    exact = (
        not live
        or not review_filter.filters_in_gateway
        or order is not ReviewOrder.NEWEST
    )
    resume = None
    if not edges and merged.missing:
        resume = cursors.encode(Cursor(list_print, merged.positions), settings)
    return Connection(
        edges=edges,
        has_next_page=merged.has_next_page,
        has_previous_page=after is not None,
        total_count=merged.total if exact else None,
        missing=merged.missing,
        resume_cursor=resume,
    )


def readable(ctx: Context, review: Review) -> bool:
    """The lists' status rule: without read:private only PUBLISHED reviews exist."""
    return review.status is ReviewStatus.PUBLISHED or READ_PRIVATE in ctx.caller.scopes


async def review(ctx: Context, provider: Provider, key: ReviewKey) -> Review | None:
    """One review by its platform and key; ``None`` when the caller cannot see it.

    The single door to a review by id: ``review``, ``node``, ``_entities``,
    ``Conversation.review`` and the reads after a write all come through here, so
    a review the lists would not show (``readable``) does not exist by id either.
    An indexed platform's review is read from the store (which holds every
    status), the others' from the platform.
    """
    if provider not in ctx.services.sources:
        return None
    if ctx.services.indexed(provider):
        found = await ctx.loaders.stored_review.load((provider, key.id))
    else:
        found = await ctx.loaders.review_by_key.load((provider, key))
    return found if found is not None and readable(ctx, found) else None


async def live_review(ctx: Context, sink: ErrorSink, review: Review) -> Review | None:
    """``review`` as its platform holds it now, with its private parts.

    The store keeps no customer or raw payload: for a review of an indexed
    platform they are one live read (batched and cached through the review
    loader, for server keys only: the caller checks the scope). A review read live
    already has them. ``None`` when the platform no longer has it or fails (the
    failure is reported through ``sink``).
    """
    if not ctx.services.indexed(review.provider):
        return review
    try:
        return await ctx.loaders.review_by_key.load((review.provider, review.key))
    except ProviderError as error:
        sink(error)
        return None


async def review_or_report(
    ctx: Context, sink: ErrorSink, provider: Provider, key: ReviewKey
) -> Review | None:
    """Like ``review``, reporting a platform failure instead of raising it."""
    try:
        return await review(ctx, provider, key)
    except ProviderError as error:
        sink(error)
        return None


async def reports_of(
    ctx: Context, sink: ErrorSink, review: Review
) -> tuple[ReviewReport, ...]:
    """The reports filed against ``review`` (eTrusted vetos). Needs read:private.

    ``()`` on platforms without reports. The reviews of one request are read
    together (one call per eTrusted review, concurrently) and cached; a platform
    failure is reported through ``sink`` and reads as ``()``.
    """
    ctx.caller.require(READ_PRIVATE, "Review.reports")
    if review.provider is not Provider.ETRUSTED:
        return ()
    try:
        return await ctx.loaders.reports_by_review_id.load(review.provider_review_id)
    except ProviderError as error:
        sink(error)
        return ()


def product_of(ctx: Context, review: Review) -> Product | None:
    """The catalog product a review is about; ``None`` for a shop review.

    A SKU the catalog does not list (Trustpilot and eTrusted key by SKU, so one may
    appear) becomes a product described by what the platform said about it.
    """
    ref = review.product
    if ref is None or ref.sku is None:
        return None
    found = product(ctx, ref.sku)
    if found is not None:
        return found
    entry = CatalogEntry(
        sku=ref.sku,
        name=ref.name,
        gtin=ref.gtin,
        mpn=ref.mpn,
        brand=ref.brand,
        url=ref.url,
        image_url=ref.image_url,
    )
    return Product(ref.sku, entry)
