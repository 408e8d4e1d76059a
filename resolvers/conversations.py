"""Conversations: a review's reply thread (Trustpilot)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from gateway.errors import InvalidInput, ProviderError
from gateway.records import (
    Conversation,
    ConversationState,
    Provider,
    Reply,
    Review,
)
from resolvers.context import READ_PRIVATE, Context, ErrorSink
from resolvers.filters import ReviewFilter

MAX_THREAD_READS: Final = 200
"""Threads one request may read to apply ``hasReply`` for a caller without private
threads: a list item does not say whether its thread is public, so each distinct
thread costs one (cached, coalesced) read. The count is the request's, over all its
lists and aliases; beyond it the list that needs more is refused."""


def sees_private_threads(ctx: Context) -> bool:
    """Private threads are the business's own: only ``read:private`` sees them."""
    return READ_PRIVATE in ctx.caller.scopes


async def conversation(
    ctx: Context, provider: Provider, conversation_id: str
) -> Conversation | None:
    """A conversation by its platform id; ``None`` if there is none.

    From the index when the platform is read from it and the caller sees public
    threads only (the index keeps a private thread's state, not its comments);
    server keys with ``read:private`` read the thread live.
    """
    if provider is not Provider.TRUSTPILOT or ctx.services.conversations is None:
        return None
    if ctx.services.indexed(provider) and not sees_private_threads(ctx):
        held = await ctx.loaders.stored_conversation.load((provider, conversation_id))
        public = held is not None and held.state is ConversationState.PUBLIC
        return held if public else None
    found = await ctx.loaders.conversation_by_id.load(conversation_id)
    if found is not None and found.state is ConversationState.PRIVATE:
        return found if sees_private_threads(ctx) else None
    return found


class ReplyScreen:
    """``ReviewFilter.accepts`` over one list's pages, as this caller sees threads.

    A server key sees every thread, so any thread is a reply (no call). Anyone else
    sees public replies only: the threads that decide (``threads_deciding``) are read
    in one batch per page through the conversation loader and the result cache, at
    most ``MAX_THREAD_READS`` distinct threads per request (``InvalidInput``
    beyond), counted on the request's context across all its lists.
    """

    def __init__(self, ctx: Context, review_filter: ReviewFilter) -> None:
        self._ctx = ctx
        self._filter = review_filter

    async def __call__(self, reviews: Sequence[Review]) -> list[bool]:
        """Whether each of ``reviews`` passes the filter, aligned with them."""
        accepts = self._filter.accepts
        if sees_private_threads(self._ctx):
            return [accepts(r) for r in reviews]
        deciding = self._filter.threads_deciding(reviews)
        if not deciding:
            return [accepts(r, {}) for r in reviews]
        read = self._ctx.threads_read
        read.update(deciding)
        if len(read) > MAX_THREAD_READS:
            raise InvalidInput(
                f"hasReply would read more than {MAX_THREAD_READS} reply threads "
                "in this request; narrow the filter (a product, a platform, a "
                "period) or ask for fewer lists"
            )
        threads = await self._ctx.loaders.conversation_by_id.load_many(deciding)
        public = {
            thread_id: thread is not None and public_reply(thread) is not None
            for thread_id, thread in zip(deciding, threads, strict=True)
        }
        return [accepts(r, public) for r in reviews]


def public_reply(thread: Conversation) -> Reply | None:
    """A public thread's first business answer (``Conversation.public_reply``)."""
    return thread.public_reply()


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
    review's public conversation. A review of an indexed platform carries its
    public reply as the sync stored it (Trustpilot's included): without one it has
    none, and no thread is read.
    """
    if review.reply is not None or ctx.services.indexed(review.provider):
        return review.reply
    thread = await of_review(ctx, sink, review)
    return None if thread is None else public_reply(thread)
