"""Idempotency keys for writes: the same key and input never write twice.

A mutation's ``clientMutationId`` is the key, scoped by the mutation and the caller's
key digest (``Caller.key_digest``: two keys never share a namespace, whatever their
names).
The first request with a key runs the write; a repeat with the same input gets the
first result (also while the first is still running: it awaits it); a repeat with a
different input is refused, since it can only be a client bug. Results are kept for
``ttl_s`` (a day by default) in a bounded cache. Transport failures are not kept: the
write may not have happened, so the caller may try again with the same key.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Final, Generic, TypeVar

from cachetools import TTLCache

T = TypeVar("T")
DAY: Final = 24 * 3600.0


@dataclass(frozen=True, slots=True)
class KeyReused:
    """A key came back with a different input."""


class IdempotencyStore(Generic[T]):
    """Remembers each keyed write's input fingerprint and result."""

    def __init__(
        self,
        *,
        ttl_s: float = DAY,
        maxsize: int = 10_000,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._done: TTLCache[Hashable, tuple[Hashable, T]] = TTLCache(
            maxsize=maxsize, ttl=ttl_s, timer=timer
        )
        self._running: dict[Hashable, tuple[Hashable, asyncio.Future[T]]] = {}

    async def run(
        self,
        key: Hashable,
        fingerprint: Hashable,
        write: Callable[[], Awaitable[T]],
        keep: Callable[[T], bool] = lambda _: True,
    ) -> T | KeyReused:
        """The result of ``write()`` for ``key``, running it at most once.

        ``keep(result)`` says whether a result may be replayed (a refusal may; an
        outage, after which the platform's state is unknown, may not).
        """
        done = self._done.get(key)
        if done is not None:
            return done[1] if done[0] == fingerprint else KeyReused()
        running = self._running.get(key)
        if running is not None:
            if running[0] != fingerprint:
                return KeyReused()
            return await asyncio.shield(running[1])
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._running[key] = (fingerprint, future)
        try:
            result = await write()
        except BaseException as exc:
            if isinstance(exc, Exception):
                future.set_exception(exc)
                future.exception()
            else:
                future.cancel()
            raise
        finally:
            del self._running[key]
        if keep(result):
            self._done[key] = (fingerprint, result)
        future.set_result(result)
        return result
