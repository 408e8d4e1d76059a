"""The Mayar Headless API V2 review endpoints, as aiohttp handlers.

Every handler reads the app's ``MayarState`` (store + settings), validates its
input with ``validation`` (failures: HTTP 200 ``failed``), then reads or writes the
store and answers in the ``wire`` envelope. Routes are registered in ``add_routes``;
the bulk-status route comes before ``/reviews/{uuId}/update`` because both match
``/reviews/bulk-status/update``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Final

from aiohttp import web
from aiohttp.typedefs import Handler

from sandbox.mayar import validation, wire
from sandbox.mayar.settings import MayarSettings
from sandbox.mayar.store import (
    STATUSES,
    MayarStore,
    Refusal,
    Refused,
    Review,
    SortKey,
    message_first,
    newest_first,
)

V2: Final = "/hl/v2"
CUSTOMER_ID_REQUIRED: Final = "customerId query parameter is required"
BAD_REVIEWS_STATUS: Final = 400
"""Bulk status with a review that is not the merchant's: 400 [OK M-bulk]."""


@dataclass(frozen=True, slots=True)
class MayarState:
    """What the handlers share: the seeded store and the simulator's settings."""

    store: MayarStore
    settings: MayarSettings


STATE: Final = web.AppKey("mayar", MayarState)


def _state(request: web.Request) -> MayarState:
    return request.app[STATE]


def _refused(state: MayarState, exc: Refused) -> web.Response:
    """The vendor's message for a refused write, at the status chosen for it."""
    s = state.settings
    status = {
        Refusal.PRODUCT_NOT_FOUND: s.product_not_found_status,
        Refusal.NOT_PURCHASED: s.not_purchased_status,
        Refusal.ALREADY_REVIEWED: s.already_reviewed_status,
        Refusal.REVIEW_NOT_FOUND: s.review_not_found_status,
        Refusal.TRANSACTION_NOT_FOUND: s.transaction_not_found_status,
        Refusal.INVALID_REVIEWS: BAD_REVIEWS_STATUS,
    }[exc.reason]
    return wire.envelope(status, exc.reason.value)


def _product_missing(state: MayarState) -> web.Response:
    return wire.envelope(
        state.settings.product_not_found_status, Refusal.PRODUCT_NOT_FOUND.value
    )


async def create_review(request: web.Request) -> web.Response:
    state = _state(request)
    body, problems = validation.parse_object(await request.read())
    data, problems = (None, problems) if problems else validation.create_input(body)
    if data is None:
        return wire.failed(problems)
    try:
        review = state.store.create(data, open_domain=state.settings.open_buyer_domain)
    except Refused as exc:
        return _refused(state, exc)
    return wire.ok(wire.written_json(review))


async def update_review(request: web.Request) -> web.Response:
    # The review is the body's ``id``; the path's {uuId} is not read (M-update).
    state = _state(request)
    body, problems = validation.parse_object(await request.read())
    data, problems = (None, problems) if problems else validation.update_input(body)
    if data is None:
        return wire.failed(problems)
    try:
        review = state.store.update(data, open_domain=state.settings.open_buyer_domain)
    except Refused as exc:
        return _refused(state, exc)
    return wire.ok(wire.written_json(review))


async def bulk_status(request: web.Request) -> web.Response:
    state = _state(request)
    body, problems = validation.parse_object(await request.read())
    changes, problems = (None, problems) if problems else validation.bulk_input(body)
    if changes is None:
        return wire.failed(problems)
    try:
        state.store.set_statuses(changes)
    except Refused as exc:
        return _refused(state, exc)
    # No ``data`` on success [OK M-bulk].
    return wire.envelope(200, "success")


def _list_query(
    request: web.Request, accepts: Collection[str]
) -> tuple[validation.ListQuery | None, list[validation.Problem]]:
    settings = _state(request).settings
    return validation.list_query(
        request.query,
        accepts,
        default_limit=settings.default_limit,
        max_limit=settings.max_limit,
    )


def _page(
    request: web.Request,
    reviews: list[Review],
    query: validation.ListQuery,
    key: SortKey = newest_first,
) -> web.Response:
    store = _state(request).store
    after = None
    if query.starting_after is not None:
        after = store.reviews.get(query.starting_after)
        if after is None:
            reason = "must be the id of a review (a previous nextStartingAfter)"
            return wire.failed([{"field": "startingAfter", "reason": reason}])
    result = store.page(reviews, limit=query.limit, starting_after=after, key=key)
    return wire.page(store, result)


async def list_reviews(request: web.Request) -> web.Response:
    accepts = ("limit", "startingAfter", "status", "paymentLinkId", "rating")
    query, problems = _list_query(request, accepts)
    if query is None:
        return wire.failed(problems)
    store = _state(request).store
    reviews = store.select(
        statuses=(query.status,) if query.status else STATUSES,
        payment_link_id=query.payment_link_id,
        rating=query.rating,
    )
    return _page(request, reviews, query)


async def product_reviews(request: web.Request) -> web.Response:
    state = _state(request)
    link_id = request.match_info["paymentLinkId"]
    if link_id not in state.store.payment_links:
        return _product_missing(state)
    accepts = ("limit", "startingAfter", "rating", "prioritizeMessage")
    query, problems = _list_query(request, accepts)
    if query is None:
        return wire.failed(problems)
    reviews = state.store.select(
        statuses=("ACTIVE",), payment_link_id=link_id, rating=query.rating
    )
    key = message_first if query.prioritize_message else newest_first
    return _page(request, reviews, query, key)


async def customer_review(request: web.Request) -> web.Response:
    state = _state(request)
    link_id = request.match_info["paymentLinkId"]
    customer_id = request.query.get("customerId")
    if not customer_id:
        status = state.settings.missing_customer_id_status
        return wire.envelope(status, CUSTOMER_ID_REQUIRED)
    if link_id not in state.store.payment_links:
        return _product_missing(state)
    review_id = state.store.by_buyer.get((customer_id, link_id))
    if review_id is None:
        return wire.ok(None)
    return wire.ok(wire.bare_review_json(state.store.reviews[review_id]))


async def product_stats(request: web.Request) -> web.Response:
    state = _state(request)
    link_id = request.match_info["paymentLinkId"]
    if link_id not in state.store.payment_links:
        return _product_missing(state)
    return wire.ok(state.store.stats(link_id))


async def merchant_stats(request: web.Request) -> web.Response:
    return wire.ok(_state(request).store.stats())


@web.middleware
async def fallback(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Unknown paths and methods answer in the envelope too (V1 lists 404)."""
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return wire.envelope(404, "Not Found")
    except web.HTTPMethodNotAllowed:
        return wire.envelope(405, "Method Not Allowed")


def add_routes(app: web.Application) -> None:
    router = app.router
    router.add_post(f"{V2}/reviews/create", create_review)
    router.add_post(f"{V2}/reviews/bulk-status/update", bulk_status)
    router.add_post(f"{V2}/reviews/{{uuId}}/update", update_review)
    router.add_get(f"{V2}/reviews", list_reviews)
    router.add_get(f"{V2}/products/{{paymentLinkId}}/reviews", product_reviews)
    router.add_get(f"{V2}/products/{{paymentLinkId}}/reviews/customer", customer_review)
    router.add_get(f"{V2}/products/{{paymentLinkId}}/reviews/stats", product_stats)
    router.add_get(f"{V2}/merchants/reviews/stats", merchant_stats)
