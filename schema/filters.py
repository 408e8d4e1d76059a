"""The ``ReviewFilter`` input."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Final

import strawberry

from gateway import records
from gateway.errors import InvalidInput
from resolvers import filters
from resolvers.context import READ_PRIVATE, Context
from resolvers.search import search_words
from schema.enums import Provider, ReviewKind, ReviewStatus


@strawberry.input(description="Narrows a review list; every field given must match.")
class ReviewFilter:
    providers: list[Provider] | None = strawberry.field(
        default=None, description="Only these platforms."
    )
    ratings: list[int] | None = strawberry.field(
        default=None, description="Only these star ratings (1 to 5)."
    )
    language: str | None = strawberry.field(
        default=None, description="Only this ISO 639-1 language."
    )
    statuses: list[ReviewStatus] | None = strawberry.field(
        default=None,
        description="Only these states; default [PUBLISHED]. Others need read:private.",
    )
    with_media: bool | None = strawberry.field(
        default=None, description="Only reviews with (true) or without (false) media."
    )
    verified: bool | None = strawberry.field(
        default=None, description="Only verified (true) or unverified (false) reviews."
    )
    has_reply: bool | None = strawberry.field(
        default=None, description="Only reviews with (true) or without (false) a reply."
    )
    created_after: datetime | None = strawberry.field(
        default=None, description="Only reviews submitted after this instant."
    )
    created_before: datetime | None = strawberry.field(
        default=None, description="Only reviews submitted before this instant."
    )
    kinds: list[ReviewKind] | None = strawberry.field(
        default=None,
        description=(
            "Only product or only shop (service) reviews. Default: a product's "
            "reviews are PRODUCT reviews; the shop's list holds both kinds."
        ),
    )


SEARCH: Final = strawberry.argument(
    description=(
        "Only reviews whose title or body holds every word of this text (whole "
        "words, any case, accents folded; at most 16 words, 200 characters). "
        "Full text in the review index; applied by the gateway for platforms read "
        "live (totalCount is then null in NEWEST order)."
    )
)


def list_filter(
    ctx: Context, value: ReviewFilter | None, search: str | None
) -> filters.ReviewFilter:
    """The resolvers' filter for a list's ``filter`` and ``search`` arguments."""
    record = to_record(ctx, value) if value is not None else filters.ReviewFilter()
    if search is None:
        return record
    return replace(record, search=search_words(search))


def to_record(ctx: Context, value: ReviewFilter) -> filters.ReviewFilter:
    """Check the input and turn it into the resolvers' filter."""
    ratings = frozenset(value.ratings) if value.ratings is not None else None
    if ratings is not None and not ratings <= {1, 2, 3, 4, 5}:
        raise InvalidInput("filter.ratings: each rating must be from 1 to 5")
    statuses = frozenset(value.statuses or [records.ReviewStatus.PUBLISHED])
    if statuses != {records.ReviewStatus.PUBLISHED}:
        ctx.caller.require(READ_PRIVATE, "filter.statuses other than PUBLISHED")
    for name in ("created_after", "created_before"):
        moment = getattr(value, name)
        if moment is not None and moment.tzinfo is None:
            raise InvalidInput(f"filter.{name}: give a time zone (e.g. Z)")
    return filters.ReviewFilter(
        providers=frozenset(value.providers) if value.providers else None,
        ratings=ratings,
        language=value.language.lower() if value.language else None,
        statuses=statuses,
        with_media=value.with_media,
        verified=value.verified,
        has_reply=value.has_reply,
        created_after=value.created_after,
        created_before=value.created_before,
        kinds=frozenset(value.kinds) if value.kinds else None,
    )
