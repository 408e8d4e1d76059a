"""Writes on a review's public face: replies, threads and reports.

Where each platform stands (DESIGN.md section 2): ``replyToReview`` on TRUSTPILOT (a
business comment in the review's conversation) and ETRUSTED (its one reply);
``updateComment`` and ``setConversationState`` on TRUSTPILOT; ``reportReview`` on
ETRUSTED. Anything else is UNSUPPORTED_BY_PROVIDER.

Choices where the platforms' documents are silent:

- Length: neither Trustpilot nor eTrusted documents a maximum for a reply or a
  comment (eTrusted documents 4000 characters for the review's own comment). The
  gateway caps replies, comments and reports at ``COMMENT_MAX`` = 4000 characters
  and refuses blank text, as both platforms (and their simulators) do. Texts are
  trimmed before they are checked, and sent trimmed.
- eTrusted takes one veto a review and refuses a second with a bare 400, the same
  answer as for a malformed veto. After a refusal the gateway reads the review's
  veto: when there is one, the refusal is ALREADY_REPORTED.
- ``replyToReview`` sets the merchant's public reply, the one ``Review.reply`` shows.
  eTrusted replaces its single reply. On Trustpilot that reply is the first business
  comment of the review's conversation (``conversations.reply_of``), so the gateway
  creates the conversation when the review has none, EDITS that first business
  comment when there is one, and otherwise appends a business comment. The next
  read's ``Review.reply`` therefore shows the new text on both; other comments of a
  thread change through ``updateComment``. A private thread keeps its state: the
  reply shows publicly once the thread is made public again.
- ``notifyCustomer`` is eTrusted's ``sendNotification`` (null: false, its default).
  Trustpilot has no such switch, so a non-null value there is refused rather than
  silently ignored.
- Writes decide on the platform's current state, read through the client, never on
  the read cache (a reply may have been written in the platform's own back office).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from gateway.errors import ProviderBadRequest, ProviderError
from gateway.providers.etrusted import EtrustedClient
from gateway.providers.trustpilot import TrustpilotClient
from gateway.records import (
    Comment,
    CommentAuthorType,
    Conversation,
    ConversationState,
    Provider,
    Review,
    ReviewKey,
    ReviewReport,
)
from resolvers import conversations, ids, reviews
from resolvers.context import Context
from resolvers.writes import (
    REFUSALS,
    Checks,
    FieldPath,
    Touched,
    UserError,
    WriteResult,
    not_found,
    perform,
    trimmed,
)

COMMENT_MAX = 4000
REVIEW_PATH: Final[FieldPath] = ("reviewId",)
THREAD_PATH: Final[FieldPath] = ("conversationId",)


class ReportReason(StrEnum):
    """Why a review is reported (eTrusted's veto reasons)."""

    UNTRUTHFUL = "UNTRUTHFUL"
    ABUSIVE = "ABUSIVE"
    VIOLATES_THE_TERMS_OF_USE = "VIOLATES_THE_TERMS_OF_USE"


async def report_review(
    ctx: Context,
    *,
    review_id: str,
    reason: ReportReason,
    comment: str,
    reporter_email: str | None,
    client_mutation_id: str | None,
) -> WriteResult[ReviewReport]:
    """Report a review to its platform (eTrusted: a veto); twice: ALREADY_REPORTED."""
    checks, comment = Checks(), trimmed(comment)
    review = checks.review(review_id, REVIEW_PATH)
    if review is not None:
        platforms = {Provider.ETRUSTED}
        checks.provider(review.provider, platforms, "report reviews", REVIEW_PATH)
    if checks.require(comment, ("comment",)):
        checks.length(comment, ("comment",), 1, COMMENT_MAX)
    # eTrusted's veto endpoint refuses a veto without the reporter's address.
    if checks.require(reporter_email, ("reporterEmail",)):
        checks.email(reporter_email, ("reporterEmail",))
    client = ctx.services.clients.etrusted
    if client is None:
        checks.fail(REVIEW_PATH, "ETRUSTED is not configured", "NOT_CONFIGURED")

    async def write() -> WriteResult[ReviewReport]:
        assert client is not None  # checked above: no write without a client
        assert review is not None
        try:
            report = await client.create_veto(
                review.key.id,
                reason=reason.value,
                comment=comment,
                reporter_email=reporter_email,
            )
        except ProviderBadRequest:
            if not await _reported(client, review):
                raise
            message = REFUSALS["ALREADY_REPORTED"]
            return WriteResult.refused(
                UserError(message, "ALREADY_REPORTED", REVIEW_PATH)
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
        subject=REVIEW_PATH,
    )


async def _reported(client: EtrustedClient, review: ids.ReviewId) -> bool:
    """Whether the review carries a veto already (False when that cannot be read)."""
    try:
        return await client.veto(review.key.id) is not None
    except ProviderError:
        return False


# --- replies --------------------------------------------------------------------------

REPLY_PROVIDERS: Final = frozenset({Provider.TRUSTPILOT, Provider.ETRUSTED})
NO_REPLIES: Final[dict[Provider, str]] = {
    Provider.TRUSTOO: "TRUSTOO takes a merchant reply only inside a new review, when "
    "it is created; its API cannot reply to an existing review",
    Provider.MAYAR: "MAYAR has no merchant replies",
}
REVIEW_NOT_FOUND: Final = not_found(REVIEW_PATH, "review")


def _check_reply(
    checks: Checks, ctx: Context, provider: Provider, notify: bool | None
) -> None:
    """The platform can take a reply, is configured, and ``notify`` applies."""
    if provider not in REPLY_PROVIDERS:
        message = NO_REPLIES.get(provider, f"{provider.name} cannot reply to reviews")
        checks.fail(REVIEW_PATH, message, "UNSUPPORTED_BY_PROVIDER")
        return
    if _client(ctx, provider) is None:
        checks.fail(REVIEW_PATH, f"{provider.name} is not configured", "NOT_CONFIGURED")
    if provider is Provider.TRUSTPILOT and notify is not None:
        checks.fail(
            ("notifyCustomer",),
            "TRUSTPILOT decides itself whether the consumer is told of a reply; "
            "leave notifyCustomer out",
            "UNSUPPORTED_BY_PROVIDER",
        )


def _client(
    ctx: Context, provider: Provider
) -> TrustpilotClient | EtrustedClient | None:
    clients = ctx.services.clients
    return clients.trustpilot if provider is Provider.TRUSTPILOT else clients.etrusted


async def reply_to_review(
    ctx: Context,
    *,
    review_id: str,
    body: str,
    notify_customer: bool | None,
    client_mutation_id: str | None,
) -> WriteResult[ids.ReviewId]:
    """Set the merchant's public reply to a review (see the module docstring).

    The value is the review's id: read it again (``written_review``) to see the reply.
    """
    checks, body = Checks(), trimmed(body)
    review = checks.review(review_id, REVIEW_PATH)
    if review is not None:
        _check_reply(checks, ctx, review.provider, notify_customer)
    if checks.require(body, ("body",)):
        checks.length(body, ("body",), 1, COMMENT_MAX)

    async def write() -> WriteResult[ids.ReviewId]:
        assert review is not None  # checked above: no write without a review
        client = _client(ctx, review.provider)
        if isinstance(client, TrustpilotClient):
            refused = await _trustpilot_reply(client, review, body)
        else:
            assert client is not None  # checked above: no write without a client
            refused = await _etrusted_reply(client, review, body, notify_customer)
        return WriteResult.refused(refused) if refused else WriteResult(review)

    result = await perform(
        ctx,
        review.provider if review else Provider.TRUSTPILOT,
        "replyToReview",
        client_mutation_id,
        ("replyToReview", review_id, body, notify_customer),
        checks,
        write,
        subject=REVIEW_PATH,
        touched=_replied,
    )
    _read_again(ctx)
    return result


async def _etrusted_reply(
    client: EtrustedClient, review: ids.ReviewId, body: str, notify: bool | None
) -> UserError | None:
    """Save (create or replace) the review's one reply: one call (404: NOT_FOUND)."""
    await client.save_reply(review.key.id, body, notify_customer=bool(notify))
    return None


async def _trustpilot_reply(
    client: TrustpilotClient, review: ids.ReviewId, body: str
) -> UserError | None:
    """Write the first business comment of the review's thread: three calls.

    Read the review; then create its conversation and add the comment, or read the
    conversation and edit its first business comment (or add one, if it has none).
    """
    found = (await client.reviews_by_keys([review.key]))[0]
    if isinstance(found, ProviderError):
        raise found
    if found is None:
        return REVIEW_NOT_FOUND
    if found.imported:
        return UserError(
            "TRUSTPILOT has no conversations on reviews imported from elsewhere",
            "NOT_REPLYABLE",
            REVIEW_PATH,
        )
    if found.conversation_id is None:
        conversation_id = await client.create_conversation(found.provider_review_id)
        await client.add_comment(conversation_id, body)
        return None
    thread = await client.conversation(found.conversation_id)
    first = _first_answer(thread.comments) if thread else None
    if first is None:
        await client.add_comment(found.conversation_id, body)
    else:
        await client.edit_comment(found.conversation_id, first.id, body)
    return None


def _first_answer(comments: Sequence[Comment]) -> Comment | None:
    """The thread's first business comment: what ``Review.reply`` shows."""
    answers = [c for c in comments if c.author_type is CommentAuthorType.BUSINESS]
    return min(answers, key=lambda c: c.created_at) if answers else None


async def _replied(review: ids.ReviewId) -> list[ReviewKey]:
    return [review.key]


def _thread_review(ctx: Context, thread: ids.ConversationId) -> Touched[object]:
    """The review whose thread a write changed (read from the thread: one call)."""
    client = ctx.services.clients.trustpilot

    async def keys(_: object) -> list[ReviewKey]:
        found = await client.conversation(thread.id) if client else None
        if found is None or found.review_id is None:
            return []
        return [ReviewKey(found.review_id)]

    return keys


def _read_again(ctx: Context) -> None:
    """Make this request's loaders ask again for what a write may have changed.

    ``perform`` forgets the cached reads of other requests; an earlier field of this
    request (another mutation) may still hold the old review or thread.
    """
    ctx.loaders.review_by_key.clear_all()
    ctx.loaders.stored_review.clear_all()
    ctx.loaders.conversation_by_id.clear_all()


async def written_review(ctx: Context, written: ids.ReviewId | None) -> Review | None:
    """The review a write changed, as its platform shows it now."""
    if written is None:
        return None
    return await reviews.review(ctx, written.provider, written.key)


# --- threads (Trustpilot conversations) -----------------------------------------------

CONVERSATION_NOT_FOUND: Final = not_found(THREAD_PATH, "conversation")


@dataclass(frozen=True, slots=True)
class EditedComment:
    """A comment as the platform answered its edit, and the thread it belongs to."""

    conversation: ids.ConversationId
    comment: Comment
    review_id: str | None = None
    """The review of the thread (for the index's write-through)."""


async def _comment_review(edited: EditedComment) -> list[ReviewKey]:
    return [] if edited.review_id is None else [ReviewKey(edited.review_id)]


def _thread_of(checks: Checks, ctx: Context, value: str) -> ids.ConversationId | None:
    """Decode a conversation id of a configured platform with threads, or fail."""
    node = checks.conversation(value, THREAD_PATH)
    if node is None:
        return None
    platforms = {Provider.TRUSTPILOT}
    if not checks.provider(node.provider, platforms, "hold threads", THREAD_PATH):
        return None
    if ctx.services.clients.trustpilot is None:
        checks.fail(THREAD_PATH, "TRUSTPILOT is not configured", "NOT_CONFIGURED")
        return None
    return node


async def update_comment(
    ctx: Context,
    *,
    conversation_id: str,
    comment_id: str,
    body: str,
    client_mutation_id: str | None,
) -> WriteResult[EditedComment]:
    """Edit one of the business's comments in a thread: two calls.

    The thread is read first, so a consumer's comment (which Trustpilot refuses to
    edit, 403) is refused as NOT_EDITABLE without trying.
    """
    checks, body = Checks(), trimmed(body)
    thread = _thread_of(checks, ctx, conversation_id)
    checks.require(comment_id, ("commentId",))
    if checks.require(body, ("body",)):
        checks.length(body, ("body",), 1, COMMENT_MAX)
    client = ctx.services.clients.trustpilot

    async def write() -> WriteResult[EditedComment]:
        assert thread is not None  # checked above: no write without a thread
        assert client is not None
        current = await client.conversation(thread.id)
        if current is None:
            return WriteResult.refused(CONVERSATION_NOT_FOUND)
        refused = _editable(current, comment_id)
        if refused is not None:
            return WriteResult.refused(refused)
        edited = await client.edit_comment(thread.id, comment_id, body)
        return WriteResult(EditedComment(thread, edited, current.review_id))

    result = await perform(
        ctx,
        Provider.TRUSTPILOT,
        "updateComment",
        client_mutation_id,
        ("updateComment", conversation_id, comment_id, body),
        checks,
        write,
        subject=THREAD_PATH,
        touched=_comment_review,
    )
    _read_again(ctx)
    return result


def _editable(thread: Conversation, comment_id: str) -> UserError | None:
    """Why the business may not edit ``comment_id`` in ``thread``; None if it may."""
    comment = next((c for c in thread.comments if c.id == comment_id), None)
    if comment is None:
        return not_found(("commentId",), "comment")
    if comment.author_type is not CommentAuthorType.BUSINESS:
        return UserError(
            "only the business's own comments can be edited; this one is the "
            "consumer's",
            "NOT_EDITABLE",
            ("commentId",),
        )
    return None


async def set_conversation_state(
    ctx: Context,
    *,
    conversation_id: str,
    state: ConversationState,
    client_mutation_id: str | None,
) -> WriteResult[ids.ConversationId]:
    """Make a thread public or private (hidden from anonymous reads): one call."""
    checks = Checks()
    thread = _thread_of(checks, ctx, conversation_id)
    client = ctx.services.clients.trustpilot

    async def write() -> WriteResult[ids.ConversationId]:
        assert thread is not None  # checked above: no write without a thread
        assert client is not None
        await client.set_conversation_state(thread.id, state)  # 404: NOT_FOUND
        return WriteResult(thread)

    result = await perform(
        ctx,
        Provider.TRUSTPILOT,
        "setConversationState",
        client_mutation_id,
        ("setConversationState", conversation_id, state),
        checks,
        write,
        subject=THREAD_PATH,
        touched=_thread_review(ctx, thread) if thread is not None else None,
    )
    _read_again(ctx)
    return result


async def written_conversation(
    ctx: Context, written: ids.ConversationId | None
) -> Conversation | None:
    """The thread a write changed, as its platform shows it now."""
    if written is None:
        return None
    return await conversations.conversation(ctx, written.provider, written.id)
