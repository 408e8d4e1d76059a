"""The ASGI application: the composition root of the gateway.

``create_app(settings)`` wires everything. At start-up (the lifespan) it starts the
embedded sandbox when no platform is configured, opens one pooled session per platform
with its resilience middlewares (breaker, retries, rate limit), and builds the clients,
the result cache and the metrics. Per request it gives the request an id, a deadline
and a trace, authenticates the caller and builds a fresh context.

Routes: ``/graphql`` (GET, POST; GraphiQL for browsers), ``/healthz`` (no platform
call), ``/metrics`` (Prometheus), and with the embedded sandbox its control routes at
``/_sandbox/{catalog,requests,faults}`` (``gateway.sandbox_proxy``; 404 otherwise).
Run with ``reviews-gateway serve`` (JSON logs, as the Docker image does), or without
the gateway's logging with ``uvicorn --factory gateway.app:create_app``.
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import replace
from typing import Final, TypedDict

import aiohttp
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from gateway import trace
from gateway.cache import ResultCache
from gateway.config import (
    SANDBOX_SERVER_KEY,
    Mode,
    ProviderSettings,
    Settings,
    load_settings,
    with_default_mode,
)
from gateway.errors import MalformedRequest, Unauthenticated
from gateway.http import open_session
from gateway.logs import AccessLog
from gateway.metrics import CONTENT_TYPE, Metrics
from gateway.providers.etrusted import EtrustedClient
from gateway.providers.mayar import MayarClient
from gateway.providers.trustoo import TrustooClient
from gateway.providers.trustpilot import TrustpilotClient
from gateway.records import Provider
from gateway.resilience import CircuitBreaker, RateLimiter, Resilience, RetryPolicy
from gateway.sandbox import remote_sandbox_settings, sandbox_settings
from gateway.sandbox_proxy import METHODS as SANDBOX_METHODS
from gateway.sandbox_proxy import SandboxProxy
from resolvers.access import authenticate
from resolvers.catalog import Catalog
from resolvers.context import Clients, Services
from resolvers.sources import ReviewSource
from sandbox.server import run_simulators
from schema import build_schema
from schema.cost import CostLimits
from schema.limits import QueryLimits
from schema.view import GraphQLView, graphql_error_response

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER: Final = "X-Request-ID"
_REQUEST_ID: Final = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class State(TypedDict):
    """What the lifespan hands to every request."""

    services: Services
    sandbox: SandboxProxy | None
    """The embedded sandbox's control routes; ``None`` without an embedded sandbox."""


Announce = Callable[[str], None]
"""Told the embedded sandbox's URL once it listens (the CLI prints it)."""


async def _resolve_settings(
    settings: Settings, stack: AsyncExitStack, announce: Announce | None = None
) -> tuple[Settings, SandboxProxy | None]:
    """Point the providers at a sandbox when the settings ask for one.

    With the embedded sandbox, also the proxy to its control routes.
    """
    options = settings.gateway_options()
    if settings.sandbox_url:
        remote = await remote_sandbox_settings(settings.sandbox_url, **options)
        return remote, None
    if settings.mode is Mode.SANDBOX and not settings.configured_providers:
        running = await stack.enter_async_context(run_simulators())
        logger.info(
            "embedded sandbox started",
            extra={"url": running.base_url, "control": "/_sandbox/"},
        )
        if announce is not None:
            announce(running.base_url)
        session = await stack.enter_async_context(SandboxProxy.session())
        proxy = SandboxProxy(session, running.base_url)
        return sandbox_settings(running, **options), proxy
    return settings, None


def _resilience(
    provider: Provider, settings: ProviderSettings, metrics: Metrics
) -> Resilience:
    limiter = None
    if settings.rate_limit_calls:
        limiter = RateLimiter(
            provider.value,
            settings.rate_limit_calls,
            settings.rate_limit_window_s,
            settings.rate_limit_max_wait_s,
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
        provider.value, breaker, limiter, policy, on_attempt=metrics.on_attempt
    )


async def _clients(
    settings: Settings, stack: AsyncExitStack, metrics: Metrics
) -> tuple[Clients, dict[Provider, CircuitBreaker]]:
    """One client per configured platform, each over its own resilient session."""
    breakers: dict[Provider, CircuitBreaker] = {}

    async def session(
        provider: Provider, options: ProviderSettings
    ) -> aiohttp.ClientSession:
        resilience = _resilience(provider, options, metrics)
        breakers[provider] = resilience.breaker
        opened = open_session(options, resilience.middlewares())
        return await stack.enter_async_context(opened)

    catalog = settings.catalog
    clients = Clients()
    if settings.trustpilot:
        tp = settings.trustpilot
        http = await session(Provider.TRUSTPILOT, tp)
        clients = replace(
            clients, trustpilot=TrustpilotClient(tp, http, catalog=catalog)
        )
    if settings.etrusted:
        et = settings.etrusted
        http = await session(Provider.ETRUSTED, et)
        clients = replace(clients, etrusted=EtrustedClient(et, http, catalog=catalog))
    if settings.trustoo:
        to = settings.trustoo
        http = await session(Provider.TRUSTOO, to)
        clients = replace(clients, trustoo=TrustooClient(to, http, catalog=catalog))
    if settings.mayar:
        ma = settings.mayar
        http = await session(Provider.MAYAR, ma)
        clients = replace(clients, mayar=MayarClient(ma, http, catalog=catalog))
    return clients, breakers


