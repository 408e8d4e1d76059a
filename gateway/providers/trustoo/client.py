"""``TrustooClient``: the gateway's only way to talk to Trustoo's Reviews Data API.

Every call is HMAC-signed and sent through ``ProviderHttp`` (``transport.py``);
every answer's envelope code is checked (``envelope.py``) and its ``data`` mapped
to records (``mapping.py``). One method per endpoint, plus the uniform read contract
(``list_reviews``, ``reviews_by_keys``, ``summaries_by_sku``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import ClassVar, Final

import aiohttp

from gateway.config import CatalogEntry, TrustooSettings
from gateway.errors import ProviderError, ProviderNotFound
from gateway.records import (
    CustomerEvent,
    CustomerExclusion,
    Page,
    Provider,
    RatingSummary,
    Review,
    ReviewKey,
    ReviewQuery,
    ReviewRequestOrder,
    UploadCredentials,
    Webhook,
)

from .enums import ORDER_TYPES, WEBHOOK_TOPICS, EmailType, OrderState
from .envelope import unwrap
from .listing import (
    LaneRows,
    ReviewPlan,
    ReviewPosition,
    check_limit,
    merge,
    plan,
)
from .mapping import (
    PROVIDER,
    ProductIndex,
    drift,
    to_customer_event,
    to_customer_exclusion,
    to_image_upload,
    to_list_page,
    to_rating_summary,
    to_review,
    to_review_request_order,
    to_video_upload,
    to_webhook,
    zero_summary,
)
from .review_input import ReviewDraft, create_review_body, invalid, wire_time
from .transport import Transport

MAX_ROUNDS: Final = 5
"""get_reviews rounds one ``list_reviews`` may spend filling a client-filtered page."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _numeric_id(value: str) -> int | None:
    """A Trustoo id as the integer the API wants; None when it cannot be one."""
    if value.isascii() and value.isdigit() and 0 < int(value) < 2**63:
        return int(value)
    return None


def _known_id(value: str, what: str) -> int:
    number = _numeric_id(value)
    if number is None:  # no such id can exist: spare the call
        raise ProviderNotFound(PROVIDER.value, f"no {what} with that id")
    return number


def _sort(oldest_first: bool) -> str:
    return "created-ascending" if oldest_first else "created-descending"


def _times(**bounds: datetime | None) -> dict[str, str]:
    return {name: wire_time(at) for name, at in bounds.items() if at is not None}


