"""Reviews for store tests: a plain builder and a hypothesis strategy."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from gateway.records import (
    AttributeRating,
    Author,
    Media,
    MediaType,
    ProductRef,
    Provider,
    Reply,
    Review,
    ReviewKind,
    ReviewStatus,
)

T0 = datetime(2025, 3, 1, tzinfo=UTC)
SKUS = ("SKU-A", "SKU-B", "SKU-C")
IDS = ("a", "b", "B", "c1", "é", "10", "9")


def review(
    provider: Provider = Provider.TRUSTPILOT,
    review_id: str = "r1",
    *,
    sku: str | None = "SKU-A",
    **changes: object,
) -> Review:
    base = Review(
        provider=provider,
        provider_review_id=review_id,
        rating=4,
        rating_exact=4.0,
        created_at=T0,
        status=ReviewStatus.PUBLISHED,
        author=Author("Ann B.", "DE"),
        title="Solid kettle",
        body="Boils fast, looks good.",
        language="en",
        product=None
        if sku is None
        else ProductRef(provider, f"p-{sku}", sku=sku, name="Kettle", gtin="4006"),
        kind=ReviewKind.PRODUCT if sku is not None else ReviewKind.SHOP,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def public(r: Review) -> Review:
    """What the store gives back: the review without PII and raw payload."""
    return dataclasses.replace(r, customer=None, raw={})


@st.composite
def reviews(draw: st.DrawFn) -> Review:
    """A review with few distinct sort values, so ties on every key are common."""
    provider = draw(st.sampled_from(list(Provider)))
    stars = draw(st.integers(1, 5))
    exact = draw(st.sampled_from([float(stars), stars - 0.5 if stars > 1 else 1.0]))
    created = T0 + timedelta(minutes=draw(st.integers(0, 6)))
    updated = draw(
        st.none() | st.integers(0, 8).map(lambda m: T0 + timedelta(minutes=m))
    )
    sku = draw(st.none() | st.sampled_from(SKUS))
    return Review(
        provider=provider,
        provider_review_id=draw(st.sampled_from(IDS)),
        rating=stars,
        rating_exact=exact,
        created_at=created,
        updated_at=updated,
        status=draw(st.sampled_from([ReviewStatus.PUBLISHED, ReviewStatus.HIDDEN])),
        author=Author("X Y."),
        title=draw(st.sampled_from([None, "Great", "Bad kettle"])),
        body=draw(st.sampled_from([None, "Café crème", "works fine"])),
        language=draw(st.sampled_from([None, "en", "de"])),
        verified=draw(st.sampled_from([None, True, False])),
        product=None if sku is None else ProductRef(provider, None, sku=sku),
        kind=ReviewKind.SHOP if sku is None else ReviewKind.PRODUCT,
        media=draw(
            st.sampled_from([(), (Media(MediaType.IMAGE, "https://img/1.jpg"),)])
        ),
        reply=draw(st.sampled_from([None, Reply("Thanks!", created_at=T0)])),
        attribute_ratings=draw(
            st.sampled_from(
                [(), (AttributeRating("q", "Quality", stars),)],
            )
        ),
    )
