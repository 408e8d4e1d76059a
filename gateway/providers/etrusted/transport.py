"""Authenticated calls to the eTrusted API: a bearer token on every request.

Every call carries a token from a ``gateway.tokens.TokenCache`` fed by
``auth.TokenEndpoint``; a 401 from the API drops that token, fetches one new token and
replays the call once (``with_reauth``; a second 401 is ``ProviderAuthError``). A 403
is not retried: the token is fine, the account may not do this. API errors come as
bare statuses (400/401/403/404), mapped by ``gateway.http``.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import aiohttp

from gateway.config import EtrustedSettings
from gateway.errors import ProviderNotFound
from gateway.http import Params, ProviderHttp, ProviderResponse
from gateway.tokens import TokenCache, with_reauth

from .auth import TokenEndpoint
from .fields import PROVIDER


def segment(value: str) -> str:
    """An id as one path segment (an id with ``/`` must not change the path)."""
    return quote(value, safe="")


class Transport:
    """The eTrusted API over one pooled session, authenticated."""

    def __init__(
        self,
        settings: EtrustedSettings,
        session: aiohttp.ClientSession,
        monotonic: Callable[[], float],
    ) -> None:
        self._http = ProviderHttp(PROVIDER, session)
        self._tokens = TokenCache(
            TokenEndpoint(settings, self._http, monotonic).fetch, monotonic
        )

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json_body: object = None,
    ) -> ProviderResponse:
        """One API call; one re-authentication and one replay after a 401."""
        return await with_reauth(
            self._tokens,
            lambda token: self._send(method, path, token, params, json_body),
        )

    async def get(self, path: str, params: Params | None = None) -> object:
        """The decoded body of a GET."""
        return (await self.call("GET", path, params=params)).body

    async def get_or_none(self, path: str, params: Params | None = None) -> object:
        """The body of a GET, or ``None`` when the API answers 404."""
        try:
            return await self.get(path, params)
        except ProviderNotFound:
            return None

    async def _send(
        self,
        method: str,
        path: str,
        token: str,
        params: Params | None,
        json_body: object,
    ) -> ProviderResponse:
        return await self._http.request(
            method,
            path,
            params=params,
            json_body=json_body,
            headers={"Authorization": f"Bearer {token}"},
        )
