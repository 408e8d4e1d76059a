"""The Trustpilot client's transport: auth headers, 401 replay, shared helpers.

``TrustpilotTransport`` is the base of the client's parts (``reviews``, ``summaries``,
``conversations``): API-key calls send the ``apikey`` header; private ones
``Authorization: Bearer`` (a ``gateway.tokens.TokenCache`` fed by
``auth.TokenEndpoint``) plus ``apikey``. A 401 on a private call drops the token,
re-authenticates once and replays once (``with_reauth``); a second 401 is
``ProviderAuthError``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Final, TypeVar
from urllib.parse import quote

import aiohttp

from gateway.config import CatalogEntry, TrustpilotSettings
from gateway.errors import ProviderError, ProviderNotFound
from gateway.http import Params, ProviderHttp
from gateway.records import (
    Provider,
)
from gateway.tokens import TokenCache, with_reauth

from .auth import TokenEndpoint

T = TypeVar("T")

MAX_PER_PAGE: Final = 100
"""Review lists: ``perPage`` 1..100 (docs)."""
MAX_SUMMARIES_PER_PAGE: Final = 1000
"""Private summaries list: ``perPage`` 1..1000 (docs)."""
MAX_BATCH_SKUS: Final = 100
"""SKUs per batch-summaries / attribute-summaries body (simulator's documented max)."""
MAX_PAGES_PER_CALL: Final = 5
"""Platform pages one ``list_reviews`` call may read while filtering in the client."""
MAX_IMPORTED_PAGES: Final = 20
"""Pages of imported reviews scanned to find one again by its synthetic id."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def seg(value: str) -> str:
    """One path segment, escaped (ids come from callers)."""
    return quote(value, safe="")


def in_chunks(values: Sequence[str], size: int) -> list[Sequence[str]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


async def settled(awaitables: Iterable[Awaitable[T]]) -> list[T | ProviderError]:
    """Run concurrently; a ``ProviderError`` takes its slot, anything else raises."""
    results = await asyncio.gather(*awaitables, return_exceptions=True)
    out: list[T | ProviderError] = []
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, ProviderError):
            raise result
        out.append(result)
    return out


async def none_if_missing(call: Awaitable[T]) -> T | None:
    try:
        return await call
    except ProviderNotFound:
        return None


class TrustpilotTransport:
    """Sends Trustpilot calls for one business unit (base of ``TrustpilotClient``)."""

    def __init__(
        self,
        settings: TrustpilotSettings,
        session: aiohttp.ClientSession,
        *,
        catalog: Sequence[CatalogEntry] = (),
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self._settings = settings
        self._http = ProviderHttp(Provider.TRUSTPILOT, session)
        self._catalog: Mapping[str, CatalogEntry] = {e.sku: e for e in catalog}
        self._tokens = TokenCache(
            TokenEndpoint(settings, self._http, monotonic).fetch, monotonic
        )
        # Part of the common client contract; nothing here depends on wall time yet.
        self._now = now
        bu = seg(settings.business_unit_id)
        self._bu = f"v1/product-reviews/business-units/{bu}"
        self._private_bu = f"v1/private/product-reviews/business-units/{bu}"

    def __repr__(self) -> str:
        return f"TrustpilotClient(business_unit_id={self._settings.business_unit_id!r})"

    # --- transport -------------------------------------------------------------

    async def _public(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json_body: object = None,
        read_only: bool = False,
    ) -> object:
        headers = {"apikey": self._settings.api_key.reveal()}
        response = await self._http.request(
            method,
            path,
            params=params,
            json_body=json_body,
            headers=headers,
            read_only=read_only,
        )
        return response.body

    async def _private(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json_body: object = None,
    ) -> object:
        """A business-user call: one re-authentication and replay on a 401."""
        return await with_reauth(
            self._tokens,
            lambda token: self._bearer(method, path, token, params, json_body),
        )

    async def _bearer(
        self,
        method: str,
        path: str,
        token: str,
        params: Params | None,
        json_body: object,
    ) -> object:
        headers = {
            "apikey": self._settings.api_key.reveal(),
            "Authorization": f"Bearer {token}",
        }
        response = await self._http.request(
            method, path, params=params, json_body=json_body, headers=headers
        )
        return response.body

    def _listed(self, skus: Iterable[str]) -> list[str]:
        """The distinct SKUs worth asking for, in order.

        Trustpilot keys products by SKU, so the catalog is the only list of what the
        business unit sells: with a catalog, SKUs outside it cost no call; without
        one, every SKU is asked for.
        """
        unique = dict.fromkeys(skus)
        return [s for s in unique if s and (not self._catalog or s in self._catalog)]
