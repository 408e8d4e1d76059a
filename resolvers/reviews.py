"""Review use cases: merged lists over the platforms, and single reviews by id."""

from __future__ import annotations

from typing import Final

from gateway.config import CatalogEntry
from gateway.errors import InvalidInput, ProviderError
from gateway.records import Provider, Review, ReviewKey
from resolvers import cursor as cursors
from resolvers.connections import Connection, Edge
from resolvers.context import Context, ErrorSink
from resolvers.cursor import Cursor, StreamPosition
from resolvers.filters import ReviewFilter, ReviewOrder
from resolvers.merge import Stream, merge, page_size
from resolvers.products import Product, product

DEFAULT_FIRST: Final = 20


ReviewConnection = Connection[Review]
"""One page of a merged review list."""


def _providers(
    ctx: Context, skus: tuple[str, ...] | None, f: ReviewFilter
) -> list[Provider]:
    chosen = [
        p for p in ctx.services.providers if f.providers is None or p in f.providers
    ]
    if skus is None:
        return chosen
    catalog = ctx.services.catalog
    return [p for p in chosen if any(catalog.listed_on(p, sku) for sku in skus)]


def _check_first(ctx: Context, first: int) -> None:
    maximum = ctx.services.settings.max_page_size
    if not 0 <= first <= maximum:
        raise InvalidInput(f"`first` must be between 0 and {maximum}")


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

    Filters go down to each platform where it can apply them; the rest is applied
    here. ``after`` must be a cursor of the same list (same scope, filter and order).
    """
    _check_first(ctx, first)
    providers = _providers(ctx, skus, review_filter)
    list_print = cursors.fingerprint(skus, review_filter, order, tuple(providers))
    settings = ctx.services.settings
    start = (
        cursors.decode(after, list_print, settings) if after else Cursor(list_print, {})
    )
    size = page_size(first, settings.max_page_size)
    query = review_filter.query(skus)
    streams = [
        Stream(
            ctx,
            ctx.services.sources[p],
            query,
            review_filter,
            start.streams.get(p.value, StreamPosition(None, size, 0)),
        )
        for p in providers
    ]
    merged = await merge(streams, order, first, sink)
    edges = tuple(
        Edge(cursors.encode(Cursor(list_print, positions), settings), review)
        for review, positions in merged.items
    )
    exact = not review_filter.filters_in_gateway or order is not ReviewOrder.NEWEST
    return Connection(
        edges=edges,
        has_next_page=merged.has_next_page,
        has_previous_page=after is not None,
        total_count=merged.total if exact else None,
    )


async def review(ctx: Context, provider: Provider, key: ReviewKey) -> Review | None:
    """One review by its platform and key; ``None`` when it does not exist."""
    if provider not in ctx.services.sources:
        return None
    return await ctx.loaders.review_by_key.load((provider, key))


async def review_or_report(
    ctx: Context, sink: ErrorSink, provider: Provider, key: ReviewKey
) -> Review | None:
    """Like ``review``, reporting a platform failure instead of raising it."""
    try:
        return await review(ctx, provider, key)
    except ProviderError as error:
        sink(error)
        return None


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
