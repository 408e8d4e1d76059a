"""The review index as a stream of a merged list: its indexed platforms, in order.

All the indexed platforms of one list are a single ``StoreStream``: one
``ReviewStore.list_reviews`` call per page, every filter applied in SQL (statuses,
ratings, language, dates, kinds, SKUs, media, verified, reply, search), in every
order natively (keyset paging: no whole-list read, no sort cap). The store orders by
the key ``filters.sort_key`` computes (its ordering contract), so ``merge`` k-way
merges this stream with the live platforms' streams into one order.

Its position in the cursor (``cursor.STORE_STREAM``) is the store's keyset token of
the last review returned: paging resumes exactly after it even when reviews come and
go between pages. A token the store refuses is ``InvalidInput`` (BAD_USER_INPUT),
like any other bad cursor.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection
from dataclasses import replace

from gateway.errors import InvalidInput
from gateway.records import Provider, Review
from gateway.store import ReviewStore, SortOrder, StoredQuery
from resolvers.context import ErrorSink
from resolvers.cursor import NOT_OURS, STORE_STREAM, StreamPosition
from resolvers.filters import ReviewFilter, ReviewOrder, SortKey


def stored_query(
    providers: Collection[Provider],
    skus: tuple[str, ...] | None,
    review_filter: ReviewFilter,
) -> StoredQuery:
    """The store's query: ``review_filter`` over ``providers``' reviews of ``skus``."""
    f = review_filter
    return StoredQuery(
        providers=frozenset(providers),
        skus=skus,
        kinds=f.kinds,
        statuses=f.statuses,
        ratings=f.ratings,
        language=f.language,
        created_after=f.created_after,
        created_before=f.created_before,
        with_media=f.with_media,
        verified=f.verified,
        has_reply=f.has_reply,
        search=" ".join(f.search) if f.search is not None else None,
    )


class StoreStream:
    """The indexed platforms' part of a merged list, and its keyset position."""

    def __init__(
        self,
        store: ReviewStore,
        query: StoredQuery,
        order: ReviewOrder,
        state: StreamPosition,
    ) -> None:
        self.state = state
        self.total: int | None = None
        self._store = store
        self._query = query
        self._order = SortOrder(order.value)
        self._buffer: deque[tuple[Review, str]] = deque()
        self._loaded = False
        self._more = True

    @property
    def name(self) -> str:
        return STORE_STREAM

    @property
    def failed(self) -> bool:
        return False

    @property
    def failed_provider(self) -> Provider | None:
        return None

    @property
    def head(self) -> Review | None:
        return self._buffer[0][0] if self._buffer else None

    @property
    def has_more(self) -> bool:
        return bool(self._buffer) or (not self.state.done and self._more)

    @property
    def open(self) -> bool:
        return self.has_more

    def take(self) -> Review:
        review, token = self._buffer.popleft()
        done = not self._buffer and not self._more
        self.state = replace(self.state, position=token, done=done)
        return review

    async def prime(self) -> None:
        """Read the first page now: the list's exact total comes with it.

        A stream whose cursor says it is done reads no review, only the total.
        """
        if not self._loaded:
            await self._load(keep=not self.state.done)

    async def fill(self, sink: ErrorSink) -> None:
        """Read the next page when the head is needed.

        The store does not fail per platform: ``sink`` is unused.
        """
        if not self._buffer and not self.state.done and self._more:
            await self._load(keep=True)

    async def _load(self, *, keep: bool) -> None:
        try:
            page = await self._store.list_reviews(
                self._query,
                self._order,
                after=self.state.position,
                limit=self.state.page_size,
            )
        except ValueError:  # a token this store did not make for this order
            raise InvalidInput(NOT_OURS) from None
        if not self._loaded:
            self.total = page.total
            self._loaded = True
        if not keep:
            self._more = False
            return
        self._buffer.extend(page.items)
        self._more = page.next is not None and bool(page.items)
        if not self._buffer:
            self.state = replace(self.state, done=True)

    async def fill_sorted(
        self, sink: ErrorSink, key: Callable[[Review], SortKey]
    ) -> None:
        """The store pages natively in every order: nothing to read ahead."""
        await self.fill(sink)
