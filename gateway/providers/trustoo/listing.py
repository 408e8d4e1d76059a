"""Listing reviews: a ``ReviewQuery`` as get_reviews calls, positions and merging.

Trustoo pages by number (``page``, ``page_size`` <= 100, ``sort_by``). Pushed down:
``product_ids`` (catalog SKUs, a comma list), ``is_store_review`` (1 shop reviews
only, 0 product reviews only), ``ratings`` (a comma list) and ``is_published`` (1
published, 0 hidden; an undocumented filter the simulator documents: without it the
list shows published reviews only). Applied here: the date bounds (``created_after``
inclusive, ``created_before`` exclusive, on ``commented_at``) and the language
(Trustoo reports none, so a language filter matches no Trustoo review and costs no
call).

PUBLISHED together with HIDDEN needs two lanes, one per ``is_published`` value,
merged newest first. A position records, per lane, the page and how many of its
rows were already consumed, plus the upstream page size, so paging to the end
yields every review exactly once even when a page is consumed in part.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from gateway.records import Review, ReviewQuery, ReviewStatus

from .mapping import ProductIndex

MAX_PAGE_SIZE: Final = 100
FILTERED_PAGE_SIZE: Final = MAX_PAGE_SIZE
"""Upstream page size when rows are filtered here: fewer calls per kept review."""
LANES: Final = ((ReviewStatus.PUBLISHED, 1), (ReviewStatus.HIDDEN, 0))
"""Status -> ``is_published``; PENDING, REJECTED and ARCHIVED do not exist here."""


def check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be 1..{MAX_PAGE_SIZE}")


def _encode(value: object) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(text: str) -> object:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return json.loads(raw)
    except (binascii.Error, ValueError):
        raise ValueError("position is not one this client made") from None


def _positive(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError("position is not one this client made")
    return value


@dataclass(frozen=True, slots=True)
class PagePosition:
    """The position in a plain paged list (orders, events, exclusions)."""

    page: int
    page_size: int

    def encode(self) -> str:
        return _encode([self.page, self.page_size])

    @classmethod
    def decode(cls, text: str | None, limit: int) -> PagePosition:
        """``text`` from a previous Page (its page size wins), or page 1."""
        check_limit(limit)
        if text is None:
            return cls(1, limit)
        value = _decode(text)
        if not isinstance(value, list) or len(value) != 2:
            raise ValueError("position is not one this client made")
        page, size = (_positive(v) for v in value)
        if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
            raise ValueError("position is not one this client made")
        return cls(page, size)


Lane = tuple[int, int] | None
"""One lane's ``(page, rows already consumed)``; None once it is exhausted."""


@dataclass(frozen=True, slots=True)
class ReviewPosition:
    """Where a review listing stands: the page size and one entry per lane."""

    page_size: int
    lanes: tuple[Lane, ...]

    def encode(self) -> str | None:
        if all(lane is None for lane in self.lanes):
            return None
        lanes = [None if lane is None else list(lane) for lane in self.lanes]
        return _encode({"n": self.page_size, "l": lanes})

    @classmethod
    def decode(cls, text: str, lanes: int) -> ReviewPosition:
        value = _decode(text)
        if not isinstance(value, dict) or not isinstance(value.get("l"), list):
            raise ValueError("position is not one this client made")
        size = _positive(value.get("n"))
        found: list[Lane] = []
        for lane in value["l"]:
            if lane is None:
                found.append(None)
            elif isinstance(lane, list) and len(lane) == 2:
                page, skip = (_positive(v) for v in lane)
                found.append((max(page, 1), skip))
            else:
                raise ValueError("position is not one this client made")
        if len(found) != lanes or not 1 <= size <= MAX_PAGE_SIZE:
            raise ValueError("position does not belong to this query")
        return cls(size, tuple(found))


