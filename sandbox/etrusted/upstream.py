"""Upstream activity at eTrusted (``POST /_sandbox/activity``, ``sandbox.activity``).

What consumers, Trusted Shops' moderation and the shop do on the platform, applied
straight to the account's store:

* ``create``: ``sku`` -> a PRODUCT_REVIEW of that product, no ``sku`` -> a
  SERVICE_REVIEW; in the first channel, verified, ``submittedAt`` = ``createdAt``
  = ``updatedAt`` = now, by a new customer ("Sandbox Customer" unless ``author``).
* ``edit``: a consumer edit: rating, title and/or comment change, ``editedAt`` and
  ``updatedAt`` = now, and the first edit keeps what was first written as
  ``originalReview``.
* ``status``: ``published`` (APPROVED), ``pending`` (MODERATION) or ``rejected``
  (REJECTED); ``updatedAt`` = now. eTrusted has no hidden or archived state.
* ``delete``: the review is gone (its id is then an unknown cursor, a 400).
* ``reply``: the shop's reply, as ``POST /reviews/{id}/reply`` saves it
  (``updatedAt`` = now).

Order: ``orderBy=submittedAt`` (the default) keeps an edited review in place, a new
review comes first; ``orderBy=updatedAt`` moves every changed review to the front,
which is what an incremental sync reads (vendors.md 4.7).
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

from .model import Customer, OriginalReview, Product, Review
from .routes import STATE_KEY, ApiState

PROVIDER: Final = "etrusted"
STATES: Final = {
    "published": "APPROVED",
    "pending": "MODERATION",
    "rejected": "REJECTED",
}
"""Common word -> eTrusted's review state."""
DEFAULT_AUTHOR: Final = "Sandbox Customer"


class EtrustedUpstream:
    """Applies activity to one eTrusted simulator and lists its reviews."""

    def __init__(self, app: web.Application, catalog: Catalog) -> None:
        del catalog  # products are known from the reviews that carry them
        self._state: ApiState = app[STATE_KEY]

    def apply(self, activity: Activity) -> Outcome:
        actions = {
            "create": self._create,
            "edit": self._edit,
            "status": self._status,
            "delete": self._delete,
            "reply": self._reply,
        }
        return actions[activity.action](activity)

    def reviews(self) -> list[dict[str, object]]:
        return [_common(r) for r in sorted(self._state.store.reviews, key=_by_id)]

    def _review(self, activity: Activity) -> Review:
        review_id = activity.need_review_id()
        try:
            return self._state.store.review(review_id)
        except LookupError:
            raise ActivityError(f"etrusted has no review {review_id[:60]!r}") from None

    def _product(self, sku: str) -> Product:
        found = next(
            (
                r.product
                for r in self._state.store.reviews
                if r.product is not None and r.product.sku == sku
            ),
            None,
        )
        if found is None:
            raise ActivityError(f"etrusted lists no product with sku {sku[:60]!r}")
        return found

    def _create(self, activity: Activity) -> Outcome:
        store, now = self._state.store, self._state.clock()
        product = None if activity.sku is None else self._product(activity.sku)
        state = native_status(activity.status or "published", STATES, PROVIDER)
        first, _, last = (activity.author or DEFAULT_AUTHOR).partition(" ")
        channel = store.channels[0]
        number = len(store.reviews) + 1
        review = Review(
            id=store.new_id("rev"),
            channel_id=channel.id,
            invite_id=store.new_id("inv"),
            event_id=store.new_id("evt"),
            questionnaire_id=store.new_id("qre"),
            template_id=store.new_id("qrt"),
            locale=channel.locale,
            type="PRODUCT_REVIEW" if product else "SERVICE_REVIEW",
            state=state,
            verified=True,
            rating=float(activity.rating or 5),
            title=activity.title,
            comment=activity.body,
            submitted_at=now,
            created_at=now,
            updated_at=now,
            customer=Customer(first, last, f"customer-{number}@buyer.example", None),
            transaction_reference=f"ORDER-SBX-{number}",
            transaction_date=now,
            product=product,
        )
        store.add_review(review)
        return _outcome(activity, review)

    def _edit(self, activity: Activity) -> Outcome:
        review = self._review(activity)
        now = self._state.clock()
        if review.original is None:
            review.original = OriginalReview(
                review.rating, review.title, review.comment, review.reply
            )
        if activity.rating is not None:
            review.rating = float(activity.rating)
        if activity.title is not None:
            review.title = activity.title
        if activity.body is not None:
            review.comment = activity.body
        review.edited_at = review.updated_at = now
        return _outcome(activity, review)

    def _status(self, activity: Activity) -> Outcome:
        review = self._review(activity)
        state = native_status(activity.status or "", STATES, PROVIDER)
        if state != review.state:
            review.state = state
            review.updated_at = self._state.clock()
        return _outcome(activity, review)

    def _delete(self, activity: Activity) -> Outcome:
        review = self._review(activity)
        self._state.store.remove_review(review)
        return _outcome(activity, review) | {"status": "deleted"}

    def _reply(self, activity: Activity) -> Outcome:
        review = self._review(activity)
        self._state.store.save_reply(
            review.id, activity.body or "", False, self._state.clock()
        )
        return _outcome(activity, review)


def _by_id(review: Review) -> str:
    return review.id


def _outcome(activity: Activity, review: Review) -> Outcome:
    return {
        "provider": PROVIDER,
        "action": activity.action,
        "reviewId": review.id,
        "status": common_status(review.state, STATES),
        "sku": review.product.sku if review.product else None,
        "updatedAt": iso(review.updated_at),
    }


def _common(review: Review) -> dict[str, object]:
    return {
        "reviewId": review.id,
        "sku": review.product.sku if review.product else None,
        "rating": None if review.rating is None else int(review.rating),
        "title": review.title,
        "body": review.comment,
        "author": review.customer.first_name,
        "status": common_status(review.state, STATES),
        "createdAt": iso(review.submitted_at),
        "updatedAt": iso(review.updated_at),
        "reply": review.reply.comment if review.reply else None,
    }
