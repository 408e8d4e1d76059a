"""What each platform can do, and whether it is configured."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from gateway.records import Provider
from gateway.resilience import BreakerState
from resolvers.context import Context

CAPABILITIES: Final[dict[Provider, tuple[str, ...]]] = {
    Provider.TRUSTPILOT: (
        "reviews",
        "ratingSummary",
        "attributeSummaries",
        "conversations",
        "replyToReview",
        "updateComment",
        "setConversationState",
        "createInvitationLink",
    ),
    Provider.ETRUSTED: (
        "reviews",
        "ratingSummary",
        "serviceReviews",
        "replyToReview",
        "reportReview",
    ),
    Provider.TRUSTOO: (
        "reviews",
        "ratingSummary",
        "shopReviews",
        "createReview",
        "deleteReview",
        "webhooks",
        "customerExclusions",
        "unsubscribeEmail",
        "mediaUpload",
    ),
    Provider.MAYAR: (
        "reviews",
        "ratingSummary",
        "createReview",
        "updateReview",
        "setReviewStatus",
        "deleteReview",
    ),
}
"""The graph's operations each platform supports (others: UNSUPPORTED_BY_PROVIDER)."""


@dataclass(frozen=True, slots=True)
class ProviderInfo:
    """A platform as the graph sees it."""

    provider: Provider
    configured: bool
    healthy: bool | None
    capabilities: tuple[str, ...]


def _healthy(ctx: Context, provider: Provider) -> bool | None:
    """False while its breaker is open or probing; None before any call."""
    breaker = ctx.services.breakers.get(provider)
    if breaker is None:
        return None
    return breaker.state is BreakerState.CLOSED


def providers(ctx: Context) -> list[ProviderInfo]:
    """Every platform, configured or not, with its breaker's view of its health."""
    configured = set(ctx.services.providers)
    return [
        ProviderInfo(
            p,
            p in configured,
            _healthy(ctx, p) if p in configured else None,
            CAPABILITIES[p] if p in configured else (),
        )
        for p in Provider
    ]
