"""JSON shapes of the Trustpilot simulator, field for field as the docs print them.

Public review payloads carry only the public fields (no e-mail, consumer name,
referenceId, state, product or conversation id); the private ones carry them all.
Empty values are ``null``, not omitted (Trustpilot's older intro says so).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, datetime

from aiohttp import web

from .params import Paging
from .settings import TrustpilotSettings
from .store import (
    ATTRIBUTES,
    Attachment,
    Comment,
    Conversation,
    ImportedReview,
    ProductReview,
    Summary,
    TrustpilotStore,
    attribute_name,
)

Json = dict[str, object]

_STAR_FIELDS = ("oneStar", "twoStars", "threeStars", "fourStars", "fiveStars")
_OCCURRENCE_FIELDS = ("one", "two", "three", "four", "five")


def timestamp(moment: datetime, settings: TrustpilotSettings) -> str:
    return moment.astimezone(UTC).strftime(settings.timestamp_format)


def _attribute_ratings(
    review: ProductReview, locale: str, only: Collection[str] = ()
) -> list[Json]:
    return [
        {
            "attributeId": attribute_id,
            "attributeName": attribute_name(attribute_id, locale),
            "rating": rating,
        }
        for attribute_id, rating in review.attribute_ratings
        if not only or attribute_id in only
    ]


def _attachments(attachments: Iterable[Attachment]) -> list[Json]:
    return [
        {
            "id": a.id,
            "state": a.state,
            "processedFiles": [
                {"dimension": dim, "mimeType": mime, "url": url}
                for dim, mime, url in a.files
            ],
        }
        for a in attachments
    ]


def public_review(
    review: ProductReview,
    settings: TrustpilotSettings,
    locale: str,
    attribute_ids: Collection[str] = (),
) -> Json:
    """A review as the API-key endpoint shows it (``attribute_ids`` narrows ratings)."""
    only = () if settings.attribute_ids_filter_reviews else attribute_ids
    return {
        "id": review.id,
        "createdAt": timestamp(review.created_at, settings),
        "stars": review.stars,
        "content": review.content,
        "consumer": {
            "id": review.consumer.id,
            "displayName": review.consumer.display_name,
        },
        "language": review.language,
        "attributeRatings": _attribute_ratings(review, locale, only),
        "attachments": _attachments(review.attachments),
    }


def product(store: TrustpilotStore, sku: str) -> Json:
    p = store.products[sku]
    return {
        "id": store.product_ids[sku],
        "productUrl": p.url,
        "productImages": [{"type": "100pxWide", "url": p.image_url}],
        "name": p.name,
        "sku": p.sku,
        "gtin": p.gtin,
        "mpn": p.mpn,
        "brand": p.brand,
    }


def private_review(
    review: ProductReview,
    store: TrustpilotStore,
    settings: TrustpilotSettings,
    locale: str,
) -> Json:
    """A review with its private fields (consumer e-mail, referenceId, state...)."""
    return {
        "id": review.id,
        "createdAt": timestamp(review.created_at, settings),
        "updatedAt": timestamp(review.updated_at, settings),
        "businessUnitId": store.business_unit_id,
        "stars": review.stars,
        "content": review.content,
        "product": product(store, review.sku),
        "consumer": {
            "id": review.consumer.id,
            "email": review.consumer.email,
            "name": review.consumer.name,
        },
        "referenceId": review.reference_id,
        "locale": review.locale,
        "language": review.language,
        "redirectUri": review.redirect_uri,
        "state": review.state,
        "hasModerationHistory": review.has_moderation_history,
        "conversationId": review.conversation_id,
        "attributeRatings": _attribute_ratings(review, locale),
        "attachments": _attachments(review.attachments),
    }


def imported_review(review: ImportedReview, settings: TrustpilotSettings) -> Json:
    return {
        "createdAt": timestamp(review.created_at, settings),
        "stars": review.stars,
        "content": review.content,
        "consumer": {"name": review.consumer_name},
        "language": review.language,
    }


def number_of_reviews(summary: Summary) -> Json:
    counts: Json = {"total": summary.total}
    counts.update(zip(_STAR_FIELDS, summary.counts, strict=True))
    return counts


def stars_average(summary: Summary, settings: TrustpilotSettings) -> float | None:
    average = summary.average()
    if average is None:
        return settings.empty_stars_average
    return round(average, settings.stars_average_decimals)


def sku_summary(sku: str, summary: Summary, settings: TrustpilotSettings) -> Json:
    return {
        "sku": sku,
        "numberOfReviews": number_of_reviews(summary),
        "starsAverage": stars_average(summary, settings),
    }


def attribute_summary(
    sku: str,
    reviews: Iterable[ProductReview],
    locale: str,
    settings: TrustpilotSettings,
) -> Json:
    """Per attribute: how often each rating 1..5 was given to ``sku``, and the mean."""
    ratings: dict[str, list[int]] = {}
    for review in reviews:
        for attribute_id, rating in review.attribute_ratings:
            ratings.setdefault(attribute_id, []).append(rating)
    attributes = []
    for attribute_id in (a for a in ATTRIBUTES if a in ratings):
        given = ratings[attribute_id]
        counts = Summary.of(given).counts
        attributes.append(
            {
                "id": attribute_id,
                "name": attribute_name(attribute_id, locale),
                "type": "range_1to5",
                "options": [],
                "totalOccurrences": len(given),
                "occurrences": dict(zip(_OCCURRENCE_FIELDS, counts, strict=True)),
                "average": round(
                    sum(given) / len(given), settings.attribute_average_decimals
                ),
            }
        )
    return {"sku": sku, "attributes": attributes}


def comment(item: Comment, settings: TrustpilotSettings) -> Json:
    return {
        "commentId": item.id,
        "createdAt": timestamp(item.created_at, settings),
        "author": {"id": item.author_id, "type": item.author_type},
        "content": item.content,
    }


def public_conversation(
    conversation: Conversation, store: TrustpilotStore, settings: TrustpilotSettings
) -> Json:
    return {
        "id": conversation.id,
        "businessUnitId": store.business_unit_id,
        "consumerId": conversation.consumer_id,
        "comments": [comment(c, settings) for c in conversation.comments],
    }


def private_conversation(
    conversation: Conversation, store: TrustpilotStore, settings: TrustpilotSettings
) -> Json:
    return {
        "id": conversation.id,
        "businessUnitId": store.business_unit_id,
        "consumerId": conversation.consumer_id,
        "source": "Product reviews",
        "sourceId": conversation.review_id,
        "state": conversation.state,
        "comments": [comment(c, settings) for c in conversation.comments],
    }


def self_link(request: web.Request, settings: TrustpilotSettings) -> list[Json]:
    return [{"href": str(request.url), "method": "GET", "rel": settings.rel_self}]


def page_links(
    request: web.Request, paging: Paging, total: int, settings: TrustpilotSettings
) -> list[Json]:
    """``self``, plus ``next-page`` when more follow and ``prev-page`` after page 1."""
    links = self_link(request, settings)

    def at(page: int, rel: str) -> Json:
        href = request.url.update_query(page=str(page), perPage=str(paging.per_page))
        return {"href": str(href), "method": "GET", "rel": rel}

    if paging.start + paging.per_page < total:
        links.append(at(paging.page + 1, settings.rel_next))
    if paging.page > 1:
        links.append(
            at(min(paging.page - 1, _last_page(total, paging)), settings.rel_prev)
        )
    return links


def _last_page(total: int, paging: Paging) -> int:
    return max(1, -(-total // paging.per_page))
