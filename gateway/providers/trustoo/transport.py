"""Signed calls to Trustoo: sign, send through ``ProviderHttp``, unwrap the envelope.

Bodies are serialised here (compact JSON) and sent as those exact bytes, because
the signature covers them byte for byte (``auth.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Final, TypeVar

import aiohttp

from gateway.config import TrustooSettings
from gateway.http import ProviderHttp, ProviderResponse
from gateway.records import Page

from .auth import signed_headers
from .envelope import unwrap
from .listing import PagePosition
from .mapping import PROVIDER, to_list_page
from .review_input import compact_json

T = TypeVar("T")
Params = Mapping[str, str | int]
API: Final = "api/v1/openapi/"


class Transport:
    """One shop's signed HTTP to the Open API (paths under ``api/v1/openapi/``)."""

    def __init__(
        self,
        settings: TrustooSettings,
        session: aiohttp.ClientSession,
        now: Callable[[], datetime],
    ) -> None:
        self._settings = settings
        self._http = ProviderHttp(PROVIDER.value, session)
        self._now = now

    def __repr__(self) -> str:
        return f"Transport(base_url={self._settings.base_url!r})"

    async def send(
        self, method: str, name: str, params: Params | None, body: object
    ) -> ProviderResponse:
        """One signed request; the raw answer (HTTP errors already raised)."""
        query = {key: str(value) for key, value in (params or {}).items()}
        raw = b"" if body is None else compact_json(body)
        headers = signed_headers(
            self._settings.public_token,
            self._settings.private_token,
            query,
            str(int(self._now().timestamp())),  # fresh per request: 15-min window
            raw,
        )
        if raw:
            headers["Content-Type"] = "application/json"
        return await self._http.request(
            method, API + name, params=query or None, data=raw or None, headers=headers
        )

    async def get(self, name: str, params: Params | None = None) -> object:
        """GET ``name``; the envelope's ``data``."""
        response = await self.send("GET", name, params, None)
        return unwrap(response.body, response.status)

    async def post(self, name: str, body: object) -> object:
        """POST ``name`` with a JSON ``body``; the envelope's ``data``."""
        response = await self.send("POST", name, None, body)
        return unwrap(response.body, response.status)

    async def paged(
        self,
        name: str,
        params: Params,
        position: str | None,
        limit: int,
        mapper: Callable[[object], T],
    ) -> Page[T]:
        """One page of a plain list; ``next`` encodes the following page number."""
        at = PagePosition.decode(position, limit)
        query = {**params, "page": at.page, "page_size": at.page_size}
        listing = to_list_page(await self.get(name, query))
        following = PagePosition(at.page + 1, at.page_size)
        return Page(
            tuple(mapper(row) for row in listing.rows),
            None if listing.last else following.encode(),
            listing.count,
        )
