"""Trustoo shop administration: the vocabulary its writes and lists share.

Only Trustoo offers webhooks, customer exclusions, unsubscribes, media uploads,
review-request orders and customer events, so every use case talks to its client
(``ctx.services.clients.trustoo``). This module holds what both halves name: the
enums the schema registers and the small records the use cases return or take.
The mutations' use cases live in ``resolvers.shop_writes``, the reads and their
paging in ``resolvers.shop_lists``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

# EmailType and OrderState are re-exported: the schema registers them as enums.
from gateway.providers.trustoo import EmailType as EmailType
from gateway.providers.trustoo import OrderState as OrderState
from gateway.records import MediaType, Provider, UploadCredentials

TRUSTOO: Final = Provider.TRUSTOO


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