class TrustooClient:
    """Trustoo's Reviews Data API (mid-2025 docs) for one shop, as records.

    ``catalog`` maps SKUs to Shopify product ids; ``now`` stamps each signature
    (``monotonic`` is unused: Trustoo has no token to expire). The caller opens
    and closes ``session`` (``gateway.http.open_session``).
    """

    provider: ClassVar[Provider] = Provider.TRUSTOO

    def __init__(
        self,
        settings: TrustooSettings,
        session: aiohttp.ClientSession,
        *,
        catalog: Sequence[CatalogEntry] = (),
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._settings = settings
        self._api = Transport(settings, session, now)
        self._products = ProductIndex.of(catalog)
        self._monotonic = monotonic
        self._now = now

    def __repr__(self) -> str:
        return f"TrustooClient(base_url={self._settings.base_url!r})"

    # --- the uniform read contract ----------------------------------------------

    async def list_reviews(
        self, query: ReviewQuery, position: str | None = None, limit: int = 20
    ) -> Page[Review]:
        """Reviews matching ``query``, newest first (``listing.py`` has the rules).

        A page may hold fewer than ``limit`` reviews while ``next`` is set (rows
        filtered here, or one lane of two used up); ``total`` is set when every
        filter was pushed down. Raises ``ValueError`` for a bad limit or position.
        """
        check_limit(limit)
        wanted = plan(query, self._products)
        if wanted is None:
            return Page(())
        at = (
            ReviewPosition.decode(position, len(wanted.lanes))
            if position
            else wanted.start(limit)
        )
        items: list[Review] = []
        total: int | None = None
        for _ in range(MAX_ROUNDS):
            lanes = await self._lanes(wanted, at)
            if total is None and not wanted.filtered and None not in lanes:
                total = sum(lane.count for lane in lanes if lane is not None)
            items += merge(lanes, limit - len(items), wanted)
            at = ReviewPosition(
                at.page_size, tuple(None if ln is None else ln.next() for ln in lanes)
            )
            if len(items) >= limit or at.encode() is None:
                break
        return Page(tuple(items), at.encode(), total)

    async def _lanes(
        self, wanted: ReviewPlan, at: ReviewPosition
    ) -> list[LaneRows | None]:
        """Each lane's current page, fetched concurrently."""
        found = await asyncio.gather(
            *(
                self._lane(wanted, published, lane, at.page_size)
                for published, lane in zip(wanted.lanes, at.lanes, strict=True)
            ),
            return_exceptions=True,  # let every lane finish: none left running
        )
        for result in found:
            if isinstance(result, BaseException):
                raise result
        return [r for r in found if not isinstance(r, BaseException)]

    async def _lane(
        self,
        wanted: ReviewPlan,
        published: int,
        lane: tuple[int, int] | None,
        page_size: int,
    ) -> LaneRows | None:
        if lane is None:
            return None
        page, skip = lane
        params: dict[str, str | int] = {
            **wanted.params,
            "is_published": published,
            "page": page,
            "page_size": page_size,
        }
        listing = to_list_page(await self._api.get("get_reviews", params))
        rows = [to_review(row, self._products) for row in listing.rows[skip:]]
        return LaneRows(rows, page, skip, listing.last, listing.count)

    async def reviews_by_keys(
        self, keys: Sequence[ReviewKey]
    ) -> list[Review | ProviderError | None]:
        """One get_review call per distinct id, concurrently; aligned with ``keys``.

        ``None`` for a review Trustoo does not have (code 5, or an id that cannot be
        Trustoo's); a ``ProviderError`` in the slot of a key whose call failed.
        """
        ids = list(dict.fromkeys(key.id for key in keys))
        found = await asyncio.gather(*(self._review_or_error(i) for i in ids))
        by_id = dict(zip(ids, found, strict=True))
        return [by_id[key.id] for key in keys]

    async def _review_or_error(self, review_id: str) -> Review | ProviderError | None:
        number = _numeric_id(review_id)
        if number is None:
            return None
        try:
            return await self.review(str(number))
        except ProviderNotFound:
            return None
        except ProviderError as exc:
            return exc

    async def review(self, review_id: str) -> Review:
        """GET get_review?id= (published or not); ``ProviderNotFound`` if unknown."""
        data = await self._api.get("get_review", {"id": _known_id(review_id, "review")})
        return to_review(data, self._products)

    async def summaries_by_sku(
        self, skus: Sequence[str]
    ) -> list[RatingSummary | ProviderError]:
        """One get_rating call per distinct listed SKU, concurrently.

        get_rating has no batch form (one ``product_id`` per call), so N listed SKUs
        cost N calls; an unlisted SKU gets a zero summary without a call. Counts
        cover published reviews, as the storefront shows them.
        """
        listed = {
            sku: product_id
            for sku in dict.fromkeys(skus)
            if (product_id := self._products.product_id(sku)) is not None
        }
        results = await asyncio.gather(
            *(self._summary_or_error(sku, pid) for sku, pid in listed.items())
        )
        found = dict(zip(listed, results, strict=True))
        return [found[sku] if sku in found else zero_summary(sku) for sku in skus]

    async def _summary_or_error(
        self, sku: str, product_id: int
    ) -> RatingSummary | ProviderError:
        try:
            data = await self._api.get("get_rating", {"product_id": product_id})
            return to_rating_summary(data, sku)
        except ProviderError as exc:
            return exc

    async def shop_summary(self) -> RatingSummary:
        """The store reviews' rating (get_rating ``is_store_rating=1``), sku None."""
        return to_rating_summary(
            await self._api.get("get_rating", {"is_store_rating": 1}), None
        )

    async def overall_summary(self) -> RatingSummary:
        """All reviews' rating, product and store (``is_all_rating=1``), sku None."""
        return to_rating_summary(
            await self._api.get("get_rating", {"is_all_rating": 1}), None
        )

    # --- reviews: writes ---------------------------------------------------------

    async def create_review(self, draft: ReviewDraft) -> Review | None:
        """POST create_review; the created review, or None if the answer omits it.

        The draft is checked against every documented constraint first
        (``ProviderBadRequest`` without a call). The seed documents the answer as
        ``{}``; the simulator (and later docs) answer the new review. On ``{}`` the
        review was created but cannot be shown: None (never retry a create).
        """
        body = create_review_body(draft, self._products, self._now())
        response = await self._api.send("POST", "create_review", None, body)
        if response.body == {}:
            return None
        data = unwrap(response.body, response.status)
        return None if data in (None, {}) else to_review(data, self._products)

    async def delete_review(self, review_id: str) -> None:
        """POST delete_review {id}; ``ProviderNotFound`` for an unknown review."""
        await self._api.post("delete_review", {"id": _known_id(review_id, "review")})

    # --- webhooks ----------------------------------------------------------------

    def webhook_review(self, raw: object) -> Review:
        """One review object of a webhook delivery's ``list``, as a ``Review``.

        Mapped as the lists are (the shop's catalog gives the SKU); raises
        ``ProviderPayloadError`` for an object that is no review.
        """
        return to_review(raw, self._products)

    async def create_webhook(self, topic: str, url: str) -> Webhook:
        """POST create_shop_webhook; ``topic`` one of ``WEBHOOK_TOPICS``."""
        if topic not in WEBHOOK_TOPICS:
            raise invalid(f"topic must be one of: {', '.join(WEBHOOK_TOPICS)}")
        data = await self._api.post("create_shop_webhook", {"topic": topic, "url": url})
        return to_webhook(data)

    async def update_webhook(
        self, webhook_id: str, *, topic: str | None = None, url: str | None = None
    ) -> Webhook:
        """POST update_shop_webhook {id, topic?, url?}."""
        if topic is not None and topic not in WEBHOOK_TOPICS:
            raise invalid(f"topic must be one of: {', '.join(WEBHOOK_TOPICS)}")
        body: dict[str, object] = {"id": _known_id(webhook_id, "webhook")}
        body |= {k: v for k, v in (("topic", topic), ("url", url)) if v is not None}
        return to_webhook(await self._api.post("update_shop_webhook", body))

    async def delete_webhook(self, webhook_id: str) -> None:
        """POST delete_shop_webhook {id}."""
        await self._api.post(
            "delete_shop_webhook", {"id": _known_id(webhook_id, "webhook")}
        )

    async def webhooks(self) -> list[Webhook]:
        """GET get_shop_webhooks: every subscription (not paged)."""
        data = await self._api.get("get_shop_webhooks")
        if not isinstance(data, list):
            raise drift("webhooks is not an array")
        return [to_webhook(row) for row in data]

    # --- customers and e-mails ---------------------------------------------------

    async def create_customer_exclusion(self, email: str) -> CustomerExclusion:
        """POST create_customer_exclude {email}; excluding twice is ProviderRejected."""
        data = await self._api.post("create_customer_exclude", {"email": email})
        return to_customer_exclusion(data)

    async def delete_customer_exclusion(
        self, *, customer_id: str | None = None, email: str | None = None
    ) -> None:
        """POST delete_customer_exclude with exactly one of customer_id and email."""
        if (customer_id is None) == (email is None):
            raise ValueError("give exactly one of customer_id and email")
        body: dict[str, object] = (
            {"email": email}
            if email is not None
            else {"customer_id": _known_id(customer_id or "", "customer exclusion")}
        )
        await self._api.post("delete_customer_exclude", body)

    async def customer_exclusions(
        self,
        position: str | None = None,
        limit: int = 20,
        *,
        oldest_first: bool = False,
    ) -> Page[CustomerExclusion]:
        """GET get_customer_excludes, newest first unless ``oldest_first``."""
        params = {"sort_by": _sort(oldest_first)}
        return await self._api.paged(
            "get_customer_excludes", params, position, limit, to_customer_exclusion
        )

    async def email_unsubscribe(
        self, email: str, email_type: EmailType = EmailType.ALL
    ) -> None:
        """POST email_unsubscribe {email, email_type} (idempotent)."""
        kind = EmailType(email_type)  # a plain string is checked before any call
        await self._api.post(
            "email_unsubscribe", {"email": email, "email_type": kind.value}
        )

    # --- shop activity -----------------------------------------------------------

    async def review_request_orders(
        self,
        *,
        state: OrderState | None = None,
        sent_after: datetime | None = None,
        sent_before: datetime | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        oldest_first: bool = False,
        position: str | None = None,
        limit: int = 20,
    ) -> Page[ReviewRequestOrder]:
        """GET get_orders: filters as Trustoo applies them (time bounds inclusive).

        A sent-time bound leaves out orders whose request was never sent.
        """
        params: dict[str, str | int] = {"sort_by": _sort(oldest_first)}
        if state is not None:
            params["type"] = ORDER_TYPES[OrderState(state)]
        params |= _times(
            start_sent_at=sent_after,
            end_sent_at=sent_before,
            start_time=created_after,
            end_time=created_before,
        )
        return await self._api.paged(
            "get_orders", params, position, limit, to_review_request_order
        )

    async def customer_events(
        self,
        *,
        event_type: str | None = None,
        os_type: str | None = None,
        event_source: str | None = None,
        oldest_first: bool = False,
        position: str | None = None,
        limit: int = 20,
    ) -> Page[CustomerEvent]:
        """GET get_customer_events, filtered by event type, OS and source.

        E.g. event_type VIEW_REVIEW, os_type IOS, event_source STOREFRONT; the docs'
        lists end in "etc.", so values are passed as given.
        """
        filters = {
            "event_type": event_type,
            "os_type": os_type,
            "event_source": event_source,
        }
        params: dict[str, str | int] = {"sort_by": _sort(oldest_first)}
        params |= {k: v for k, v in filters.items() if v is not None}
        return await self._api.paged(
            "get_customer_events", params, position, limit, to_customer_event
        )

    # --- media uploads -----------------------------------------------------------

    async def image_upload_credentials(self) -> UploadCredentials:
        """GET get_image_upload_policy_token: an OSS post policy for review images."""
        return to_image_upload(await self._api.get("get_image_upload_policy_token"))

    async def video_upload_url(self, file_name: str | None = None) -> UploadCredentials:
        """GET get_video_upload_url[?file_name=]: a presigned PUT URL for a video."""
        params = {} if file_name is None else {"file_name": file_name}
        return to_video_upload(await self._api.get("get_video_upload_url", params))
