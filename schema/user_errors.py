"""User errors: why a write was refused, in every mutation payload."""

from __future__ import annotations

from typing import Any, Self

import strawberry

from resolvers import writes


@strawberry.type(description="Why a write was refused. Nothing was written.")
class UserError:
    field: list[str] | None = strawberry.field(
        description="The input path the error concerns, e.g. input.rating: always "
        "a field of this mutation's input; null when no one field is at fault."
    )
    message: str = strawberry.field(description="What is wrong, in English.")
    code: str = strawberry.field(
        description="A stable code: NOT_FOUND (at the field naming the missing "
        "object), INVALID_ID, REQUIRED, INVALID_RATING, UNSUPPORTED_BY_PROVIDER, "
        "ALREADY_REVIEWED, ALREADY_REPORTED, NOT_A_BUYER, PROVIDER_UNAVAILABLE, ..."
    )
    provider_message: str | None = strawberry.field(
        description="The platform's own words, where it gave any."
    )

    @classmethod
    def from_record(cls, record: writes.UserError) -> Self:
        path = ["input", *record.field] if record.field else None
        return cls(
            field=path,
            message=record.message,
            code=record.code,
            provider_message=record.provider_message,
        )


def user_errors(result: writes.WriteResult[Any]) -> list[UserError]:
    """The payload's ``userErrors`` for a write's outcome."""
    return [UserError.from_record(e) for e in result.user_errors]
