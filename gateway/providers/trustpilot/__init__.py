"""Trustpilot: Product Reviews API and Conversations API (v1), with business-user OAuth.

The gateway's client for https://api.trustpilot.com/v1 (docs:
shared/seeds/001_b2dedfb9f00f460c.txt, shared/vendors.md section 3). Modules by job:
``wire`` (the JSON shapes), ``fields`` and ``mapping`` (pure mappers to
gateway.records, raising ``ProviderPayloadError`` on drift), ``listing`` (list
positions and client-side filters), ``auth`` (business-user token grants, held
by ``gateway.tokens``), ``transport`` (headers, the 401 replay), the client's parts
``reviews``, ``summaries`` and ``conversations``, and ``client``
(``TrustpilotClient``, which joins them).

Imports only gateway.records, gateway.errors, gateway.http, gateway.tokens,
gateway.config, gateway.timestamps, aiohttp and the standard library: never
sandbox, gateway.sandbox, another provider or GraphQL.
"""

from .client import TrustpilotClient

__all__ = ["TrustpilotClient"]
