"""The Trustpilot simulator's in-memory state: product reviews, conversations, links.

Seeded by ``seeding.build_store``; the route handlers read it through the query
methods here and change it only through the write methods, which take the time from
the injected clock. Reviews are kept newest first (``createdAt`` descending, then id
descending), the one order every list endpoint answers in.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sandbox.catalog import CatalogProduct

STATES = ("published", "unpublished", "underModeration", "archived")
"""Review states the private list accepts (docs), ``published`` being the default."""

ATTRIBUTES: dict[str, dict[str, str]] = {
    "attributes.default.quality": {
        "en": "Quality",
        "da": "Kvalitet",
        "de": "Qualität",
        "fr": "Qualité",
        "nl": "Kwaliteit",
        "es": "Calidad",
    },
    "attributes.default.value-for-money": {
        "en": "Value for money",
        "da": "Værdi for pengene",
        "de": "Preis-Leistung",
        "fr": "Rapport qualité-prix",
        "nl": "Prijs-kwaliteit",
        "es": "Relación calidad-precio",
    },
    "attributes.default.design": {
        "en": "Design",
        "da": "Design",
        "de": "Design",
        "fr": "Design",
        "nl": "Ontwerp",
        "es": "Diseño",
    },
}
"""Attribute id -> its name per language (``locale`` picks; English otherwise)."""


def attribute_name(attribute_id: str, locale: str) -> str:
    """The attribute's name in ``locale`` (``da-DK`` -> Danish), English if unknown."""
    names = ATTRIBUTES.get(attribute_id, {})
    return names.get(locale.split("-")[0].lower(), names.get("en", attribute_id))


def hex_id(rng: random.Random, bits: int = 96) -> str:
    """A Trustpilot-style hex object id (24 digits by default)."""
    return f"{rng.getrandbits(bits):0{bits // 4}x}"


@dataclass(frozen=True, slots=True)
class Consumer:
    """The reviewer: public display name, private full name and e-mail."""

    id: str
    display_name: str
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class Attachment:
    """An uploaded image and its processed renditions (``dimension`` -> url)."""

    id: str
    state: str
    files: tuple[tuple[str, str, str], ...]
    """(dimension, mimeType, url) per rendition."""


@dataclass(slots=True)
class ProductReview:
    """A product review as the private API sees it (public views drop fields)."""

    id: str
    sku: str
    created_at: datetime
    updated_at: datetime
    stars: int
    content: str
    consumer: Consumer
    reference_id: str
    locale: str
    language: str
    redirect_uri: str | None
    state: str
    has_moderation_history: bool
    attribute_ratings: tuple[tuple[str, int], ...]
    attachments: tuple[Attachment, ...]
    conversation_id: str | None = None


@dataclass(frozen=True, slots=True)
class ImportedReview:
    """A review imported from elsewhere: no id, consumer name only."""

    sku: str
    created_at: datetime
    stars: int
    content: str
    consumer_name: str
    language: str


@dataclass(slots=True)
class Comment:
    """One comment of a conversation; ``author_type`` businessUser or consumer."""

    id: str
    created_at: datetime
    author_id: str
    author_type: str
    content: str
    integration_id: str | None = None


@dataclass(slots=True)
class Conversation:
    """A review's conversation: its comments in order and its visibility."""

    id: str
    review_id: str
    consumer_id: str
    state: str
    comments: list[Comment] = field(default_factory=list)

    def comment(self, comment_id: str) -> Comment | None:
        return next((c for c in self.comments if c.id == comment_id), None)


@dataclass(frozen=True, slots=True)
class InvitationLink:
    """An invitation link handed out by ``invitation-links``."""

    id: str
    url: str
    email: str
    name: str
    reference_id: str
    locale: str
    redirect_uri: str | None
    skus: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Summary:
    """Star count per star (index 0 = one star) over some reviews."""

    counts: tuple[int, int, int, int, int]

    @classmethod
    def of(cls, stars: Iterable[int]) -> Summary:
        counts = [0, 0, 0, 0, 0]
        for star in stars:
            counts[star - 1] += 1
        return cls((counts[0], counts[1], counts[2], counts[3], counts[4]))

    @property
    def total(self) -> int:
        return sum(self.counts)

    def average(self) -> float | None:
        if not self.total:
            return None
        return sum((i + 1) * n for i, n in enumerate(self.counts)) / self.total


def newest_first(review: ProductReview) -> tuple[datetime, str]:
    """Sort key (use with ``reverse=True``): createdAt, then id."""
    return (review.created_at, review.id)


