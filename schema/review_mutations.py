"""Placeholder: review writes (create, update, delete, set status)."""

import strawberry


@strawberry.type
class ReviewMutations:
    pass
