"""The seeded Trustoo shop, deterministic from the sandbox seed.

Product reviews for every catalog product listed on Trustoo (about
``45 * popularity`` each), 150 store reviews (``product_id`` 0), a webhook, a few
customer exclusions, review-request orders and widget events. Ids grow with
``commented_at``, as a database's would.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Final

from sandbox import corpus
from sandbox.catalog import ANCHOR, Catalog, CatalogProduct

from .store import (
    EVENT_SOURCES,
    EVENT_TYPES,
    IMAGE,
    OS_TYPES,
    SOURCES,
    VIDEO,
    Customer,
    CustomerEvent,
    Exclusion,
    Media,
    Order,
    Reply,
    Review,
    TrustooStore,
    Webhook,
)

STORE_REVIEWS: Final = 150
FIRST_REVIEW_ID: Final = 48_210_001
MEDIA_HOST: Final = "img.trustoo.io"
STORE_WEIGHTS: Final = (0.04, 0.03, 0.06, 0.22, 0.65)
SOURCE_WEIGHTS: Final = (6, 4, 3, 30, 6, 30, 8, 5, 4, 4)
IMPORTED: Final = frozenset({"CSV uploaded", "AliExpress", "Amazon", "Shopee"})
MARKETPLACES: Final = frozenset({"AliExpress", "Amazon", "Shopee"})
"""Reviews imported from marketplaces come without the buyer's e-mail."""
VARIANTS: Final = ("Black", "Grey", "Navy", "Red", "S", "M", "L", "XL")
ORDERS: Final = 180
EVENTS: Final = 300
CUSTOMERS: Final = 60
FIRST_CUSTOMER_ID: Final = 7_810_000_000_000


def _media(rng: random.Random) -> tuple[Media, ...]:
    if rng.random() >= 0.13:
        return ()
    items: list[Media] = []
    for _ in range(rng.choice((1, 1, 2, 3))):
        url = corpus.image_url(rng, MEDIA_HOST)
        items.append(Media(url, url + "?x-oss-process=style/trustoo_small", IMAGE))
    if rng.random() < 0.15:
        video = f"https://{MEDIA_HOST}/video/{rng.getrandbits(64):016x}.mp4"
        items.append(Media(video, video.removesuffix(".mp4") + ".jpg", VIDEO))
    return tuple(items)


def _dates(rng: random.Random, imported: bool) -> tuple[datetime, datetime]:
    """``commented_at`` and ``created_at``: imports enter Trustoo after the fact."""
    commented = corpus.submitted_at(rng, ANCHOR)
    if not imported:
        return commented, commented
    return commented, min(commented + timedelta(days=rng.uniform(1, 90)), ANCHOR)


def _reply(
    rng: random.Random, rating: int, language: str, created: datetime
) -> Reply | None:
    """The merchant's reply on ~25 %, hours to days after the review arrived."""
    if rng.random() >= 0.25:
        return None
    at = min(created + timedelta(hours=rng.uniform(2, 240)), ANCHOR)
    return Reply(corpus.reply_text(rng, rating, language), at)


def _review(
    rng: random.Random, product: CatalogProduct | None, *, published: bool
) -> Review:
    """One seeded review (id 0 until ``build_store`` numbers them by date)."""
    who = corpus.person(rng)
    rating = corpus.pick_rating(
        rng, product.rating_weights if product else STORE_WEIGHTS
    )
    name = product.name if product else "order"
    text = corpus.review_text(rng, rating, who.language, name)
    source = rng.choices(SOURCES, weights=SOURCE_WEIGHTS)[0]
    commented, created = _dates(rng, source in IMPORTED)
    verified = rng.random() < (0.3 if source in IMPORTED else 0.8)
    reply = _reply(rng, rating, who.language, created)
    return Review(
        id=0,
        product_id=(product.trustoo_product_id or 0) if product else 0,
        rating=rating,
        author=who.display_name,
        author_email="" if source in MARKETPLACES else who.email,
        author_phone="",
        author_country=who.country,
        title=text.title if rng.random() < 0.75 else "",
        content=text.body,
        commented_at=commented,
        created_at=created,
        updated_at=max(created, reply.reply_at) if reply else created,
        source=source,
        is_verified=int(verified),
        is_featured=int(rating >= 4 and rng.random() < 0.08),
        is_published=int(published or rng.random() >= 0.07),
        is_top=int(rating == 5 and rng.random() < 0.03),
        item_type=rng.choice(VARIANTS) if product and rng.random() < 0.4 else "",
        order_id=str(5_630_000_000_000 + rng.randrange(10**9)) if verified else "",
        media=_media(rng),
        reply=reply,
    )


