"""The Mayar simulator's in-memory state: payment links, buyers, reviews and writes.

One merchant owns every payment link. A customer may review a payment link only
after paying for it (``purchases``), and at most once (``by_buyer``). Reads never
mutate; writes (create, update, bulk status) take their time from the injected
clock. A refused write raises ``Refused`` naming the vendor's reason; the routes
turn it into the vendor's message and the status chosen in ``MayarSettings``.
"""

from __future__ import annotations

import enum
import random
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from sandbox.control import Clock, utc_now

STATUSES: Final = ("ACTIVE", "ARCHIVED", "INACTIVE")
"""Review states the API knows (M-bulk, M-list2)."""
MEDIA_HOST: Final = "media.mayar.club"
"""Attachment host; the docs show media.mayar.id, the sandbox API is mayar.club."""


class Refusal(enum.Enum):
    """Why the vendor refuses a write; the value is its exact ``messages`` text."""

    PRODUCT_NOT_FOUND = "Produk tidak ditemukan"
    NOT_PURCHASED = "Anda belum pernah membeli produk ini"
    ALREADY_REVIEWED = (
        "Anda sudah memberikan ulasan untuk produk ini, jika ingin mengedit ulasan,"
        " silahkan gunakan fitur edit ulasan"
    )
    REVIEW_NOT_FOUND = "Review tidak ditemukan"
    TRANSACTION_NOT_FOUND = "Transaksi tidak ditemukan"
    INVALID_REVIEWS = "Review is not valid! Please check your payload."


class Refused(Exception):
    """A write the vendor refuses for ``reason`` (nothing was changed)."""

    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Customer:
    """A buyer of the merchant (Mayar keys customers by a UUID)."""

    id: str
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class PaymentLink:
    """A Mayar "product": a payment link with its name, type and slug."""

    id: str
    name: str
    type: str
    link: str
    sub_type: str | None


@dataclass(frozen=True, slots=True)
class Image:
    """One ``multipleImage`` entry of a review."""

    id: str
    file_type: str
    url: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Content:
    """One ``content`` entry (a video or other file) of a review."""

    id: str
    file_id: str
    filename: str
    size: int
    mimetype: str


@dataclass(slots=True)
class Review:
    """A stored review; mutable because update and bulk status change it."""

    id: str
    created_at: int
    updated_at: int
    customer_id: str
    payment_link_id: str
    rating: int
    message: str | None
    status: str
    user_id: str
    images: list[Image] = field(default_factory=list)
    content: list[Content] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class MediaInput:
    """A ``contentReview`` entry of a create/update body."""

    id: str
    type: str
    multiple_file_id: str | None = None


@dataclass(frozen=True, slots=True)
class CreateInput:
    """A validated create-review body."""

    payment_link_id: str
    customer_email: str
    rating: int
    message: str | None
    media: tuple[MediaInput, ...]


@dataclass(frozen=True, slots=True)
class UpdateInput:
    """A validated update-review body (``None``: leave the field unchanged)."""

    id: str
    payment_link_id: str | None
    customer_email: str | None
    customer_id: str | None
    rating: int | None
    message: str | None
    media: tuple[MediaInput, ...]
    delete_media: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One ``input[]`` entry of a bulk status update."""

    id: str
    status: str
    payment_link_id: str | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a cursor walk: the reviews and where the next page starts."""

    reviews: list[Review]
    has_more: bool
    next_starting_after: str | None


SortKey = Callable[[Review], tuple[int | str, ...]]


def newest_first(review: Review) -> tuple[int | str, ...]:
    """Ascending sort key giving the API's order: newest first, ties by id."""
    return (-review.created_at, review.id)


def message_first(review: Review) -> tuple[int | str, ...]:
    """``prioritizeMessage=true``: reviews with a message first, then newest first."""
    return (0 if review.message else 1, -review.created_at, review.id)


def epoch_ms(clock: Clock) -> int:
    """The clock's instant as Mayar writes it: Unix epoch milliseconds."""
    return int(clock().timestamp() * 1000)


