"""Paging over the eTrusted list endpoints: one page of reviews, and summaries.

eTrusted pages by review id: ``after`` = the last review of the previous page, newest
first by ``submittedAt``. A page of ``list_reviews`` is one platform call; when
filters apply in the client it asks for ``OVERFETCH`` times the page so fewer pages
come back sparse, and its position is the last review it examined, so nothing is
skipped or repeated. Product summaries page one SKU list to its end at 1000 reviews
per call.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Final

from gateway.records import Page, RatingSummary, Review

from .fields import as_object, text
from .mapping import has_rating, summary_of, to_rated_sku, to_review_list
from .query import ListPlan, decode_position, encode_position
from .transport import Transport
from .wire import MAX_COUNT, PRODUCT_REVIEW

OVERFETCH: Final = 5
"""Page size factor when filters apply in the client."""


def _id(raw: object) -> str:
    return text(as_object(raw, "review"), "id", "review")


async def fetch_page(
    transport: Transport,
    path: str,
    plan: ListPlan | None,
    position: str | None,
    limit: int,
    mapper: Callable[[object], Review],
) -> Page[Review]:
    """At most ``limit`` matching reviews from one call; ``plan`` None: no call."""
    if not 1 <= limit <= MAX_COUNT:
        raise ValueError(f"limit must be 1..{MAX_COUNT}")
    after = decode_position(position)
    if plan is None:
        return Page(())
    count = min(MAX_COUNT, limit * OVERFETCH) if plan.checks else limit
    params = {**plan.params, "count": str(count)}
    if after is not None:
        params["after"] = after
    listing = to_review_list(await transport.get(path, params))
    items: list[Review] = []
    last_id: str | None = None
    consumed = 0
    for raw in listing.items:
        if len(items) == limit:
            break
        consumed += 1
        last_id = _id(raw)
        # Statements without a rating are no reviews of the common model.
        if has_rating(raw) and plan.keeps(review := mapper(raw)):
            items.append(review)
    more = listing.has_next or consumed < len(listing.items)
    return Page(tuple(items), encode_position(last_id) if more and last_id else None)


async def summarise(
    transport: Transport, skus: tuple[str, ...], channel_ids: Collection[str]
) -> dict[str, RatingSummary]:
    """Summaries of ``skus`` from their approved product reviews, paged to the end."""
    ratings: dict[str, list[float]] = {sku: [] for sku in skus}
    params = {
        "type": PRODUCT_REVIEW,
        "status": "APPROVED",
        "sku": ",".join(skus),
        "count": str(MAX_COUNT),
    }
    if channel_ids:
        params["channels"] = ",".join(channel_ids)
    while True:
        listing = to_review_list(await transport.get("reviews", params))
        for raw in listing.items:
            rated = to_rated_sku(raw)
            if rated is not None and rated[0] in ratings:
                ratings[rated[0]].append(rated[1])
        if not listing.has_next:
            break
        params["after"] = _id(listing.items[-1])
    return {sku: summary_of(sku, values) for sku, values in ratings.items()}
