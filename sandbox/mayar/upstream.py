"""Upstream activity at Mayar (``POST /_sandbox/activity``, ``sandbox.activity``).

What buyers and the merchant do on the platform, applied straight to the store:

* ``create``: a review of the payment link behind ``sku`` (Mayar reviews always
  belong to a payment link: no ``sku`` is refused) by a new buyer who paid for it
  ("Sandbox Customer" unless ``author``), ``createdAt`` = ``updatedAt`` = now (ms).
  Mayar reviews have a ``message`` but no title: ``title`` is ignored (listed under
  ``ignored`` in the answer).
* ``edit``: rating and/or message; ``updatedAt`` = now.
* ``status``: ``published`` (ACTIVE), ``hidden`` (INACTIVE) or ``archived``
  (ARCHIVED), as bulk-status does; ``updatedAt`` = now.
* ``delete``: the review is gone. Mayar's API has no delete (vendors.md 2.6); this
  is the merchant removing it in the dashboard, an assumption of the sandbox.
* ``reply``: refused, Mayar has no merchant replies.

Lists are newest first by ``createdAt``: edits keep a review's place.
"""

from __future__ import annotations

from datetime import UTC, datetime
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

from .routes import STATE, MayarState
from .store import Customer, Review

PROVIDER: Final = "mayar"
STATES: Final = {"published": "ACTIVE", "hidden": "INACTIVE", "archived": "ARCHIVED"}
"""Common word -> Mayar's review status."""
DEFAULT_AUTHOR: Final = "Sandbox Customer"


def _iso_ms(epoch_ms: int) -> str:
    return iso(datetime.fromtimestamp(epoch_ms / 1000, UTC))


class MayarUpstream:
    """Applies activity to one Mayar simulator and lists its reviews."""

    def __init__(self, app: web.Application, catalog: Catalog) -> None:
        self._state: MayarState = app[STATE]
        self._catalog = catalog

    def apply(self, activity: Activity) -> Outcome:
        actions = {
            "create": self._create,
            "edit": self._edit,
            "status": self._status,
            "delete": self._delete,
        }
        action = actions.get(activity.action)
        if action is None:
            raise ActivityError("mayar has no merchant replies")
        outcome = action(activity)
        if activity.title is not None:
            outcome["ignored"] = ["title"]
        return outcome

    def reviews(self) -> list[dict[str, object]]:
        store = self._state.store
        return [self._common(r) for r in sorted(store.reviews.values(), key=_by_id)]

    def _sku(self, review: Review) -> str | None:
        return next(
            (
                p.sku
                for p in self._catalog.products
                if p.mayar_payment_link_id == review.payment_link_id
            ),
            None,
        )

    def _common(self, review: Review) -> dict[str, object]:
        customer = self._state.store.customers.get(review.customer_id)
        return {
            "reviewId": review.id,
            "sku": self._sku(review),
            "rating": review.rating,
            "title": None,
            "body": review.message,
            "author": customer.name if customer else None,
            "status": common_status(review.status, STATES),
            "createdAt": _iso_ms(review.created_at),
            "updatedAt": _iso_ms(review.updated_at),
            "reply": None,
        }

    def _outcome(self, activity: Activity, review: Review) -> Outcome:
        return {
            "provider": PROVIDER,
            "action": activity.action,
            "reviewId": review.id,
            "status": common_status(review.status, STATES),
            "sku": self._sku(review),
            "updatedAt": _iso_ms(review.updated_at),
        }

    def _review(self, activity: Activity) -> Review:
        review_id = activity.need_review_id()
        found = self._state.store.reviews.get(review_id)
        if found is None:
            raise ActivityError(f"mayar has no review {review_id[:60]!r}")
        return found

    def _create(self, activity: Activity) -> Outcome:
        store = self._state.store
        if activity.sku is None:
            raise ActivityError("mayar reviews need a sku (a payment link)")
        product = self._catalog.by_sku(activity.sku)
        link = product.mayar_payment_link_id if product else None
        if link is None or link not in store.payment_links:
            raise ActivityError(
                f"mayar lists no product with sku {activity.sku[:60]!r}"
            )
        status = native_status(activity.status or "published", STATES, PROVIDER)
        buyer = Customer(
            store.new_id(),
            activity.author or DEFAULT_AUTHOR,
            f"customer-{len(store.customers) + 1}@buyer.sandbox.example",
        )
        store.add_customer(buyer)
        store.purchases.add((buyer.id, link))
        now = store.now_ms()
        review = Review(
            id=store.new_id(),
            created_at=now,
            updated_at=now,
            customer_id=buyer.id,
            payment_link_id=link,
            rating=activity.rating or 5,
            message=activity.body,
            status=status,
            user_id=store.user_id,
        )
        store.add_review(review)
        return self._outcome(activity, review)

    def _edit(self, activity: Activity) -> Outcome:
        review = self._review(activity)
        if activity.rating is not None:
            review.rating = activity.rating
        if activity.body is not None:
            review.message = activity.body
        review.updated_at = self._state.store.now_ms()
        return self._outcome(activity, review)

    def _status(self, activity: Activity) -> Outcome:
        review = self._review(activity)
        status = native_status(activity.status or "", STATES, PROVIDER)
        if status != review.status:
            review.status = status
            review.updated_at = self._state.store.now_ms()
        return self._outcome(activity, review)

    def _delete(self, activity: Activity) -> Outcome:
        review = self._review(activity)
        self._state.store.remove_review(review)
        return self._outcome(activity, review) | {"status": "deleted"}


def _by_id(review: Review) -> str:
    return review.id
