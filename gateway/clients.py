"""The platform clients, each over its own pooled session with its resilience.

The app opens two sets: the live clients (per-request reads, writes) and the sync's
(``gateway.sync``), whose sessions add the sync budget as their innermost
middleware. Both sets share one ``Resilience`` per platform: one breaker, and one
limiter holding all the gateway's calls to a platform together under its documented
limits (the 5-minute or minute window, and Trustpilot's hourly one beside it).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AsyncExitStack
from typing import TypeVar

import aiohttp

from gateway.config import (
    CatalogEntry,
    EtrustedSettings,
    MayarSettings,
    ProviderSettings,
    Settings,
    TrustooSettings,
    TrustpilotSettings,
)
from gateway.http import open_session
from gateway.metrics import Metrics
from gateway.providers.etrusted import EtrustedClient
from gateway.providers.mayar import MayarClient
from gateway.providers.trustoo import TrustooClient
from gateway.providers.trustpilot import TrustpilotClient
from gateway.records import Provider
from gateway.resilience import CircuitBreaker, RateLimiter, Resilience, RetryPolicy

PlatformClient = TrustpilotClient | EtrustedClient | TrustooClient | MayarClient
C = TypeVar("C", TrustpilotClient, EtrustedClient, TrustooClient, MayarClient)


def configured(settings: Settings) -> dict[Provider, ProviderSettings]:
    """Each configured platform's settings, in the schema's enum order."""
    chosen: dict[Provider, ProviderSettings | None] = {
        p: getattr(settings, p.value) for p in Provider
    }
    return {p: options for p, options in chosen.items() if options is not None}


def resilience_for(
    provider: Provider, settings: ProviderSettings, metrics: Metrics
) -> Resilience:
    """The breaker, documented limits and retry policy of one platform."""
    limiter = None
    if settings.rate_limit_calls:
        limiter = RateLimiter(
            provider.value,
            settings.rate_limit_calls,
            settings.rate_limit_window_s,
            settings.rate_limit_max_wait_s,
        )
    hourly: tuple[RateLimiter, ...] = ()
    if settings.hourly_limit:
        hourly = (
            RateLimiter(
                provider.value,
                settings.hourly_limit,
                3600.0,
                settings.rate_limit_max_wait_s,
            ),
        )
    breaker = CircuitBreaker(
        provider.value,
        settings.breaker_failures,
        settings.breaker_reset_s,
        on_change=lambda name, state: metrics.on_breaker(name, state.value),
    )
    policy = RetryPolicy(
        settings.max_retries, settings.retry_base_s, settings.retry_cap_s
    )
    return Resilience(
        provider.value,
        breaker,
        limiter,
        policy,
        on_attempt=metrics.on_attempt,
        extra_limiters=hourly,
    )


async def open_clients(
    settings: Settings,
    stack: AsyncExitStack,
    resilience: Mapping[Provider, Resilience],
    innermost: Mapping[Provider, aiohttp.ClientMiddlewareType] | None = None,
) -> dict[Provider, PlatformClient]:
    """One client per configured platform; sessions close with ``stack``.

    ``innermost`` adds a middleware after the platform's resilience (the sync's
    budget), so that it sees every attempt a retry makes.
    """
    catalog = settings.catalog
    clients: dict[Provider, PlatformClient] = {}
    for provider, options in configured(settings).items():
        middlewares = list(resilience[provider].middlewares())
        if innermost and provider in innermost:
            middlewares.append(innermost[provider])
        http = await stack.enter_async_context(open_session(options, middlewares))
        clients[provider] = _client(options, http, catalog)
    return clients


def _client(
    options: ProviderSettings,
    http: aiohttp.ClientSession,
    catalog: tuple[CatalogEntry, ...],
) -> PlatformClient:
    if isinstance(options, TrustpilotSettings):
        return TrustpilotClient(options, http, catalog=catalog)
    if isinstance(options, EtrustedSettings):
        return EtrustedClient(options, http, catalog=catalog)
    if isinstance(options, TrustooSettings):
        return TrustooClient(options, http, catalog=catalog)
    if isinstance(options, MayarSettings):
        return MayarClient(options, http, catalog=catalog)
    raise TypeError(f"no client for {type(options).__name__}")


def client_of(
    clients: Mapping[Provider, PlatformClient], provider: Provider, kind: type[C]
) -> C | None:
    """``provider``'s client as its own type; ``None`` when it is not configured."""
    client = clients.get(provider)
    return client if isinstance(client, kind) else None
