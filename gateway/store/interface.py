"""The review index's contract: the public part of every platform's reviews.

Reads come from here so that a page view costs no platform call; the sync
(``gateway.sync``) keeps it fresh within each platform's budget, and writes made
through the gateway are written through at once. The store holds public fields only:
never a ``Customer`` (PII) or a platform's raw payload, which stay live reads.

``ReviewStore`` is the whole interface: resolvers and the sync depend on it, never on
an implementation, so a PostgreSQL store can stand beside the embedded SQLite one
(``gateway.store.sqlite``) without touching either. ``open_store(settings)`` opens
the configured one and runs its migrations.

Ordering contract (every implementation): a list is totally ordered by its
``SortOrder`` key, then by platform (``Provider`` enum order) and platform review
id, ascending; ``StoredPage.items`` carry each item's keyset token, after which the
next page resumes exactly (a token is opaque to everyone but the store, stable
across processes and restarts, and names no row that must still exist).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from gateway.records import (
    AttributeSummary,
    Conversation,
    Provider,
    RatingSummary,
    Review,
    ReviewKind,
    ReviewStatus,
)


class SortOrder(StrEnum):
    """The orders the store lists in (the values of the graph's ``ReviewOrder``)."""

    NEWEST = "newest"
    OLDEST = "oldest"
    HIGHEST_RATED = "highest_rated"
    """``rating_exact`` descending, then newest first."""
    LOWEST_RATED = "lowest_rated"
    """``rating_exact`` ascending, then newest first."""
    MOST_RECENTLY_UPDATED = "most_recently_updated"
    """``updated_at`` (``created_at`` when never updated) descending."""


@dataclass(frozen=True, slots=True)
class StoredQuery:
    """Which stored reviews to list; every field narrows, ``None`` means any.

    ``skus`` None: product and shop reviews alike; with ``skus`` only the product
    reviews of those SKUs. ``has_reply`` looks at the public ``reply``.
    ``search``: every word must occur in the title or body (full text, any case,
    accents folded); the caller's text is data, never query syntax.
    """

    providers: frozenset[Provider]
    skus: tuple[str, ...] | None = None
    kinds: frozenset[ReviewKind] | None = None
    statuses: frozenset[ReviewStatus] = frozenset({ReviewStatus.PUBLISHED})
    ratings: frozenset[int] | None = None
    language: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    with_media: bool | None = None
    verified: bool | None = None
    has_reply: bool | None = None
    search: str | None = None


@dataclass(frozen=True, slots=True)
class StoredPage:
    """One page of a stored list: each review with the token to resume after it.

    ``total`` is the exact number of reviews matching the query (all pages).
    ``next`` is None on the last page.
    """

    items: tuple[tuple[Review, str], ...]
    total: int
    next: str | None = None


@dataclass(frozen=True, slots=True)
class SyncState:
    """What the sync knows of one platform, kept in the store across restarts.

    ``cursor`` is the sync's own resumable position (e.g. a backfill page still to
    read); ``watermark`` how far incremental reads have come (the newest
    created/updated time applied). The store keeps them; only the sync reads them.
    """

    provider: Provider
    backfilled: bool = False
    cursor: str | None = None
    watermark: datetime | None = None
    last_success_at: datetime | None = None
    last_reconciled_at: datetime | None = None
    last_error: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


class ReviewStore(Protocol):
    """The review index. Every method is safe to call concurrently.

    Reviews are keyed by ``(provider, provider_review_id)``. Writes are idempotent:
    upserting a review that is already held, unchanged, changes nothing.
    """

    async def upsert(self, reviews: Sequence[Review], *, seen_at: datetime) -> int:
        """Insert or replace ``reviews``, each marked seen at ``seen_at``.

        Public fields only: ``customer`` and ``raw`` are dropped. Returns how many
        rows were new or changed.
        """
        ...

    async def delete(self, provider: Provider, review_ids: Sequence[str]) -> int:
        """Remove reviews of ``provider``; returns how many were held."""
        ...

    async def prune(self, provider: Provider, *, not_seen_since: datetime) -> int:
        """Remove ``provider``'s reviews not seen (upserted) since ``not_seen_since``.

        What a full walk that started then did not meet no longer exists upstream.
        Returns how many were removed.
        """
        ...

    async def get(self, keys: Sequence[tuple[Provider, str]]) -> list[Review | None]:
        """Aligned with ``keys``; ``None`` where no review is held."""
        ...

    async def list_reviews(
        self,
        query: StoredQuery,
        order: SortOrder,
        *,
        after: str | None = None,
        limit: int = 20,
    ) -> StoredPage:
        """One page of the reviews matching ``query`` in ``order``.

        It starts after the keyset token ``after``; ``ValueError`` on a token this
        store did not make for this order.
        """
        ...

    async def upsert_conversations(self, conversations: Sequence[Conversation]) -> int:
        """Keep reply threads: a PUBLIC one whole, a PRIVATE one as its state only.

        A thread goes when its review is deleted or pruned. Returns how many were
        new or changed.
        """
        ...

    async def get_conversations(
        self, keys: Sequence[tuple[Provider, str]]
    ) -> list[Conversation | None]:
        """Aligned with ``(provider, conversation id)`` keys: the threads held.

        ``None`` where none is held; a PRIVATE thread comes back with no comments.
        """
        ...

    async def rating_summaries(
        self, keys: Sequence[tuple[Provider, str]]
    ) -> list[RatingSummary]:
        """Aligned with ``(provider, sku)`` keys: their PUBLISHED product reviews.

        Count, exact average of ``rating_exact`` (unrounded) and star distribution
        (by ``rating``); a zero summary where none is held.
        """
        ...

    async def shop_summaries(
        self, providers: Sequence[Provider]
    ) -> list[RatingSummary]:
        """Aligned with ``providers``: their PUBLISHED shop reviews' summary.

        ``sku`` None; a zero summary where none is held.
        """
        ...

    async def attribute_summaries(
        self, skus: Sequence[str]
    ) -> list[tuple[AttributeSummary, ...]]:
        """Aligned with ``skus``: their PUBLISHED product reviews' attributes.

        One summary per attribute (ordered by id), over every platform.
        """
        ...

    async def count(self, provider: Provider) -> int:
        """How many reviews of ``provider`` are held (any status)."""
        ...

    async def load_state(self, provider: Provider) -> SyncState | None: ...

    async def save_state(self, state: SyncState) -> None: ...

    async def claim(self, name: str, owner: str, ttl_s: float) -> bool:
        """Claim or renew the lock ``name`` for ``owner`` for ``ttl_s`` seconds.

        True when ``owner`` holds it now: it was free, expired, or already
        ``owner``'s. Shared by every process on the same store (the lock that
        keeps two gateways from syncing one platform at once).
        """
        ...

    async def release(self, name: str, owner: str) -> None:
        """Give up the lock ``name`` if ``owner`` holds it."""
        ...

    async def close(self) -> None: ...