@dataclass(slots=True)
class TrustpilotStore:
    """Everything the simulator serves for one business unit."""

    business_unit_id: str
    business_unit_name: str
    business_user_id: str
    seed: int
    products: dict[str, CatalogProduct]
    """Listed products by SKU, catalog order."""
    product_ids: dict[str, str]
    """SKU -> Trustpilot's own product id (used by invitation ``productIds``)."""
    reviews: dict[str, ProductReview]
    by_sku: dict[str, list[ProductReview]]
    """SKU -> its reviews, newest first."""
    imported: dict[str, list[ImportedReview]]
    """SKU -> its imported reviews, newest first."""
    conversations: dict[str, Conversation]
    invitation_links: list[InvitationLink] = field(default_factory=list)
    write_count: int = 0
    """Writes so far; each seeds its own generator."""

    def sku_for_url(self, url: str) -> str | None:
        return next((s for s, p in self.products.items() if p.url == url), None)

    def product_reviews(
        self,
        skus: Collection[str],
        *,
        states: Collection[str] = ("published",),
        language: str | None = None,
        stars: Collection[int] = (),
    ) -> list[ProductReview]:
        """Reviews of ``skus`` in ``states`` (optionally filtered), newest first."""
        found = [
            r
            for sku in dict.fromkeys(skus)
            for r in self.by_sku.get(sku, ())
            if r.state in states
            and (language is None or r.language == language)
            and (not stars or r.stars in stars)
        ]
        found.sort(key=newest_first, reverse=True)
        return found

    def imported_reviews(
        self,
        skus: Collection[str],
        *,
        language: str | None = None,
        stars: Collection[int] = (),
    ) -> list[ImportedReview]:
        found = [
            r
            for sku in dict.fromkeys(skus)
            for r in self.imported.get(sku, ())
            if (language is None or r.language == language)
            and (not stars or r.stars in stars)
        ]
        # Stable sort: ties keep the per-SKU seeded order, so paging is repeatable.
        found.sort(key=lambda r: r.created_at, reverse=True)
        return found

    def summary(self, skus: Collection[str]) -> Summary:
        """Published reviews of ``skus`` summed together."""
        return Summary.of(r.stars for r in self.product_reviews(skus))

    def imported_summary(self, skus: Collection[str]) -> Summary:
        return Summary.of(r.stars for r in self.imported_reviews(skus))

    def _rng(self, kind: str) -> random.Random:
        """A fresh generator per write, so ids do not depend on read traffic."""
        self.write_count += 1
        return random.Random(f"{self.seed}:trustpilot:{kind}:{self.write_count}")

    def new_id(self, kind: str) -> str:
        """A fresh object id for a write of ``kind`` (deterministic per write)."""
        return hex_id(self._rng(kind))

    def add_review(self, review: ProductReview) -> None:
        """Store a new review, keeping its SKU's list newest first."""
        self.reviews[review.id] = review
        listed = self.by_sku.setdefault(review.sku, [])
        listed.append(review)
        listed.sort(key=newest_first, reverse=True)

    def remove_review(self, review: ProductReview) -> None:
        """Delete a review and its conversation."""
        del self.reviews[review.id]
        self.by_sku[review.sku] = [
            r for r in self.by_sku.get(review.sku, ()) if r.id != review.id
        ]
        if review.conversation_id is not None:
            self.conversations.pop(review.conversation_id, None)

    def create_conversation(self, review: ProductReview) -> Conversation:
        """Give ``review`` a new, empty, public conversation."""
        conversation = Conversation(
            id=hex_id(self._rng("conversation")),
            review_id=review.id,
            consumer_id=review.consumer.id,
            state="public",
        )
        self.conversations[conversation.id] = conversation
        review.conversation_id = conversation.id
        return conversation

    def add_comment(
        self,
        conversation: Conversation,
        content: str,
        integration_id: str | None,
        now: datetime,
    ) -> Comment:
        comment = Comment(
            id=hex_id(self._rng("comment")),
            created_at=now,
            author_id=self.business_user_id,
            author_type="businessUser",
            content=content,
            integration_id=integration_id,
        )
        conversation.comments.append(comment)
        return comment

    def create_invitation_link(
        self,
        *,
        email: str,
        name: str,
        reference_id: str,
        locale: str,
        redirect_uri: str | None,
        skus: Sequence[str],
        now: datetime,
    ) -> InvitationLink:
        link_id = hex_id(self._rng("invitation"), 128)
        link = InvitationLink(
            id=link_id,
            url=f"https://products.trustpilot.com/evaluate/{link_id}",
            email=email,
            name=name,
            reference_id=reference_id,
            locale=locale,
            redirect_uri=redirect_uri,
            skus=tuple(skus),
            created_at=now,
        )
        self.invitation_links.append(link)
        return link
