"""One platform's sync runs: backfill, incremental, reconcile, and the write-through.

Each run reads through the platform's ``Walk`` and writes to the ``ReviewStore``;
the ``SyncState`` it is given comes back updated (the caller saves nothing itself):

- **backfill**: every review once, newest first. After each page the client's
  position is saved in ``SyncState.cursor``, so a restarted process continues the
  backfill where it stopped. At the end, what the walk did not meet (reviews held
  from before, since deleted) is pruned; ``backfilled`` becomes true.
- **incremental**: newest first in the walk's incremental order (eTrusted by
  ``updatedAt``) until a page reaches ``watermark - OVERLAP``; the watermark
  becomes the newest time applied.
- **reconcile**: a full walk that upserts everything (edits, status changes, and
  every Trustpilot thread read again: a reply added at the platform), then
  ``store.prune(provider, not_seen_since=walk start)`` (deletions). A page-numbered
  platform (Trustpilot, Trustoo) may shift a review past the walk when another is
  deleted meanwhile; the next reconcile puts it back.
- **refresh**: the given reviews read now; upserted, or deleted when gone.

Each finished backfill and reconcile logs one line (counts, calls, seconds).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Final

from gateway.errors import InvalidInput
from gateway.records import Review, ReviewKey
from gateway.store import ReviewStore, SyncState
from gateway.timestamps import parse_iso

from .budget import Budget
from .walks import Walk

logger = logging.getLogger(__name__)

OVERLAP: Final = timedelta(minutes=5)
"""How far behind its watermark an incremental run reads again (late arrivals,
clock skew between the platform's stamps)."""
WALK_STARTED: Final = "walk_started"
"""``SyncState.extra`` key: when the (resumable) backfill began."""

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class Tally:
    """What one run did."""

    seen: int = 0
    changed: int = 0
    removed: int = 0


def _newest(current: datetime | None, marks: Sequence[datetime]) -> datetime | None:
    return max([*marks, *([] if current is None else [current])], default=None)


class PlatformRuns:
    """The runs of one platform over ``walk``, ``store`` and ``budget``."""

    def __init__(
        self,
        walk: Walk,
        store: ReviewStore,
        budget: Budget,
        *,
        clock: Clock,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.walk = walk
        self.store = store
        self.budget = budget
        self._clock = clock
        self._monotonic = monotonic

    @property
    def provider(self) -> str:
        return self.walk.provider.value

    async def _apply(self, reviews: Sequence[Review], *, reread: bool = False) -> int:
        """Complete and upsert one page; how many rows were new or changed.

        ``reread``: complete as if nothing were held (a reconcile reads every
        Trustpilot thread again: a reply added at the platform need not change
        the review itself).
        """
        if not reviews:
            return 0
        held: Sequence[Review | None] = [None] * len(reviews)
        if not reread:
            keys = [(r.provider, r.provider_review_id) for r in reviews]
            held = await self.store.get(keys)
        completed = await self.walk.complete(reviews, held)
        await self.store.upsert_conversations(completed.threads)
        return await self.store.upsert(completed.reviews, seen_at=self._clock())

    async def backfill(self, state: SyncState) -> SyncState:
        """Walk everything, resuming at ``state.cursor``; returns the final state."""
        began, calls = self._monotonic(), self.budget.calls
        started = self._clock()
        if state.cursor is not None and WALK_STARTED in state.extra:
            started = parse_iso(state.extra[WALK_STARTED])
        position, newest = state.cursor, state.watermark
        seen = changed = 0
        while True:
            try:
                page = await self.walk.page(position)
            except (ValueError, InvalidInput):
                if position is None:
                    raise
                position = None  # a position this client no longer reads: restart
                continue
            changed += await self._apply(page.items)
            seen += len(page.items)
            marks = [self.walk.mark(r, changes=True) for r in page.items]
            newest = _newest(newest, marks)
            if page.next is None:
                break
            position = page.next
            extra = {**state.extra, WALK_STARTED: started.isoformat()}
            state = replace(state, cursor=position, watermark=newest, extra=extra)
            await self.store.save_state(state)
        removed = await self.store.prune(self.walk.provider, not_seen_since=started)
        now = self._clock()
        extra = {k: v for k, v in state.extra.items() if k != WALK_STARTED}
        self._log("sync backfill done", Tally(seen, changed, removed), began, calls)
        return replace(
            state,
            backfilled=True,
            cursor=None,
            watermark=newest,
            last_success_at=now,
            last_reconciled_at=now,
            last_error=None,
            extra=extra,
        )

    async def incremental(self, state: SyncState) -> SyncState:
        """Newest first until the watermark (less ``OVERLAP``); the updated state."""
        since = None if state.watermark is None else state.watermark - OVERLAP
        position, newest = None, state.watermark
        while True:
            page = await self.walk.page(position, changes=True)
            await self._apply(page.items)
            marks = [self.walk.mark(r, changes=True) for r in page.items]
            newest = _newest(newest, marks)
            reached = since is not None and any(m < since for m in marks)
            if page.next is None or reached:
                break
            position = page.next
        return replace(
            state, watermark=newest, last_success_at=self._clock(), last_error=None
        )

    async def reconcile(self, state: SyncState) -> SyncState:
        """A full walk, then the reviews it did not meet are pruned."""
        began, calls = self._monotonic(), self.budget.calls
        started = self._clock()
        position, newest = None, state.watermark
        seen = changed = 0
        while True:
            page = await self.walk.page(position)
            changed += await self._apply(page.items, reread=True)
            seen += len(page.items)
            newest = _newest(
                newest, [self.walk.mark(r, changes=True) for r in page.items]
            )
            if page.next is None:
                break
            position = page.next
        removed = await self.store.prune(self.walk.provider, not_seen_since=started)
        self._log("sync reconcile done", Tally(seen, changed, removed), began, calls)
        now = self._clock()
        return replace(
            state,
            watermark=newest,
            last_success_at=now,
            last_reconciled_at=now,
            last_error=None,
        )

    async def refresh(self, keys: Sequence[ReviewKey]) -> Tally:
        """Read ``keys`` now: upsert what exists, delete what is gone."""
        if not keys:
            return Tally()
        fetched = await self.walk.fetch(keys)
        found = fetched.reviews
        present = [r for r in found if r is not None]
        gone = [k.id for k, r in zip(keys, found, strict=True) if r is None]
        await self.store.upsert_conversations(fetched.threads)
        changed = 0
        if present:
            changed = await self.store.upsert(present, seen_at=self._clock())
        removed = await self.store.delete(self.walk.provider, gone) if gone else 0
        return Tally(len(present), changed, removed)

    def _log(self, message: str, tally: Tally, began: float, calls: int) -> None:
        logger.info(
            message,
            extra={
                "provider": self.provider,
                "reviews": tally.seen,
                "changed": tally.changed,
                "removed": tally.removed,
                "calls": self.budget.calls - calls,
                "seconds": round(self._monotonic() - began, 2),
            },
        )
