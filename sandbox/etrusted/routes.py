"""The eTrusted API handlers (api.etrusted.com), mounted under ``/etrusted``.

Every error is a bare status with no body, as the API documents 400/401/403/404.
Handlers read the shared state from ``STATE_KEY``; writes go through the store with
time from the injected clock.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode

from aiohttp import web

from sandbox.control import Clock

from .aggregate import aggregate_json
from .model import AlreadyVetoed, EtrustedStore, NoReply, Review, ReviewNotFound
from .query import (
    BadParameter,
    Page,
    Paging,
    ReviewFilters,
    page,
    parse_extras,
    parse_filters,
    parse_paging,
    select,
)
from .settings import EtrustedSettings
from .wire import (
    EXTRAS,
    JSON,
    channel_json,
    minimal_json,
    reply_json,
    review_json,
    veto_json,
)


@dataclass(frozen=True, slots=True)
class ApiState:
    """What the API handlers share: the store, the settings and the clock."""

    store: EtrustedStore
    settings: EtrustedSettings
    clock: Clock


STATE_KEY: Final = web.AppKey("etrusted_state", ApiState)
_PAGING_PARAMS: Final = frozenset({"count", "after", "before"})


def _bare(status: int) -> web.Response:
    return web.Response(status=status)


def _params(request: web.Request) -> dict[str, str]:
    """The query as one string per name (a repeated name joins as a comma list)."""
    return {k: ",".join(request.query.getall(k)) for k in request.query}


def _cursor(state: ApiState) -> Callable[[str], Review]:
    def resolve(review_id: str) -> Review:
        try:
            return state.store.review(review_id)
        except ReviewNotFound:
            raise BadParameter(state.settings.unknown_cursor_status) from None

    return resolve


def _link(request: web.Request, count: int, cursor: str, review_id: str) -> str:
    """The same call with the same filters, moved to ``cursor=review_id``."""
    pairs = [("count", str(count))]
    pairs += [(k, v) for k, v in request.query.items() if k not in _PAGING_PARAMS]
    pairs.append((cursor, review_id))
    return f"{request.url.with_query(None)}?{urlencode(pairs, safe=',:[]')}"


def _envelope(request: web.Request, result: Page, paging: Paging) -> JSON:
    cursor: JSON = {}
    links: JSON = {}
    omit = request.app[STATE_KEY].settings.omit_empty_cursor
    if result.items:
        first, last = result.items[0].id, result.items[-1].id
        cursor["before"] = first
        links["previous"] = _link(request, paging.count, "before", first)
        if result.has_next:
            cursor["after"] = last
            links["next"] = _link(request, paging.count, "after", last)
    if not omit:
        cursor.setdefault("before", None)
        cursor.setdefault("after", None)
        links.setdefault("previous", None)
        links.setdefault("next", None)
    return {
        # Deprecated: always 0 (the count endpoint gives the total).
        "totalElements": 0,
        "paging": {"count": len(result.items), "cursor": cursor, "links": links},
        "items": [],
    }


def _filters(state: ApiState, params: Mapping[str, str]) -> ReviewFilters:
    channels = [c.id for c in state.store.channels]
    return parse_filters(params, channels, state.settings)


def _list(
    request: web.Request, params: Mapping[str, str], *, minimal: bool
) -> web.Response:
    state = request.app[STATE_KEY]
    store = state.store
    try:
        filters = _filters(state, params)
        paging = parse_paging(params, state.settings)
        extras = frozenset() if minimal else parse_extras(params)
        ordered = select(store.reviews, filters)
        result = page(ordered, paging, filters.order_by, _cursor(state))
    except BadParameter as exc:
        return _bare(exc.status)
    body = _envelope(request, result, paging)
    if minimal:
        body["items"] = [minimal_json(r, store.account_id) for r in result.items]
    else:
        body["items"] = [
            review_json(r, store.account_id, state.settings, extras)
            for r in result.items
        ]
    return web.json_response(body)


async def list_reviews(request: web.Request) -> web.Response:
    """``GET /reviews``."""
    return _list(request, _params(request), minimal=False)


async def list_minimal(request: web.Request) -> web.Response:
    """``GET /reviews-minimal``."""
    return _list(request, _params(request), minimal=True)


async def count_reviews(request: web.Request) -> web.Response:
    """``GET /reviews/count``: the list's filters, no paging."""
    state = request.app[STATE_KEY]
    try:
        filters = _filters(state, _params(request))
    except BadParameter as exc:
        return _bare(exc.status)
    total = sum(1 for r in state.store.reviews if filters.matches(r))
    body: JSON = {
        "accountId": state.store.account_id,
        "channelList": [c.id for c in state.store.channels if c.id in filters.channels],
        "totalElements": total,
    }
    if state.settings.count_alias:
        body["count"] = total
    return web.json_response(body)


