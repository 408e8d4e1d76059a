"""Star summaries merged across platforms, and attribute summaries."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Final

from gateway.errors import ProviderError
from gateway.records import AttributeSummary, Provider, RatingSummary, StarDistribution
from resolvers.context import Context, ErrorSink

AVERAGE_DECIMALS: Final = 2


@dataclass(frozen=True, slots=True)
class MergedSummary:
    """The summary over several platforms, with each platform's own.

    ``missing`` are the platforms that list the product but failed: the figures leave
    them out, and the summary is ``complete`` only without any.
    """

    count: int
    average: float | None
    distribution: StarDistribution
    providers: tuple[RatingSummary, ...]
    missing: tuple[Provider, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.missing


def combine(
    parts: Iterable[RatingSummary], missing: Iterable[Provider] = ()
) -> MergedSummary:
    """Counts and distributions add up; the average is weighted by count.

    Each platform's own average is used (not the distribution's), because eTrusted
    rates in fractions and its five buckets round them. A summary from the store
    carries the exact average of the stored ratings: the weighting uses it as it
    is, and every average shown is rounded to two decimals.
    """
    summaries = tuple(parts)
    count = sum(s.count for s in summaries)
    distribution = sum((s.distribution for s in summaries), StarDistribution())
    weighted = sum((s.average or 0.0) * s.count for s in summaries if s.count)
    average = round(weighted / count, 2) if count else None
    shown = tuple(_rounded(s) for s in summaries)
    return MergedSummary(count, average, distribution, shown, tuple(missing))


def _rounded(summary: RatingSummary) -> RatingSummary:
    if summary.average is None:
        return summary
    return replace(summary, average=round(summary.average, AVERAGE_DECIMALS))


async def _gather(
    sink: ErrorSink,
    chosen: Sequence[Provider],
    loads: Iterable[Awaitable[RatingSummary]],
) -> MergedSummary:
    """Merge the platforms' summaries; one that fails is reported and named missing."""
    results = await asyncio.gather(*loads, return_exceptions=True)
    parts: list[RatingSummary] = []
    missing: list[Provider] = []
    for provider, result in zip(chosen, results, strict=True):
        if isinstance(result, ProviderError):
            sink(result)
            missing.append(provider)
        elif isinstance(result, BaseException):
            raise result
        else:
            parts.append(result)
    return combine(parts, missing)


async def rating_summary(
    ctx: Context,
    sink: ErrorSink,
    sku: str,
    providers: frozenset[Provider] | None = None,
) -> MergedSummary:
    """A product's summary over ``providers`` (default: all configured).

    A platform that fails is left out, named in ``missing`` and reported; the others
    still count.
    """
    chosen = [
        p
        for p in ctx.services.providers
        if (providers is None or p in providers)
        and ctx.services.catalog.listed_on(p, sku)
    ]
    loads = (
        ctx.loaders.stored_summary_by_sku.load((p, sku))
        if ctx.services.indexed(p)
        else ctx.loaders.summary_by_sku.load((p, sku))
        for p in chosen
    )
    return await _gather(sink, chosen, loads)


async def shop_rating_summary(ctx: Context, sink: ErrorSink) -> MergedSummary:
    """The shop's own rating: eTrusted's service and Trustoo's store rating merged.

    Only platforms with shop reviews take part; one that fails is left out, named in
    ``missing`` and reported, as for products.
    """
    chosen = [p for p in ctx.services.providers if p in ctx.services.shop_summaries]
    loads = (
        ctx.loaders.stored_shop_summary.load(p)
        if ctx.services.indexed(p)
        else ctx.loaders.shop_summary_by_provider.load(p)
        for p in chosen
    )
    return await _gather(sink, chosen, loads)


async def attribute_summaries(
    ctx: Context, sink: ErrorSink, sku: str
) -> tuple[AttributeSummary, ...]:
    """A product's per-attribute ratings (Trustpilot, the one platform with them).

    From the store when Trustpilot is indexed (exact averages, rounded to two
    decimals), else from Trustpilot.
    """
    if ctx.services.indexed(Provider.TRUSTPILOT):
        found = await ctx.loaders.stored_attributes_by_sku.load(sku)
        return tuple(
            a
            if a.average is None
            else replace(a, average=round(a.average, AVERAGE_DECIMALS))
            for a in found
        )
    if ctx.services.attributes is None:
        return ()
    try:
        return await ctx.loaders.attribute_summaries_by_sku.load(sku)
    except ProviderError as error:
        sink(error)
        return ()
