"""Trustoo shop writes: webhooks, exclusions, unsubscribes and media uploads.

The mutations' use cases and their checks. Each runs in the ``perform`` frame
(write scope, checks before any call, idempotency, refusals as user errors, cache
forgotten); a gateway without a Trustoo client refuses with NOT_CONFIGURED. A
webhook or exclusion Trustoo does not have is NOT_FOUND at the input field that
names it (``webhookId`` or the deprecated ``id``; ``customerId`` or ``email``).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Hashable
from typing import Final, TypeVar
from urllib.parse import urlsplit

from gateway.providers.trustoo import TrustooClient
from gateway.records import CustomerExclusion, MediaType, Webhook
from resolvers.context import Context
from resolvers.shop import (
    TRUSTOO,
    EmailType,
    MediaUpload,
    RemovedExclusion,
    Unsubscription,
    WebhookTopic,
)
from resolvers.writes import (
    Checks,
    FieldPath,
    IdInput,
    UserError,
    WriteResult,
    perform,
)

T = TypeVar("T")
URL_MAX: Final = 2048
EMAIL: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
"""Stricter than ``writes.EMAIL``: Trustoo wants a top-level domain of letters."""
VIDEO_NAME: Final = re.compile(r"^[\w.\- ]{1,200}\.(mp4|mov|webm|m4v|avi)$", re.I)
"""A video file name Trustoo's presigned upload accepts (extension decides the type)."""


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


def _webhook_id(checks: Checks, webhook: IdInput) -> str:
    """The webhook's Trustoo id (``webhookId`` or the deprecated ``id``), checked."""
    value = checks.one_id(webhook)
    if value is not None and checks.require(value, webhook.path):
        _id(checks, value, webhook.path)
    return value or ""


def _run(
    ctx: Context,
    operation: str,
    client_mutation_id: str | None,
    fingerprint: Hashable,
    checks: Checks,
    client: TrustooClient | None,
    write: Callable[[TrustooClient], Awaitable[T]],
    subject: FieldPath | None = None,
) -> Awaitable[WriteResult[T]]:
    """``perform`` a Trustoo write: ``write(client)``'s value is the payload.

    ``subject`` is the input field naming the object written: where Trustoo's
    "entity not found" lands as NOT_FOUND.
    """

    async def run() -> WriteResult[T]:
        assert client is not None  # checked: no write without a client
        return WriteResult(await write(client))

    fingerprint = (operation, fingerprint)
    return perform(
        ctx,
        TRUSTOO,
        operation,
        client_mutation_id,
        fingerprint,
        checks,
        run,
        subject=subject,
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
    webhook: IdInput,
    topic: WebhookTopic | None,
    url: str | None,
    client_mutation_id: str | None,
) -> WriteResult[Webhook]:
    """Change a webhook's topic, URL or both."""
    checks = Checks()
    webhook_id = _webhook_id(checks, webhook)
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
        webhook.path,
    )


async def delete_webhook(
    ctx: Context, *, webhook: IdInput, client_mutation_id: str | None
) -> WriteResult[str]:
    """Delete a webhook; the payload is its id."""
    checks = Checks()
    webhook_id = _webhook_id(checks, webhook)
    client = _client(ctx, checks)

    async def write(c: TrustooClient) -> str:
        await c.delete_webhook(webhook_id)
        return webhook_id

    return await _run(
        ctx,
        "deleteWebhook",
        client_mutation_id,
        webhook_id,
        checks,
        client,
        write,
        webhook.path,
    )


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
        ("customerId",) if customer_id is not None else ("email",),
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
