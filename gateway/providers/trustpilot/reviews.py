"""Reading reviews: the private list, single reviews, imported and public lists."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence

from gateway.errors import ProviderError
from gateway.http import expect_object
from gateway.records import (
    Page,
    Provider,
    Review,
    ReviewKey,
    ReviewQuery,
)

from . import fields as f
from . import mapping as m
from .listing import Position, check_limit, client_filtered, matches, past_window
from .transport import (
    MAX_IMPORTED_PAGES,
    MAX_PAGES_PER_CALL,
    MAX_PER_PAGE,
    TrustpilotTransport,
    none_if_missing,
    seg,
    settled,
)


class ReviewsApi(TrustpilotTransport):
    """Review reads."""

    # --- the uniform read contract ---------------------------------------------

    async def list_reviews(
        self, query: ReviewQuery, position: str | None = None, limit: int = 20
    ) -> Page[Review]:
        """Reviews matching ``query``, newest first, from the private list."""
        check_limit(limit, MAX_PER_PAGE)
        params = self._list_params(query)
        if params is None:
            return Page(())
        pos = (
            Position.decode(position, MAX_PER_PAGE) if position else Position(1, limit)
        )
        found: list[Review] = []
        total: int | None = None
        for _ in range(MAX_PAGES_PER_CALL):
            reviews, more, total = await self._review_page(params, pos)
            done, resume = self._collect(reviews, more, pos, query, found, limit)
            if done or not more:
                return Page(tuple(found), resume, self._total(query, total))
            pos = pos.next_page()
        # Filtering in the client may need many pages; hand back what we have.
        return Page(tuple(found), pos.encode(), self._total(query, total))

    def _list_params(self, query: ReviewQuery) -> dict[str, str | int] | None:
        """The private list's filters, or ``None`` when nothing can match."""
        states = [m.STATE[s] for s in m.STATE if s in query.statuses]
        skus = None if query.skus is None else self._listed(query.skus)
        no_rating = query.ratings is not None and not query.ratings
        if query.shop or not states or skus == [] or no_rating:
            return None
        params: dict[str, str | int] = {"state": ",".join(states)}
        if skus is not None:
            params["sku"] = ",".join(skus)
        if query.language:
            params["language"] = query.language
        return params

    @staticmethod
    def _total(query: ReviewQuery, total: int | None) -> int | None:
        return None if client_filtered(query) else total

    async def _review_page(
        self, params: Mapping[str, str | int], pos: Position
    ) -> tuple[list[Review], bool, int | None]:
        """One page of the private list, mapped; whether more follow; ``total``."""
        body = expect_object(
            Provider.TRUSTPILOT,
            await self._private(
                "GET",
                f"{self._private_bu}/reviews",
                params={**params, "page": pos.page, "perPage": pos.per_page},
            ),
            "private product reviews",
        )
        raw = f.items(body, "productReviews", "reviews")
        reviews = [m.to_review(r, self._catalog) for r in raw]
        total = body.get("total")
        seen = (pos.page - 1) * pos.per_page + len(reviews)
        # The docs' own sample shows "total": 0 beside a review: trust ``total``
        # only when it covers what this page holds, else fall back on links.
        if isinstance(total, int) and not isinstance(total, bool) and total >= seen:
            return reviews, pos.page * pos.per_page < total, total
        return reviews, m.has_next(body, len(reviews), pos.per_page), None

    @staticmethod
    def _collect(
        reviews: list[Review],
        more: bool,
        pos: Position,
        query: ReviewQuery,
        found: list[Review],
        limit: int,
    ) -> tuple[bool, str | None]:
        """Add this page's matches to ``found``: (done, the position to resume at)."""
        for index in range(pos.skip, len(reviews)):
            review = reviews[index]
            if past_window(review, query):
                return True, None
            if matches(review, query):
                found.append(review)
                if len(found) == limit:
                    resume = pos.after(index, len(reviews), more)
                    return True, None if resume is None else resume.encode()
        return False, None

    async def reviews_by_keys(
        self, keys: Sequence[ReviewKey]
    ) -> list[Review | ProviderError | None]:
        """Aligned with ``keys``: the review, ``None`` if unknown, or the error.

        Product reviews: GET /v1/private/product-reviews/{id}, concurrently, one call
        per distinct id. Imported reviews (synthetic id, SKU locator): their SKU's
        imported list is scanned, one scan per distinct SKU.
        """
        unique = list(dict.fromkeys(k.id for k in keys if k.id))
        regular = [i for i in unique if not i.startswith(m.IMPORTED_PREFIX)]
        imported_skus = list(
            dict.fromkeys(
                k.locator
                for k in keys
                if k.id.startswith(m.IMPORTED_PREFIX) and k.locator
            )
        )
        singles, scans = await asyncio.gather(
            settled(none_if_missing(self._private_review(i)) for i in regular),
            settled(self._imported_index(sku) for sku in imported_skus),
        )
        by_id: dict[str, Review | ProviderError | None] = dict(
            zip(regular, singles, strict=True)
        )
        by_sku = dict(zip(imported_skus, scans, strict=True))
        return [self._keyed(key, by_id, by_sku) for key in keys]

    @staticmethod
    def _keyed(
        key: ReviewKey,
        by_id: Mapping[str, Review | ProviderError | None],
        by_sku: Mapping[str, dict[str, Review] | ProviderError],
    ) -> Review | ProviderError | None:
        if not key.id.startswith(m.IMPORTED_PREFIX):
            return by_id.get(key.id)
        scan = by_sku.get(key.locator or "")
        if scan is None or isinstance(scan, ProviderError):
            return scan
        return scan.get(key.id)

    async def _private_review(self, review_id: str) -> Review:
        body = await self._private(
            "GET", f"v1/private/product-reviews/{seg(review_id)}"
        )
        return m.to_review(body, self._catalog)

    async def _imported_index(self, sku: str) -> dict[str, Review]:
        """Every imported review of ``sku`` by its synthetic id."""
        found: dict[str, Review] = {}
        position: str | None = None
        for _ in range(MAX_IMPORTED_PAGES):
            page = await self.imported_reviews(sku, position, MAX_PER_PAGE)
            found.update((r.provider_review_id, r) for r in page.items)
            position = page.next
            if position is None:
                break
        return found

    # --- other review lists ------------------------------------------------------

    async def imported_reviews(
        self,
        sku: str,
        position: str | None = None,
        limit: int = 20,
        *,
        ratings: Iterable[int] | None = None,
        language: str | None = None,
    ) -> Page[Review]:
        """GET .../imported-reviews for one SKU (``Review.imported``), newest first."""
        product = m.catalog_product(sku, self._catalog)
        return await self._public_page(
            f"{self._bu}/imported-reviews",
            [sku],
            position,
            limit,
            lambda raw: m.to_imported_review(raw, product),
            ratings=ratings,
            language=language,
        )

    async def published_reviews(
        self,
        skus: Sequence[str],
        position: str | None = None,
        limit: int = 20,
        *,
        ratings: Iterable[int] | None = None,
        language: str | None = None,
    ) -> Page[Review]:
        """GET .../reviews (API key): published reviews, no PII, newest first.

        The payload does not name the product: ``Review.product`` is set only when
        one SKU is asked.
        """
        listed = self._listed(skus)
        product = (
            m.catalog_product(listed[0], self._catalog) if len(listed) == 1 else None
        )
        return await self._public_page(
            f"{self._bu}/reviews",
            listed,
            position,
            limit,
            lambda raw: m.to_public_review(raw, product),
            ratings=ratings,
            language=language,
        )

    async def _public_page(
        self,
        path: str,
        skus: Sequence[str],
        position: str | None,
        limit: int,
        to_review: Callable[[object], Review],
        *,
        ratings: Iterable[int] | None,
        language: str | None,
    ) -> Page[Review]:
        check_limit(limit, MAX_PER_PAGE)
        # Stars outside 1..5 match nothing (and Trustpilot would refuse them).
        stars = None if ratings is None else sorted(set(ratings) & {1, 2, 3, 4, 5})
        listed = self._listed(skus)
        if not listed or stars == []:
            return Page(())
        pos = (
            Position.decode(position, MAX_PER_PAGE) if position else Position(1, limit)
        )
        params: dict[str, str | int] = {
            "sku": ",".join(listed),
            "page": pos.page,
            "perPage": pos.per_page,
        }
        if stars:
            params["stars"] = ",".join(map(str, stars))
        if language:
            params["language"] = language
        body = expect_object(
            Provider.TRUSTPILOT,
            await self._public("GET", path, params=params),
            "reviews",
        )
        raw = f.items(body, "productReviews", "reviews")
        more = m.has_next(body, len(raw), pos.per_page)
        return Page(
            tuple(to_review(r) for r in raw[pos.skip :]),
            pos.next_page().encode() if more else None,
        )
