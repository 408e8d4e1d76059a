"""Seeded eTrusted data: the account's channels, product and service reviews.

``build_store`` is pure and deterministic: the same catalog and seed always give the
same reviews (ids included), so tests build their own copy to compare against. Every
product the catalog lists on eTrusted gets about ``45 * popularity`` reviews (at least
3, the first one always an approved, verified, rated review); each channel gets its
share of service reviews. Dates spread over the two years before ``ANCHOR``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from sandbox import corpus
from sandbox.catalog import ANCHOR, Catalog, CatalogProduct
from sandbox.control import Clock

from .model import (
    Channel,
    Customer,
    EtrustedStore,
    Image,
    OriginalReview,
    Product,
    Reply,
    Review,
    Veto,
    prefixed_id,
)
from .settings import EtrustedSettings

PROVIDER: Final = "etrusted"
# (locale of the channel, countries its reviewers come from): the first channel is
# the German shop, the second the British one.
_MARKETS: Final = (
    ("de_DE", ("DE", "DE", "DE", "AT", "NL", "FR")),
    ("en_GB", ("GB", "GB", "GB", "US", "ES")),
)
_SERVICE_WEIGHTS: Final = (0.04, 0.03, 0.06, 0.22, 0.65)
# What a service review talks about where the corpus sentence names a product.
_SERVICE_SUBJECT: Final = {
    "de": "Bestellung",
    "en": "order",
    "fr": "commande",
    "nl": "bestelling",
    "es": "pedido",
}
_VETO_COMMENTS: Final = (
    "The reviewer never placed an order with us.",
    "The review contains insults against our staff.",
    "The review describes a different shop.",
)
_MS: Final = timedelta(milliseconds=1)


@dataclass(slots=True)
class _Context:
    """Generation state shared by all reviews of one store."""

    rng: random.Random
    templates: dict[tuple[str, str], str] = field(default_factory=dict)
    orders: int = 0

    def template(self, channel_id: str, locale: str) -> str:
        key = (channel_id, locale)
        if key not in self.templates:
            self.templates[key] = prefixed_id("qrt", self.rng)
        return self.templates[key]

    def order_reference(self) -> str:
        self.orders += 1
        return f"ORDER-{24_000 + self.orders * 7 + self.rng.randrange(7)}"


def build_store(
    catalog: Catalog,
    seed: int,
    clock: Clock | None = None,
    settings: EtrustedSettings | None = None,
) -> EtrustedStore:
    """The seeded account of ``catalog``'s eTrusted credentials (``clock`` unused)."""
    del clock  # seeding is anchored at ANCHOR, never at the wall clock
    settings = settings or EtrustedSettings()
    creds = catalog.credentials.etrusted
    channels = _channels(creds.channel_ids, creds.channel_names)
    ctx = _Context(random.Random(f"{seed}:{PROVIDER}:reviews"))
    reviews: list[Review] = []
    for index, channel in enumerate(channels):
        countries = _MARKETS[index % len(_MARKETS)][1]
        for _ in range(settings.service_reviews_per_channel):
            reviews.append(_review(ctx, channel, countries, None, _SERVICE_WEIGHTS))
    products = _products(catalog, seed)
    weights = [0.6, 0.4] + [0.3] * max(0, len(channels) - 2)
    for catalog_product in catalog.on(PROVIDER):
        product = products[catalog_product.sku]
        for n in range(max(3, round(45 * catalog_product.popularity))):
            index = ctx.rng.choices(range(len(channels)), weights[: len(channels)])[0]
            countries = _MARKETS[index % len(_MARKETS)][1]
            reviews.append(
                _review(
                    ctx,
                    channels[index],
                    countries,
                    product,
                    catalog_product.rating_weights,
                    published=n == 0,
                )
            )
    writes = random.Random(f"{seed}:{PROVIDER}:writes")
    return EtrustedStore(creds.account_id, channels, reviews, writes)


def _channels(ids: tuple[str, ...], names: tuple[str, ...]) -> tuple[Channel, ...]:
    return tuple(
        Channel(
            id=channel_id,
            name=name,
            locale=_MARKETS[i % len(_MARKETS)][0],
            url=f"https://sandbox-shop.example/{_MARKETS[i % len(_MARKETS)][0][:2]}",
            created_at=ANCHOR - timedelta(days=900 - 30 * i),
        )
        for i, (channel_id, name) in enumerate(zip(ids, names, strict=True))
    )


def _products(catalog: Catalog, seed: int) -> dict[str, Product]:
    rng = random.Random(f"{seed}:{PROVIDER}:products")
    return {p.sku: _product(p, rng) for p in catalog.on(PROVIDER)}


def _product(p: CatalogProduct, rng: random.Random) -> Product:
    return Product(
        id=prefixed_id("prt", rng),
        sku=p.sku,
        mpn=p.mpn,
        gtin=p.gtin,
        name=p.name,
        url=p.url,
        image_url=p.image_url,
        brand=p.brand,
    )


