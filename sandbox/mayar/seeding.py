"""Seeds the Mayar store from the catalog: payment links, buyers and their reviews.

Deterministic from ``seed``: every product listed on Mayar becomes a payment link
(its catalog ``mayar_payment_link_id`` and name) with about ``45 * popularity``
reviews, each by a distinct paying customer, plus buyers who never reviewed (so
creating a review works with seeded customers too). Customers are mostly
Indonesian, some English-speaking; some buy several products. Text is in the
customer's language, ~15 % of reviews carry no message, ~12 % carry media and
~7 % are ARCHIVED or INACTIVE, yet every payment link keeps an ACTIVE review.
"""

from __future__ import annotations

import random
import uuid
from typing import Final

from sandbox import corpus
from sandbox.catalog import ANCHOR, Catalog, CatalogProduct
from sandbox.control import Clock, utc_now
from sandbox.mayar.store import (
    Content,
    Customer,
    Image,
    MayarStore,
    PaymentLink,
    Review,
    image_url,
)

COUNTRIES: Final = ("ID", "ID", "ID", "ID", "US", "GB")
"""Where buyers come from: mostly Indonesia (text in Indonesian), some English."""
NO_MESSAGE_RATE: Final = 0.15
MEDIA_RATE: Final = 0.12
HIDDEN_RATE: Final = 0.07
EDITED_RATE: Final = 0.2
NON_REVIEWER_SHARE: Final = 0.25
"""Extra buyers per payment link who paid but left no review."""
REPEAT_BUYER_RATE: Final = 0.3
"""Chance that a buyer is an existing customer of the shop."""
ANCHOR_MS: Final = int(ANCHOR.timestamp() * 1000)
DAY_MS: Final = 86_400_000
VIDEOS: Final = (
    ("ulasan-video.mp4", "video/mp4"),
    ("unboxing.mp4", "video/mp4"),
    ("review.mov", "video/quicktime"),
)


def build_store(catalog: Catalog, seed: int, clock: Clock | None = None) -> MayarStore:
    """The seeded store; equal inputs always give equal data (writes use ``clock``)."""
    store = MayarStore(
        catalog.credentials.mayar.merchant_user_id,
        rng=random.Random(f"{seed}:mayar:writes"),
        clock=clock or utc_now,
    )
    seeder = _Seeder(store, random.Random(f"{seed}:mayar:customers"))
    for product in catalog.on("mayar"):
        seeder.add_product(product, random.Random(f"{seed}:mayar:{product.sku}"))
    return store


class _Seeder:
    """Fills a store product by product, remembering each customer's language."""

    def __init__(self, store: MayarStore, shoppers: random.Random) -> None:
        self.store = store
        self.shoppers = shoppers
        self.languages: dict[str, str] = {}

    def add_product(self, product: CatalogProduct, rng: random.Random) -> None:
        link = _payment_link(product)
        self.store.payment_links[link.id] = link
        count = max(3, round(45 * product.popularity))
        extra = max(1, round(count * NON_REVIEWER_SHARE))
        buyers = self.buyers(link.id, count + extra)
        reviews = [self.review(rng, product, link, b) for b in buyers[:count]]
        if all(r.status != "ACTIVE" for r in reviews):
            reviews[0].status = "ACTIVE"
        for review in reviews:
            self.store.add_review(review)

    def buyers(self, link_id: str, count: int) -> list[Customer]:
        """``count`` distinct paying customers of ``link_id``, some returning."""
        known = list(self.store.customers.values())
        chosen: dict[str, Customer] = {}
        while len(chosen) < count:
            if known and self.shoppers.random() < REPEAT_BUYER_RATE:
                customer = self.shoppers.choice(known)
            else:
                customer = self.new_customer()
            chosen.setdefault(customer.id, customer)
        for customer in chosen.values():
            self.store.purchases.add((customer.id, link_id))
        return list(chosen.values())

    def new_customer(self) -> Customer:
        rng = self.shoppers
        person = corpus.person(rng, COUNTRIES)
        while self.store.customer_by_email(person.email) is not None:
            person = corpus.person(rng, COUNTRIES)
        customer = Customer(_uuid(rng), person.full_name, person.email)
        self.store.add_customer(customer)
        self.languages[customer.id] = person.language
        return customer

    def review(
        self,
        rng: random.Random,
        product: CatalogProduct,
        link: PaymentLink,
        customer: Customer,
    ) -> Review:
        rating = corpus.pick_rating(rng, product.rating_weights)
        message = None
        if rng.random() >= NO_MESSAGE_RATE:
            language = self.languages[customer.id]
            message = corpus.review_text(rng, rating, language, product.name).body
        created = corpus.submitted_at(rng, ANCHOR)
        created_ms = int(created.timestamp()) * 1000 + rng.randrange(1000)
        updated_ms = created_ms
        if rng.random() < EDITED_RATE:
            updated_ms = min(ANCHOR_MS, created_ms + rng.randrange(1, 10 * DAY_MS))
        status = "ACTIVE"
        if rng.random() < HIDDEN_RATE:
            status = rng.choice(("ARCHIVED", "INACTIVE"))
        review = Review(
            id=_uuid(rng),
            created_at=created_ms,
            updated_at=updated_ms,
            customer_id=customer.id,
            payment_link_id=link.id,
            rating=rating,
            message=message,
            status=status,
            user_id=self.store.user_id,
        )
        if rng.random() < MEDIA_RATE:
            _add_media(rng, review)
        return review


def _payment_link(product: CatalogProduct) -> PaymentLink:
    # The shop sells physical goods: "physical_product" is our reading of Mayar's
    # product types (the docs' example shows "course"); no subType for goods.
    if product.mayar_payment_link_id is None:
        raise ValueError(f"{product.sku} is not listed on Mayar")
    return PaymentLink(
        id=product.mayar_payment_link_id,
        name=product.name,
        type="physical_product",
        link=product.handle,
        sub_type=None,
    )


def _add_media(rng: random.Random, review: Review) -> None:
    """Photos on most media reviews, a video (``content``) on about a third."""
    if rng.random() < 0.8:
        for _ in range(rng.randint(1, 3)):
            file_type = rng.choice(("png", "jpg", "jpeg"))
            file_id = _uuid(rng)
            review.images.append(
                Image(file_id, file_type, image_url(file_id, file_type))
            )
    if not review.images or rng.random() < 0.3:
        filename, mimetype = rng.choice(VIDEOS)
        review.content.append(
            Content(
                id=_uuid(rng),
                file_id=_uuid(rng),
                filename=filename,
                size=rng.randrange(800_000, 40_000_000),
                mimetype=mimetype,
            )
        )


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))