async def _services(
    settings: Settings, stack: AsyncExitStack, metrics: Metrics
) -> Services:
    clients, breakers = await _clients(settings, stack, metrics)
    candidates: dict[Provider, ReviewSource | None] = {
        Provider.TRUSTPILOT: clients.trustpilot,
        Provider.ETRUSTED: clients.etrusted,
        Provider.TRUSTOO: clients.trustoo,
        Provider.MAYAR: clients.mayar,
    }
    cache: ResultCache[object] = ResultCache(
        ttl_s=settings.cache_ttl_s,
        maxsize=settings.cache_max_entries,
        stale_grace_s=settings.stale_grace_s,
    )
    metrics.watch_cache(
        lambda: {
            "hit": cache.stats.hits,
            "miss": cache.stats.misses,
            "coalesced": cache.stats.coalesced,
            "stale": cache.stats.stale,
        }
    )
    return Services(
        settings=settings,
        sources={p: c for p, c in candidates.items() if c is not None},
        cache=cache,
        catalog=Catalog.of(settings.catalog),
        clients=clients,
        breakers=breakers,
        metrics=metrics,
        conversations=clients.trustpilot,
        attributes=clients.trustpilot,
        shop_summaries={
            p: c
            for p, c in (
                (Provider.ETRUSTED, clients.etrusted),
                (Provider.TRUSTOO, clients.trustoo),
            )
            if c is not None
        },
    )


def _request_id(request: Request) -> str:
    """The caller's request id when it is a sane token, else a new one."""
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if _REQUEST_ID.match(given) else uuid.uuid4().hex


async def _sandbox_control(request: Request) -> Response:
    """``/_sandbox/<route>``: the embedded sandbox's control routes, else a 404."""
    proxy: SandboxProxy | None = request.state.sandbox
    if proxy is None:
        return JSONResponse(
            {"error": "/_sandbox/ is served only on the embedded sandbox"},
            status_code=404,
        )
    return await proxy.forward(request, request.path_params["route"])


def _view(settings: Settings, limits: QueryLimits) -> GraphQLView:
    cost = CostLimits(
        settings.max_cost, settings.max_skus, settings.max_representations
    )
    # In sandbox mode GraphiQL's first tab carries the sandbox key (all scopes).
    sandbox_key = {"Authorization": f"Bearer {SANDBOX_SERVER_KEY}"}
    return GraphQLView(
        build_schema(limits, cost),
        graphql_ide="graphiql" if settings.graphiql else None,
        ide_headers=sandbox_key if settings.mode is Mode.SANDBOX else None,
        max_body_bytes=settings.max_body_bytes,
        max_list_items=settings.max_list_items,
        max_response_bytes=settings.max_response_bytes,
    )


def create_app(
    settings: Settings | None = None, *, announce: Announce | None = None
) -> Starlette:
    """The gateway as an ASGI app; without ``settings`` they come from the environment.

    ``GATEWAY_CONFIG`` names a TOML file; with no platform configured at all the
    gateway runs on the embedded sandbox, whose URL is given to ``announce``.
    """
    if settings is None:
        settings = with_default_mode(
            load_settings(os.environ.get("GATEWAY_CONFIG"), os.environ)
        )
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[State]:
        async with AsyncExitStack() as stack:
            resolved, sandbox = await _resolve_settings(settings, stack, announce)
            services = await _services(resolved, stack, metrics)
            logger.info(
                "gateway ready",
                extra={"providers": [p.value for p in services.providers]},
            )
            yield {"services": services, "sandbox": sandbox}

    limits = QueryLimits(settings.max_depth, settings.max_aliases, settings.max_tokens)
    view = _view(settings, limits)

    async def graphql(request: Request) -> Response:
        services: Services = request.state.services
        request_id = _request_id(request)
        trace.begin(request_id, services.settings.request_deadline_s)
        try:
            request.state.caller = authenticate(
                request.headers.get("authorization"), services.settings
            )
        except Unauthenticated as error:
            response = graphql_error_response(request, error, status_code=401)
        except MalformedRequest as error:
            response = graphql_error_response(request, error, status_code=400)
        else:
            response = await view.handle(request)
        response.headers[REQUEST_ID_HEADER] = request_id
        metrics.requests.labels(str(response.status_code)).inc()
        return response

    async def healthz(request: Request) -> Response:
        services: Services = request.state.services
        return JSONResponse(
            {
                "status": "ok",
                "mode": services.settings.mode.value,
                "providers": [p.value for p in services.providers],
            }
        )

    async def metrics_endpoint(request: Request) -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    async def root(request: Request) -> Response:
        return RedirectResponse("/graphql")

    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
        Route(
            "/_sandbox/{route:path}", _sandbox_control, methods=list(SANDBOX_METHODS)
        ),
        Route("/", root, methods=["GET"]),
    ]
    middleware = [
        Middleware(AccessLog),
        Middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Reviews-Trace"],
            expose_headers=[REQUEST_ID_HEADER],
            max_age=600,
        ),
    ]
    return Starlette(routes=routes, lifespan=lifespan, middleware=middleware)
