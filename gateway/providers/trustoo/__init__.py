"""Trustoo: the Shopify review app's "Reviews Data API" (mid-2025 docs, seed 000).

Base ``https://rapi.trustoo.io``, paths ``/api/v1/openapi/<name>``, every request
HMAC-signed with the shop's private token, answers in the envelope ``{code,
message, time, request_id, data}``. Modules, one job each: ``wire`` (TypedDicts),
``mapping`` (pure mappers to records), ``auth`` (signing), ``envelope`` (codes to
errors), ``listing`` (review queries, positions, lane merging), ``review_input``
(create_review checks), ``enums`` (shop value lists), ``transport`` (signed
calls), ``client`` (``TrustooClient``).

May import only gateway.records, gateway.errors, gateway.http, gateway.config,
gateway.timestamps, aiohttp and the standard library: never a simulator, the
sandbox, another provider or GraphQL.
"""

from __future__ import annotations

from .client import TrustooClient
from .enums import WEBHOOK_TOPICS, EmailType, OrderState
from .review_input import SOURCES, ReviewDraft

__all__ = [
    "SOURCES",
    "WEBHOOK_TOPICS",
    "EmailType",
    "OrderState",
    "ReviewDraft",
    "TrustooClient",
]
