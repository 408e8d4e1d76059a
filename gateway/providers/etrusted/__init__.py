"""Trusted Shops eTrusted Reviews API client (api.etrusted.com, OAuth2 via Keycloak).

Sources: the seed (shared/seeds/002_...: the deprecated customer-reviews endpoints and
the review DTOs) and vendors.md section 4 (the non-deprecated ``/reviews`` family);
where both are silent, the simulator's documented choices. Layer: a provider module;
it imports only gateway.records, gateway.errors, gateway.http, gateway.tokens,
gateway.config, gateway.timestamps, aiohttp and the standard library -- never the
simulators, the sandbox, another provider or GraphQL.

Modules: ``wire`` (TypedDicts of the wire), ``fields`` (typed reads that raise
``ProviderPayloadError`` on drift), ``mapping`` (pure mappers to records; the mapping
decisions are in its docstring), ``query`` (what is pushed down, what is checked in
the client), ``auth`` (the client-credentials token request), ``transport`` (the
bearer header and the 401 replay), ``client`` (``EtrustedClient``).
"""

from .client import EtrustedClient
from .mapping import to_reply, to_report, to_review

__all__ = ["EtrustedClient", "to_reply", "to_report", "to_review"]