def _review(
    ctx: _Context,
    channel: Channel,
    countries: tuple[str, ...],
    product: Product | None,
    weights: tuple[float, ...],
    *,
    published: bool = False,
) -> Review:
    """One review; ``published`` forces an approved, verified, rated one."""
    rng = ctx.rng
    person = corpus.person(rng, countries)
    locale = f"{person.language}_{person.country}"
    submitted = corpus.submitted_at(rng, ANCHOR) + _MS * rng.randrange(1000)
    stars = corpus.pick_rating(rng, weights)
    subject = product.name if product else _SERVICE_SUBJECT[person.language]
    text = corpus.review_text(rng, stars, person.language, subject)
    verified = published or rng.random() < 0.92
    # Imported (unverified) reviews are stored later than they were written.
    created = submitted if verified else _capped(submitted, rng, days=30)
    review = Review(
        id=prefixed_id("rev", rng),
        channel_id=channel.id,
        invite_id=prefixed_id("inv", rng),
        event_id=prefixed_id("evt", rng),
        questionnaire_id=prefixed_id("qre", rng),
        template_id=ctx.template(channel.id, locale),
        locale=locale,
        type="PRODUCT_REVIEW" if product else "SERVICE_REVIEW",
        state="APPROVED" if published else _state(rng),
        verified=verified,
        rating=float(stars),
        title=text.title,
        comment=text.body,
        submitted_at=submitted,
        created_at=created,
        updated_at=created,
        customer=_customer(rng, person),
        transaction_reference=ctx.order_reference(),
        transaction_date=submitted - timedelta(days=rng.uniform(2, 14)),
        product=product,
    )
    if not published:
        _maybe_statement(review, rng)
    _decorate(review, rng, subject)
    return review


def _state(rng: random.Random) -> str:
    draw = rng.random()
    if draw < 0.05:
        return "MODERATION"
    return "REJECTED" if draw < 0.08 else "APPROVED"


def _capped(start: datetime, rng: random.Random, *, days: float) -> datetime:
    """An instant up to ``days`` after ``start``, never after ``ANCHOR``."""
    moment = start + timedelta(days=rng.uniform(0.05, days))
    return min(moment, ANCHOR).replace(microsecond=moment.microsecond // 1000 * 1000)


def _customer(rng: random.Random, person: corpus.Person) -> Customer:
    mobile = None
    if rng.random() < 0.4:
        mobile = f"+{rng.choice((44, 49, 43, 31))}15{rng.randrange(10**8, 10**9)}"
    return Customer(person.first_name, person.last_name, person.email, mobile)


def _maybe_statement(review: Review, rng: random.Random) -> None:
    """Turn ~6 % of reviews into STATEMENT feedback (rating or comment missing)."""
    if rng.random() >= 0.06:
        return
    if rng.random() < 0.5:
        review.rating = None
    else:
        review.title = None
        review.comment = None


def _decorate(review: Review, rng: random.Random, subject: str) -> None:
    """Add the optional parts: reply, edit history, attachments, veto."""
    if review.state != "REJECTED" and rng.random() < 0.25:
        created = _capped(review.submitted_at, rng, days=5)
        updated = _capped(created, rng, days=3) if rng.random() < 0.2 else created
        stars = int(review.rating or 3)
        text = corpus.reply_text(rng, stars, review.locale[:2])
        review.reply = Reply(text, rng.random() < 0.5, created, updated)
    if review.rating is not None and review.comment and rng.random() < 0.04:
        _edit(review, rng, review.rating, subject)
    if rng.random() < 0.12:
        count = rng.choice((1, 1, 2, 3))
        review.images = tuple(_image(review, rng) for _ in range(count))
    if review.rating is not None and review.rating <= 2 and rng.random() < 0.1:
        _veto(review, rng)
    moments = [review.created_at, review.edited_at or review.created_at]
    if review.reply:
        moments.append(review.reply.updated_at)
    review.updated_at = max(moments)


def _edit(review: Review, rng: random.Random, rating: float, subject: str) -> None:
    """The consumer edited the review: keep what they first wrote."""
    before = max(1, min(5, int(rating) + rng.choice((-2, -1, 1))))
    text = corpus.review_text(rng, before, review.locale[:2], subject)
    edited = _capped(review.submitted_at, rng, days=20)
    reply = review.reply if review.reply and review.reply.created_at < edited else None
    review.original = OriginalReview(float(before), text.title, text.body, reply)
    review.edited_at = edited


def _image(review: Review, rng: random.Random) -> Image:
    image_id = prefixed_id("atc", rng)
    extension = rng.choice(("jpg", "jpg", "png"))
    return Image(image_id, extension, f"/attachments/{review.id}/{image_id}")


def _veto(review: Review, rng: random.Random) -> None:
    created = _capped(review.submitted_at, rng, days=10)
    review.veto = Veto(
        id=prefixed_id("vet", rng),
        ticket_id=f"{rng.randrange(100_000, 1_000_000)}",
        comment=rng.choice(_VETO_COMMENTS),
        reason=rng.choice(("UNTRUTHFUL", "ABUSIVE", "VIOLATES_THE_TERMS_OF_USE")),
        reporter_email="merchant@sandbox-shop.example",
        created_at=created,
        updated_at=created,
    )
