"""GraphQL enums: the records' own enums, registered under their contract names.

Registering the records' classes (rather than copying them) keeps one definition of
each value set; Strawberry only attaches its definition to the class.
"""

from __future__ import annotations

import strawberry

from gateway.records import (
    CommentAuthorType,
    ConversationState,
    MediaType,
    Provider,
    ReviewKind,
    ReviewStatus,
)
from gateway.sync.status import SyncPhase as SyncState
from resolvers.filters import ReviewOrder

strawberry.enum(Provider, name="Provider", description="A review platform.")
strawberry.enum(
    ReviewStatus,
    name="ReviewStatus",
    description="A review's moderation state, the same for every platform.",
)
strawberry.enum(
    ReviewKind,
    name="ReviewKind",
    description="What a review is about: a product, or the shop and its service.",
)
strawberry.enum(MediaType, name="MediaType", description="The kind of an attachment.")
strawberry.enum(
    ConversationState,
    name="ConversationState",
    description="Whether a reply thread is visible to the public.",
)
strawberry.enum(
    CommentAuthorType, name="CommentAuthorType", description="Who wrote a comment."
)
strawberry.enum(
    ReviewOrder, name="ReviewOrder", description="The order of a merged review list."
)
strawberry.enum(
    SyncState,
    name="SyncState",
    description="Where a platform's review index sync stands.",
)

__all__ = [
    "CommentAuthorType",
    "ConversationState",
    "MediaType",
    "Provider",
    "ReviewKind",
    "ReviewOrder",
    "ReviewStatus",
    "SyncState",
]
