"""What resolvers need from a provider client: the uniform read contract.

Every client in ``gateway.providers`` satisfies ``ReviewSource`` structurally; the
Trustpilot client also serves conversations and attribute summaries, the eTrusted and
Trustoo clients the shop's own rating. Resolvers depend
on these protocols, not on a platform, so a new platform needs no resolver change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from gateway.errors import ProviderError
from gateway.records import (
    AttributeSummary,
    Conversation,
    Page,
    Provider,
    RatingSummary,
    Review,
    ReviewKey,
    ReviewQuery,
)
from gateway.store import ReviewStore
from gateway.sync.status import SyncStatus


class ReviewSource(Protocol):
    """One platform's reviews and star summaries."""

    @property
    def provider(self) -> Provider: ...

    async def list_reviews(
        self, query: ReviewQuery, position: str | None = None, limit: int = 20
    ) -> Page[Review]:
        """Newest first, exactly the reviews matching ``query``, one page."""
        ...

    async def reviews_by_keys(
        self, keys: Sequence[ReviewKey]
    ) -> list[Review | ProviderError | None]:
        """Aligned with ``keys``; ``None`` where a review does not exist."""
        ...

    async def summaries_by_sku(
        self, skus: Sequence[str]
    ) -> list[RatingSummary | ProviderError]:
        """Aligned with ``skus``; a zero summary where the platform has none."""
        ...


class ConversationSource(Protocol):
    """A platform with reply threads (Trustpilot)."""

    async def conversations_by_ids(
        self, ids: Sequence[str]
    ) -> list[Conversation | ProviderError | None]:
        """Aligned with ``ids``; ``None`` where a conversation does not exist."""
        ...


class AttributeSource(Protocol):
    """A platform with per-attribute ratings (Trustpilot)."""

    async def attribute_summaries(
        self, skus: Sequence[str]
    ) -> list[tuple[AttributeSummary, ...] | ProviderError]:
        """Aligned with ``skus``; ``()`` where a product has no attribute ratings."""
        ...


class ShopSummarySource(Protocol):
    """A platform that rates the shop itself (eTrusted service, Trustoo store)."""

    async def shop_summary(self) -> RatingSummary:
        """The shop-wide summary (``sku`` None) of the shop/service reviews."""
        ...


class ReviewIndex(Protocol):
    """The synced review index, as reads and writes see it (``gateway.sync``).

    A platform is read from ``store`` once ``serves`` says so (its read mode is
    ``indexed`` and its backfill is complete); until then, and for ``live``
    platforms, reads go to the platform as before.
    """

    @property
    def store(self) -> ReviewStore: ...

    def serves(self, provider: Provider) -> bool:
        """Whether ``provider``'s public reads come from the store now."""
        ...

    async def status(self, provider: Provider) -> SyncStatus:
        """The platform's sync state (``SyncPhase.OFF`` when it is not synced)."""
        ...

    async def refresh(self, provider: Provider, keys: Sequence[ReviewKey]) -> None:
        """Write-through after a write: read ``keys`` from the platform now.

        Each is applied to the store at once; a review gone upstream is removed.
        """
        ...
