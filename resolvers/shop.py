"""Trustoo shop administration: webhooks, exclusions, unsubscribes, uploads, activity.

Only Trustoo offers these, so every use case here talks to its client
(``ctx.services.clients.trustoo``). Writes run in the ``perform`` frame (write scope,
checks before any call, idempotency, refusals as user errors, cache forgotten).
Reads need the ``read:private`` scope (they expose customers' e-mail addresses), go
through the result cache, and page the client's lists behind opaque cursors that
carry the client's own position (``resolvers.cursor``), so paging to the end yields
every row exactly once.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final, TypeVar, cast
from urllib.parse import urlsplit

from gateway.cache import cache_key
from gateway.errors import InvalidInput, ProviderUnavailable

# EmailType and OrderState are re-exported: the schema registers them as enums.
from gateway.providers.trustoo import EmailType as EmailType
from gateway.providers.trustoo import OrderState as OrderState
from gateway.providers.trustoo import TrustooClient
from gateway.records import (
    CustomerEvent,
    CustomerExclusion,
    MediaType,
    Page,
    Provider,
    ReviewRequestOrder,
    UploadCredentials,
    Webhook,
)
from resolvers import cursor as cursors
from resolvers.connections import Connection, Edge
from resolvers.context import READ_PRIVATE, Context
from resolvers.cursor import Cursor, StreamPosition
from resolvers.writes import Checks, FieldPath, UserError, WriteResult, perform

T = TypeVar("T")
TRUSTOO: Final = Provider.TRUSTOO
UPSTREAM_PAGE_MAX: Final = 100
"""Trustoo's largest ``page_size`` (its client refuses more)."""
URL_MAX: Final = 2048
EMAIL: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
"""Stricter than ``writes.EMAIL``: Trustoo wants a top-level domain of letters."""
EVENT_VALUE: Final = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")
VIDEO_NAME: Final = re.compile(r"^[\w.\- ]{1,200}\.(mp4|mov|webm|m4v|avi)$", re.I)
"""A video file name Trustoo's presigned upload accepts (extension decides the type)."""


class WebhookTopic(StrEnum):
    """What a webhook subscribes to; the value is Trustoo's topic name."""

    REVIEW_CREATED = "review/created"
    REVIEW_UPDATED = "review/updated"
    REVIEW_DELETED = "review/deleted"
    CUSTOMER_EVENT_CREATED = "customer_event/created"


@dataclass(frozen=True, slots=True)
class RemovedExclusion:
    """Which exclusion was removed: the identifier the caller gave."""

    customer_id: str | None
    email: str | None


@dataclass(frozen=True, slots=True)
class Unsubscription:
    """An address unsubscribed from one kind of e-mail (or all of them)."""

    email: str
    email_type: EmailType


@dataclass(frozen=True, slots=True)
class MediaUpload:
    """Upload credentials for one kind of review media."""

    kind: MediaType
    credentials: UploadCredentials


@dataclass(frozen=True, slots=True)
class OrderFilter:
    """Narrows review-request orders; time bounds: after inclusive, before exclusive."""

    state: OrderState | None = None
    sent_after: datetime | None = None
    sent_before: datetime | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Narrows customer events; values as Trustoo names them (VIEW_REVIEW, IOS)."""

    event_type: str | None = None
    os_type: str | None = None
    event_source: str | None = None


# --- checks --------------------------------------------------------------------


def _client(ctx: Context, checks: Checks) -> TrustooClient | None:
    client = ctx.services.clients.trustoo
    if client is None:
        checks.errors.append(
            UserError("TRUSTOO is not configured on this gateway", "NOT_CONFIGURED")
        )
    return client


def _https(value: str) -> bool:
    if any(c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
        return parts.scheme == "https" and bool(parts.hostname)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False


def _url(checks: Checks, value: str, path: FieldPath) -> None:
    """Trustoo delivers review data to it: an absolute https URL, and a sane length."""
    if len(value) > URL_MAX:
        checks.fail(
            path, f"{path[-1]} must be at most {URL_MAX} characters", "INVALID_LENGTH"
        )
    elif not _https(value):
        checks.fail(path, f"{path[-1]} must be an absolute https URL", "INVALID_URL")


def _email(checks: Checks, value: str, path: FieldPath) -> None:
    if not EMAIL.match(value):
        checks.fail(path, f"{path[-1]} is not an e-mail address", "INVALID_EMAIL")


def _id(checks: Checks, value: str, path: FieldPath) -> None:
    """A Trustoo id is a positive integer (sent as a number)."""
    if not (value.isascii() and value.isdigit() and 0 < int(value) < 2**63):
        checks.fail(path, f"{path[-1]} is not a Trustoo id", "INVALID_ID")


def _run(
    ctx: Context,
    operation: str,
    client_mutation_id: str | None,
    fingerprint: Hashable,
    checks: Checks,
    client: TrustooClient | None,
    write: Callable[[TrustooClient], Awaitable[T]],
) -> Awaitable[WriteResult[T]]:
    """``perform`` a Trustoo write: ``write(client)``'s value is the payload."""

    async def run() -> WriteResult[T]:
        assert client is not None  # checked: no write without a client
        return WriteResult(await write(client))

    fingerprint = (operation, fingerprint)
    return perform(
        ctx, TRUSTOO, operation, client_mutation_id, fingerprint, checks, run
    )


