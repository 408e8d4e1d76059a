"""Reports filed against a review (eTrusted vetos), and why a review is reported."""

from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry

from gateway import records
from resolvers.replies import ReportReason

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
