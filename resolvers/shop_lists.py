"""Trustoo shop lists: webhooks, exclusions, review-request orders, customer events.

The reads need the ``read:private`` scope (they expose customers' e-mail
addresses) and go through the result cache. The paged ones page the client's lists
behind opaque cursors that carry the client's own position (``resolvers.cursor``),
so paging to the end yields every row exactly once.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Final, TypeVar, cast

from gateway.cache import cache_key
from gateway.errors import InvalidInput, ProviderUnavailable
from gateway.providers.trustoo import TrustooClient
from gateway.records import (
    CustomerEvent,
    CustomerExclusion,
    Page,
    ReviewRequestOrder,
    Webhook,
)
from resolvers import cursor as cursors
from resolvers.connections import Connection, Edge, check_first
from resolvers.context import READ_PRIVATE, Context
from resolvers.cursor import Cursor, StreamPosition
from resolvers.merge import page_size
from resolvers.shop import TRUSTOO, EventFilter, OrderFilter

T = TypeVar("T")
UPSTREAM_PAGE_MAX: Final = 100
"""Trustoo's largest ``page_size`` (its client refuses more)."""
EVENT_VALUE: Final = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")


# --- webhooks and exclusions ------------------------------------------------------


async def webhooks(ctx: Context) -> list[Webhook]:
    """Every webhook subscription of the shop (not paged at Trustoo)."""
    client = _reader(ctx, "webhooks")

    async def load() -> object:
        return tuple(await client.webhooks())

    found = await ctx.services.cache.get_or_load(cache_key(TRUSTOO, "webhooks"), load)
    return list(cast("tuple[Webhook, ...]", found))


async def exclusions(
    ctx: Context, *, first: int, after: str | None, oldest_first: bool
) -> Connection[CustomerExclusion]:
    """One page of the customers excluded from review requests."""
    client = _reader(ctx, "customerExclusions")

    def fetch(position: str | None, size: int) -> Awaitable[Page[CustomerExclusion]]:
        return client.customer_exclusions(position, size, oldest_first=oldest_first)

    return await _connection(ctx, ("exclusions", oldest_first), fetch, first, after)


# --- shop activity ---------------------------------------------------------------


def _aware(moment: datetime | None, name: str) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        raise InvalidInput(f"filter.{name}: give a time zone (e.g. Z)")
    return moment


def _from(moment: datetime | None) -> datetime | None:
    """An inclusive lower bound in Trustoo's whole seconds (rounded up)."""
    if moment is None or moment.microsecond == 0:
        return moment
    return moment.replace(microsecond=0) + timedelta(seconds=1)


def _until(moment: datetime | None) -> datetime | None:
    """An exclusive upper bound as Trustoo's inclusive one (whole seconds)."""
    return None if moment is None else moment - timedelta(microseconds=1)


def _bounds(
    low: datetime | None, high: datetime | None, name: str
) -> tuple[datetime | None, datetime | None]:
    low, high = _aware(low, f"{name}After"), _aware(high, f"{name}Before")
    if low is not None and high is not None and low >= high:
        raise InvalidInput(f"filter.{name}After must be before filter.{name}Before")
    return _from(low), _until(high)


async def review_request_orders(
    ctx: Context,
    *,
    first: int,
    after: str | None,
    order_filter: OrderFilter,
    oldest_first: bool,
) -> Connection[ReviewRequestOrder]:
    """One page of the shop's orders and the state of their review requests."""
    client = _reader(ctx, "reviewRequestOrders")
    f = order_filter
    sent = _bounds(f.sent_after, f.sent_before, "sent")
    created = _bounds(f.created_after, f.created_before, "created")

    def fetch(position: str | None, size: int) -> Awaitable[Page[ReviewRequestOrder]]:
        return client.review_request_orders(
            state=f.state,
            sent_after=sent[0],
            sent_before=sent[1],
            created_after=created[0],
            created_before=created[1],
            oldest_first=oldest_first,
            position=position,
            limit=size,
        )

    params = ("orders", f.state, sent, created, oldest_first)
    return await _connection(ctx, params, fetch, first, after)