# --- webhooks ------------------------------------------------------------------


async def create_webhook(
    ctx: Context, *, topic: WebhookTopic, url: str, client_mutation_id: str | None
) -> WriteResult[Webhook]:
    """Subscribe ``url`` to ``topic`` (a duplicate is ALREADY_EXISTS)."""
    checks = Checks()
    if checks.require(url, ("url",)):
        _url(checks, url, ("url",))
    client = _client(ctx, checks)
    return await _run(
        ctx,
        "createWebhook",
        client_mutation_id,
        (topic, url),
        checks,
        client,
        lambda c: c.create_webhook(topic.value, url),
    )


async def update_webhook(
    ctx: Context,
    *,
    webhook_id: str,
    topic: WebhookTopic | None,
    url: str | None,
    client_mutation_id: str | None,
) -> WriteResult[Webhook]:
    """Change a webhook's topic, URL or both."""
    checks = Checks()
    if checks.require(webhook_id, ("id",)):
        _id(checks, webhook_id, ("id",))
    if topic is None and url is None:
        checks.errors.append(UserError("give topic, url or both", "NOTHING_TO_UPDATE"))
    if url is not None:
        _url(checks, url, ("url",))
    client = _client(ctx, checks)
    wire_topic = None if topic is None else topic.value
    return await _run(
        ctx,
        "updateWebhook",
        client_mutation_id,
        (webhook_id, topic, url),
        checks,
        client,
        lambda c: c.update_webhook(webhook_id, topic=wire_topic, url=url),
    )


async def delete_webhook(
    ctx: Context, *, webhook_id: str, client_mutation_id: str | None
) -> WriteResult[str]:
    """Delete a webhook; the payload is its id."""
    checks = Checks()
    if checks.require(webhook_id, ("id",)):
        _id(checks, webhook_id, ("id",))
    client = _client(ctx, checks)

    async def write(c: TrustooClient) -> str:
        await c.delete_webhook(webhook_id)
        return webhook_id

    return await _run(
        ctx, "deleteWebhook", client_mutation_id, webhook_id, checks, client, write
    )


async def webhooks(ctx: Context) -> list[Webhook]:
    """Every webhook subscription of the shop (not paged at Trustoo)."""
    client = _reader(ctx, "webhooks")

    async def load() -> object:
        return tuple(await client.webhooks())

    found = await ctx.services.cache.get_or_load(cache_key(TRUSTOO, "webhooks"), load)
    return list(cast("tuple[Webhook, ...]", found))


# --- customers and e-mails -------------------------------------------------------


async def exclude_customer(
    ctx: Context, *, email: str, client_mutation_id: str | None
) -> WriteResult[CustomerExclusion]:
    """Stop review-request e-mails to ``email`` (twice is ALREADY_EXISTS)."""
    checks = Checks()
    if checks.require(email, ("email",)):
        _email(checks, email, ("email",))
    client = _client(ctx, checks)
    return await _run(
        ctx,
        "excludeCustomer",
        client_mutation_id,
        email,
        checks,
        client,
        lambda c: c.create_customer_exclusion(email),
    )


