"""What every Trustpilot handler reaches through the app: store, settings, tokens."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aiohttp import web

from sandbox.catalog import TrustpilotCredentials
from sandbox.control import Clock

from .settings import TrustpilotSettings
from .store import TrustpilotStore

_TOKEN_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """An access or refresh token and when it lapses."""

    value: str
    issued_at: datetime
    expires_at: datetime


@dataclass(slots=True)
class TokenRegistry:
    """Issued tokens; values come from a seeded generator (a sandbox needs no more)."""

    seed: int
    access: dict[str, IssuedToken] = field(default_factory=dict)
    refresh: dict[str, IssuedToken] = field(default_factory=dict)
    issued: int = 0

    def _value(self) -> str:
        self.issued += 1
        rng = random.Random(f"{self.seed}:trustpilot:token:{self.issued}")
        return "".join(rng.choice(_TOKEN_ALPHABET) for _ in range(28))

    def issue(
        self, now: datetime, ttl_s: int, *, refresh_ttl_s: int | None = None
    ) -> tuple[IssuedToken, IssuedToken | None]:
        """A new access token and, when ``refresh_ttl_s`` is given, a refresh token."""
        access = IssuedToken(self._value(), now, now + timedelta(seconds=ttl_s))
        self.access[access.value] = access
        if refresh_ttl_s is None:
            return access, None
        refresh = IssuedToken(
            self._value(), now, now + timedelta(seconds=refresh_ttl_s)
        )
        self.refresh[refresh.value] = refresh
        return access, refresh


@dataclass(frozen=True, slots=True)
class TrustpilotContext:
    """The state one simulator instance serves from."""

    store: TrustpilotStore
    settings: TrustpilotSettings
    credentials: TrustpilotCredentials
    clock: Clock
    tokens: TokenRegistry


CONTEXT = web.AppKey("trustpilot", TrustpilotContext)


def context(request: web.Request) -> TrustpilotContext:
    return request.app[CONTEXT]