async def customer_events(
    ctx: Context,
    *,
    first: int,
    after: str | None,
    event_filter: EventFilter,
    oldest_first: bool,
) -> Connection[CustomerEvent]:
    """One page of shoppers' interactions with the review widgets and e-mails."""
    client = _reader(ctx, "customerEvents")
    f = event_filter
    for name, value in (
        ("eventType", f.event_type),
        ("osType", f.os_type),
        ("eventSource", f.event_source),
    ):
        if value is not None and not EVENT_VALUE.match(value):
            raise InvalidInput(
                f"filter.{name}: an upper-case name such as VIEW_REVIEW, IOS, EMAIL"
            )

    def fetch(position: str | None, size: int) -> Awaitable[Page[CustomerEvent]]:
        return client.customer_events(
            event_type=f.event_type,
            os_type=f.os_type,
            event_source=f.event_source,
            oldest_first=oldest_first,
            position=position,
            limit=size,
        )

    params = ("events", f.event_type, f.os_type, f.event_source, oldest_first)
    return await _connection(ctx, params, fetch, first, after)


# --- reading and paging ------------------------------------------------------------


def _reader(ctx: Context, what: str) -> TrustooClient:
    """The client for a private read: the scope first, then the configuration."""
    ctx.caller.require(READ_PRIVATE, what)
    client = ctx.services.clients.trustoo
    if client is None:
        raise ProviderUnavailable(TRUSTOO.value, "not configured on this gateway")
    return client


Fetch = Callable[[str | None, int], Awaitable[Page[T]]]


def _start(
    ctx: Context, list_print: str, first: int, after: str | None
) -> StreamPosition:
    check_first(first, ctx.services.settings.max_page_size)
    if after is None:
        # Never below the merged lists' floor: a cursor keeps its page size, and
        # a page of 1 would make following it with `first: 100` cost 100 calls.
        return StreamPosition(None, page_size(first, UPSTREAM_PAGE_MAX), 0)
    settings = ctx.services.settings
    state = cursors.decode(after, list_print, settings).streams.get(TRUSTOO.value)
    if state is None or not 1 <= state.page_size <= UPSTREAM_PAGE_MAX:
        raise InvalidInput("`after` is not a cursor of this list")
    return state


async def _page(
    ctx: Context, params: Hashable, fetch: Fetch[T], at: StreamPosition
) -> Page[T]:
    """The client's page at ``at``, through the result cache (coalesced)."""
    key = cache_key(TRUSTOO, "shop", params, at.position, at.page_size)

    async def load() -> object:
        try:
            return await fetch(at.position, at.page_size)
        except ValueError:  # the client did not make this position
            raise InvalidInput("`after` is not a cursor of this list") from None

    return cast("Page[T]", await ctx.services.cache.get_or_load(key, load))


async def _connection(
    ctx: Context, params: Hashable, fetch: Fetch[T], first: int, after: str | None
) -> Connection[T]:
    """``first`` rows after ``after``: resumes the cursor's page, skipping used rows."""
    list_print = cursors.fingerprint(params)
    at = _start(ctx, list_print, first, after)
    edges: list[Edge[T]] = []
    total: int | None = None
    page: Page[T] = Page(())
    for _ in range(first + 2):  # a page holds at least one row: enough rounds
        page = await _page(ctx, params, fetch, at)
        total = page.total if total is None else total
        stop = max(at.consumed, min(len(page.items), at.consumed + first - len(edges)))
        for index in range(at.consumed, stop):
            mark = StreamPosition(at.position, at.page_size, index + 1)
            cursor = cursors.encode(
                Cursor(list_print, {TRUSTOO.value: mark}), ctx.services.settings
            )
            edges.append(Edge(cursor, page.items[index]))
        at = replace(at, consumed=stop)
        if len(edges) >= first or page.next is None:
            break
        at = StreamPosition(page.next, at.page_size, 0)
    more = at.consumed < len(page.items) or page.next is not None
    return Connection(tuple(edges), more, after is not None, total)