async def remove_customer_exclusion(
    ctx: Context,
    *,
    customer_id: str | None,
    email: str | None,
    client_mutation_id: str | None,
) -> WriteResult[RemovedExclusion]:
    """Let review-request e-mails reach a customer again (by id XOR e-mail)."""
    checks = Checks()
    if customer_id is None and email is None:
        checks.fail(("customerId",), "give customerId or email", "REQUIRED")
    elif customer_id is not None and email is not None:
        checks.fail(
            ("email",), "give customerId or email, not both", "MUTUALLY_EXCLUSIVE"
        )
    elif customer_id is not None:
        _id(checks, customer_id, ("customerId",))
    elif email is not None:
        _email(checks, email, ("email",))
    client = _client(ctx, checks)

    async def write(c: TrustooClient) -> RemovedExclusion:
        await c.delete_customer_exclusion(customer_id=customer_id, email=email)
        return RemovedExclusion(customer_id, email)

    return await _run(
        ctx,
        "removeCustomerExclusion",
        client_mutation_id,
        (customer_id, email),
        checks,
        client,
        write,
    )


async def unsubscribe_email(
    ctx: Context,
    *,
    email: str,
    email_type: EmailType,
    client_mutation_id: str | None,
) -> WriteResult[Unsubscription]:
    """Unsubscribe ``email`` from one kind of Trustoo e-mail (idempotent)."""
    checks = Checks()
    if checks.require(email, ("email",)):
        _email(checks, email, ("email",))
    client = _client(ctx, checks)

    async def write(c: TrustooClient) -> Unsubscription:
        await c.email_unsubscribe(email, email_type)
        return Unsubscription(email, email_type)

    return await _run(
        ctx,
        "unsubscribeEmail",
        client_mutation_id,
        (email, email_type),
        checks,
        client,
        write,
    )


async def exclusions(
    ctx: Context, *, first: int, after: str | None, oldest_first: bool
) -> Connection[CustomerExclusion]:
    """One page of the customers excluded from review requests."""
    client = _reader(ctx, "customerExclusions")

    def fetch(position: str | None, size: int) -> Awaitable[Page[CustomerExclusion]]:
        return client.customer_exclusions(position, size, oldest_first=oldest_first)

    return await _connection(ctx, ("exclusions", oldest_first), fetch, first, after)


# --- media uploads ---------------------------------------------------------------


async def create_media_upload(
    ctx: Context,
    *,
    kind: MediaType,
    file_name: str | None,
    client_mutation_id: str | None,
) -> WriteResult[MediaUpload]:
    """Short-lived credentials to upload a review image or video to storage."""
    checks = Checks()
    if file_name is not None and kind is not MediaType.VIDEO:
        checks.fail(("fileName",), "fileName applies to VIDEO uploads only")
    elif file_name is not None and not VIDEO_NAME.match(file_name):
        checks.fail(
            ("fileName",),
            "fileName must be a video file name (mp4, mov, webm, m4v, avi), "
            "at most 200 characters before the extension",
        )
    client = _client(ctx, checks)

    async def write(c: TrustooClient) -> MediaUpload:
        if kind is MediaType.VIDEO:
            return MediaUpload(kind, await c.video_upload_url(file_name))
        return MediaUpload(kind, await c.image_upload_credentials())

    return await _run(
        ctx,
        "createMediaUpload",
        client_mutation_id,
        (kind, file_name),
        checks,
        client,
        write,
    )


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
    maximum = ctx.services.settings.max_page_size
    if not 0 <= first <= maximum:
        raise InvalidInput(f"`first` must be between 0 and {maximum}")
    if after is None:
        return StreamPosition(None, min(max(first, 1), UPSTREAM_PAGE_MAX), 0)
    state = cursors.decode(after, list_print).streams.get(TRUSTOO.value)
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
            cursor = cursors.encode(Cursor(list_print, {TRUSTOO.value: mark}))
            edges.append(Edge(cursor, page.items[index]))
        at = replace(at, consumed=stop)
        if len(edges) >= first or page.next is None:
            break
        at = StreamPosition(page.next, at.page_size, 0)
    more = at.consumed < len(page.items) or page.next is not None
    return Connection(tuple(edges), more, after is not None, total)
