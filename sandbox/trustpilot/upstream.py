"""Upstream activity at Trustpilot (``POST /_sandbox/activity``, ``sandbox.activity``).

What consumers, Trustpilot's moderation and the business do on the platform,
applied straight to the store:

* ``create``: a product review of ``sku`` (Trustpilot's product reviews always
  belong to a product: no ``sku`` is refused), by a new consumer ("Sandbox
  Customer" unless ``author`` is given), in English, ``createdAt`` = ``updatedAt``
  = now. Product reviews have no title: a ``title`` is ignored (the answer lists it
  under ``ignored``).
* ``edit``: stars and/or content; ``updatedAt`` = now (``title`` ignored).
* ``status``: ``published``, ``hidden`` (``unpublished``), ``pending``
  (``underModeration``) or ``archived``; ``updatedAt`` = now. Trustpilot has no
  rejected state.
* ``delete``: the review and its conversation are gone.
* ``reply``: a business-user comment in the review's conversation (created, public,
  when it has none), as ``create-conversation`` + ``comments`` would do.
  ``updatedAt`` is the review's own and does not move.

Lists are newest first by ``createdAt``: edits keep a review's place, a new review
comes first.
"""

from __future__ import annotations

from typing import Final

from aiohttp import web

from sandbox.activity import (
    Activity,
    ActivityError,
    Outcome,
    common_status,
    iso,
    native_status,
)
from sandbox.catalog import Catalog

from .state import CONTEXT, TrustpilotContext
from .store import Consumer, ProductReview

PROVIDER: Final = "trustpilot"
STATES: Final = {
    "published": "published",
    "hidden": "unpublished",
    "pending": "underModeration",
    "archived": "archived",
}
"""Common word -> Trustpilot's review state."""
DEFAULT_AUTHOR: Final = "Sandbox Customer"


class TrustpilotUpstream:
    """Applies activity to one Trustpilot simulator and lists its reviews."""

    def __init__(self, app: web.Application, catalog: Catalog) -> None:
        del catalog  # the store knows its products by SKU
        self._ctx: TrustpilotContext = app[CONTEXT]

    def apply(self, activity: Activity) -> Outcome:
        actions = {
            "create": self._create,
            "edit": self._edit,
            "status": self._status,
            "delete": self._delete,
            "reply": self._reply,
        }
        outcome = actions[activity.action](activity)
        if activity.title is not None:
            outcome["ignored"] = ["title"]
        return outcome

    def reviews(self) -> list[dict[str, object]]:
        store = self._ctx.store
        ordered = sorted(store.reviews.values(), key=lambda r: r.id)
        return [self._common(r) for r in ordered]

    def _common(self, review: ProductReview) -> dict[str, object]:
        replies = self._business_comments(review)
        return {
            "reviewId": review.id,
            "sku": review.sku,
            "rating": review.stars,
            "title": None,
            "body": review.content or None,
            "author": review.consumer.display_name,
            "status": common_status(review.state, STATES),
            "createdAt": iso(review.created_at),
            "updatedAt": iso(review.updated_at),
            "reply": replies[0] if replies else None,
        }

    def _business_comments(self, review: ProductReview) -> list[str]:
        if review.conversation_id is None:
            return []
        conversation = self._ctx.store.conversations.get(review.conversation_id)
        if conversation is None:
            return []
        return [
            c.content for c in conversation.comments if c.author_type == "businessUser"
        ]

    def _review(self, activity: Activity) -> ProductReview:
        review_id = activity.need_review_id()
        found = self._ctx.store.reviews.get(review_id)
        if found is None:
            raise ActivityError(f"trustpilot has no review {review_id[:60]!r}")
        return found

    def _outcome(self, activity: Activity, review: ProductReview) -> Outcome:
        return {
            "provider": PROVIDER,
            "action": activity.action,
            "reviewId": review.id,
            "status": common_status(review.state, STATES),
            "sku": review.sku,
            "updatedAt": iso(review.updated_at),
        }

    def _create(self, activity: Activity) -> Outcome:
        store, now = self._ctx.store, self._ctx.clock()
        if activity.sku is None:
            raise ActivityError("trustpilot product reviews need a sku")
        if activity.sku not in store.products:
            raise ActivityError(
                f"trustpilot lists no product with sku {activity.sku[:60]!r}"
            )
        state = native_status(activity.status or "published", STATES, PROVIDER)
        name = activity.author or DEFAULT_AUTHOR
        consumer = Consumer(
            store.new_id("consumer"), name, name, "customer@buyer.sandbox.example"
        )
        review = ProductReview(
            id=store.new_id("review"),
            sku=activity.sku,
            created_at=now,
            updated_at=now,
            stars=activity.rating or 5,
            content=activity.body or "",
            consumer=consumer,
            reference_id=f"SBX-{store.write_count}",
            locale="en-US",
            language="en",
            redirect_uri=None,
            state=state,
            has_moderation_history=False,
            attribute_ratings=(),
            attachments=(),
        )
        store.add_review(review)
        return self._outcome(activity, review)

    def _edit(self, activity: Activity) -> Outcome:
        review = self._review(activity)
        if activity.rating is not None:
            review.stars = activity.rating
        if activity.body is not None:
            review.content = activity.body
        review.updated_at = self._ctx.clock()
        return self._outcome(activity, review)

    def _status(self, activity: Activity) -> Outcome:
        review = self._review(activity)
        state = native_status(activity.status or "", STATES, PROVIDER)
        if state != review.state:
            review.state = state
            review.has_moderation_history |= state == "underModeration"
            review.updated_at = self._ctx.clock()
        return self._outcome(activity, review)

    def _delete(self, activity: Activity) -> Outcome:
        review = self._review(activity)
        self._ctx.store.remove_review(review)
        return self._outcome(activity, review) | {"status": "deleted"}

    def _reply(self, activity: Activity) -> Outcome:
        review = self._review(activity)
        store = self._ctx.store
        conversation = (
            store.conversations.get(review.conversation_id)
            if review.conversation_id
            else None
        ) or store.create_conversation(review)
        comment = store.add_comment(
            conversation, activity.body or "", None, self._ctx.clock()
        )
        return self._outcome(activity, review) | {
            "conversationId": conversation.id,
            "commentId": comment.id,
        }
