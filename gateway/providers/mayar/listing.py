"""How ``list_reviews`` walks Mayar: which endpoint(s), which filters, which cursor.

Pure planning and merging (no I/O); ``client`` sends the calls. A ``ReviewQuery``
becomes a ``Plan``: one or more *streams* (an endpoint plus the filters Mayar can
apply: ``status``, ``rating``, ``paymentLinkId``), and a predicate for the rest,
applied in the client (several ratings, two of the three states, a date window,
many payment links). Choices:

* One SKU, PUBLISHED only: ``GET /hl/v2/products/{id}/reviews`` (ACTIVE only).
* Otherwise ``GET /hl/v2/reviews`` with the filters pushed down. For 2 to
  ``MAX_MERGED_STREAMS`` SKUs, one stream per payment link, merged newest first
  here: a page costs one call per stream that is not finished. For more SKUs a
  single stream of all the merchant's reviews, filtered here by payment link:
  one stream costs ``total reviews scanned / 100`` calls, cheaper than a call per
  SKU per page once a page spans that many links.
* ``shop=True`` (Mayar has no shop reviews), a ``language`` (Mayar records none),
  statuses Mayar lacks (PENDING, REJECTED) or SKUs it does not list: no call.

Every stream is newest first (``createdAt`` descending, ties by id: the simulator's
documented order). Each stream's cursor is the id of its last review this client
has consumed, passed back as ``startingAfter``. A merge round fetches every live
stream once, emits only reviews no unfetched review can precede (the newest of the
streams' last fetched reviews bounds it), and moves each stream's cursor to its
last consumed review. A page runs at most ``client.MAX_ROUNDS`` rounds. The date
window is exclusive (``created_after < created_at < created_before``), and
``created_after`` ends a stream early: only older reviews follow.
The position is base64url JSON of the cursors plus a fingerprint of the plan, so a
position replayed with another query is refused (``ValueError``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from gateway.records import Review, ReviewQuery

from .mapping import STATUS_TO_WIRE
from .transport import REVIEWS_PATH, product_path

MAX_LIMIT: Final = 100
"""Mayar's largest ``limit`` (vendors.md 2.8 [??]; the simulator's default)."""
MAX_MERGED_STREAMS: Final = 4

Params = Mapping[str, str | int]
SortKey = tuple[int, str]


def sort_key(review: Review) -> SortKey:
    """Ascending key of Mayar's list order: newest first, ties by id."""
    created_ms = round(review.created_at.timestamp() * 1000)
    return (-created_ms, review.provider_review_id)


