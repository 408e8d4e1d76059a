"""Review writes: createReview, updateReview, deleteReview, setReviewStatus."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from gateway import records
from resolvers import review_writes
from resolvers.review_inputs import NewReview, ReviewEdit, StatusChange
from resolvers.writes import IdInput
from schema._info import Info
from schema.enums import MediaType, Provider, ReviewStatus
from schema.review import Review
from schema.user_errors import UserError, user_errors

KEY = "An idempotency key: the same key and input never write twice."
REVIEW_ID = "The review's global id (give this, or the deprecated id)."
LEGACY_ID = "The review's global id: deprecated, give reviewId instead."
DEPRECATED_ID = "Use reviewId: every review mutation names its review so."


@strawberry.input(description="An image or video for a new review, by URL (TRUSTOO).")
class MediaInput:
    type: MediaType = strawberry.field(description="Image or video.")
    url: str = strawberry.field(description="Where the file is served (http or https).")
    thumbnail_url: str | None = strawberry.field(
        default=None, description="Its thumbnail (images: the image itself if null)."
    )

    def record(self) -> records.Media:
        return records.Media(self.type, self.url, self.thumbnail_url)


@strawberry.input(
    description="A new review (TRUSTOO or MAYAR). Inputs a platform cannot store "
    "are refused with UNSUPPORTED_BY_PROVIDER, never dropped."
)
class CreateReviewInput:
    provider: Provider = strawberry.field(description="TRUSTOO or MAYAR.")
    rating: int = strawberry.field(description="Stars, 1 to 5.")
    sku: str | None = strawberry.field(
        default=None,
        description="A catalog SKU listed on the platform; null: a shop review "
        "(TRUSTOO only).",
    )
    title: str | None = strawberry.field(
        default=None, description="Up to 300 characters (TRUSTOO only)."
    )
    body: str | None = strawberry.field(
        default=None,
        description="The text: TRUSTOO up to 10000 characters, MAYAR up to 2000.",
    )
    author_name: str | None = strawberry.field(
        default=None,
        description="The name shown, up to 120 characters (TRUSTOO: required; "
        "MAYAR shows its customer's name).",
    )
    author_email: str | None = strawberry.field(
        default=None,
        description="The reviewer's e-mail (MAYAR: required, a paying customer's, "
        "5 to 100 characters).",
    )
    author_country: str | None = strawberry.field(
        default=None, description="ISO 3166 alpha-2 country code (TRUSTOO only)."
    )
    created_at: datetime | None = strawberry.field(
        default=None, description="When the customer wrote it (TRUSTOO; default now)."
    )
    verified: bool | None = strawberry.field(
        default=None,
        description="A verified purchase (TRUSTOO, default false; MAYAR: always).",
    )
    published: bool | None = strawberry.field(
        default=None,
        description="Shown publicly (default true; false: HIDDEN, TRUSTOO only).",
    )
    media: list[MediaInput] | None = strawberry.field(
        default=None,
        description="Up to 10 images and one video, by URL (TRUSTOO only).",
    )
    client_mutation_id: str | None = strawberry.field(default=None, description=KEY)

    def new_review(self) -> NewReview:
        media = None if self.media is None else tuple(m.record() for m in self.media)
        return NewReview(
            provider=self.provider,
            rating=self.rating,
            sku=self.sku,
            title=self.title,
            body=self.body,
            author_name=self.author_name,
            author_email=self.author_email,
            author_country=self.author_country,
            created_at=self.created_at,
            verified=self.verified,
            published=self.published,
            media=media,
        )


@strawberry.type(description="The result of createReview.")
class CreateReviewPayload:
    review: Review | None = strawberry.field(
        description="The new review (null when refused, or when the platform did "
        "not answer it back)."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")
    client_mutation_id: str | None = strawberry.field(description="The key, echoed.")


@strawberry.input(description="Edit a review (MAYAR). Give a rating or a body.")
class UpdateReviewInput:
    review_id: strawberry.ID | None = strawberry.field(
        default=None, description=REVIEW_ID
    )
    id: strawberry.ID | None = strawberry.field(
        default=None, description=LEGACY_ID, deprecation_reason=DEPRECATED_ID
    )
    rating: int | None = strawberry.field(default=None, description="Stars, 1 to 5.")
    body: str | None = strawberry.field(
        default=None, description="The new text, 1 to 2000 characters."
    )
    author_email: str | None = strawberry.field(
        default=None,
        description="The reviewer's e-mail: MAYAR checks it paid for the product.",
    )
    client_mutation_id: str | None = strawberry.field(default=None, description=KEY)

    def edit(self) -> ReviewEdit:
        review = IdInput("reviewId", self.review_id, self.id)
        return ReviewEdit(review, self.rating, self.body, self.author_email)


@strawberry.type(description="The result of updateReview.")
class UpdateReviewPayload:
    review: Review | None = strawberry.field(description="The review as edited.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")
    client_mutation_id: str | None = strawberry.field(description="The key, echoed.")


@strawberry.input(description="Delete a review (TRUSTOO; MAYAR: archive it).")
class DeleteReviewInput:
    review_id: strawberry.ID | None = strawberry.field(
        default=None, description=REVIEW_ID
    )
    id: strawberry.ID | None = strawberry.field(
        default=None, description=LEGACY_ID, deprecation_reason=DEPRECATED_ID
    )
    client_mutation_id: str | None = strawberry.field(default=None, description=KEY)

    def review(self) -> IdInput:
        return IdInput("reviewId", self.review_id, self.id)


@strawberry.type(description="The result of deleteReview.")
class DeleteReviewPayload:
    deleted_review_id: strawberry.ID | None = strawberry.field(
        description="The id of the review deleted (MAYAR: archived)."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")
    client_mutation_id: str | None = strawberry.field(description="The key, echoed.")


@strawberry.input(description="One review's new status.")
class ReviewStatusChange:
    review_id: strawberry.ID = strawberry.field(description="The review's global id.")
    status: ReviewStatus = strawberry.field(
        description="PUBLISHED, HIDDEN or ARCHIVED (MAYAR's ACTIVE, INACTIVE, "
        "ARCHIVED)."
    )

    def change(self) -> StatusChange:
        return StatusChange(self.review_id, self.status)


@strawberry.input(description="Set the status of 1 to 50 reviews at once (MAYAR).")
class SetReviewStatusInput:
    reviews: list[ReviewStatusChange] = strawberry.field(
        description="The reviews and their new statuses; all or none are changed."
    )
    client_mutation_id: str | None = strawberry.field(default=None, description=KEY)


@strawberry.type(description="The result of setReviewStatus.")
class SetReviewStatusPayload:
    review_ids: list[strawberry.ID] = strawberry.field(
        description="The ids of the reviews changed, in input order."
    )
    reviews: list[Review] = strawberry.field(
        description="The changed reviews as read back (one that could not be read "
        "is missing here, though changed)."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")
    client_mutation_id: str | None = strawberry.field(description="The key, echoed.")


def _review(record: records.Review | None) -> Review | None:
    return Review.from_record(record) if record else None


@strawberry.type
class ReviewMutations:
    @strawberry.mutation(description="Create a review (TRUSTOO, MAYAR).")
    async def create_review(
        self,
        info: Info,
        input: Annotated[
            CreateReviewInput, strawberry.argument(description="The review.")
        ],
    ) -> CreateReviewPayload:
        key = input.client_mutation_id
        result = await review_writes.create_review(
            info.context, input.new_review(), key
        )
        return CreateReviewPayload(
            review=_review(result.value),
            user_errors=user_errors(result),
            client_mutation_id=key,
        )

    @strawberry.mutation(description="Edit a review's rating or text (MAYAR).")
    async def update_review(
        self,
        info: Info,
        input: Annotated[
            UpdateReviewInput, strawberry.argument(description="The edit.")
        ],
    ) -> UpdateReviewPayload:
        key = input.client_mutation_id
        result = await review_writes.update_review(info.context, input.edit(), key)
        return UpdateReviewPayload(
            review=_review(result.value),
            user_errors=user_errors(result),
            client_mutation_id=key,
        )

    @strawberry.mutation(description="Delete a review (TRUSTOO; MAYAR: archive it).")
    async def delete_review(
        self,
        info: Info,
        input: Annotated[
            DeleteReviewInput, strawberry.argument(description="The review.")
        ],
    ) -> DeleteReviewPayload:
        key = input.client_mutation_id
        result = await review_writes.delete_review(info.context, input.review(), key)
        deleted = strawberry.ID(result.value) if result.value else None
        return DeleteReviewPayload(
            deleted_review_id=deleted,
            user_errors=user_errors(result),
            client_mutation_id=key,
        )

    @strawberry.mutation(description="Set 1 to 50 reviews' statuses at once (MAYAR).")
    async def set_review_status(
        self,
        info: Info,
        input: Annotated[
            SetReviewStatusInput, strawberry.argument(description="The changes.")
        ],
    ) -> SetReviewStatusPayload:
        key = input.client_mutation_id
        changes = [change.change() for change in input.reviews]
        result = await review_writes.set_review_statuses(info.context, changes, key)
        done = result.value
        return SetReviewStatusPayload(
            review_ids=[strawberry.ID(i) for i in done.review_ids] if done else [],
            reviews=[Review.from_record(r) for r in done.reviews] if done else [],
            user_errors=user_errors(result),
            client_mutation_id=key,
        )
