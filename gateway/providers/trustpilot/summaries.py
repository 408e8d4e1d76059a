"""Rating and attribute summaries: batch, summed, and the private summaries list."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.errors import ProviderError
from gateway.http import expect_object
from gateway.records import (
    AttributeSummary,
    Page,
    Provider,
    RatingSummary,
)

from . import fields as f
from . import mapping as m
from .listing import Position, check_limit
from .transport import (
    MAX_BATCH_SKUS,
    MAX_SUMMARIES_PER_PAGE,
    TrustpilotTransport,
    in_chunks,
    settled,
)


class SummariesApi(TrustpilotTransport):
    """Summary reads."""

    async def summaries_by_sku(
        self, skus: Sequence[str]
    ) -> list[RatingSummary | ProviderError]:
        """Aligned with ``skus``: POST batch-summaries, ``MAX_BATCH_SKUS`` per call.

        An unlisted SKU gets a zero summary without a call; a failed chunk puts its
        error in the slot of each of its SKUs.
        """
        chunks = in_chunks(self._listed(skus), MAX_BATCH_SKUS)
        results = await settled(self._batch_summaries(c) for c in chunks)
        found: dict[str, RatingSummary | ProviderError] = {}
        for chunk, result in zip(chunks, results, strict=True):
            for sku in chunk:
                if isinstance(result, ProviderError):
                    found[sku] = result
                else:
                    found[sku] = result.get(sku) or m.zero_summary(sku)
        return [found.get(sku) or m.zero_summary(sku) for sku in skus]

    async def _batch_summaries(self, skus: Sequence[str]) -> dict[str, RatingSummary]:
        body = expect_object(
            Provider.TRUSTPILOT,
            await self._public(
                "POST",
                f"{self._bu}/batch-summaries",
                json_body={"skus": list(skus)},
                read_only=True,  # a read sent as POST: safe to retry
            ),
            "batch summaries",
        )
        summaries = (m.to_sku_summary(s) for s in f.items(body, "summaries", "batch"))
        return {s.sku or "": s for s in summaries}

    # --- summaries ---------------------------------------------------------------

    async def product_summary(self, skus: Sequence[str]) -> RatingSummary:
        """GET /v1/product-reviews/business-units/{bu}?sku=: the SKUs summed.

        ``sku`` on the result is the SKU when one is asked, else ``None``.
        """
        return await self._summed(self._bu, skus)

    async def imported_summary(self, skus: Sequence[str]) -> RatingSummary:
        """GET .../imported-reviews-summaries?sku=: imported reviews, SKUs summed."""
        return await self._summed(f"{self._bu}/imported-reviews-summaries", skus)

    async def _summed(self, path: str, skus: Sequence[str]) -> RatingSummary:
        listed = self._listed(skus)
        label = listed[0] if len(listed) == 1 else None
        if not listed:
            return m.zero_summary(skus[0] if len(skus) == 1 else None)
        body = await self._public("GET", path, params={"sku": ",".join(listed)})
        return m.to_rating_summary(body, label)

    async def attribute_summaries(
        self, skus: Sequence[str], locale: str | None = None
    ) -> list[tuple[AttributeSummary, ...] | ProviderError]:
        """Aligned with ``skus``: POST attribute-summaries, ``MAX_BATCH_SKUS`` a call.

        ``locale`` (default Trustpilot's ``en-US``) picks the attribute names'
        language. Unlisted SKUs get ``()`` without a call.
        """
        chunks = in_chunks(self._listed(skus), MAX_BATCH_SKUS)
        results = await settled(self._attribute_chunk(c, locale) for c in chunks)
        found: dict[str, tuple[AttributeSummary, ...] | ProviderError] = {}
        for chunk, result in zip(chunks, results, strict=True):
            for sku in chunk:
                found[sku] = (
                    result if isinstance(result, ProviderError) else result[sku]
                )
        return [found.get(sku, ()) for sku in skus]

    async def _attribute_chunk(
        self, skus: Sequence[str], locale: str | None
    ) -> dict[str, tuple[AttributeSummary, ...]]:
        request: dict[str, object] = {"skus": list(skus)}
        if locale:
            request["locale"] = locale
        body = expect_object(
            Provider.TRUSTPILOT,
            await self._public(
                "POST",
                f"{self._bu}/attribute-summaries",
                json_body=request,
                read_only=True,
            ),
            "attribute summaries",
        )
        entries = f.items(body, "summaries", "attributeSummaries")
        named = [f.opt_text(e, "sku", "attributeSummaries") for e in entries]
        # The docs' sample shows "sku": null; then the answer's order is the key.
        if all(named) and set(named) >= set(skus):
            keyed = dict(zip(named, entries, strict=True))
            ordered = [keyed[sku] for sku in skus]
        elif len(entries) == len(skus):
            ordered = entries
        else:
            raise f.drift("attribute summaries do not match the SKUs asked")
        return {
            sku: tuple(
                m.to_attribute_summary(a) for a in f.items(e, "attributes", "summary")
            )
            for sku, e in zip(skus, ordered, strict=True)
        }

    async def product_summaries(
        self, position: str | None = None, limit: int = MAX_SUMMARIES_PER_PAGE
    ) -> Page[RatingSummary]:
        """GET .../private/.../summaries: every reviewed SKU's summary, paged."""
        check_limit(limit, MAX_SUMMARIES_PER_PAGE)
        pos = (
            Position.decode(position, MAX_SUMMARIES_PER_PAGE)
            if position
            else Position(1, limit)
        )
        body = expect_object(
            Provider.TRUSTPILOT,
            await self._private(
                "GET",
                f"{self._private_bu}/summaries",
                params={"page": pos.page, "perPage": pos.per_page},
            ),
            "summaries",
        )
        summaries = f.items(body, "summaries", "summaries")[pos.skip :]
        more = m.has_next(body, len(summaries) + pos.skip, pos.per_page)
        return Page(
            tuple(m.to_sku_summary(s) for s in summaries),
            pos.next_page().encode() if more else None,
        )
