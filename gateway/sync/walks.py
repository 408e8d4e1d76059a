"""How the sync walks each platform: one small adapter per platform, one shape.

Every walk reads through the platform's client (``list_reviews`` with every status,
``ALL_REVIEWS``, in pages of ``sync.page_size``), newest first by submission; the
client's own position string resumes a walk. ``page(position, changes=True)`` is the
incremental order: the same for every platform but eTrusted, which lists by
``updatedAt`` (``orderBy``, vendors.md 4.7) so that edits come first too; ``mark``
is the time that order sorts by.

``complete`` turns a page into the records the index keeps: public fields only
(``customer`` and ``raw`` dropped). Trustpilot keeps a review's public reply in its
conversation, so its walk reads the thread (``conversations_by_ids``) of every
review that is new or whose thread or update time changed, and stores the review
with ``reply`` = the thread's public business answer (``None`` for a private
thread); unchanged reviews keep the reply already held. The threads read are kept
as well (``Completed.threads``; a private one as its state only). So ``reply``,
``hasReply`` and a public ``conversation`` cost no call at read time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Final

from gateway.errors import ProviderError
from gateway.providers.etrusted import EtrustedClient
from gateway.providers.mayar import MayarClient
from gateway.providers.trustoo import TrustooClient
from gateway.providers.trustpilot import TrustpilotClient
from gateway.records import (
    Conversation,
    Page,
    Provider,
    Review,
    ReviewKey,
    ReviewQuery,
    ReviewStatus,
)

from .budget import Budget

SyncClient = TrustpilotClient | EtrustedClient | TrustooClient | MayarClient
"""A platform client the sync can walk."""

ALL_REVIEWS: Final = ReviewQuery(statuses=frozenset(ReviewStatus))
"""Every review of a platform, product and shop, of every status."""


def public(review: Review) -> Review:
    """The part of ``review`` the index may hold: no customer, no raw payload."""
    if review.customer is None and not review.raw:
        return review
    return replace(review, customer=None, raw={})


THREADS_PER_STEP: Final = 20
"""Trustpilot threads read together (after waiting for that much budget)."""


@dataclass(frozen=True, slots=True)
class Completed:
    """A page as the index keeps it: its reviews, and the reply threads read."""

    reviews: list[Review]
    threads: list[Conversation] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Fetched:
    """Reviews read by key (``None`` where gone), and the reply threads read."""

    reviews: list[Review | None]
    threads: list[Conversation] = field(default_factory=list)


class Walk:
    """One platform's walk (the default: newest first by submission).

    ``calls_per_page``: the calls one page of ``ALL_REVIEWS`` may cost (a token
    renewal included), the budget room waited for before it.
    """

    calls_per_page = 1

    def __init__(self, client: SyncClient, page_size: int, budget: Budget) -> None:
        self.client = client
        self.page_size = page_size
        self.budget = budget

    @property
    def provider(self) -> Provider:
        return self.client.provider

    async def page(
        self, position: str | None, *, changes: bool = False
    ) -> Page[Review]:
        """One page, newest first; ``changes``: in the incremental order."""
        await self.budget.room(self.calls_per_page)
        return await self._page(position, changes)

    async def _page(self, position: str | None, changes: bool) -> Page[Review]:
        return await self.client.list_reviews(ALL_REVIEWS, position, self.page_size)

    def mark(self, review: Review, *, changes: bool = False) -> datetime:
        """The time the (incremental, with ``changes``) order sorts ``review`` by."""
        return review.created_at

    async def complete(
        self, reviews: Sequence[Review], held: Sequence[Review | None]
    ) -> Completed:
        """``reviews`` as the index keeps them; ``held``: aligned, what it has now."""
        return Completed([public(r) for r in reviews])

    async def fetch(self, keys: Sequence[ReviewKey]) -> Fetched:
        """The reviews of ``keys`` read now, completed; ``None`` where gone.

        Raises the first ``ProviderError`` met.
        """
        await self.budget.room(min(len(keys), THREADS_PER_STEP))
        found = await self.client.reviews_by_keys(keys)
        for item in found:
            if isinstance(item, ProviderError):
                raise item
        reviews = [r for r in found if isinstance(r, Review)]
        done = await self.complete(reviews, [None] * len(reviews))
        completed = iter(done.reviews)
        aligned = [next(completed) if isinstance(r, Review) else None for r in found]
        return Fetched(aligned, done.threads)


class EtrustedWalk(Walk):
    """eTrusted: the incremental order is ``updatedAt``, which catches edits."""

    client: EtrustedClient
    calls_per_page = 2  # and its token

    def __init__(self, client: EtrustedClient, page_size: int, budget: Budget) -> None:
        super().__init__(client, page_size, budget)
        self.client = client

    async def _page(self, position: str | None, changes: bool) -> Page[Review]:
        return await self.client.list_reviews(
            ALL_REVIEWS, position, self.page_size, by_update=changes
        )

    def mark(self, review: Review, *, changes: bool = False) -> datetime:
        if changes and review.updated_at is not None:
            return review.updated_at
        return review.created_at


def _thread_changed(review: Review, held: Review | None) -> bool:
    return (
        held is None
        or held.conversation_id != review.conversation_id
        or held.updated_at != review.updated_at
    )


class TrustpilotWalk(Walk):
    """Trustpilot: a review's ``reply`` comes from its public conversation."""

    client: TrustpilotClient
    calls_per_page = 2  # and its token

    def __init__(
        self, client: TrustpilotClient, page_size: int, budget: Budget
    ) -> None:
        super().__init__(client, page_size, budget)
        self.client = client

    async def complete(
        self, reviews: Sequence[Review], held: Sequence[Review | None]
    ) -> Completed:
        stale = [
            r.conversation_id
            for r, h in zip(reviews, held, strict=True)
            if r.conversation_id is not None and _thread_changed(r, h)
        ]
        threads: dict[str, Conversation | None] = {}
        for start in range(0, len(stale), THREADS_PER_STEP):
            step = stale[start : start + THREADS_PER_STEP]
            await self.budget.room(len(step))
            read = await self.client.conversations_by_ids(step)
            for stale_id, thread in zip(step, read, strict=True):
                if isinstance(thread, ProviderError):
                    raise thread
                threads[stale_id] = thread
        completed: list[Review] = []
        for review, before in zip(reviews, held, strict=True):
            reply = None
            thread_id = review.conversation_id
            if thread_id is not None and thread_id in threads:
                thread = threads[thread_id]
                reply = None if thread is None else thread.public_reply()
            elif thread_id is not None and before is not None:
                reply = before.reply
            completed.append(public(replace(review, reply=reply)))
        # The threads read are kept too (a private one as its state only), so
        # that a page view's ``conversation`` needs no call either.
        kept = [t for t in threads.values() if t is not None]
        return Completed(completed, kept)


class TrustooWalk(Walk):
    """Trustoo: every status is two lanes (published, hidden), merged."""

    calls_per_page = 4  # two rounds of both lanes


def walk_for(client: SyncClient, page_size: int, budget: Budget) -> Walk:
    """The walk of ``client``'s platform, within ``budget``."""
    if isinstance(client, TrustpilotClient):
        return TrustpilotWalk(client, page_size, budget)
    if isinstance(client, EtrustedClient):
        return EtrustedWalk(client, page_size, budget)
    if isinstance(client, TrustooClient):
        return TrustooWalk(client, page_size, budget)
    return Walk(client, page_size, budget)
