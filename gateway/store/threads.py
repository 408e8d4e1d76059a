"""Reply threads (Trustpilot conversations) as the store keeps them.

A PUBLIC thread is kept whole (its comments are what the review page shows); a
PRIVATE one only as the fact that it is private: its comments are the business's
own and stay a live read for server keys. A thread is one row, its comments as
compact JSON, keyed by ``(provider, conversation id)``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from gateway.records import (
    Comment,
    CommentAuthorType,
    Conversation,
    ConversationState,
)
from gateway.store.rows import PROVIDER_CODE, from_us, to_us

STATE_CODE = {ConversationState.PUBLIC: 0, ConversationState.PRIVATE: 1}
STATE_OF = {code: state for state, code in STATE_CODE.items()}
PROVIDER_OF = {code: provider for provider, code in PROVIDER_CODE.items()}

ThreadRow = tuple[int, str, str | None, int, str]
"""provider code, conversation id, review id, state code, comments JSON."""


def to_thread_row(thread: Conversation) -> ThreadRow:
    """The row of ``thread``; a private thread's comments are not kept."""
    public = thread.state is ConversationState.PUBLIC
    comments = [_comment(c) for c in thread.comments] if public else []
    return (
        PROVIDER_CODE[thread.provider],
        thread.id,
        thread.review_id,
        STATE_CODE[thread.state],
        json.dumps(comments, separators=(",", ":")),
    )


def from_thread_row(row: Sequence[object]) -> Conversation:
    provider, thread_id, review_id, state, comments = row
    return Conversation(
        provider=PROVIDER_OF[int(str(provider))],
        id=str(thread_id),
        state=STATE_OF[int(str(state))],
        comments=tuple(_from_comment(c) for c in json.loads(str(comments))),
        review_id=None if review_id is None else str(review_id),
    )


def _comment(comment: Comment) -> dict[str, object]:
    return {
        "id": comment.id,
        "body": comment.body,
        "at": to_us(comment.created_at),
        "by": comment.author_type.value,
        "author": comment.author_id,
        "edited": None if comment.updated_at is None else to_us(comment.updated_at),
    }


def _from_comment(raw: dict[str, object]) -> Comment:
    edited = raw.get("edited")
    author = raw.get("author")
    return Comment(
        id=str(raw["id"]),
        body=str(raw["body"]),
        created_at=from_us(int(str(raw["at"]))),
        author_type=CommentAuthorType(str(raw["by"])),
        author_id=None if author is None else str(author),
        updated_at=None if edited is None else from_us(int(str(edited))),
    )
