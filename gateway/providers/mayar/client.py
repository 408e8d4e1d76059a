"""``MayarClient``: the gateway's only way to talk to Mayar's review endpoints.

Endpoints (V2, relative to ``base_url``):

=====================================================  ===============================
method                                                 Mayar endpoint
=====================================================  ===============================
list_reviews, all_reviews, reviews_by_keys            GET hl/v2/reviews
list_reviews (one SKU, PUBLISHED), product_reviews     GET hl/v2/products/{id}/reviews
customer_review                                        GET .../{id}/reviews/customer
summaries_by_sku                                       GET .../{id}/reviews/stats
merchant_summary                                       GET hl/v2/merchants/reviews/stats
create_review                                          POST hl/v2/reviews/create
update_review                                          POST hl/v2/reviews/{id}/update
set_review_statuses                                    POST .../bulk-status/update
=====================================================  ===============================
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import ClassVar, Final

import aiohttp

from gateway.config import CatalogEntry, MayarSettings
from gateway.errors import ProviderError, ProviderNotFound
from gateway.records import (
    Page,
    Provider,
    RatingSummary,
    Review,
    ReviewKey,
    ReviewQuery,
    ReviewStatus,
)

from .bodies import MediaFile, as_key, create_body, status_changes, update_body
from .envelope import (
    CUSTOMER_ID_REQUIRED,
    INVALID_REVIEWS,
    PRODUCT_NOT_FOUND,
    REVIEW_NOT_FOUND,
    REVIEW_OR_TRANSACTION,
    REVIEW_REFUSED,
)
from .listing import (
    MAX_LIMIT,
    Batch,
    Cursor,
    Plan,
    decode_position,
    encode_position,
    merge_round,
    plan_query,
    truncate_before,
)
from .mapping import (
    STATUS_TO_WIRE,
    parse_locator,
    to_rating_summary,
    to_review,
    with_email,
    zero_summary,
)
from .transport import (
    BULK_STATUS_PATH,
    CREATE_PATH,
    MERCHANT_STATS_PATH,
    REVIEWS_PATH,
    MayarApi,
    Params,
    gather_all,
    product_path,
    settle,
    update_path,
)

MAX_ROUNDS: Final = 4
"""Merge rounds (one call per live stream each) before a short page is returned."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")


