"""What each platform can do, whether it is configured, and how its sync stands."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Final

from gateway.records import Provider
from gateway.resilience import BreakerState
from gateway.store import SortOrder, StoredQuery
from gateway.sync.status import SyncStatus
from resolvers.context import READ_PRIVATE, Context

_URL: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S*")
MAX_ERROR_CHARS: Final = 200

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


async def sync_status(ctx: Context, provider: Provider) -> SyncStatus | None:
    """``provider``'s sync as the index reports it; ``None`` without an index.

    Anyone may read it: it holds no secret, and ``last_error`` is shown without
    any URL (an upstream URL may carry credentials) and cut to 200 characters.
    ``reviews`` counts every status held for ``read:private`` callers and the
    PUBLISHED ones for anyone else (how many reviews are hidden is not public).
    """
    index = ctx.services.index
    if index is None or provider not in ctx.services.sources:
        return None
    status = await index.status(provider)
    if READ_PRIVATE not in ctx.caller.scopes:
        public = StoredQuery(providers=frozenset({provider}))
        page = await index.store.list_reviews(public, SortOrder.NEWEST, limit=1)
        status = replace(status, reviews=page.total)
    if status.last_error is None:
        return status
    error = _URL.sub("<url>", status.last_error)[:MAX_ERROR_CHARS]
    return replace(status, last_error=error)
