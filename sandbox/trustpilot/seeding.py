"""Seeding of the Trustpilot simulator's store, deterministic from the sandbox seed.

Every product the catalog lists on Trustpilot gets about ``45 * popularity`` product
reviews (at least 3, the newest-generated one always published), drawn from the
shared corpus: consumers from several countries writing in their language, stars from
the product's profile, no titles (Trustpilot product reviews have none). On top:
attribute ratings on ~60 %, attachments on ~12 %, states other than ``published`` on
~7 %, conversations (business replies, some consumer follow-ups, ~10 % of them
private) on ~20 % of published reviews, and a separate, smaller set of imported
reviews for ~40 % of the SKUs. Each product draws from its own generator, so one
product's data does not shift when another changes.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sandbox import corpus
from sandbox.catalog import ANCHOR, Catalog, CatalogProduct
from sandbox.control import Clock

from .store import (
    ATTRIBUTES,
    STATES,
    Attachment,
    Comment,
    Consumer,
    Conversation,
    ImportedReview,
    ProductReview,
    TrustpilotStore,
    hex_id,
    newest_first,
)

ATTACHMENT_HOST = "productreviews-attachments.trustpilot.com"
SHOP_URL = "https://sandbox-shop.example"
_FOLLOW_UPS = (
    "Thanks for getting back to me so quickly!",
    "Support sorted it out, thank you.",
    "I sent you an e-mail with my order number.",
    "Still waiting for the replacement, please check.",
)
_BUSINESS_FOLLOW_UPS = (
    "Glad we could help, enjoy your purchase!",
    "Thanks, we have found your order and a replacement is on its way.",
)


def _at_most_anchor(moment: datetime) -> datetime:
    return min(moment, ANCHOR)


def _attribute_ratings(rng: random.Random, stars: int) -> tuple[tuple[str, int], ...]:
    if rng.random() >= 0.6:
        return ()
    rated = [a for i, a in enumerate(ATTRIBUTES) if i == 0 or rng.random() < 0.8]
    return tuple(
        (a, max(1, min(5, stars + rng.choice((-1, 0, 0, 0, 1))))) for a in rated
    )


def _attachments(rng: random.Random) -> tuple[Attachment, ...]:
    if rng.random() >= 0.12:
        return ()
    found = []
    for _ in range(rng.choice((1, 1, 2))):
        attachment_id = hex_id(rng)
        mime, ext = rng.choice((("image/jpeg", "jpg"), ("image/png", "png")))
        files = tuple(
            (dim, mime, f"https://{ATTACHMENT_HOST}/{attachment_id}_{dim}.{ext}")
            for dim in ("1024pxWide", "320pxWide")
        )
        found.append(Attachment(attachment_id, "Published", files))
    return tuple(found)


def _state(rng: random.Random, force_published: bool) -> str:
    if force_published or rng.random() >= 0.07:
        return "published"
    return rng.choice(STATES[1:])


def _review(
    rng: random.Random, product: CatalogProduct, force_published: bool
) -> ProductReview:
    who = corpus.person(rng)
    stars = corpus.pick_rating(rng, product.rating_weights)
    created = corpus.submitted_at(rng, ANCHOR)
    state = _state(rng, force_published)
    edited = rng.random() < 0.3
    return ProductReview(
        id=hex_id(rng),
        sku=product.sku,
        created_at=created,
        updated_at=_at_most_anchor(
            created + timedelta(minutes=rng.randrange(1, 4320)) if edited else created
        ),
        stars=stars,
        content=corpus.review_text(rng, stars, who.language, product.name).body,
        consumer=Consumer(hex_id(rng), who.display_name, who.full_name, who.email),
        reference_id=f"ORD-{rng.randrange(100_000, 999_999)}",
        locale=f"{who.language}-{who.country}",
        language=who.language,
        redirect_uri=f"{SHOP_URL}/thank-you" if rng.random() < 0.7 else None,
        state=state,
        has_moderation_history=state in STATES[2:] or rng.random() < 0.04,
        attribute_ratings=_attribute_ratings(rng, stars),
        attachments=_attachments(rng),
    )


def _conversation(
    rng: random.Random, review: ProductReview, business_user_id: str
) -> Conversation:
    """A business reply, sometimes a consumer follow-up and a second answer."""
    at = review.created_at + timedelta(minutes=rng.randrange(30, 4320))
    reply = corpus.reply_text(rng, review.stars, review.language)
    comments = [Comment(hex_id(rng), at, business_user_id, "businessUser", reply)]
    if rng.random() < 0.35:
        at += timedelta(minutes=rng.randrange(30, 2880))
        follow_up = rng.choice(_FOLLOW_UPS)
        comments.append(
            Comment(hex_id(rng), at, review.consumer.id, "consumer", follow_up)
        )
        if rng.random() < 0.5:
            at += timedelta(minutes=rng.randrange(30, 1440))
            answer = rng.choice(_BUSINESS_FOLLOW_UPS)
            comments.append(
                Comment(hex_id(rng), at, business_user_id, "businessUser", answer)
            )
    for comment in comments:
        comment.created_at = _at_most_anchor(comment.created_at)
    state = "private" if rng.random() < 0.1 else "public"
    return Conversation(hex_id(rng), review.id, review.consumer.id, state, comments)


def _imported(
    rng: random.Random, product: CatalogProduct, force: bool
) -> list[ImportedReview]:
    if not force and rng.random() >= 0.4:
        return []
    found = []
    for _ in range(rng.randrange(2, 9)):
        who = corpus.person(rng)
        stars = corpus.pick_rating(rng, product.rating_weights)
        created = corpus.submitted_at(rng, ANCHOR)
        content = corpus.review_text(rng, stars, who.language, product.name).body
        found.append(
            ImportedReview(
                product.sku, created, stars, content, who.full_name, who.language
            )
        )
    found.sort(key=lambda r: r.created_at, reverse=True)
    return found


def build_store(
    catalog: Catalog, seed: int, clock: Clock | None = None
) -> TrustpilotStore:
    """The seeded store for ``catalog``: pure and deterministic from ``seed``.

    ``clock`` is accepted for symmetry with the other simulators; seeded dates are
    spread over the two years before ``catalog.ANCHOR``, never taken from it.
    """
    del clock
    creds = catalog.credentials.trustpilot
    business_user_id = hex_id(random.Random(f"{seed}:trustpilot:business-user"))
    products = {p.sku: p for p in catalog.on("trustpilot")}
    store = TrustpilotStore(
        business_unit_id=creds.business_unit_id,
        business_unit_name=creds.business_unit_name,
        business_user_id=business_user_id,
        seed=seed,
        products=products,
        product_ids={
            sku: hex_id(random.Random(f"{seed}:trustpilot:product:{sku}"))
            for sku in products
        },
        reviews={},
        by_sku={},
        imported={},
        conversations={},
    )
    for index, product in enumerate(products.values()):
        _seed_product(store, product, seed, force_imported=index == 0)
    return store


def _seed_product(
    store: TrustpilotStore, product: CatalogProduct, seed: int, force_imported: bool
) -> None:
    rng = random.Random(f"{seed}:trustpilot:reviews:{product.sku}")
    count = max(3, round(45 * product.popularity))
    reviews = [_review(rng, product, i == 0) for i in range(count)]
    for review in reviews:
        store.reviews[review.id] = review
        if review.state == "published" and rng.random() < 0.2:
            conversation = _conversation(rng, review, store.business_user_id)
            store.conversations[conversation.id] = conversation
            review.conversation_id = conversation.id
    store.by_sku[product.sku] = sorted(reviews, key=newest_first, reverse=True)
    imported_rng = random.Random(f"{seed}:trustpilot:imported:{product.sku}")
    imported = _imported(imported_rng, product, force_imported)
    if imported:
        store.imported[product.sku] = imported
