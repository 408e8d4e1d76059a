"""Read-only shop activity: review-request orders and widget customer events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from .context import state
from .envelope import invalid, respond
from .query import Query, descending, integer, moment, paging, text
from .store import EVENT_SOURCES, EVENT_TYPES, OS_TYPES, CustomerEvent, Order

ORDER_TYPES = {
    0: "all",
    1: "waiting",
    2: "scheduled",
    3: "sent",
    4: "opened",
    5: "evaluated",
    6: "cancelled",
}


def _between(
    query: Query, start: str, end: str, pick: Callable[[Order], datetime | None]
) -> Callable[[Order], bool] | None:
    low, high = moment(query, start), moment(query, end)
    if low is None and high is None:
        return None

    def test(order: Order) -> bool:
        at = pick(order)
        if at is None:
            return False
        return (low is None or at >= low) and (high is None or at <= high)

    return test


def _order_tests(query: Query) -> list[Callable[[Order], bool]]:
    tests: list[Callable[[Order], bool]] = []
    wanted = integer(query, "type", 0, 6) or 0
    if wanted:
        tests.append(lambda o: o.status == wanted)
    sent = _between(query, "start_sent_at", "end_sent_at", lambda o: o.sent_at)
    created = _between(query, "start_time", "end_time", lambda o: o.created_at)
    return tests + [t for t in (sent, created) if t is not None]


async def get_orders(request: web.Request) -> web.Response:
    """GET get_orders: by request state (``type``), sent and creation time."""
    st = state(request)
    page = paging(request.query, st.settings.max_page_size)
    desc = descending(request.query)
    tests = _order_tests(request.query)
    rows = [o for o in st.store.orders if all(t(o) for t in tests)]
    rows.sort(key=lambda o: (o.created_at, o.id), reverse=desc)
    return respond(st.now(), page.body(rows, Order.to_json))


def _choice(
    query: Query, name: str, allowed: tuple[str, ...], strict: bool
) -> str | None:
    value = text(query, name)
    if value is not None and strict and value not in allowed:
        raise invalid(f"{name} must be one of: {', '.join(allowed)}")
    return value


async def get_customer_events(request: web.Request) -> web.Response:
    """GET get_customer_events: filtered by event type, OS and source, paged."""
    st = state(request)
    query, strict = request.query, st.settings.strict_event_enums
    page = paging(query, st.settings.max_page_size)
    desc = descending(query)
    wanted = {
        "event_type": _choice(query, "event_type", EVENT_TYPES, strict),
        "os_type": _choice(query, "os_type", OS_TYPES, strict),
        "event_source": _choice(query, "event_source", EVENT_SOURCES, strict),
    }
    rows = [
        e
        for e in st.store.events
        if all(v is None or getattr(e, k) == v for k, v in wanted.items())
    ]
    rows.sort(key=lambda e: (e.created_at, e.id), reverse=desc)
    return respond(st.now(), page.body(rows, CustomerEvent.to_json))
