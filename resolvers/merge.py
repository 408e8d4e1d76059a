"""The k-way merge of several platforms' review lists into one ordered page.

Each live platform is a ``Stream`` over its client's pages, newest first; the
platforms read from the review index are one ``StoreStream`` (``resolvers.stored``),
which pages natively in every order by the same key (``filters.sort_key``). In
NEWEST order the streams are merged as they are read: a page is fetched only when
the stream's head is needed. The other orders (OLDEST, HIGHEST_RATED, LOWEST_RATED,
MOST_RECENTLY_UPDATED) are not offered by the platforms, so each live stream is
read to its end (at most ``MAX_SORTED_REVIEWS``; every page is cached) and sorted
before merging; the cap holds for live streams only. Either way a stream's position
is what the cursor records: the platform's own page position, the page size and how
many items of that page were used, so the next page resumes exactly where this one
stopped.

A platform that fails is reported through the error sink and left out of this page,
which names it in ``missing``; its position in the cursor does not move, and the list
stays open (``has_next_page``) while it is missing, even when every other platform has
run out. So paging on once it recovers still yields each of its reviews exactly once
(later than their order would place them: the set is whole, the order is not).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Final, Protocol, cast

from gateway.cache import cache_key
from gateway.errors import InvalidInput, ProviderError
from gateway.records import Page, Provider, Review, ReviewQuery
from resolvers.context import Context, ErrorSink
from resolvers.conversations import ReplyScreen
from resolvers.cursor import MAX_CONSUMED, StreamPosition
from resolvers.filters import ReviewFilter, ReviewOrder, SortKey, sort_key
from resolvers.sources import ReviewSource

MAX_SORTED_REVIEWS: Final = MAX_CONSUMED
"""A sorted stream's cursor counts into the whole list: its bound is the cursor's."""
SORT_PAGE_SIZE: Final = 100
MIN_PAGE_SIZE: Final = 20
"""The smallest page read from a platform. A stream keeps the page size it started
with for as long as its cursor is followed (a platform's position is tied to it), so
a page size of 1 would make every later page of 100 cost 100 calls per platform."""


def page_size(first: int, maximum: int) -> int:
    """The platforms' page size for a list asked for ``first`` items at a time."""
    return min(max(first, MIN_PAGE_SIZE), maximum)


async def read_page(
    ctx: Context,
    source: ReviewSource,
    query: ReviewQuery,
    position: str | None,
    size: int,
) -> Page[Review]:
    """One page of one platform, through the result cache (coalesced)."""
    key = cache_key(source.provider, "reviews", query, position, size)

    async def load() -> object:
        return await source.list_reviews(query, position, size)

    return cast("Page[Review]", await ctx.services.cache.get_or_load(key, load))


class MergeStream(Protocol):
    """What ``merge`` needs of a stream: a live platform's, or the store's."""

    @property
    def name(self) -> str:
        """The stream's key in the cursor (a platform's value, or ``store``)."""
        ...

    @property
    def state(self) -> StreamPosition: ...

    @property
    def failed(self) -> bool: ...

    @property
    def failed_provider(self) -> Provider | None:
        """The platform that failed, for ``missing`` (a live stream only)."""
        ...

    @property
    def head(self) -> Review | None: ...

    @property
    def has_more(self) -> bool: ...

    @property
    def open(self) -> bool: ...

    @property
    def total(self) -> int | None: ...

    def take(self) -> Review: ...

    async def fill(self, sink: ErrorSink) -> None: ...

    async def fill_sorted(
        self, sink: ErrorSink, key: Callable[[Review], SortKey]
    ) -> None: ...


class Stream:
    """One platform's part of a merged list, and its position."""

    def __init__(
        self,
        ctx: Context,
        source: ReviewSource,
        query: ReviewQuery,
        review_filter: ReviewFilter,
        state: StreamPosition,
    ) -> None:
        self.provider: Provider = source.provider
        self.state = state
        self.failed = False
        self._ctx = ctx
        self._source = source
        self._query = query
        self._screen = ReplyScreen(ctx, review_filter)
        self._buffer: deque[tuple[int, Review]] = deque()
        self._next: str | None = None
        self._loaded = False
        self.total: int | None = None

    @property
    def name(self) -> str:
        return self.provider.value

    @property
    def failed_provider(self) -> Provider | None:
        return self.provider if self.failed else None

    @property
    def head(self) -> Review | None:
        return self._buffer[0][1] if self._buffer else None

    @property
    def has_more(self) -> bool:
        """Whether this request may read more of it (a failed stream is not retried)."""
        if self.failed:
            return False
        if self._buffer:
            return True
        return not self.state.done and (not self._loaded or self._next is not None)

    @property
    def open(self) -> bool:
        """Whether the list may hold more of it: a failed stream always may."""
        return self.failed or self.has_more

    def take(self) -> Review:
        index, review = self._buffer.popleft()
        self.state = replace(self.state, consumed=index + 1)
        return review

    async def fill(self, sink: ErrorSink) -> None:
        """Load pages until the head is known, the stream ends, or it fails."""
        try:
            while not self._buffer and not self.state.done:
                if self._loaded:
                    if self._next is None:
                        self.state = replace(self.state, done=True)
                        break
                    self.state = StreamPosition(self._next, self.state.page_size, 0)
                await self._load()
        except ProviderError as error:
            self.failed = True
            sink(error)

    async def _load(self) -> None:
        page = await read_page(
            self._ctx,
            self._source,
            self._query,
            self.state.position,
            self.state.page_size,
        )
        if not self._loaded:
            self.total = page.total
            if page.total is None and self.state.position is None and page.next is None:
                # The first page is the whole list (an empty one, when no review of
                # the platform can match): its length is the total.
                self.total = len(page.items)
        self._loaded = True
        self._next = page.next
        fresh = list(enumerate(page.items))[self.state.consumed :]
        accepted = await self._screen([r for _, r in fresh])
        self._buffer.extend(
            item for item, ok in zip(fresh, accepted, strict=True) if ok
        )

    async def fill_sorted(
        self, sink: ErrorSink, key: Callable[[Review], SortKey]
    ) -> None:
        """Read the whole stream, sort it, and skip what was already returned."""
        if self.state.done or self._loaded:
            return
        reviews: list[Review] = []
        position: str | None = None
        try:
            while True:
                page = await read_page(
                    self._ctx, self._source, self._query, position, SORT_PAGE_SIZE
                )
                accepted = await self._screen(page.items)
                reviews.extend(
                    r for r, ok in zip(page.items, accepted, strict=True) if ok
                )
                if len(reviews) > MAX_SORTED_REVIEWS:
                    raise InvalidInput(
                        "too many reviews to sort in this order; narrow the filter"
                    )
                if page.next is None:
                    break
                position = page.next
        except ProviderError as error:
            self.failed = True
            sink(error)
            return
        self._loaded = True
        self.total = len(reviews)
        reviews.sort(key=key)
        self._buffer.extend(
            (i, r) for i, r in enumerate(reviews) if i >= self.state.consumed
        )
        if not self._buffer:
            self.state = replace(self.state, done=True)


@dataclass(frozen=True, slots=True)
class Merged:
    """A merged page: the reviews with each one's stream positions after it.

    ``positions`` are the streams' positions at the end of the page, ``missing`` the
    platforms that failed while it was read.
    """

    items: tuple[tuple[Review, dict[str, StreamPosition]], ...]
    has_next_page: bool
    total: int | None
    positions: dict[str, StreamPosition]
    missing: tuple[Provider, ...]


async def merge(
    streams: Sequence[MergeStream], order: ReviewOrder, first: int, sink: ErrorSink
) -> Merged:
    """Take the ``first`` best reviews across ``streams`` in ``order``."""
    key = sort_key(order)
    if order is not ReviewOrder.NEWEST:
        await asyncio.gather(*(s.fill_sorted(sink, key) for s in streams))
    items: list[tuple[Review, dict[str, StreamPosition]]] = []
    while len(items) < first:
        await asyncio.gather(
            *(s.fill(sink) for s in streams if s.head is None and s.has_more)
        )
        live = [s for s in streams if s.head is not None]
        if not live:
            break
        best = min(live, key=lambda s: key(cast("Review", s.head)))
        review = best.take()
        items.append((review, {s.name: s.state for s in streams}))
    totals = [s.total for s in streams]
    total = None if None in totals else sum(t for t in totals if t is not None)
    return Merged(
        tuple(items),
        any(s.open for s in streams),
        total,
        {s.name: s.state for s in streams},
        tuple(p for s in streams if (p := s.failed_provider) is not None),
    )