@dataclass(frozen=True, slots=True)
class Stream:
    """One endpoint walked by ``limit`` + ``startingAfter``, ``params`` pushed down."""

    path: str
    params: Params = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where one stream stands: after which review id, and whether it is finished."""

    after: str | None = None
    done: bool = False


@dataclass(frozen=True, slots=True)
class Batch:
    """One stream's fetched page, in the platform's order."""

    items: Sequence[Review]
    exhausted: bool


@dataclass(frozen=True, slots=True)
class Plan:
    """The streams of a query and the predicate for what Mayar cannot filter."""

    streams: tuple[Stream, ...]
    matches: Callable[[Review], bool]
    filters_in_client: bool

    @property
    def fingerprint(self) -> str:
        shape = [[s.path, sorted(s.params.items())] for s in self.streams]
        digest = hashlib.sha256(json.dumps(shape).encode()).hexdigest()
        return digest[:12]


def _predicate(
    query: ReviewQuery, links: frozenset[str] | None
) -> Callable[[Review], bool]:
    """Everything ``query`` asks, checked on a mapped review (pushed down or not)."""

    def matches(review: Review) -> bool:
        product = review.product
        return (
            review.status in query.statuses
            and (query.ratings is None or review.rating in query.ratings)
            and (
                links is None
                or (product is not None and product.provider_product_id in links)
            )
            and (query.created_after is None or review.created_at > query.created_after)
            and (
                query.created_before is None or review.created_at < query.created_before
            )
        )

    return matches


def _nothing_matches(
    query: ReviewQuery, statuses: set[str], ratings: set[int] | None
) -> bool:
    window_empty = (
        query.created_after is not None
        and query.created_before is not None
        and query.created_after >= query.created_before
    )
    return (
        query.shop
        or query.language is not None
        or not statuses
        or ratings == set()
        or window_empty
    )


def plan_query(query: ReviewQuery, link_ids: Sequence[str] | None) -> Plan | None:
    """The streams for ``query`` over ``link_ids`` (``None``: every payment link).

    ``None`` when nothing can match, so the caller makes no call.
    """
    statuses: set[str] = {
        STATUS_TO_WIRE[s] for s in query.statuses if s in STATUS_TO_WIRE
    }
    ratings = None
    if query.ratings is not None:
        ratings = {r for r in query.ratings if 1 <= r <= 5}
    if _nothing_matches(query, statuses, ratings) or (
        link_ids is not None and not link_ids
    ):
        return None
    pushed: dict[str, str | int] = {}
    if len(statuses) == 1:
        pushed["status"] = next(iter(statuses))
    if ratings is not None and len(ratings) == 1:
        pushed["rating"] = next(iter(ratings))
    streams, links_in_client = _streams(pushed, statuses, link_ids)
    in_client = (
        links_in_client is not None
        or len(statuses) == 2
        or (ratings is not None and len(ratings) > 1)
        or query.created_after is not None
        or query.created_before is not None
    )
    return Plan(streams, _predicate(query, links_in_client), in_client)


def _streams(
    pushed: dict[str, str | int], statuses: set[str], link_ids: Sequence[str] | None
) -> tuple[tuple[Stream, ...], frozenset[str] | None]:
    """The streams, and the payment links left for the client to filter on."""
    if link_ids is None:
        return (Stream(REVIEWS_PATH, pushed),), None
    if len(link_ids) == 1 and statuses == {"ACTIVE"}:
        # The product endpoint lists ACTIVE reviews only and takes no status.
        params = {k: v for k, v in pushed.items() if k == "rating"}
        return (Stream(product_path(link_ids[0]), params),), None
    if len(link_ids) <= MAX_MERGED_STREAMS:
        streams = tuple(
            Stream(REVIEWS_PATH, {**pushed, "paymentLinkId": link}) for link in link_ids
        )
        return streams, None
    return (Stream(REVIEWS_PATH, pushed),), frozenset(link_ids)


def encode_position(plan: Plan, cursors: Sequence[Cursor]) -> str:
    state = {"p": plan.fingerprint, "c": [[c.after, c.done] for c in cursors]}
    raw = json.dumps(state, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_position(plan: Plan, position: str | None) -> list[Cursor]:
    """The cursors of ``position`` for ``plan``; ``ValueError`` when it is not ours."""
    if position is None:
        return [Cursor() for _ in plan.streams]
    try:
        padded = position + "=" * (-len(position) % 4)
        state = json.loads(base64.urlsafe_b64decode(padded.encode()))
        cursors = [Cursor(after, bool(done)) for after, done in state["c"]]
        valid = state["p"] == plan.fingerprint and len(cursors) == len(plan.streams)
    except (binascii.Error, ValueError, TypeError, KeyError) as exc:
        raise ValueError("position is not a Mayar list position") from exc
    if not valid or any(
        c.after is not None and not isinstance(c.after, str) for c in cursors
    ):
        raise ValueError("position belongs to another query")
    return cursors


def truncate_before(batch: Batch, query: ReviewQuery) -> Batch:
    """Cut a stream at ``created_after``: every later review is older still."""
    if query.created_after is None:
        return batch
    for index, review in enumerate(batch.items):
        if review.created_at <= query.created_after:
            return Batch(batch.items[:index], exhausted=True)
    return batch


def merge_round(
    cursors: Sequence[Cursor],
    batches: Mapping[int, Batch],
    want: int,
    matches: Callable[[Review], bool],
) -> tuple[list[Review], list[Cursor]]:
    """Emit up to ``want`` matching reviews from the batches, newest first.

    ``batches`` maps a stream index to the page just fetched for it. Returns the
    emitted reviews and every stream's new cursor.
    """
    if want < 1:
        raise ValueError("want must be at least 1")
    tails = [
        sort_key(b.items[-1]) for b in batches.values() if b.items and not b.exhausted
    ]
    # Past the newest of the tails, a stream's next page could hold newer reviews.
    boundary = min(tails) if tails else None
    candidates = sorted(
        (
            r
            for b in batches.values()
            for r in b.items
            if boundary is None or sort_key(r) <= boundary
        ),
        key=sort_key,
    )
    emitted: list[Review] = []
    cutoff = boundary
    consumed: SortKey | None = None
    for review in candidates:
        if matches(review):
            if len(emitted) == want:
                # Page full: consumed up to the review before this one.
                cutoff = consumed
                break
            emitted.append(review)
        consumed = sort_key(review)
    return emitted, _advance(cursors, batches, cutoff)


def _advance(
    cursors: Sequence[Cursor], batches: Mapping[int, Batch], cutoff: SortKey | None
) -> list[Cursor]:
    """Move each fetched stream past what was consumed (all keys <= ``cutoff``)."""
    moved = list(cursors)
    for index, batch in batches.items():
        taken = 0
        while taken < len(batch.items) and (
            cutoff is None or sort_key(batch.items[taken]) <= cutoff
        ):
            taken += 1
        after = batch.items[taken - 1].provider_review_id if taken else None
        moved[index] = Cursor(
            after or cursors[index].after,
            done=batch.exhausted and taken == len(batch.items),
        )
    return moved
