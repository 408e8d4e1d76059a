"""Exact rating summaries from counted groups of equal ratings.

A group is ``(rating, rating_exact, n)``: ``n`` reviews gave ``rating`` stars with
that exact value. The average is the exact rational mean of every ``rating_exact``,
rounded once to the nearest float, so it does not depend on the order rows were
summed in (a float running sum would).
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from gateway.records import AttributeSummary, Provider, RatingSummary, StarDistribution

Group = tuple[int, float, int]


def exact_mean(pairs: Iterable[tuple[float, int]]) -> float | None:
    """The mean of values given as ``(value, how many)``; None for none."""
    total = Fraction(0)
    count = 0
    for value, n in pairs:
        total += Fraction(value) * n
        count += n
    return float(total / count) if count else None


def distribution(pairs: Iterable[tuple[int, int]]) -> StarDistribution:
    counts: dict[int, int] = {}
    for stars, n in pairs:
        counts[stars] = counts.get(stars, 0) + n
    return StarDistribution.of(counts)


def rating_summary(
    provider: Provider, sku: str | None, groups: Iterable[Group]
) -> RatingSummary:
    rows = list(groups)
    return RatingSummary(
        provider=provider,
        sku=sku,
        count=sum(n for _, _, n in rows),
        average=exact_mean((exact, n) for _, exact, n in rows),
        distribution=distribution((stars, n) for stars, _, n in rows),
    )


def attribute_summary(
    attribute_id: str, name: str, groups: Iterable[tuple[int, int]]
) -> AttributeSummary:
    """One attribute's summary from ``(stars, how many)`` groups."""
    rows = list(groups)
    return AttributeSummary(
        id=attribute_id,
        name=name,
        count=sum(n for _, n in rows),
        average=exact_mean((float(stars), n) for stars, n in rows),
        distribution=distribution(rows),
    )
