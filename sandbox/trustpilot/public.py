"""The Trustpilot API-key endpoints.

Business-unit lookup, product reviews, summaries, imported reviews and public
conversations.
"""

from __future__ import annotations

from collections.abc import Collection

from aiohttp import web

from . import wire
from .auth import require_apikey
from .errors import TrustpilotError, bad_request, not_found
from .params import (
    json_body,
    list_param,
    optional_str,
    paging,
    required_list,
    stars_param,
    string_list,
)
from .state import TrustpilotContext, context
from .store import ProductReview

DEFAULT_LOCALE = "en-US"


def check_business_unit(request: web.Request, ctx: TrustpilotContext) -> None:
    """The path's business unit must be the sandbox's (else 404, or 403 by setting)."""
    if request.match_info["businessUnitId"] != ctx.store.business_unit_id:
        raise TrustpilotError(
            ctx.settings.unknown_business_unit_status, "Business unit not found"
        )


def _public(request: web.Request) -> TrustpilotContext:
    """Checks every API-key endpoint under a business unit shares, in order."""
    require_apikey(request)
    ctx = context(request)
    check_business_unit(request, ctx)
    return ctx


async def find_business_unit(request: web.Request) -> web.Response:
    """GET /v1/business-units/find?name=<domain>."""
    require_apikey(request)
    ctx = context(request)
    name = optional_str(request, "name")
    if name is None:
        raise bad_request("name is required")
    domain = ctx.store.business_unit_name
    if name.lower().removeprefix("www.") != domain:
        raise not_found("Business unit not found")
    return web.json_response(
        {
            "links": wire.self_link(request, ctx.settings),
            "id": ctx.store.business_unit_id,
            "displayName": domain,
            "name": {"identifying": domain, "referring": [domain, f"www.{domain}"]},
            "websiteUrl": f"https://{domain}",
            "status": "active",
        }
    )


def _matching_skus(request: web.Request, ctx: TrustpilotContext) -> list[str]:
    """``sku`` and/or ``productUrl`` (at least one): the SKUs either names."""
    skus = list_param(request, "sku")
    urls = list_param(request, "productUrl")
    if not skus and not urls:
        raise bad_request("Either sku or productUrl must be provided")
    by_url = (ctx.store.sku_for_url(url) for url in urls)
    return list(dict.fromkeys([*skus, *(s for s in by_url if s is not None)]))


def _rated_on(
    reviews: list[ProductReview], ids: Collection[str]
) -> list[ProductReview]:
    return [r for r in reviews if any(a in ids for a, _ in r.attribute_ratings)]


async def product_reviews(request: web.Request) -> web.Response:
    """GET .../business-units/{buId}/reviews: published, newest first."""
    ctx = _public(request)
    skus = _matching_skus(request, ctx)
    page = paging(request)
    stars = stars_param(request)
    locale = optional_str(request, "locale") or DEFAULT_LOCALE
    attribute_ids = list_param(request, "attributeIds")
    language = optional_str(request, "language")
    reviews = ctx.store.product_reviews(skus, language=language, stars=stars)
    if attribute_ids and ctx.settings.attribute_ids_filter_reviews:
        reviews = _rated_on(reviews, attribute_ids)
    chunk = reviews[page.start : page.start + page.per_page]
    return web.json_response(
        {
            "productReviews": [
                wire.public_review(r, ctx.settings, locale, attribute_ids)
                for r in chunk
            ],
            "links": wire.page_links(request, page, len(reviews), ctx.settings),
        }
    )


async def product_summary(request: web.Request) -> web.Response:
    """GET /v1/product-reviews/business-units/{buId}?sku=A,B (summed together)."""
    ctx = _public(request)
    summary = ctx.store.summary(required_list(request, "sku"))
    return web.json_response(
        {
            "links": wire.self_link(request, ctx.settings),
            "numberOfReviews": wire.number_of_reviews(summary),
            "starsAverage": wire.stars_average(summary, ctx.settings),
        }
    )


async def batch_summaries(request: web.Request) -> web.Response:
    """POST .../batch-summaries {"skus": [...]}: one summary per SKU, in body order."""
    ctx = _public(request)
    body = await json_body(request)
    skus = string_list(body, "skus", ctx.settings.batch_max_skus)
    summaries = [
        wire.sku_summary(sku, ctx.store.summary([sku]), ctx.settings) for sku in skus
    ]
    return web.json_response({"summaries": summaries})


async def attribute_summaries(request: web.Request) -> web.Response:
    """POST .../attribute-summaries {"skus": [...], "locale": "da-DK"}."""
    ctx = _public(request)
    body = await json_body(request)
    skus = string_list(body, "skus", ctx.settings.batch_max_skus)
    locale = body.get("locale") or DEFAULT_LOCALE
    if not isinstance(locale, str) or not locale.strip():
        raise bad_request("locale must be a string")
    summaries = [
        wire.attribute_summary(
            sku, ctx.store.product_reviews([sku]), locale, ctx.settings
        )
        for sku in skus
    ]
    return web.json_response({"summaries": summaries})


async def imported_reviews(request: web.Request) -> web.Response:
    """GET .../imported-reviews?sku= (required): the imported set, newest first."""
    ctx = _public(request)
    skus = required_list(request, "sku")
    page = paging(request)
    reviews = ctx.store.imported_reviews(
        skus, language=optional_str(request, "language"), stars=stars_param(request)
    )
    chunk = reviews[page.start : page.start + page.per_page]
    return web.json_response(
        {
            "productReviews": [wire.imported_review(r, ctx.settings) for r in chunk],
            "links": wire.page_links(request, page, len(reviews), ctx.settings),
        }
    )


async def imported_summaries(request: web.Request) -> web.Response:
    """GET .../imported-reviews-summaries?sku=A,B (summed together)."""
    ctx = _public(request)
    summary = ctx.store.imported_summary(required_list(request, "sku"))
    return web.json_response(
        {
            "links": wire.self_link(request, ctx.settings),
            "numberOfReviews": wire.number_of_reviews(summary),
            "starsAverage": wire.stars_average(summary, ctx.settings),
        }
    )


async def public_conversation(request: web.Request) -> web.Response:
    """GET /v1/conversations/{id}: a private conversation is not found."""
    require_apikey(request)
    ctx = context(request)
    conversation = ctx.store.conversations.get(request.match_info["conversationId"])
    if conversation is None:
        raise not_found("Conversation not found")
    if conversation.state != "public":
        raise TrustpilotError(
            ctx.settings.private_conversation_status, "Conversation not found"
        )
    return web.json_response(
        wire.public_conversation(conversation, ctx.store, ctx.settings)
    )
