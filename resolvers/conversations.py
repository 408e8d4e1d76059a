"""Conversations: a review's reply thread (Trustpilot)."""

from __future__ import annotations

from gateway.errors import ProviderError
from gateway.records import Conversation, Provider, Review
from resolvers.context import Context, ErrorSink


async def conversation(
    ctx: Context, provider: Provider, conversation_id: str
) -> Conversation | None:
    """A conversation by its platform id; ``None`` if there is none."""
    if provider is not Provider.TRUSTPILOT or ctx.services.conversations is None:
        return None
    found = await ctx.loaders.conversation_by_id.load(conversation_id)
    if found is not None and found.state.value == "private":
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