def _one_review(request: web.Request, review: Review) -> web.Response:
    state = request.app[STATE_KEY]
    try:
        extras = parse_extras(_params(request))
    except BadParameter as exc:
        return _bare(exc.status)
    if not extras and state.settings.full_review_additional_information:
        extras = frozenset(EXTRAS)
    body = review_json(review, state.store.account_id, state.settings, extras)
    return web.json_response(body)


async def get_review(request: web.Request) -> web.Response:
    """``GET /reviews/{reviewId}``."""
    try:
        review = request.app[STATE_KEY].store.review(request.match_info["review_id"])
    except ReviewNotFound:
        return _bare(404)
    return _one_review(request, review)


async def _json_object(request: web.Request) -> dict[str, Any] | None:
    """The JSON object body, or ``None`` when it is missing or malformed."""
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def _text(body: Mapping[str, Any], name: str) -> str | None:
    value = body.get(name)
    return value if isinstance(value, str) and value.strip() else None


async def save_reply(request: web.Request) -> web.Response:
    """``POST /reviews/{reviewId}/reply`` with ``{comment, sendNotification}``."""
    state = request.app[STATE_KEY]
    try:
        review = state.store.review(request.match_info["review_id"])
    except ReviewNotFound:
        return _bare(404)
    body = await _json_object(request)
    comment = _text(body, "comment") if body is not None else None
    notify = body.get("sendNotification", False) if body is not None else None
    if comment is None or not isinstance(notify, bool):
        return _bare(400)
    if review.state == "REJECTED" and not state.settings.reply_to_rejected:
        return _bare(400)
    reply = state.store.save_reply(review.id, comment, notify, state.clock())
    status = state.settings.reply_save_status
    if status == 204:
        return _bare(204)
    return web.json_response(reply_json(reply), status=status)


async def delete_reply(request: web.Request) -> web.Response:
    """``DELETE /reviews/{reviewId}/reply``."""
    state = request.app[STATE_KEY]
    try:
        state.store.delete_reply(request.match_info["review_id"], state.clock())
    except (ReviewNotFound, NoReply):
        return _bare(404)
    return _bare(state.settings.reply_delete_status)


async def _veto(request: web.Request, review: Review, *, legacy: bool) -> web.Response:
    """Validate a veto body and file it (the legacy endpoint has no required email)."""
    state = request.app[STATE_KEY]
    body = await _json_object(request)
    if body is None:
        return _bare(400)
    comment, reason = _text(body, "comment"), body.get("reason")
    email = body.get("vetoReporterEmail")
    email_needed = state.settings.veto_requires_reporter_email and not legacy
    bad_email = email is not None and not (isinstance(email, str) and "@" in email)
    if comment is None or reason not in state.settings.veto_reasons or bad_email:
        return _bare(400)
    if email is None and email_needed:
        return _bare(400)
    if not isinstance(body.get("channelName", ""), str):
        return _bare(400)
    try:
        veto = state.store.create_veto(
            review.id,
            comment=comment,
            reason=reason,
            reporter_email=email,
            now=state.clock(),
        )
    except AlreadyVetoed:
        return _bare(state.settings.repeat_veto_status)
    return web.json_response(veto_json(veto))


