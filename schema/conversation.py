"""Conversations: a review's reply thread and its comments."""

from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry

from gateway import records
from resolvers import ids
from resolvers import reviews as review_cases
from schema._info import Info
from schema.enums import CommentAuthorType, ConversationState, Provider
from schema.node import Node
from schema.review import Review


@strawberry.type(description="Who wrote a comment.")
class CommentAuthor:
    id: str | None = strawberry.field(description="The author's id at the platform.")
    type: CommentAuthorType = strawberry.field(description="Business or consumer.")


@strawberry.type(description="One message in a conversation.")
class Comment:
    id: strawberry.ID = strawberry.field(
        description="The comment's id at the platform."
    )
    body: str = strawberry.field(description="The text.")
    created_at: datetime = strawberry.field(description="When it was written.")
    author: CommentAuthor = strawberry.field(description="Who wrote it.")


@strawberry.type(description="A review's reply thread (Trustpilot).")
class Conversation(Node):
    record: strawberry.Private[records.Conversation]

    @classmethod
    def from_record(cls, record: records.Conversation) -> Self:
        global_id = ids.conversation_id(record.provider, record.id)
        return cls(id=strawberry.ID(global_id), record=record)

    @strawberry.field(description="The platform that holds the thread.")
    def provider(self) -> Provider:
        return self.record.provider

    @strawberry.field(description="Public, or private to the business.")
    def state(self) -> ConversationState:
        return self.record.state

    @strawberry.field(description="The comments, oldest first.")
    def comments(self) -> list[Comment]:
        return [
            Comment(
                id=strawberry.ID(c.id),
                body=c.body,
                created_at=c.created_at,
                author=CommentAuthor(id=c.author_id, type=c.author_type),
            )
            for c in sorted(self.record.comments, key=lambda c: c.created_at)
        ]

    @strawberry.field(description="The review the thread is about.")
    async def review(self, info: Info) -> Review | None:
        review_id = self.record.review_id
        if review_id is None:
            return None
        found = await review_cases.review_or_report(
            info.context,
            info.context.sink(tuple(info.path.as_list())),
            self.record.provider,
            records.ReviewKey(review_id),
        )
        return Review.from_record(found) if found else None
