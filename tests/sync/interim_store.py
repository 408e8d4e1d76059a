"""TEMPORARY: a dict-backed ReviewStore until gateway.store.sqlite lands on main."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from gateway.records import AttributeSummary, Provider, RatingSummary, Review
from gateway.store import SortOrder, StoredPage, StoredQuery, SyncState


class InterimStore:
    def __init__(self) -> None:
        self.rows: dict[tuple[Provider, str], tuple[Review, datetime]] = {}
        self.states: dict[Provider, SyncState] = {}
        self.locks: dict[str, tuple[str, float]] = {}

    async def upsert(self, reviews: Sequence[Review], *, seen_at: datetime) -> int:
        changed = 0
        for r in reviews:
            r = replace(r, customer=None, raw={})
            key = (r.provider, r.provider_review_id)
            old = self.rows.get(key)
            if old is None or old[0] != r:
                changed += 1
            self.rows[key] = (r, seen_at)
        return changed

    async def delete(self, provider: Provider, review_ids: Sequence[str]) -> int:
        n = 0
        for i in review_ids:
            if self.rows.pop((provider, i), None) is not None:
                n += 1
        return n

    async def prune(self, provider: Provider, *, not_seen_since: datetime) -> int:
        gone = [
            k
            for k, (_, s) in self.rows.items()
            if k[0] is provider and s < not_seen_since
        ]
        for k in gone:
            del self.rows[k]
        return len(gone)

    async def get(self, keys: Sequence[tuple[Provider, str]]) -> list[Review | None]:
        return [self.rows[k][0] if k in self.rows else None for k in keys]

    async def count(self, provider: Provider) -> int:
        return sum(1 for k in self.rows if k[0] is provider)

    async def load_state(self, provider: Provider) -> SyncState | None:
        return self.states.get(provider)

    async def save_state(self, state: SyncState) -> None:
        self.states[state.provider] = state

    async def claim(self, name: str, owner: str, ttl_s: float) -> bool:
        now = time.monotonic()
        held = self.locks.get(name)
        if held is None or held[0] == owner or held[1] <= now:
            self.locks[name] = (owner, now + ttl_s)
            return True
        return False

    async def release(self, name: str, owner: str) -> None:
        if self.locks.get(name, ("", 0))[0] == owner:
            del self.locks[name]

    async def close(self) -> None:
        pass

    async def list_reviews(
        self,
        query: StoredQuery,
        order: SortOrder,
        *,
        after: str | None = None,
        limit: int = 20,
    ) -> StoredPage:
        raise NotImplementedError

    async def rating_summaries(
        self, keys: Sequence[tuple[Provider, str]]
    ) -> list[RatingSummary]:
        raise NotImplementedError

    async def shop_summaries(
        self, providers: Sequence[Provider]
    ) -> list[RatingSummary]:
        raise NotImplementedError

    async def attribute_summaries(
        self, skus: Sequence[str]
    ) -> list[tuple[AttributeSummary, ...]]:
        raise NotImplementedError
