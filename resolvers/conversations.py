"""Conversations: a review's reply thread (Trustpilot)."""

from __future__ import annotations

from gateway.errors import ProviderError
from gateway.records import (
    CommentAuthorType,
    Conversation,
    ConversationState,
    Provider,
    Reply,
    Review,
)
from resolvers.context import Context, ErrorSink


async def conversation(
    ctx: Context, provider: Provider, conversation_id: str
) -> Conversation | None:
    """A conversation by its platform id; ``None`` if there is none."""
    if provider is not Provider.TRUSTPILOT or ctx.services.conversations is None:
        return None
    found = await ctx.loaders.conversation_by_id.load(conversation_id)
    if found is not None and found.state is ConversationState.PRIVATE:
        # Private threads are the business's own; only server keys see them.
        return found if ctx.caller.key_name is not None else None
    return found


async def of_review(
    ctx: Context, sink: ErrorSink, review: Review
) -> Conversation | None:
    """The thread of ``review``, reporting a platform failure instead of raising."""
    if review.conversation_id is None:
        return None
    try:
        return await conversation(ctx, review.provider, review.conversation_id)
    except ProviderError as error:
        sink(error)
        return None


async def reply_of(ctx: Context, sink: ErrorSink, review: Review) -> Reply | None:
    """The merchant's public reply: the platform's own, or a thread's first answer.

    Trustpilot has no reply field; its reply is the first business comment of the
    review's public conversation.
    """
    if review.reply is not None:
        return review.reply
    thread = await of_review(ctx, sink, review)
    if thread is None or thread.state is not ConversationState.PUBLIC:
        return None
    answers = [
        c for c in thread.comments if c.author_type is CommentAuthorType.BUSINESS
    ]
    if not answers:
        return None
    first = min(answers, key=lambda c: c.created_at)
    return Reply(first.body, first.created_at, first.updated_at)
