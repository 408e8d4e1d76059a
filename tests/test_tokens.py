import asyncio
from dataclasses import dataclass, field

import pytest

from gateway.errors import ProviderAuthError, ProviderUnavailable
from gateway.tokens import Token, TokenCache, with_reauth

LIFETIME_S = 100.0


@dataclass
class Clock:
    now: float = 1_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class TokenHost:
    """A scripted token endpoint: issues tok-1, tok-2, ... or raises ``fail``."""

    clock: Clock
    gate: asyncio.Event | None = None
    fail: Exception | None = None
    previous: list[Token | None] = field(default_factory=list)

    async def fetch(self, previous: Token | None) -> Token:
        self.previous.append(previous)
        if self.gate is not None:
            await self.gate.wait()
        if self.fail is not None:
            raise self.fail
        n = len(self.previous)
        return Token(f"tok-{n}", self.clock.now + LIFETIME_S, refresh=f"ref-{n}")

    @property
    def calls(self) -> int:
        return len(self.previous)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def host(clock: Clock) -> TokenHost:
    return TokenHost(clock)


@pytest.fixture
def tokens(host: TokenHost, clock: Clock) -> TokenCache:
    return TokenCache(host.fetch, clock)


def refused(status: int) -> ProviderAuthError:
    return ProviderAuthError("test", "refused", http_status=status)


@dataclass
class Api:
    """A platform API: answers with the token it was sent, or raises per script."""

    script: list[Exception | None]
    sent: list[str] = field(default_factory=list)

    async def send(self, token: str) -> str:
        self.sent.append(token)
        outcome = self.script.pop(0) if self.script else None
        if outcome is not None:
            raise outcome
        return f"ok with {token}"


# --- TokenCache ---------------------------------------------------------------------


async def test_concurrent_callers_share_one_fetch(
    host: TokenHost, tokens: TokenCache
) -> None:
    host.gate = asyncio.Event()
    waiters = [asyncio.create_task(tokens.get()) for _ in range(10)]
    await asyncio.sleep(0)
    host.gate.set()
    assert await asyncio.gather(*waiters) == ["tok-1"] * 10
    assert host.calls == 1


async def test_token_is_held_until_fresh_until_on_the_injected_clock(
    host: TokenHost, tokens: TokenCache, clock: Clock
) -> None:
    assert await tokens.get() == "tok-1"
    clock.now += LIFETIME_S - 0.001
    assert await tokens.get() == "tok-1"
    assert host.calls == 1
    clock.now += 0.001  # fresh_until itself is too late
    assert await tokens.get() == "tok-2"
    assert host.calls == 2


async def test_fetch_is_given_the_previous_token_to_refresh_it(
    host: TokenHost, tokens: TokenCache, clock: Clock
) -> None:
    await tokens.get()
    clock.now += LIFETIME_S
    await tokens.get()
    first, second = host.previous
    assert first is None
    assert second is not None
    assert (second.access, second.refresh) == ("tok-1", "ref-1")


async def test_a_failed_fetch_is_shared_by_its_waiters_and_not_held(
    host: TokenHost, tokens: TokenCache
) -> None:
    host.gate = asyncio.Event()
    host.fail = ProviderUnavailable("test", "token host down", http_status=503)
    waiters = [asyncio.create_task(tokens.get()) for _ in range(4)]
    await asyncio.sleep(0)
    host.gate.set()
    results = await asyncio.gather(*waiters, return_exceptions=True)
    assert all(r is host.fail for r in results)
    assert host.calls == 1
    host.fail = None
    assert await tokens.get() == "tok-2"  # the next caller fetches again
    assert host.calls == 2


async def test_a_failed_renewal_keeps_the_previous_token_for_the_next_fetch(
    host: TokenHost, tokens: TokenCache, clock: Clock
) -> None:
    await tokens.get()
    clock.now += LIFETIME_S
    host.fail = ProviderUnavailable("test", "token host down")
    with pytest.raises(ProviderUnavailable):
        await tokens.get()
    host.fail = None
    await tokens.get()
    assert [p.access if p else None for p in host.previous] == [None, "tok-1", "tok-1"]


async def test_a_cancelled_waiter_does_not_cancel_the_fetch_for_the_others(
    host: TokenHost, tokens: TokenCache
) -> None:
    host.gate = asyncio.Event()
    first = asyncio.create_task(tokens.get())
    second = asyncio.create_task(tokens.get())
    await asyncio.sleep(0)
    first.cancel()
    await asyncio.sleep(0)
    host.gate.set()
    assert await second == "tok-1"
    assert first.cancelled()
    assert host.calls == 1


async def test_invalidate_forgets_only_the_token_it_names(
    host: TokenHost, tokens: TokenCache
) -> None:
    await tokens.get()
    tokens.invalidate("some-older-token")
    assert await tokens.get() == "tok-1"
    tokens.invalidate("tok-1")
    assert await tokens.get() == "tok-2"
    assert host.previous[-1] is None  # a refused token's refresh token is dropped too


async def test_repr_holds_no_token(tokens: TokenCache) -> None:
    await tokens.get()
    assert "tok-1" not in repr(tokens)
    assert "ref-1" not in repr(tokens)
    token = Token("secret-access", 1.0, refresh="secret-refresh")
    assert "secret" not in repr(token)


# --- with_reauth --------------------------------------------------------------------


async def test_a_401_invalidates_refetches_and_replays_once(
    host: TokenHost, tokens: TokenCache
) -> None:
    api = Api([refused(401)])
    assert await with_reauth(tokens, api.send) == "ok with tok-2"
    assert api.sent == ["tok-1", "tok-2"]
    assert host.calls == 2


async def test_a_second_401_raises(host: TokenHost, tokens: TokenCache) -> None:
    api = Api([refused(401), refused(401)])
    with pytest.raises(ProviderAuthError) as caught:
        await with_reauth(tokens, api.send)
    assert caught.value.http_status == 401
    assert api.sent == ["tok-1", "tok-2"]
    assert host.calls == 2


async def test_a_403_is_not_replayed(host: TokenHost, tokens: TokenCache) -> None:
    api = Api([refused(403)])
    with pytest.raises(ProviderAuthError) as caught:
        await with_reauth(tokens, api.send)
    assert caught.value.http_status == 403
    assert api.sent == ["tok-1"]
    assert host.calls == 1
    assert await tokens.get() == "tok-1"  # the token was not dropped


async def test_other_errors_are_not_replayed(
    host: TokenHost, tokens: TokenCache
) -> None:
    api = Api([ProviderUnavailable("test", "down", http_status=503)])
    with pytest.raises(ProviderUnavailable):
        await with_reauth(tokens, api.send)
    assert api.sent == ["tok-1"]
    assert host.calls == 1


async def test_concurrent_401s_share_one_reauthentication(
    host: TokenHost, tokens: TokenCache
) -> None:
    await tokens.get()
    sent: list[str] = []

    async def revoked_first_token(token: str) -> str:
        sent.append(token)
        await asyncio.sleep(0)  # every caller is in flight with tok-1 before a 401
        if token == "tok-1":
            raise refused(401)
        return f"ok with {token}"

    calls = (with_reauth(tokens, revoked_first_token) for _ in range(4))
    assert await asyncio.gather(*calls) == ["ok with tok-2"] * 4
    assert host.calls == 2
    assert sent == ["tok-1"] * 4 + ["tok-2"] * 4
