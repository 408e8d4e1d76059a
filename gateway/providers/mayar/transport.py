"""Mayar's transport: the Bearer key, one checked call, one list page, concurrency.

Every request goes through ``gateway.http.ProviderHttp`` with ``Authorization:
Bearer <api key>`` (the key is revealed only into that header). HTTP errors that
``gateway.http`` raises are refined into Mayar's documented refusals
(``envelope.refine``); a 2xx answer's envelope is checked by ``envelope.unwrap``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable, Mapping
from typing import Final, TypeVar
from urllib.parse import quote

import aiohttp

from gateway.config import CatalogEntry, Secret
from gateway.errors import (
    ProviderBadRequest,
    ProviderError,
    ProviderNotFound,
    ProviderPayloadError,
)
from gateway.http import ProviderHttp
from gateway.records import Review

from .envelope import PRODUCT_NOT_FOUND, Refusal, refine, unwrap
from .mapping import PROVIDER, to_review

T = TypeVar("T")
Params = Mapping[str, str | int]

REVIEWS_PATH: Final = "hl/v2/reviews"
MERCHANT_STATS_PATH: Final = "hl/v2/merchants/reviews/stats"
CREATE_PATH: Final = "hl/v2/reviews/create"
BULK_STATUS_PATH: Final = "hl/v2/reviews/bulk-status/update"


def product_path(payment_link_id: str, tail: str = "") -> str:
    """``hl/v2/products/{id}/reviews`` + ``tail`` (``/stats``, ``/customer``)."""
    return f"hl/v2/products/{quote(payment_link_id, safe='')}/reviews{tail}"


def update_path(review_id: str) -> str:
    return f"hl/v2/reviews/{quote(review_id, safe='')}/update"


async def gather_all(awaitables: Iterable[Awaitable[T]]) -> list[T]:
    """Await concurrently; on a failure cancel the rest, wait for them, re-raise."""
    tasks = [asyncio.ensure_future(a) for a in awaitables]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        # No call outlives its caller: nothing runs on after a failure.
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


async def settle(awaitable: Awaitable[T]) -> T | ProviderError:
    """The result, or the ``ProviderError`` as a value (one key's failure)."""
    try:
        return await awaitable
    except ProviderError as exc:
        return exc


class MayarApi:
    """Authenticated, envelope-checked calls to one Mayar merchant account."""

    def __init__(
        self,
        api_key: Secret,
        session: aiohttp.ClientSession,
        catalog: Mapping[str, CatalogEntry],
    ) -> None:
        self._api_key = api_key
        self._http = ProviderHttp(PROVIDER.value, session)
        self._catalog = catalog

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        body: object = None,
        refusals: Mapping[int, Refusal] | None = None,
    ) -> Mapping[str, object]:
        """One call: the checked envelope, or the ``ProviderError`` it stands for.

        ``refusals`` names the refusal each HTTP error status stands for on this
        endpoint (``gateway.http`` does not hand the error body on).
        """
        headers = {"Authorization": f"Bearer {self._api_key.reveal()}"}
        try:
            response = await self._http.request(
                method, path, params=params, json_body=body, headers=headers
            )
        except (ProviderBadRequest, ProviderNotFound) as exc:
            refined = refine(exc, refusals or {})
            if refined is exc:
                raise
            raise refined from exc
        return unwrap(response.body)

    async def page(
        self, path: str, params: Params, after: str | None, limit: int
    ) -> tuple[list[Review], bool]:
        """One page of a list endpoint: its reviews and whether more follow."""
        query: dict[str, str | int] = {**params, "limit": limit}
        if after is not None:
            query["startingAfter"] = after
        envelope = await self.call(
            "GET", path, params=query, refusals={404: PRODUCT_NOT_FOUND}
        )
        data, has_more = envelope.get("data"), envelope.get("hasMore")
        if not isinstance(data, list) or not isinstance(has_more, bool):
            raise ProviderPayloadError(
                PROVIDER.value, "unexpected payload: a list without data or hasMore"
            )
        reviews = [to_review(item, self._catalog) for item in data]
        # A promised page that came back empty ends the walk instead of looping.
        return reviews, has_more and bool(reviews)
