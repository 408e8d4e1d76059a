"""The Trustpilot business-user endpoints for product reviews.

The private list, one review, the summaries list, invitation links and
create-conversation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from . import wire
from .auth import require_bearer
from .errors import TrustpilotError, bad_request, not_found
from .params import (
    json_body,
    list_param,
    optional_str,
    optional_text,
    paging,
    required_text,
)
from .public import DEFAULT_LOCALE, check_business_unit
from .state import TrustpilotContext, context
from .store import STATES, ProductReview

_PRODUCT_FIELDS = ("productUrl", "imageUrl", "name", "sku", "gtin", "mpn", "brand")


def _private(request: web.Request, *, business_unit: bool = True) -> TrustpilotContext:
    require_bearer(request)
    ctx = context(request)
    if business_unit:
        check_business_unit(request, ctx)
    return ctx


def _states(request: web.Request) -> list[str]:
    states = list_param(request, "state") or ["published"]
    unknown = [s for s in states if s not in STATES]
    if unknown:
        raise bad_request(f"state must be one of {', '.join(STATES)}")
    return states


async def private_reviews(request: web.Request) -> web.Response:
    """GET /v1/private/product-reviews/business-units/{buId}/reviews (+ ``total``)."""
    ctx = _private(request)
    page = paging(request)
    states = _states(request)
    skus = list_param(request, "sku") or list(ctx.store.products)
    locale = optional_str(request, "locale") or DEFAULT_LOCALE
    reviews = ctx.store.product_reviews(
        skus, states=states, language=optional_str(request, "language")
    )
    chunk = reviews[page.start : page.start + page.per_page]
    return web.json_response(
        {
            "links": wire.page_links(request, page, len(reviews), ctx.settings),
            "productReviews": [
                wire.private_review(r, ctx.store, ctx.settings, locale) for r in chunk
            ],
            "total": len(reviews),
        }
    )


def _review(ctx: TrustpilotContext, request: web.Request) -> ProductReview:
    review = ctx.store.reviews.get(request.match_info["reviewId"])
    if review is None:
        raise not_found("Product review not found")
    return review


async def private_review(request: web.Request) -> web.Response:
    """GET /v1/private/product-reviews/{reviewId}."""
    ctx = _private(request, business_unit=False)
    review = _review(ctx, request)
    locale = optional_str(request, "locale") or DEFAULT_LOCALE
    return web.json_response(
        wire.private_review(review, ctx.store, ctx.settings, locale)
    )


async def private_summaries(request: web.Request) -> web.Response:
    """GET .../business-units/{buId}/summaries: one per reviewed SKU, SKU order."""
    ctx = _private(request)
    page = paging(request, default=1000, maximum=1000)
    summaries = [(sku, ctx.store.summary([sku])) for sku in sorted(ctx.store.products)]
    reviewed = [(sku, s) for sku, s in summaries if s.total]
    chunk = reviewed[page.start : page.start + page.per_page]
    body = {
        "links": wire.page_links(request, page, len(reviewed), ctx.settings),
        "summaries": [
            {
                "sku": sku,
                "starsAverage": wire.stars_average(s, ctx.settings),
                "numberOfReviews": wire.number_of_reviews(s),
            }
            for sku, s in chunk
        ],
    }
    return web.json_response(body)


def _invited_skus(ctx: TrustpilotContext, body: Mapping[str, Any]) -> list[str]:
    """EITHER ``products`` (details) OR ``productIds`` (Trustpilot ids): one only."""
    products, product_ids = body.get("products"), body.get("productIds")
    if (products is None) == (product_ids is None):
        raise bad_request("Specify either products or productIds, not both or neither")
    if products is not None:
        if not isinstance(products, list) or not products:
            raise bad_request("products must be a non-empty list")
        return [_product_sku(item) for item in products]
    if not isinstance(product_ids, list) or not product_ids:
        raise bad_request("productIds must be a non-empty list")
    by_id = {pid: sku for sku, pid in ctx.store.product_ids.items()}
    unknown = [pid for pid in product_ids if pid not in by_id]
    if unknown:
        raise bad_request(f"Unknown product id(s): {', '.join(map(str, unknown))}")
    return [by_id[pid] for pid in product_ids]


def _product_sku(item: object) -> str:
    if not isinstance(item, dict):
        raise bad_request("Each product must be an object")
    for name in _PRODUCT_FIELDS:
        if name in item and not isinstance(item[name], str | None):
            raise bad_request(f"products.{name} must be a string")
    for name in ("sku", "name", "productUrl"):
        if not item.get(name):
            raise bad_request(f"products.{name} is required")
    return str(item["sku"])


async def invitation_links(request: web.Request) -> web.Response:
    """POST .../business-units/{buId}/invitation-links -> {reviewLinkId, reviewUrl}."""
    ctx = _private(request)
    body = await json_body(request)
    consumer = body.get("consumer")
    if not isinstance(consumer, dict):
        raise bad_request("consumer is required")
    email = required_text(consumer, "email")
    if "@" not in email:
        raise bad_request("consumer.email is not a valid e-mail address")
    link = ctx.store.create_invitation_link(
        email=email,
        name=required_text(consumer, "name"),
        reference_id=required_text(body, "referenceId"),
        locale=required_text(body, "locale"),
        redirect_uri=optional_text(body, "redirectUri"),
        skus=_invited_skus(ctx, body),
        now=ctx.clock(),
    )
    return web.json_response(
        {"reviewLinkId": link.id, "reviewUrl": link.url},
        status=ctx.settings.created_status,
    )


async def create_conversation(request: web.Request) -> web.Response:
    """POST /v1/private/product-reviews/{reviewId}/create-conversation."""
    ctx = _private(request, business_unit=False)
    review = _review(ctx, request)
    if review.conversation_id is not None:
        if ctx.settings.existing_conversation == "conflict":
            raise TrustpilotError(409, "The review already has a conversation")
        return web.json_response({"conversationId": review.conversation_id})
    conversation = ctx.store.create_conversation(review)
    return web.json_response({"conversationId": conversation.id})
