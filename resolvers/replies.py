"""Writes on a review's public face: reports (and, beside them, replies and threads)."""

from __future__ import annotations

from enum import StrEnum

from gateway.errors import InvalidInput
from gateway.records import Provider, ReviewReport
from resolvers import ids
from resolvers.context import Context
from resolvers.writes import Checks, WriteResult, perform

COMMENT_MAX = 4000


class ReportReason(StrEnum):
    """Why a review is reported (eTrusted's veto reasons)."""

    UNTRUTHFUL = "UNTRUTHFUL"
    ABUSIVE = "ABUSIVE"
    VIOLATES_THE_TERMS_OF_USE = "VIOLATES_THE_TERMS_OF_USE"


def review_of(checks: Checks, value: str, path: tuple[str, ...]) -> ids.ReviewId | None:
    """Decode a review id input, recording a user error when it is not one."""
    try:
        return ids.decode_review(value)
    except InvalidInput:
        checks.fail(path, "not a review id of this graph", "INVALID_ID")
        return None


async def report_review(
    ctx: Context,
    *,
    review_id: str,
    reason: ReportReason,
    comment: str,
    reporter_email: str | None,
    client_mutation_id: str | None,
) -> WriteResult[ReviewReport]:
    """Report a review to its platform (eTrusted: a veto)."""
    checks = Checks()
    review = review_of(checks, review_id, ("reviewId",))
    if review is not None:
        checks.provider(review.provider, {Provider.ETRUSTED}, "report reviews")
    if checks.require(comment, ("comment",)):
        checks.length(comment, ("comment",), 1, COMMENT_MAX)
    # eTrusted's veto endpoint refuses a veto without the reporter's address.
    if checks.require(reporter_email, ("reporterEmail",)):
        checks.email(reporter_email, ("reporterEmail",))
    client = ctx.services.clients.etrusted
    if client is None:
        checks.fail(("reviewId",), "ETRUSTED is not configured", "NOT_CONFIGURED")

    async def write() -> WriteResult[ReviewReport]:
        assert client is not None  # checked above: no write without a client
        assert review is not None
        report = await client.create_veto(
            review.key.id,
            reason=reason.value,
            comment=comment,
            reporter_email=reporter_email,
        )
        return WriteResult(report)

    return await perform(
        ctx,
        Provider.ETRUSTED,
        "reportReview",
        client_mutation_id,
        ("reportReview", review_id, reason, comment, reporter_email),
        checks,
        write,
    )