def _reviews(catalog: Catalog, seed: int) -> dict[int, Review]:
    drafts: list[Review] = []
    for product in catalog.on("trustoo"):
        rng = random.Random(f"{seed}:trustoo:reviews:{product.sku}")
        count = max(3, round(45 * product.popularity))
        # The first draft is always published: every product shows a review.
        drafts += [_review(rng, product, published=i == 0) for i in range(count)]
    rng = random.Random(f"{seed}:trustoo:store-reviews")
    drafts += [_review(rng, None, published=i == 0) for i in range(STORE_REVIEWS)]
    drafts.sort(key=lambda r: (r.commented_at, r.product_id, r.author))
    numbered = (replace(r, id=FIRST_REVIEW_ID + i) for i, r in enumerate(drafts))
    return {r.id: r for r in numbered}


def _customers(seed: int) -> dict[str, Customer]:
    rng = random.Random(f"{seed}:trustoo:customers")
    found: dict[str, Customer] = {}
    for index in range(CUSTOMERS):
        who = corpus.person(rng)
        customer_id = FIRST_CUSTOMER_ID + index * 7_919
        customer = Customer(customer_id, who.first_name, who.last_name, who.email)
        found[who.email.lower()] = customer
    return found


def _order(rng: random.Random, index: int, customer: Customer) -> Order:
    created = corpus.submitted_at(rng, ANCHOR, days=365)
    if ANCHOR - created < timedelta(days=7):
        status = rng.choice((1, 2))
    else:
        status = rng.choices((3, 4, 5, 6), weights=(3, 3, 3, 1))[0]
    scheduled = None if status == 1 else created + timedelta(days=7)
    return Order(
        id=index + 1,
        order_id=str(5_630_000_000_000 + index * 104_729),
        order_name=f"#{1001 + index}",
        customer_name=f"{customer.first_name} {customer.last_name}",
        customer_email=customer.email,
        status=status,
        created_at=created,
        scheduled_at=scheduled,
        sent_at=scheduled if status in (3, 4, 5) else None,
    )


def _orders(seed: int, customers: list[Customer]) -> list[Order]:
    rng = random.Random(f"{seed}:trustoo:orders")
    orders = [_order(rng, i, rng.choice(customers)) for i in range(ORDERS)]
    # Numbered by creation time, as Shopify numbers orders.
    orders.sort(key=lambda o: o.created_at)
    return [
        replace(o, id=i + 1, order_name=f"#{1001 + i}") for i, o in enumerate(orders)
    ]


def _events(
    seed: int, reviews: list[Review], customers: list[Customer]
) -> list[CustomerEvent]:
    rng = random.Random(f"{seed}:trustoo:events")
    drafts: list[CustomerEvent] = []
    for _ in range(EVENTS):
        review = rng.choice(reviews)
        event_type = rng.choice(EVENT_TYPES)
        source = "EMAIL" if event_type == "SUBMIT_REVIEW" else rng.choice(EVENT_SOURCES)
        email = rng.choice(customers).email if source == "EMAIL" else ""
        on_review = event_type in {"EXPAND_CONTENT", "CLICK_REVIEW", "CLICK_MEDIA"}
        drafts.append(
            CustomerEvent(
                id=0,
                event_type=event_type,
                event_source=source,
                os_type=rng.choice(OS_TYPES),
                customer_email=email,
                product_id=review.product_id,
                review_id=review.id if on_review else 0,
                created_at=corpus.submitted_at(rng, ANCHOR, days=90),
            )
        )
    drafts.sort(key=lambda e: e.created_at)
    return [replace(e, id=i + 1) for i, e in enumerate(drafts)]


def build_store(catalog: Catalog, seed: int) -> TrustooStore:
    """The seeded shop state: the same ``catalog`` and ``seed`` give the same store."""
    reviews = _reviews(catalog, seed)
    customers = _customers(seed)
    people = list(customers.values())
    since = ANCHOR - timedelta(days=200)
    hook = Webhook(
        1, "review/created", "https://hooks.sandbox-shop.example/trustoo", since, since
    )
    exclusions = {
        c.customer_id: Exclusion(
            c.customer_id, c.first_name, c.last_name, c.email, c.phone, since, since
        )
        for c in people[:5]
    }
    return TrustooStore(
        products={
            p.trustoo_product_id: p
            for p in catalog.on("trustoo")
            if p.trustoo_product_id is not None
        },
        reviews=reviews,
        webhooks={hook.id: hook},
        exclusions=exclusions,
        customers=customers,
        orders=_orders(seed, people),
        events=_events(seed, list(reviews.values()), people),
    )