async def create_veto(request: web.Request) -> web.Response:
    """``POST /reviews/{reviewId}/vetos``."""
    try:
        review = request.app[STATE_KEY].store.review(request.match_info["review_id"])
    except ReviewNotFound:
        return _bare(404)
    return await _veto(request, review, legacy=False)


async def get_veto(request: web.Request) -> web.Response:
    """``GET /reviews/{reviewId}/vetos``: the review's veto (404 when it has none)."""
    try:
        review = request.app[STATE_KEY].store.review(request.match_info["review_id"])
    except ReviewNotFound:
        return _bare(404)
    if review.veto is None:
        return _bare(404)
    return web.json_response(veto_json(review.veto))


async def list_channels(request: web.Request) -> web.Response:
    """``GET /channels``: the account's channels, a bare array."""
    store = request.app[STATE_KEY].store
    return web.json_response(
        [channel_json(c, store.account_id) for c in store.channels]
    )


def _own_channel(request: web.Request) -> str | None:
    """The path's channel id when it belongs to the account, else ``None``."""
    channel_id = request.match_info["channel_id"]
    store = request.app[STATE_KEY].store
    return channel_id if store.channel(channel_id) is not None else None


async def aggregate_rating(request: web.Request) -> web.Response:
    """``GET /channels/{channelId}/service-reviews/aggregate-rating``."""
    state = request.app[STATE_KEY]
    channel_id = _own_channel(request)
    if channel_id is None:
        return _bare(state.settings.foreign_channel_status)
    body = aggregate_json(
        state.store.reviews,
        channel_id,
        state.clock(),
        distribution=state.settings.aggregate_distribution,
    )
    return web.json_response(body)


async def legacy_list(request: web.Request) -> web.Response:
    """Deprecated ``GET /channels/{channelId}/customer-reviews``."""
    channel_id = _own_channel(request)
    if channel_id is None:
        return _bare(request.app[STATE_KEY].settings.foreign_channel_status)
    params = _params(request)
    params["channels"] = channel_id
    return _list(request, params, minimal=False)


def _legacy_review(request: web.Request) -> Review | int:
    """The path's review when it is in the path's channel, else an error status."""
    state = request.app[STATE_KEY]
    channel_id = _own_channel(request)
    if channel_id is None:
        return state.settings.foreign_channel_status
    try:
        review = state.store.review(request.match_info["review_id"])
    except ReviewNotFound:
        return 404
    return review if review.channel_id == channel_id else 404


async def legacy_get(request: web.Request) -> web.Response:
    """Deprecated ``GET /channels/{channelId}/customer-reviews/{customerReviewId}``."""
    found = _legacy_review(request)
    if isinstance(found, int):
        return _bare(found)
    return _one_review(request, found)


async def legacy_veto(request: web.Request) -> web.Response:
    """Deprecated ``POST /channels/{channelId}/customer-reviews/{id}/vetos``."""
    found = _legacy_review(request)
    if isinstance(found, int):
        return _bare(found)
    return await _veto(request, found, legacy=True)


def add_routes(app: web.Application) -> None:
    """Register the API's paths (``/reviews/count`` before ``/reviews/{id}``)."""
    review = "/reviews/{review_id}"
    legacy = "/channels/{channel_id}/customer-reviews"
    app.router.add_get("/reviews", list_reviews)
    app.router.add_get("/reviews-minimal", list_minimal)
    app.router.add_get("/reviews/count", count_reviews)
    app.router.add_get(review, get_review)
    app.router.add_post(f"{review}/reply", save_reply)
    app.router.add_delete(f"{review}/reply", delete_reply)
    app.router.add_post(f"{review}/vetos", create_veto)
    app.router.add_get(f"{review}/vetos", get_veto)
    app.router.add_get("/channels", list_channels)
    app.router.add_get(
        "/channels/{channel_id}/service-reviews/aggregate-rating", aggregate_rating
    )
    app.router.add_get(legacy, legacy_list)
    app.router.add_get(legacy + "/{review_id}", legacy_get)
    app.router.add_post(legacy + "/{review_id}/vetos", legacy_veto)
