"""OAuth access tokens for provider clients: one held token, one renewal, one replay.

Layer: beside ``gateway.http`` and ``gateway.cache``, below the providers; imports only
``gateway.errors`` and the standard library. What differs between platforms (which
grant to ask for, spending a refresh token, the renewal margin, reading the token
endpoint's answer) stays in each provider's ``auth`` module and comes in as ``fetch``.

The contract:

- ``TokenCache.get()`` answers the held token while the injected monotonic clock reads
  before its ``fresh_until``; otherwise it awaits ``fetch(previous)``, where
  ``previous`` is the held token (stale, with its refresh token) or ``None``, and
  holds the new one.
- Single flight: callers arriving while a fetch is in flight await that same fetch.
  A failed fetch raises its error to every caller that waited on it and is not held
  (the previous token stays as it was), so the next caller after it fetches again. A
  waiter's cancellation does not cancel the fetch for the others; the fetch still
  completes and its token is held.
- ``invalidate(access)`` forgets the held token only if it is still ``access``: callers
  refused with the same token share one re-authentication, and a newer token is kept.
- ``with_reauth(tokens, send)`` calls ``send(token)``. On ``ProviderAuthError`` with
  ``http_status`` 401 it invalidates that token, gets a fresh one and replays once; a
  second 401 raises. Any other error, 403 included (the token is fine, the account may
  not do this), raises at once.
- No token value appears in a ``repr``; this module logs nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from gateway.errors import ProviderAuthError

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Token:
    """An access token, when (monotonic) to stop using it, and its refresh token."""

    access: str = field(repr=False)
    fresh_until: float
    refresh: str | None = field(default=None, repr=False)


Fetch = Callable[[Token | None], Awaitable[Token]]
"""Asks the platform for a new token, given the one held before (or ``None``)."""


class TokenCache:
    """One credential's access token: held while fresh, renewed by a single fetch."""

    def __init__(self, fetch: Fetch, monotonic: Callable[[], float]) -> None:
        self._fetch = fetch
        self._monotonic = monotonic
        self._token: Token | None = None
        self._pending: asyncio.Task[Token] | None = None

    def __repr__(self) -> str:
        held = self._token is not None
        return f"TokenCache(held={held}, fetching={self._pending is not None})"

    async def get(self) -> str:
        """A usable access token: the held one, or one fetched for all waiters."""
        token = self._token
        if token is not None and self._monotonic() < token.fresh_until:
            return token.access
        if self._pending is None:
            # A task, not a coroutine run by the first caller: it outlives any one
            # waiter, so cancelling that caller does not fail the others.
            self._pending = asyncio.create_task(self._renew())
            self._pending.add_done_callback(_mark_retrieved)
        # shield: one waiter's cancellation must not cancel the others' request.
        return (await asyncio.shield(self._pending)).access

    def invalidate(self, access: str) -> None:
        """Forget ``access`` (the platform refused it), unless a newer token is held."""
        if self._token is not None and self._token.access == access:
            self._token = None

    async def _renew(self) -> Token:
        try:
            token = await self._fetch(self._token)
        finally:
            self._pending = None
        self._token = token
        return token


def _mark_retrieved(task: asyncio.Task[Token]) -> None:
    # If every waiter was cancelled, nobody reads a failure; asyncio would log it.
    if not task.cancelled():
        task.exception()


async def with_reauth(tokens: TokenCache, send: Callable[[str], Awaitable[T]]) -> T:
    """``send(token)``; after a 401, one re-authentication and one replay.

    The token was refused (expired early, revoked): it is invalidated and ``send`` is
    replayed once with a fresh one. A second 401 is ours (bad configuration) and
    raises, as does a 403 at once: a new token would not change the answer.
    """
    token = await tokens.get()
    try:
        return await send(token)
    except ProviderAuthError as exc:
        if exc.http_status != 401:
            raise
    tokens.invalidate(token)
    return await send(await tokens.get())
