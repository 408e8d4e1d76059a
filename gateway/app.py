"""The ASGI application: the composition root of the gateway.

``create_app(settings)`` wires everything: at start-up (the lifespan) it starts the
embedded sandbox when no platform is configured, opens one pooled session per
platform, builds the clients and the result cache; per request it authenticates the
caller and builds a fresh context. ``GET /graphql`` without a query serves GraphiQL;
``GET /healthz`` answers without calling any platform. Run it with
``reviews-gateway serve`` or ``uvicorn --factory gateway.app:create_app``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import replace
from typing import Any, TypedDict

import aiohttp
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from gateway.cache import ResultCache
from gateway.config import Mode, ProviderSettings, Settings, load_settings
from gateway.errors import Unauthenticated
from gateway.http import open_session
from gateway.providers.etrusted import EtrustedClient
from gateway.providers.mayar import MayarClient
from gateway.providers.trustoo import TrustooClient
from gateway.providers.trustpilot import TrustpilotClient
from gateway.records import Provider
from gateway.sandbox import remote_sandbox_settings, run_simulators, sandbox_settings
from resolvers.access import authenticate
from resolvers.catalog import Catalog
from resolvers.context import Clients, Services
from resolvers.sources import ReviewSource
from schema import build_schema
from schema.limits import QueryLimits
from schema.view import GraphQLView, graphql_error_response

logger = logging.getLogger(__name__)


class State(TypedDict):
    """What the lifespan hands to every request."""

    services: Services


def _top_level(settings: Settings) -> dict[str, Any]:
    """The gateway-wide settings to keep when the sandbox supplies the providers."""
    keep = ("graphiql", "cache_ttl_s", "cache_max_entries", "max_page_size", "api_keys")
    return {name: getattr(settings, name) for name in keep}


async def _resolve_settings(settings: Settings, stack: AsyncExitStack) -> Settings:
    """Point the providers at a sandbox when the settings ask for one."""
    if settings.sandbox_url:
        return await remote_sandbox_settings(
            settings.sandbox_url, **_top_level(settings)
        )
    if settings.mode is Mode.SANDBOX and not settings.configured_providers:
        running = await stack.enter_async_context(run_simulators())
        logger.info("embedded sandbox started", extra={"url": running.base_url})
        return sandbox_settings(running, **_top_level(settings))
    return settings


async def _clients(settings: Settings, stack: AsyncExitStack) -> Clients:
    """One client per configured platform, each over its own pooled session."""

    async def session(provider: ProviderSettings) -> aiohttp.ClientSession:
        return await stack.enter_async_context(open_session(provider))

    catalog = settings.catalog
    clients = Clients()
    if settings.trustpilot:
        client = TrustpilotClient(
            settings.trustpilot, await session(settings.trustpilot), catalog=catalog
        )
        clients = replace(clients, trustpilot=client)
    if settings.etrusted:
        et = EtrustedClient(
            settings.etrusted, await session(settings.etrusted), catalog=catalog
        )
        clients = replace(clients, etrusted=et)
    if settings.trustoo:
        to = TrustooClient(
            settings.trustoo, await session(settings.trustoo), catalog=catalog
        )
        clients = replace(clients, trustoo=to)
    if settings.mayar:
        ma = MayarClient(settings.mayar, await session(settings.mayar), catalog=catalog)
        clients = replace(clients, mayar=ma)
    return clients


async def _services(settings: Settings, stack: AsyncExitStack) -> Services:
    clients = await _clients(settings, stack)
    candidates: dict[Provider, ReviewSource | None] = {
        Provider.TRUSTPILOT: clients.trustpilot,
        Provider.ETRUSTED: clients.etrusted,
        Provider.TRUSTOO: clients.trustoo,
        Provider.MAYAR: clients.mayar,
    }
    return Services(
        settings=settings,
        sources={p: c for p, c in candidates.items() if c is not None},
        cache=ResultCache(
            ttl_s=settings.cache_ttl_s, maxsize=settings.cache_max_entries
        ),
        catalog=Catalog.of(settings.catalog),
        clients=clients,
        conversations=clients.trustpilot,
        attributes=clients.trustpilot,
    )


def create_app(settings: Settings | None = None) -> Starlette:
    """The gateway as an ASGI app; without ``settings`` they come from the environment.

    ``GATEWAY_CONFIG`` names a TOML file; with no platform configured at all the
    gateway runs on the embedded sandbox.
    """
    if settings is None:
        settings = load_settings(os.environ.get("GATEWAY_CONFIG"), os.environ)
        if not settings.configured_providers and not settings.sandbox_url:
            settings = replace(settings, mode=Mode.SANDBOX)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[State]:
        async with AsyncExitStack() as stack:
            resolved = await _resolve_settings(settings, stack)
            services = await _services(resolved, stack)
            logger.info(
                "gateway ready",
                extra={"providers": [p.value for p in services.providers]},
            )
            yield {"services": services}

    limits = QueryLimits(settings.max_depth, settings.max_aliases, settings.max_tokens)
    view = GraphQLView(
        build_schema(limits), graphql_ide="graphiql" if settings.graphiql else None
    )

    async def graphql(request: Request) -> Response:
        services: Services = request.state.services
        try:
            request.state.caller = authenticate(
                request.headers.get("authorization"), services.settings
            )
        except Unauthenticated as error:
            return graphql_error_response(request, error, status_code=401)
        return await view.handle(request)

    async def healthz(request: Request) -> Response:
        services: Services = request.state.services
        return JSONResponse(
            {
                "status": "ok",
                "mode": services.settings.mode.value,
                "providers": [p.value for p in services.providers],
            }
        )

    async def root(request: Request) -> Response:
        return RedirectResponse("/graphql")

    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/", root, methods=["GET"]),
    ]
    middleware = [
        Middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Reviews-Trace"],
            max_age=600,
        )
    ]
    return Starlette(routes=routes, lifespan=lifespan, middleware=middleware)