@dataclass(frozen=True, slots=True)
class ReviewPlan:
    """A ``ReviewQuery`` as Trustoo parameters plus what is filtered here."""

    params: dict[str, str]
    lanes: tuple[int, ...]
    """The ``is_published`` value of each lane, published first."""
    statuses: frozenset[ReviewStatus]
    created_after: datetime | None = None
    created_before: datetime | None = None

    @property
    def filtered(self) -> bool:
        return self.created_after is not None or self.created_before is not None

    def start(self, limit: int) -> ReviewPosition:
        size = FILTERED_PAGE_SIZE if self.filtered else limit
        return ReviewPosition(size, tuple((1, 0) for _ in self.lanes))

    def keep(self, review: Review) -> bool:
        # The status check guards against a platform that ignores is_published.
        if review.status not in self.statuses:
            return False
        return self.created_before is None or review.created_at < self.created_before

    def past_end(self, review: Review) -> bool:
        """Older than the lower bound: this lane (newest first) has no more."""
        return self.created_after is not None and review.created_at < self.created_after


def _scope(query: ReviewQuery, products: ProductIndex) -> dict[str, str] | None:
    """product_ids / is_store_review, or None when nothing can match."""
    if query.skus is None:
        return {} if query.shop is None else {"is_store_review": str(int(query.shop))}
    ids = {pid for sku in query.skus if (pid := products.product_id(sku)) is not None}
    if query.shop or not ids:  # shop reviews of products, or no listed product
        return None
    return {"product_ids": ",".join(str(i) for i in sorted(ids))}


def plan(query: ReviewQuery, products: ProductIndex) -> ReviewPlan | None:
    """The calls a query needs, or None when no Trustoo review can match it."""
    lanes = tuple(value for status, value in LANES if status in query.statuses)
    scope = _scope(query, products)
    if not lanes or scope is None or query.language is not None:
        return None
    params = {"sort_by": "created-descending", **scope}
    if query.ratings is not None:
        ratings = sorted(r for r in query.ratings if 1 <= r <= 5)
        if not ratings:
            return None
        if len(ratings) < 5:
            params["ratings"] = ",".join(str(r) for r in ratings)
    after, before = query.created_after, query.created_before
    if after is not None and before is not None and after >= before:
        return None
    return ReviewPlan(params, lanes, query.statuses, after, before)


@dataclass(slots=True)
class LaneRows:
    """One lane's fetched page: rows not yet consumed and how far we got."""

    rows: Sequence[Review]
    page: int
    skip: int
    last: bool
    count: int
    taken: int = 0
    ended: bool = field(default=False)

    @property
    def waiting(self) -> bool:
        """Out of rows here while more pages exist: merging must stop."""
        return not self.ended and self.taken == len(self.rows) and not self.last

    def head(self) -> Review | None:
        if self.ended or self.taken == len(self.rows):
            return None
        return self.rows[self.taken]

    def next(self) -> Lane:
        if self.ended or (self.last and self.taken == len(self.rows)):
            return None
        if self.taken == len(self.rows):
            return (self.page + 1, 0)
        return (self.page, self.skip + self.taken)


def _newest(review: Review) -> tuple[datetime, int, str]:
    # The platform's own order: commented_at, then id (numeric), both descending.
    rid = review.provider_review_id
    return (review.created_at, len(rid), rid)


def merge(
    lanes: Sequence[LaneRows | None], limit: int, plan: ReviewPlan
) -> list[Review]:
    """Take up to ``limit`` kept reviews, newest first, across the lanes."""
    live = [lane for lane in lanes if lane is not None]
    taken: list[Review] = []
    while len(taken) < limit and not any(lane.waiting for lane in live):
        heads = [(lane, lane.head()) for lane in live]
        ready = [(lane, head) for lane, head in heads if head is not None]
        if not ready:
            break
        lane, review = max(ready, key=lambda pair: _newest(pair[1]))
        lane.taken += 1
        if plan.past_end(review):
            lane.ended = True
        elif plan.keep(review):
            taken.append(review)
    return taken
