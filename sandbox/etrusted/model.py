"""The eTrusted simulator's in-memory state: channels, reviews, vetos and writes.

Reviews are mutable records (replies and vetos change them); ``EtrustedStore`` owns
them and is the only place writes happen, with time from the injected clock.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Channel:
    """One channel (shop) of the sandbox account."""

    id: str
    name: str
    locale: str
    url: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Product:
    """A product as eTrusted reports it inside a product review."""

    id: str
    sku: str
    mpn: str
    gtin: str
    name: str
    url: str
    image_url: str
    brand: str


@dataclass(slots=True)
class Reply:
    """The channel owner's public reply to a review."""

    comment: str
    send_notification: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Veto:
    """A veto filed against a review (opens a ticket at Trusted Shops)."""

    id: str
    ticket_id: str
    comment: str
    reason: str
    reporter_email: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Image:
    """One image attached to a review."""

    id: str
    extension: str
    path: str


@dataclass(frozen=True, slots=True)
class OriginalReview:
    """The review as first submitted, kept when the consumer later edited it."""

    rating: float | None
    title: str | None
    comment: str | None
    reply: Reply | None


@dataclass(frozen=True, slots=True)
class Customer:
    """The reviewer's contact data (PII: private API only)."""

    first_name: str
    last_name: str
    email: str
    mobile: str | None


@dataclass(slots=True)
class Review:
    """One customer review (service or product) as the store keeps it."""

    id: str
    channel_id: str
    invite_id: str
    event_id: str
    questionnaire_id: str
    template_id: str
    locale: str
    type: str
    state: str
    verified: bool
    rating: float | None
    title: str | None
    comment: str | None
    submitted_at: datetime
    created_at: datetime
    updated_at: datetime
    customer: Customer
    transaction_reference: str
    transaction_date: datetime
    product: Product | None = None
    reply: Reply | None = None
    edited_at: datetime | None = None
    original: OriginalReview | None = None
    images: tuple[Image, ...] = ()
    veto: Veto | None = None
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def is_statement(self) -> bool:
        """STATEMENT feedback: the rating or the comment is missing."""
        return self.rating is None or not self.comment


class ReviewNotFound(LookupError):
    """No review with that id in this account."""


class NoReply(LookupError):
    """The review has no reply to delete."""


class AlreadyVetoed(ValueError):
    """The review already carries a veto (a review holds at most one)."""


class EtrustedStore:
    """The seeded account: its channels and reviews, plus the writes on them."""

    def __init__(
        self,
        account_id: str,
        channels: tuple[Channel, ...],
        reviews: list[Review],
        rng: random.Random,
    ) -> None:
        self.account_id = account_id
        self.channels = channels
        self.reviews = reviews
        self._by_id = {r.id: r for r in reviews}
        # Ids and ticket numbers of writes come from this generator, so a replayed
        # sequence of writes yields the same ids.
        self._rng = rng

    def channel(self, channel_id: str) -> Channel | None:
        return next((c for c in self.channels if c.id == channel_id), None)

    def review(self, review_id: str) -> Review:
        """The review with ``review_id``; raise ``ReviewNotFound``."""
        found = self._by_id.get(review_id)
        if found is None:
            raise ReviewNotFound(review_id)
        return found

    def new_id(self, prefix: str) -> str:
        """A fresh ``prefix``-id from the writes' generator."""
        return prefixed_id(prefix, self._rng)

    def add_review(self, review: Review) -> None:
        self.reviews.append(review)
        self._by_id[review.id] = review

    def remove_review(self, review: Review) -> None:
        """Delete a review (the customer withdrew it, or the account removed it)."""
        del self._by_id[review.id]
        self.reviews.remove(review)

    def save_reply(
        self, review_id: str, comment: str, notify: bool, now: datetime
    ) -> Reply:
        """Create or replace the reply of a review (its ``createdAt`` is kept)."""
        review = self.review(review_id)
        created = review.reply.created_at if review.reply else now
        review.reply = Reply(comment, notify, created, now)
        review.updated_at = now
        return review.reply

    def delete_reply(self, review_id: str, now: datetime) -> None:
        """Remove the reply of a review; raise ``NoReply`` when it has none."""
        review = self.review(review_id)
        if review.reply is None:
            raise NoReply(review_id)
        review.reply = None
        review.updated_at = now

    def create_veto(
        self,
        review_id: str,
        *,
        comment: str,
        reason: str,
        reporter_email: str | None,
        now: datetime,
    ) -> Veto:
        """File a veto on a review; raise ``AlreadyVetoed`` on a second one."""
        review = self.review(review_id)
        if review.veto is not None:
            raise AlreadyVetoed(review_id)
        veto = Veto(
            id=prefixed_id("vet", self._rng),
            ticket_id=f"{self._rng.randrange(100_000, 1_000_000)}",
            comment=comment,
            reason=reason,
            reporter_email=reporter_email,
            created_at=now,
            updated_at=now,
        )
        review.veto = veto
        return veto


def prefixed_id(prefix: str, rng: random.Random) -> str:
    """An eTrusted id: ``prefix`` + ``-`` + a UUID drawn from ``rng``."""
    return f"{prefix}-{uuid.UUID(int=rng.getrandbits(128), version=4)}"
