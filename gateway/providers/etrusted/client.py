"""``EtrustedClient``: the gateway's only way to talk to the eTrusted Reviews API.

Reads cover the configured channel set (``settings.channel_ids``; empty = every
channel of the account). Authentication, the 401 replay and the status mapping live
in ``transport``; paging in ``listing``; what is pushed down in ``query``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import ClassVar, Final, TypeVar

import aiohttp

from gateway.config import CatalogEntry, EtrustedSettings
from gateway.errors import ProviderError
from gateway.records import (
    Channel,
    Page,
    Provider,
    RatingSummary,
    Reply,
    Review,
    ReviewKey,
    ReviewQuery,
    ReviewReport,
    StarDistribution,
)

from .fields import drift
from .listing import fetch_page, summarise
from .mapping import (
    has_rating,
    summary_of,
    to_channels,
    to_count,
    to_minimal_review,
    to_reply,
    to_report,
    to_review,
    to_service_ratings,
)
from .query import chunk_skus, plan_list
from .transport import Transport, segment
from .wire import AGGREGATE_PERIODS, VETO_REASONS, ReplyWire, VetoRequest

T = TypeVar("T")
LIST_EXTRAS: Final = "ATTACHMENTS"
"""``additionalInformation`` of list calls: attachments, so media map."""
REVIEW_EXTRAS: Final = "VETO,ATTACHMENTS,ORIGINAL_REVIEW"
"""``additionalInformation`` of single reads: everything, for ``raw``."""
SKU_CHUNK_CHARS: Final = 1500
"""Longest URL-encoded ``sku`` list per call (about 130 SKUs of 8 characters)."""
DEFAULT_PERIOD: Final = "365days"
"""The aggregate period eTrusted recommends for public display."""
OVERALL_PERIOD: Final = "overall"
"""The all-time aggregate period: the shop summary's, like the product summaries."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class EtrustedClient:
    """Trusted Shops eTrusted Reviews API: reviews, replies, vetos, channels, ratings.

    The caller opens the session with ``open_session(settings)`` and closes it.
    ``catalog`` lists the SKUs of the shop: when it is given, a SKU outside it is
    not asked for (zero summary, no reviews, no call); empty means any SKU may exist.
    """

    provider: ClassVar[Provider] = Provider.ETRUSTED

    def __init__(
        self,
        settings: EtrustedSettings,
        session: aiohttp.ClientSession,
        *,
        catalog: Sequence[CatalogEntry] = (),
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._settings = settings
        self._api = Transport(settings, session, monotonic)
        self._skus = frozenset(entry.sku for entry in catalog)
        self._now = now

    def __repr__(self) -> str:
        return f"EtrustedClient(base_url={self._settings.base_url!r})"

    def lists(self, sku: str) -> bool:
        """Whether ``sku`` may have eTrusted reviews (in the catalog, if one is set)."""
        return not self._skus or sku in self._skus

    # -- the uniform read contract -----------------------------------------------

    async def list_reviews(
        self,
        query: ReviewQuery,
        position: str | None = None,
        limit: int = 20,
        *,
        has_reply: bool | None = None,
        by_update: bool = False,
    ) -> Page[Review]:
        """``GET /reviews``: newest first by submission, ``query`` applied exactly.

        ``position`` is the previous page's ``next`` (it carries the ``after`` review
        id); ``has_reply`` is eTrusted's ``hasReply`` filter. ``limit`` 1..1000.
        ``by_update``: most recently updated first instead (``orderBy=updatedAt``,
        vendors.md 4.7), which is how the sync follows edits; a position is only
        valid in the order it was made in.
        """
        plan = plan_list(
            query,
            channel_ids=self._settings.channel_ids,
            listed=self.lists,
            has_reply=has_reply,
        )
        if plan is not None:
            plan.params["additionalInformation"] = LIST_EXTRAS
            if by_update:
                plan.params["orderBy"] = "updatedAt"
        return await fetch_page(self._api, "reviews", plan, position, limit, to_review)

    async def reviews_by_keys(
        self, keys: Sequence[ReviewKey]
    ) -> list[Review | ProviderError | None]:
        """``GET /reviews/{id}`` per distinct id, concurrently; aligned with ``keys``.

        ``None`` for a review that does not exist (404), lies outside the configured
        channels or is a statement without a rating; a failed key gets its error.
        """
        ids = list(dict.fromkeys(key.id for key in keys))
        found = await asyncio.gather(*(_caught(self.review(i)) for i in ids))
        by_id = dict(zip(ids, found, strict=True))
        return [by_id[key.id] for key in keys]

    async def summaries_by_sku(
        self, skus: Sequence[str]
    ) -> list[RatingSummary | ProviderError]:
        """Product summaries computed from approved product reviews (no such endpoint).

        All listed SKUs go into ``sku`` comma lists of at most ``SKU_CHUNK_CHARS``;
        each list is paged to the end at 1000 reviews per call and bucketed by
        ``product.sku``. So N SKUs cost ceil(reviews / 1000) calls per chunk (at least
        one), not N. Unlisted SKUs get a zero summary without a call.
        """
        listed = [sku for sku in dict.fromkeys(skus) if self.lists(sku)]
        chunks = chunk_skus(listed, SKU_CHUNK_CHARS)
        results = await asyncio.gather(
            *(
                _caught(summarise(self._api, c, self._settings.channel_ids))
                for c in chunks
            )
        )
        by_sku: dict[str, RatingSummary | ProviderError] = {}
        for chunk, result in zip(chunks, results, strict=True):
            for sku in chunk:
                by_sku[sku] = (
                    result if isinstance(result, ProviderError) else result[sku]
                )
        return [by_sku[sku] if sku in by_sku else summary_of(sku, ()) for sku in skus]

    # -- single reviews, counts, the minimal list ---------------------------------

    async def review(self, review_id: str) -> Review | None:
        """``GET /reviews/{id}``; ``None`` as for ``reviews_by_keys``."""
        body = await self._api.get_or_none(
            f"reviews/{segment(review_id)}", {"additionalInformation": REVIEW_EXTRAS}
        )
        if body is None or not has_rating(body):
            return None
        review = to_review(body)
        channel = review.raw.get("channelRef")
        if self._settings.channel_ids and channel not in self._settings.channel_ids:
            return None
        return review

    async def count_reviews(
        self, query: ReviewQuery, *, has_reply: bool | None = None
    ) -> int:
        """``GET /reviews/count`` with the list's filters.

        The count is the platform's: ``ratings`` are sent as whole stars (no
        widening) and ``language``, which the platform cannot filter, is refused.
        """
        if query.language:
            raise ValueError("eTrusted cannot count reviews by language")
        plan = plan_list(
            query,
            channel_ids=self._settings.channel_ids,
            listed=self.lists,
            has_reply=has_reply,
        )
        if plan is None:
            return 0
        if query.ratings is not None:
            whole = sorted(r for r in query.ratings if 1 <= r <= 5)
            plan.params["rating"] = ",".join(map(str, whole))
        return to_count(
            (await self._api.call("GET", "reviews/count", params=plan.params)).body
        )

    async def list_minimal_reviews(
        self, query: ReviewQuery, position: str | None = None, limit: int = 20
    ) -> Page[Review]:
        """``GET /reviews-minimal``: lighter items (no customer, product, locale).

        Items map with the author ``Anonymous`` and no product; ``raw["type"]`` tells
        product from service reviews. SKU and language filters are refused: the
        endpoint takes no ``sku`` and its items carry neither.
        """
        if query.skus is not None or query.language:
            raise ValueError("the minimal list filters by neither SKU nor language")
        plan = plan_list(
            query, channel_ids=self._settings.channel_ids, listed=self.lists
        )
        return await fetch_page(
            self._api, "reviews-minimal", plan, position, limit, to_minimal_review
        )

    # -- writes: replies and vetos ------------------------------------------------

    async def save_reply(
        self, review_id: str, body: str, *, notify_customer: bool = False
    ) -> Reply:
        """``POST /reviews/{id}/reply``: create or replace the public reply."""
        request: ReplyWire = {"comment": body, "sendNotification": notify_customer}
        response = await self._api.call(
            "POST", f"reviews/{segment(review_id)}/reply", json_body=request
        )
        if response.body is None:
            # The docs leave the answer open; an empty one still means saved.
            return Reply(body, notify_customer=notify_customer)
        return to_reply(response.body)

    async def delete_reply(self, review_id: str) -> None:
        """``DELETE /reviews/{id}/reply``; ``ProviderNotFound`` when there is none."""
        await self._api.call("DELETE", f"reviews/{segment(review_id)}/reply")

    async def create_veto(
        self,
        review_id: str,
        *,
        reason: str,
        comment: str,
        reporter_email: str | None = None,
    ) -> ReviewReport:
        """``POST /reviews/{id}/vetos``: report a review to Trusted Shops.

        ``reason`` is one of ``VETO_REASONS``. The platform refuses (400) a second
        veto, and (per Pipedream and the simulator) one without ``reporter_email``.
        """
        request = _veto_request(reason, comment, reporter_email, None)
        response = await self._api.call(
            "POST", f"reviews/{segment(review_id)}/vetos", json_body=request
        )
        return to_report(response.body)

    async def veto(self, review_id: str) -> ReviewReport | None:
        """``GET /reviews/{id}/vetos``; ``None`` when there is no veto (or review)."""
        body = await self._api.get_or_none(f"reviews/{segment(review_id)}/vetos", None)
        return None if body is None else to_report(body)

    # -- channels and the service rating ------------------------------------------

    async def channels(self) -> list[Channel]:
        """``GET /channels``: every channel of the account."""
        return to_channels((await self._api.call("GET", "channels")).body)

    async def service_ratings(self, channel_id: str) -> dict[str, RatingSummary]:
        """``GET /channels/{id}/service-reviews/aggregate-rating``, every period.

        Keys are eTrusted's periods (``7days``, ``30days``, ``90days``, ``365days``,
        ``overall``); each value is a shop-wide summary (``sku`` None) of approved,
        verified service reviews.
        """
        path = f"channels/{segment(channel_id)}/service-reviews/aggregate-rating"
        return to_service_ratings((await self._api.call("GET", path)).body)

    async def service_rating(
        self, channel_id: str, period: str = DEFAULT_PERIOD
    ) -> RatingSummary:
        """One period of the channel's service rating (``365days`` by default)."""
        if period not in AGGREGATE_PERIODS:
            raise ValueError(f"period must be one of {', '.join(AGGREGATE_PERIODS)}")
        ratings = await self.service_ratings(channel_id)
        if period not in ratings:
            raise drift(f"aggregate rating has no {period} period")
        return ratings[period]

    async def shop_summary(self) -> RatingSummary:
        """The shop's service rating: every channel's ``overall`` period, added up.

        Over the configured channels (all of the account's when none is set), one
        aggregate-rating call per channel, concurrently (the first failure, a
        ``ProviderError``, cancels the rest and is raised); the average is weighted
        by each channel's count. ``overall``, like the product summaries, is all-time.
        """
        channel_ids = self._settings.channel_ids or tuple(
            c.id for c in await self.channels()
        )
        try:
            # A failed channel cancels the others' calls (a bare gather left them
            # running past the answer).
            async with asyncio.TaskGroup() as group:
                tasks = [
                    group.create_task(self.service_rating(c, OVERALL_PERIOD))
                    for c in channel_ids
                ]
        except ExceptionGroup as failed:
            raise failed.exceptions[0] from None
        parts = [task.result() for task in tasks]
        count = sum(p.count for p in parts)
        weighted = sum((p.average or 0.0) * p.count for p in parts)
        return RatingSummary(
            provider=Provider.ETRUSTED,
            sku=None,
            count=count,
            average=round(weighted / count, 2) if count else None,
            distribution=sum((p.distribution for p in parts), StarDistribution()),
        )

    # -- the deprecated customer-reviews family -----------------------------------

    async def customer_reviews(
        self,
        channel_id: str,
        query: ReviewQuery,
        position: str | None = None,
        limit: int = 20,
        *,
        has_reply: bool | None = None,
    ) -> Page[Review]:
        """Deprecated ``GET /channels/{id}/customer-reviews``: one channel's list.

        As ``list_reviews``, but this endpoint has no ``sku`` parameter: SKUs are
        checked on each product review in the client.
        """
        plan = plan_list(
            query,
            channel_ids=(),
            listed=self.lists,
            sku_filter=False,
            has_reply=has_reply,
        )
        if plan is not None:
            plan.params["additionalInformation"] = LIST_EXTRAS
        path = f"channels/{segment(channel_id)}/customer-reviews"
        return await fetch_page(self._api, path, plan, position, limit, to_review)

    async def customer_review(self, channel_id: str, review_id: str) -> Review | None:
        """Deprecated ``GET /channels/{id}/customer-reviews/{id}``; 404 -> ``None``."""
        path = f"channels/{segment(channel_id)}/customer-reviews/{segment(review_id)}"
        body = await self._api.get_or_none(
            path, {"additionalInformation": REVIEW_EXTRAS}
        )
        return to_review(body) if body is not None and has_rating(body) else None

    async def create_customer_review_veto(
        self,
        channel_id: str,
        review_id: str,
        *,
        reason: str,
        comment: str,
        reporter_email: str | None = None,
        channel_name: str | None = None,
    ) -> ReviewReport:
        """Deprecated ``POST /channels/{id}/customer-reviews/{id}/vetos``."""
        request = _veto_request(reason, comment, reporter_email, channel_name)
        path = (
            f"channels/{segment(channel_id)}/customer-reviews/"
            f"{segment(review_id)}/vetos"
        )
        return to_report((await self._api.call("POST", path, json_body=request)).body)


def _veto_request(
    reason: str, comment: str, reporter_email: str | None, channel_name: str | None
) -> VetoRequest:
    if reason not in VETO_REASONS:
        raise ValueError(f"reason must be one of {', '.join(VETO_REASONS)}")
    request: VetoRequest = {"comment": comment, "reason": reason}
    if reporter_email is not None:
        request["vetoReporterEmail"] = reporter_email
    if channel_name is not None:
        request["channelName"] = channel_name
    return request


async def _caught(call: Awaitable[T]) -> T | ProviderError:
    """The result, or the ``ProviderError`` it raised (one key's failure)."""
    try:
        return await call
    except ProviderError as exc:
        return exc
