"""Review list requests: the filter, the orders, and the test a review must pass."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from gateway.records import Provider, Review, ReviewKind, ReviewQuery, ReviewStatus
from resolvers.search import matches


class ReviewOrder(StrEnum):
    """The orders a merged list can be read in."""

    NEWEST = "newest"
    OLDEST = "oldest"
    HIGHEST_RATED = "highest_rated"
    LOWEST_RATED = "lowest_rated"
    MOST_RECENTLY_UPDATED = "most_recently_updated"
    """``updated_at`` (``created_at`` when never updated) descending."""


@dataclass(frozen=True, slots=True)
class ReviewFilter:
    """What a caller asked to see; ``None`` means "any"."""

    providers: frozenset[Provider] | None = None
    ratings: frozenset[int] | None = None
    language: str | None = None
    statuses: frozenset[ReviewStatus] = frozenset({ReviewStatus.PUBLISHED})
    with_media: bool | None = None
    verified: bool | None = None
    has_reply: bool | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    kinds: frozenset[ReviewKind] | None = None
    """Product and/or shop reviews; ``None``: the list's default (a product's list
    holds product reviews only, the shop's list both)."""
    search: tuple[str, ...] | None = None
    """Words that must all occur in the title or body (``search.words``)."""

    def query(self, skus: tuple[str, ...] | None) -> ReviewQuery:
        """The part every platform can be asked to apply (clients apply it exactly)."""
        return ReviewQuery(
            skus=skus,
            shop=self.shop,
            statuses=self.statuses,
            ratings=self.ratings,
            language=self.language,
            created_after=self.created_after,
            created_before=self.created_before,
        )

    def accepts(
        self, review: Review, public_replies: Mapping[str, bool] | None = None
    ) -> bool:
        """The filters the gateway applies itself, over what the platforms return.

        ``public_replies`` is for callers who may read public replies only: whether
        each thread of ``threads_deciding`` holds one (a thread not in it holds
        none). ``None``: the caller reads every thread, so any thread is a reply.
        """
        return (
            (self.with_media is None or bool(review.media) == self.with_media)
            and (self.verified is None or review.verified is self.verified)
            and (self.search is None or matches(review, self.search))
            and (
                self.has_reply is None
                or self._replied(review, public_replies) == self.has_reply
            )
        )

    def threads_deciding(self, reviews: Sequence[Review]) -> list[str]:
        """The thread ids whose state decides ``accepts`` for ``reviews``.

        Only ``hasReply`` looks at threads, and only for a review with a thread but
        no reply of its own (a Trustpilot list item knows its thread's id, not
        whether the thread is public or holds an answer).
        """
        if self.has_reply is None:
            return []
        return list(
            dict.fromkeys(
                r.conversation_id
                for r in reviews
                if r.reply is None and r.conversation_id is not None
            )
        )

    @property
    def shop(self) -> bool | None:
        """``ReviewQuery.shop`` for these kinds: True shop only, False product only."""
        if self.kinds is None or len(self.kinds) != 1:
            return None
        return ReviewKind.SHOP in self.kinds

    @staticmethod
    def _replied(review: Review, public_replies: Mapping[str, bool] | None) -> bool:
        if review.reply is not None:
            return True
        if review.conversation_id is None:
            return False
        if public_replies is None:
            return True
        return public_replies.get(review.conversation_id, False)

    @property
    def filters_in_gateway(self) -> bool:
        wanted = (self.with_media, self.verified, self.has_reply, self.search)
        return wanted != (None, None, None, None)


WITH_REPLIES: Final = frozenset(
    {Provider.TRUSTPILOT, Provider.ETRUSTED, Provider.TRUSTOO}
)
"""Platforms whose reviews can have a reply or a thread (Mayar's have neither): a
list filtered on ``hasReply: true`` asks no other platform."""

SortKey = tuple[float, float, int, str]
PROVIDER_RANK = {provider: rank for rank, provider in enumerate(Provider)}


def sort_key(order: ReviewOrder) -> Callable[[Review], SortKey]:
    """The total order of a merged list: the requested one, then platform and id.

    It is the store's ordering contract (``gateway.store.interface``) too, so a
    stored stream and a live one merge into one order.
    """

    def key(review: Review) -> SortKey:
        created = review.created_at.timestamp()
        rank = PROVIDER_RANK[review.provider]
        if order is ReviewOrder.MOST_RECENTLY_UPDATED:
            changed = (review.updated_at or review.created_at).timestamp()
            return (0.0, -changed, rank, review.provider_review_id)
        if order is ReviewOrder.NEWEST:
            return (0.0, -created, rank, review.provider_review_id)
        if order is ReviewOrder.OLDEST:
            return (0.0, created, rank, review.provider_review_id)
        if order is ReviewOrder.HIGHEST_RATED:
            return (-review.rating_exact, -created, rank, review.provider_review_id)
        return (review.rating_exact, -created, rank, review.provider_review_id)

    return key
