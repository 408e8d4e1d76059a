"""Writes on a review's public face: replies, threads and reports."""

from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry

from gateway import records
from resolvers import replies
from resolvers.replies import ReportReason
from schema._info import Info
from schema.user_errors import UserError, user_errors

strawberry.enum(
    ReportReason, name="ReportReason", description="Why a review is reported."
)


@strawberry.type(description="A report filed against a review (eTrusted: a veto).")
class ReviewReport:
    id: strawberry.ID = strawberry.field(description="The report's id at the platform.")
    ticket_id: str | None = strawberry.field(
        description="The platform's support ticket number."
    )
    reason: ReportReason = strawberry.field(description="Why it was reported.")
    created_at: datetime | None = strawberry.field(description="When it was filed.")

    @classmethod
    def from_record(cls, record: records.ReviewReport) -> Self:
        return cls(
            id=strawberry.ID(record.id),
            ticket_id=record.ticket_id,
            reason=ReportReason(record.reason),
            created_at=record.created_at,
        )


@strawberry.input(description="Report a review to its platform (ETRUSTED).")
class ReportReviewInput:
    review_id: strawberry.ID = strawberry.field(description="The review's global id.")
    reason: ReportReason = strawberry.field(description="Why it is reported.")
    comment: str = strawberry.field(description="What is wrong (1 to 4000 characters).")
    reporter_email: str | None = strawberry.field(
        default=None, description="Who reports it (eTrusted requires it)."
    )
    client_mutation_id: str | None = strawberry.field(
        default=None,
        description="An idempotency key: the same key and input never write twice.",
    )


@strawberry.type(description="The result of reportReview.")
class ReportReviewPayload:
    report: ReviewReport | None = strawberry.field(description="The filed report.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")
    client_mutation_id: str | None = strawberry.field(description="The key, echoed.")


@strawberry.type
class ReplyMutations:
    @strawberry.mutation(description="Report a review to its platform (ETRUSTED).")
    async def report_review(
        self, info: Info, input: ReportReviewInput
    ) -> ReportReviewPayload:
        result = await replies.report_review(
            info.context,
            review_id=input.review_id,
            reason=input.reason,
            comment=input.comment,
            reporter_email=input.reporter_email,
            client_mutation_id=input.client_mutation_id,
        )
        return ReportReviewPayload(
            report=ReviewReport.from_record(result.value) if result.value else None,
            user_errors=user_errors(result),
            client_mutation_id=input.client_mutation_id,
        )
