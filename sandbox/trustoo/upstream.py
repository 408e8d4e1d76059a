"""Upstream activity on the Trustoo shop (``POST /_sandbox/activity``).

What a shopper or the merchant does in Trustoo's own UI, applied to the store and
announced to webhook subscribers exactly as API writes are:

* ``create``: a new review, ``sku`` -> that product's review, no ``sku`` -> a store
  review (``product_id`` 0); author "Sandbox Customer" unless given, source
  ``Store front``, verified, ``commented_at`` = created = now. ``review/created``.
* ``edit``: rating, title and/or content; ``updated_at`` = now. ``review/updated``.
* ``status``: Trustoo's one state is ``is_published``: ``published`` (1) and
  ``hidden`` (0). Hiding sends ``review/deleted`` (the docs: "deleted or hidden"),
  publishing a hidden review ``review/updated``; ``updated_at`` = now. Setting the
  state a review already has changes nothing and sends nothing.
* ``delete``: the review is gone (``get_review`` code 5). ``review/deleted``.
* ``reply``: the merchant's reply (``reply_at`` now, replacing any earlier one);
  ``updated_at`` = now. ``review/updated``.

List position: ``get_reviews`` sorts by ``commented_at`` (the settings' sort field),
which edits do not change, so an edited review keeps its place; a new review is the
newest and shifts newest-first pages by one, as on the platform.
"""

from __future__ import annotations

from dataclasses import replace
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
from sandbox.catalog import Catalog, CatalogProduct

from .context import STATE, State
from .store import Reply, Review
from .webhooks import CREATED, DELETED, UPDATED

PROVIDER: Final = "trustoo"
STATES: Final = {"published": "published", "hidden": "hidden"}
"""Common word -> Trustoo's state (``is_published`` 1 or 0)."""
DEFAULT_AUTHOR: Final = "Sandbox Customer"


def _state_of(review: Review) -> str:
    return "published" if review.is_published else "hidden"


class TrustooUpstream:
    """Applies activity to one Trustoo simulator and lists its reviews."""

    def __init__(self, app: web.Application, catalog: Catalog) -> None:
        self._st: State = app[STATE]
        self._catalog = catalog

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
        store = self._st.store
        return [
            _common(r, store.products.get(r.product_id))
            for r in sorted(store.reviews.values(), key=lambda r: r.id)
        ]

    def _review(self, activity: Activity) -> Review:
        raw = activity.need_review_id()
        if not (raw.isascii() and raw.isdigit()):
            raise ActivityError("a trustoo reviewId is a positive integer")
        found = self._st.store.reviews.get(int(raw))
        if found is None:
            raise ActivityError(f"trustoo has no review {raw}")
        return found

    def _product_id(self, sku: str | None) -> int:
        if sku is None:
            return 0  # a store review
        product = self._catalog.by_sku(sku)
        if product is None or product.trustoo_product_id is None:
            raise ActivityError(f"trustoo lists no product with sku {sku[:60]!r}")
        return product.trustoo_product_id

    def _outcome(self, activity: Activity, review: Review) -> Outcome:
        return {
            "provider": PROVIDER,
            "action": activity.action,
            "reviewId": review.id,
            "status": _state_of(review),
            "sku": self._sku(review),
            "updatedAt": iso(review.updated_at),
        }

    def _sku(self, review: Review) -> str | None:
        product = self._st.store.products.get(review.product_id)
        return product.sku if product else None

    def _save(self, review: Review, topic: str | None) -> Review:
        self._st.store.reviews[review.id] = review
        if topic is not None:
            self._st.webhooks.publish(topic, [review])
        return review

    def _create(self, activity: Activity) -> Outcome:
        st = self._st
        now = st.now()
        product_id = self._product_id(activity.sku)
        state = native_status(activity.status or "published", STATES, PROVIDER)
        review = Review(
            id=st.store.next_review_id(),
            product_id=product_id,
            rating=activity.rating or 5,
            author=activity.author or DEFAULT_AUTHOR,
            author_email="",
            author_phone="",
            author_country="",
            title=activity.title or "",
            content=activity.body or "",
            commented_at=now,
            created_at=now,
            updated_at=now,
            source="Store front",
            is_verified=1,
            is_featured=0,
            is_published=int(state == "published"),
            is_top=0,
        )
        return self._outcome(activity, self._save(review, CREATED))

    def _edit(self, activity: Activity) -> Outcome:
        review = self._review(activity)
        edited = replace(
            review,
            rating=activity.rating if activity.rating is not None else review.rating,
            title=activity.title if activity.title is not None else review.title,
            content=activity.body if activity.body is not None else review.content,
            updated_at=self._st.now(),
        )
        return self._outcome(activity, self._save(edited, UPDATED))

    def _status(self, activity: Activity) -> Outcome:
        review = self._review(activity)
        state = native_status(activity.status or "", STATES, PROVIDER)
        if state == _state_of(review):
            return self._outcome(activity, review)
        changed = replace(
            review, is_published=int(state == "published"), updated_at=self._st.now()
        )
        topic = UPDATED if state == "published" else DELETED
        return self._outcome(activity, self._save(changed, topic))

    def _delete(self, activity: Activity) -> Outcome:
        review = self._review(activity)
        del self._st.store.reviews[review.id]
        self._st.webhooks.publish(DELETED, [review])
        return self._outcome(activity, review) | {"status": "deleted"}

    def _reply(self, activity: Activity) -> Outcome:
        review = self._review(activity)
        now = self._st.now()
        replied = replace(review, reply=Reply(activity.body or "", now), updated_at=now)
        return self._outcome(activity, self._save(replied, UPDATED))


def _common(review: Review, product: CatalogProduct | None) -> dict[str, object]:
    return {
        "reviewId": review.id,
        "sku": product.sku if product else None,
        "rating": review.rating,
        "title": review.title or None,
        "body": review.content or None,
        "author": review.author,
        "status": common_status(_state_of(review), STATES),
        "createdAt": iso(review.created_at),
        "updatedAt": iso(review.updated_at),
        "reply": review.reply.content if review.reply else None,
    }