class MayarStore:
    """The merchant's payment links, customers, purchases and reviews."""

    def __init__(
        self, user_id: str, *, rng: random.Random, clock: Clock = utc_now
    ) -> None:
        self.user_id = user_id
        self.payment_links: dict[str, PaymentLink] = {}
        self.customers: dict[str, Customer] = {}
        self.purchases: set[tuple[str, str]] = set()
        """``(customer id, payment link id)`` pairs with a paid transaction."""
        self.reviews: dict[str, Review] = {}
        self.by_buyer: dict[tuple[str, str], str] = {}
        """``(customer id, payment link id)`` -> that customer's review id."""
        self._by_email: dict[str, str] = {}
        self._rng = rng
        self._clock = clock

    # -- seeding ---------------------------------------------------------------

    def new_id(self) -> str:
        """A fresh UUID v4, deterministic from the store's seed."""
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def add_customer(self, customer: Customer) -> None:
        self.customers[customer.id] = customer
        self._by_email[customer.email.lower()] = customer.id

    def add_review(self, review: Review) -> None:
        self.reviews[review.id] = review
        self.by_buyer[(review.customer_id, review.payment_link_id)] = review.id

    def remove_review(self, review: Review) -> None:
        """Delete a review (and the buyer's "already reviewed" mark with it)."""
        del self.reviews[review.id]
        self.by_buyer.pop((review.customer_id, review.payment_link_id), None)

    def now_ms(self) -> int:
        """The store clock's instant in epoch milliseconds, as Mayar writes it."""
        return epoch_ms(self._clock)

    def customer_by_email(self, email: str) -> Customer | None:
        customer_id = self._by_email.get(email.lower())
        return None if customer_id is None else self.customers[customer_id]

    # -- reads -----------------------------------------------------------------

    def select(
        self,
        *,
        statuses: Iterable[str] = STATUSES,
        payment_link_id: str | None = None,
        rating: int | None = None,
    ) -> list[Review]:
        wanted = set(statuses)
        return [
            r
            for r in self.reviews.values()
            if r.status in wanted
            and (payment_link_id is None or r.payment_link_id == payment_link_id)
            and (rating is None or r.rating == rating)
        ]

    def page(
        self,
        reviews: Sequence[Review],
        *,
        limit: int,
        starting_after: Review | None = None,
        key: SortKey = newest_first,
    ) -> Page:
        """One page of ``reviews`` in ``key`` order after the cursor review.

        The cursor is positioned by its sort key, not by its index in the filtered
        list, so a walk stays exact even when the cursor review itself has since
        left the filter (archived, re-rated).
        """
        ordered = sorted(reviews, key=key)
        if starting_after is not None:
            mark = key(starting_after)
            ordered = [r for r in ordered if key(r) > mark]
        chunk = ordered[:limit]
        has_more = len(ordered) > limit
        return Page(chunk, has_more, chunk[-1].id if has_more else None)

    def stats(self, payment_link_id: str | None = None) -> dict[str, object]:
        """Star statistics of ACTIVE reviews; ``{}`` when there are none."""
        ratings = [
            r.rating
            for r in self.select(statuses=("ACTIVE",), payment_link_id=payment_link_id)
        ]
        total = len(ratings)
        if total == 0:
            return {}
        average = (Decimal(sum(ratings)) / total).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
        stats = []
        for star in range(5, 0, -1):
            count = ratings.count(star)
            # Whole percent rounded half up, as the docs' example (32 of 42 -> 76).
            percentage = (count * 200 + total) // (2 * total)
            stats.append(
                {"rating": star, "percentage": percentage, "totalRating": count}
            )
        return {"total": total, "average": float(average), "stats": stats}

    # -- writes ----------------------------------------------------------------

    def buyer(
        self, email: str, payment_link_id: str, open_domain: str | None
    ) -> Customer | None:
        """The customer behind ``email`` if they paid for the payment link.

        An address at ``open_domain`` is a paid customer of every payment link: the
        customer and the transaction are made on first use (sandbox convenience).
        """
        customer = self.customer_by_email(email)
        domain = email.rsplit("@", 1)[-1].lower()
        if open_domain is not None and domain == open_domain.lower():
            if customer is None:
                customer = Customer(self.new_id(), _name_from(email), email)
                self.add_customer(customer)
            self.purchases.add((customer.id, payment_link_id))
        if customer is None or (customer.id, payment_link_id) not in self.purchases:
            return None
        return customer

    def create(self, data: CreateInput, *, open_domain: str | None) -> Review:
        """Store a new ACTIVE review or raise ``Refused`` (in the vendor's order)."""
        if data.payment_link_id not in self.payment_links:
            raise Refused(Refusal.PRODUCT_NOT_FOUND)
        customer = self.buyer(data.customer_email, data.payment_link_id, open_domain)
        if customer is None:
            raise Refused(Refusal.NOT_PURCHASED)
        if (customer.id, data.payment_link_id) in self.by_buyer:
            raise Refused(Refusal.ALREADY_REVIEWED)
        now = epoch_ms(self._clock)
        review = Review(
            id=self.new_id(),
            created_at=now,
            updated_at=now,
            customer_id=customer.id,
            payment_link_id=data.payment_link_id,
            rating=data.rating,
            message=data.message,
            status="ACTIVE",
            user_id=self.user_id,
        )
        self._attach(review, data.media)
        self.add_review(review)
        return review

    def update(self, data: UpdateInput, *, open_domain: str | None) -> Review:
        """Edit a review found by the body's ``id`` or raise ``Refused``."""
        review = self.reviews.get(data.id)
        if review is None or data.payment_link_id not in (
            None,
            review.payment_link_id,
        ):
            raise Refused(Refusal.REVIEW_NOT_FOUND)
        if data.customer_email is not None:
            buyer = self.buyer(data.customer_email, review.payment_link_id, open_domain)
            if buyer is None:
                raise Refused(Refusal.TRANSACTION_NOT_FOUND)
            if buyer.id != review.customer_id:
                raise Refused(Refusal.REVIEW_NOT_FOUND)
        if data.customer_id not in (None, review.customer_id):
            raise Refused(Refusal.REVIEW_NOT_FOUND)
        if data.rating is not None:
            review.rating = data.rating
        if data.message is not None:
            review.message = data.message
        gone = set(data.delete_media)
        review.images = [i for i in review.images if i.id not in gone]
        review.content = [
            c for c in review.content if c.id not in gone and c.file_id not in gone
        ]
        self._attach(review, data.media)
        review.updated_at = epoch_ms(self._clock)
        return review

    def set_statuses(self, changes: Sequence[StatusChange]) -> None:
        """Apply every change, or none when one names a review that is not ours."""
        for change in changes:
            review = self.reviews.get(change.id)
            if review is None or change.payment_link_id not in (
                None,
                review.payment_link_id,
            ):
                raise Refused(Refusal.INVALID_REVIEWS)
        now = epoch_ms(self._clock)
        for change in changes:
            review = self.reviews[change.id]
            review.status = change.status
            review.updated_at = now

    def _attach(self, review: Review, media: Iterable[MediaInput]) -> None:
        """Attach uploaded files: images to ``multipleImage``, the rest to content."""
        for item in media:
            if item.type == "image":
                review.images.append(Image(item.id, "png", image_url(item.id)))
            else:
                review.content.append(
                    Content(self.new_id(), item.id, f"{item.id}.mp4", 0, "video/mp4")
                )


def image_url(file_id: str, file_type: str = "png") -> str:
    """Where an attached image is served (the docs' layout, sandbox media host)."""
    return f"https://{MEDIA_HOST}/images/{file_id}.{file_type}"


def _name_from(email: str) -> str:
    """A display name for an open-domain buyer: ``ani.wijaya@`` -> ``Ani Wijaya``."""
    local = email.split("@", 1)[0]
    words = [w for w in local.replace("_", ".").replace("-", ".").split(".") if w]
    return " ".join(w.capitalize() for w in words) or local