class MayarClient:
    """Async client of Mayar's Headless API V2 reviews, returning gateway records.

    ``catalog`` maps SKUs to payment link ids; SKUs without one are not on Mayar and
    cost no call. Mayar has no tokens, so ``monotonic`` and ``now`` are accepted for
    the uniform constructor and not used.
    """

    provider: ClassVar[Provider] = Provider.MAYAR

    def __init__(
        self,
        settings: MayarSettings,
        session: aiohttp.ClientSession,
        *,
        catalog: Sequence[CatalogEntry] = (),
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        listed = [e for e in catalog if e.mayar_payment_link_id]
        self._links = {e.sku: e.mayar_payment_link_id or "" for e in listed}
        self._catalog = {e.mayar_payment_link_id or "": e for e in listed}
        self._api = MayarApi(settings.api_key, session, self._catalog)
        self._monotonic = monotonic
        self._now = now

    def _link_ids(self, skus: Sequence[str] | None) -> list[str] | None:
        if skus is None:
            return None
        return sorted({self._links[s] for s in skus if s in self._links})

    # -- the uniform read contract ----------------------------------------------

    async def list_reviews(
        self, query: ReviewQuery, position: str | None = None, limit: int = 20
    ) -> Page[Review]:
        """Reviews matching ``query``, newest first; ``listing`` explains the plan.

        A page may hold fewer than ``limit`` reviews while ``next`` is set (the
        client filters what Mayar cannot, in at most ``MAX_ROUNDS`` rounds).
        Raises ``ValueError`` for a bad ``limit`` or a ``position`` not made for
        this query.
        """
        _check_limit(limit)
        plan = plan_query(query, self._link_ids(query.skus))
        if plan is None:
            return Page(())
        cursors = decode_position(plan, position)
        items: list[Review] = []
        for _ in range(MAX_ROUNDS):
            live = [i for i, c in enumerate(cursors) if not c.done]
            if not live or len(items) >= limit:
                break
            want = limit - len(items)
            batches = await self._round(plan, query, cursors, live, want)
            emitted, cursors = merge_round(cursors, batches, want, plan.matches)
            items.extend(emitted)
        if all(c.done for c in cursors):
            return Page(tuple(items))
        return Page(tuple(items), encode_position(plan, cursors))

    async def _round(
        self,
        plan: Plan,
        query: ReviewQuery,
        cursors: Sequence[Cursor],
        live: Sequence[int],
        want: int,
    ) -> dict[int, Batch]:
        """Fetch one page of every live stream, concurrently."""
        # Filtering in the client thins pages out: then fetch Mayar's largest page.
        size = MAX_LIMIT if plan.filters_in_client else want
        pages = await gather_all(
            self._api.page(
                plan.streams[i].path, plan.streams[i].params, cursors[i].after, size
            )
            for i in live
        )
        return {
            i: truncate_before(Batch(reviews, not more), query)
            for i, (reviews, more) in zip(live, pages, strict=True)
        }

    async def reviews_by_keys(
        self, keys: Sequence[ReviewKey]
    ) -> list[Review | ProviderError | None]:
        """Reviews by key, aligned with ``keys``; duplicates are fetched once.

        Mayar has no get-review-by-id. A key's locator is its payment link: the
        keys of one link share one walk of ``GET /hl/v2/reviews?paymentLinkId=``
        (100 a page, every state, with the customer's name) that stops once all
        are found, so a lookup costs ``ceil(its position in the link's list /
        100)`` calls; links are walked concurrently. ``None``, without a call: no
        such review, or a key this client never issued (no locator, a malformed
        one, or a payment link outside the catalog): finding those would mean
        walking the merchant's whole list, a dozen calls of Mayar's 20 a minute.
        """
        wanted: defaultdict[str, set[str]] = defaultdict(set)
        for key in keys:
            link = self._link_of(key)
            if link is not None:
                wanted[link].add(key.id)
        walks = list(wanted.items())
        found = await gather_all(
            settle(self._scan_for(frozenset(ids), link)) for link, ids in walks
        )
        by_link = dict(zip((link for link, _ in walks), found, strict=True))
        results: list[Review | ProviderError | None] = []
        for key in keys:
            link = self._link_of(key)
            scanned = None if link is None else by_link[link]
            if scanned is None or isinstance(scanned, ProviderError):
                results.append(scanned)
            else:
                results.append(scanned.get(key.id))
        return results

    def _link_of(self, key: ReviewKey) -> str | None:
        """The catalog payment link whose list holds ``key``; ``None``: none does."""
        link = parse_locator(key.locator) if key.locator else None
        return link if link in self._catalog else None

    async def _scan_for(self, ids: frozenset[str], link: str) -> dict[str, Review]:
        """Walk one payment link's list for ``ids``."""
        params: Params = {"paymentLinkId": link}
        found: dict[str, Review] = {}
        after: str | None = None
        more = bool(ids)
        while more and len(found) < len(ids):
            try:
                reviews, more = await self._api.page(
                    REVIEWS_PATH, params, after, MAX_LIMIT
                )
            except ProviderNotFound:
                # The payment link is gone, and with it its reviews.
                return found
            found.update(
                (r.provider_review_id, r)
                for r in reviews
                if r.provider_review_id in ids
            )
            after = reviews[-1].provider_review_id if reviews else None
        return found

    async def summaries_by_sku(
        self, skus: Sequence[str]
    ) -> list[RatingSummary | ProviderError]:
        """Rating summaries (ACTIVE reviews) aligned with ``skus``.

        Mayar has no batch form: one stats call per distinct listed SKU, all
        concurrent. A SKU not on Mayar gets a zero summary without a call.
        """
        listed = {s: self._links[s] for s in dict.fromkeys(skus) if s in self._links}
        summaries = await gather_all(
            settle(self._stats(product_path(link, "/stats"), sku))
            for sku, link in listed.items()
        )
        by_sku = dict(zip(listed, summaries, strict=True))
        return [by_sku.get(sku) or zero_summary(sku) for sku in skus]

    async def _stats(self, path: str, sku: str | None) -> RatingSummary:
        envelope = await self._api.call("GET", path, refusals={404: PRODUCT_NOT_FOUND})
        return to_rating_summary(envelope.get("data"), sku)

    # -- further reads -----------------------------------------------------------

    async def merchant_summary(self) -> RatingSummary:
        """The shop-wide summary of ACTIVE reviews (``sku`` None)."""
        return await self._stats(MERCHANT_STATS_PATH, None)

    async def customer_review(self, sku: str, customer_id: str) -> Review | None:
        """One customer's review of one product, in any state; ``None``: none.

        Mayar's answer omits the customer's name (author ``ANONYMOUS_AUTHOR``).
        """
        link = self._links.get(sku)
        if link is None:
            return None
        return await self._customer_review(link, customer_id)

    async def _customer_review(self, link: str, customer_id: str) -> Review | None:
        envelope = await self._api.call(
            "GET",
            product_path(link, "/customer"),
            params={"customerId": customer_id},
            refusals={404: PRODUCT_NOT_FOUND, 400: CUSTOMER_ID_REQUIRED},
        )
        data = envelope.get("data")
        return None if data is None else to_review(data, self._catalog)

    async def product_reviews(
        self,
        sku: str,
        position: str | None = None,
        limit: int = 20,
        *,
        rating: int | None = None,
        prioritize_message: bool = False,
    ) -> Page[Review]:
        """A product's ACTIVE reviews, one Mayar page per call.

        Newest first, or reviews with a message first (``prioritize_message``);
        ``position`` is Mayar's ``nextStartingAfter``.
        """
        _check_limit(limit)
        link = self._links.get(sku)
        if link is None:
            return Page(())
        params: dict[str, str | int] = {}
        if rating is not None:
            params["rating"] = rating
        if prioritize_message:
            params["prioritizeMessage"] = "true"
        return await self._page(product_path(link), params, position, limit)

    async def all_reviews(
        self,
        position: str | None = None,
        limit: int = 20,
        *,
        status: ReviewStatus | None = None,
        sku: str | None = None,
        rating: int | None = None,
    ) -> Page[Review]:
        """The merchant's reviews, one Mayar page per call.

        Every state unless ``status``; ``position`` is Mayar's ``nextStartingAfter``.
        A status or SKU Mayar does not have gives an empty page without a call.
        """
        _check_limit(limit)
        params: dict[str, str | int] = {}
        if status is not None:
            if status not in STATUS_TO_WIRE:
                return Page(())
            params["status"] = STATUS_TO_WIRE[status]
        if sku is not None:
            if sku not in self._links:
                return Page(())
            params["paymentLinkId"] = self._links[sku]
        if rating is not None:
            params["rating"] = rating
        return await self._page(REVIEWS_PATH, params, position, limit)

    async def _page(
        self, path: str, params: Params, position: str | None, limit: int
    ) -> Page[Review]:
        reviews, more = await self._api.page(path, params, position, limit)
        return Page(tuple(reviews), reviews[-1].provider_review_id if more else None)

    # -- writes ------------------------------------------------------------------

    async def create_review(
        self,
        sku: str,
        customer_email: str,
        rating: int,
        *,
        body: str | None = None,
        media: Sequence[MediaFile] = (),
    ) -> Review:
        """Create a review as a paying customer; returns it (status PUBLISHED).

        Raises ``ProviderNotFound`` (PRODUCT_NOT_FOUND; no call for a SKU not on
        Mayar), ``ProviderRejected`` (NOT_A_BUYER, ALREADY_REVIEWED, or
        REVIEW_REFUSED when an HTTP 400 hides which) and ``ProviderBadRequest``
        (VALIDATION_FAILED, ``vendor_message`` "field: reason; ...").
        """
        link = self._links.get(sku)
        if link is None:
            raise PRODUCT_NOT_FOUND.raise_as(None)
        envelope = await self._api.call(
            "POST",
            CREATE_PATH,
            body=create_body(link, customer_email, rating, body, media),
            refusals={404: PRODUCT_NOT_FOUND, 400: REVIEW_REFUSED},
        )
        created = to_review(envelope.get("data"), self._catalog)
        return with_email(created, customer_email)

    async def update_review(
        self,
        review: ReviewKey | str,
        *,
        rating: int | None = None,
        body: str | None = None,
        customer_email: str | None = None,
        add_media: Sequence[MediaFile] = (),
        delete_media_ids: Sequence[str] = (),
    ) -> Review:
        """Edit a review and return it.

        A key's locator narrows Mayar's lookup (payment link and customer). Raises
        ``ProviderNotFound`` (REVIEW_NOT_FOUND) or ``ProviderRejected``
        (NO_TRANSACTION: the e-mail never paid for the review's payment link).
        """
        key = as_key(review)
        payload = update_body(
            key, rating, body, customer_email, add_media, delete_media_ids
        )
        # Without an e-mail there is no transaction to miss: a 404 is the review.
        missing = REVIEW_NOT_FOUND if customer_email is None else REVIEW_OR_TRANSACTION
        envelope = await self._api.call(
            "POST", update_path(key.id), body=payload, refusals={404: missing}
        )
        updated = to_review(envelope.get("data"), self._catalog)
        return (
            updated if customer_email is None else with_email(updated, customer_email)
        )

    async def set_review_statuses(
        self, changes: Sequence[tuple[ReviewKey | str, ReviewStatus]]
    ) -> None:
        """Set the status of 1..50 reviews in one all-or-nothing call.

        PUBLISHED, HIDDEN and ARCHIVED only (Mayar's ACTIVE, INACTIVE, ARCHIVED),
        checked before any call (``ValueError``). Raises ``ProviderRejected``
        (INVALID_REVIEWS) when Mayar refuses a review that is not the merchant's.
        """
        await self._api.call(
            "POST",
            BULK_STATUS_PATH,
            body={"input": status_changes(changes)},
            refusals={400: INVALID_REVIEWS},
        )
