"""The ASGI application: the composition root of the gateway.

``create_app(settings)`` wires everything. At start-up (the lifespan) it starts the
embedded sandbox when no platform is configured, builds the platform clients over
pooled sessions with their resilience (``gateway.clients``), the result cache and the
metrics, and opens the review index: the store (``gateway.store``) and the sync
(``gateway.sync``), which claims, backfills and follows each indexed platform in the
background and registers Trustoo's webhooks when ``sync.public_url`` is set. Per
request it gives the request an id, a deadline and a trace, authenticates the caller
and builds a fresh context.

Routes: ``/graphql`` (GET, POST; GraphiQL for browsers), ``/healthz`` (no platform
call), ``/metrics`` (Prometheus), ``/webhooks/trustoo`` (POST: Trustoo's signed review
webhooks, applied to the index), and with the embedded sandbox its control routes at
``/_sandbox/{catalog,requests,faults,activity,reviews,webhooks}``
(``gateway.sandbox_proxy``; 404 otherwise).
Run with ``reviews-gateway serve`` (JSON logs, as the Docker image does), or without
the gateway's logging with ``uvicorn --factory gateway.app:create_app``.
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Final, TypedDict

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from gateway import trace
from gateway.bodies import BodyRefused, bounded_body
from gateway.cache import ResultCache
from gateway.clients import client_of, configured, open_clients, resilience_for
from gateway.config import (
    SANDBOX_SERVER_KEY,
    Mode,
    Settings,
    load_settings,
    with_default_mode,
)
from gateway.errors import GatewayError, MalformedRequest, Unauthenticated
from gateway.logs import AccessLog
from gateway.metrics import CONTENT_TYPE, Metrics
from gateway.providers.etrusted import EtrustedClient
from gateway.providers.mayar import MayarClient
from gateway.providers.trustoo import TrustooClient
from gateway.providers.trustpilot import TrustpilotClient
from gateway.records import Provider
from gateway.resilience import Resilience
from gateway.sandbox import remote_sandbox_settings, sandbox_settings
from gateway.sandbox_proxy import METHODS as SANDBOX_METHODS
from gateway.sandbox_proxy import SandboxProxy
from gateway.store import open_store
from gateway.sync.budget import budgets_for
from gateway.sync.service import SyncService
from gateway.sync.webhooks import TrustooWebhooks
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
    webhooks: TrustooWebhooks | None
    """Trustoo's webhook receiver; ``None`` when Trustoo is not synced."""


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


async def _index(
    settings: Settings,
    stack: AsyncExitStack,
    metrics: Metrics,
    resilience: Mapping[Provider, Resilience],
) -> SyncService:
    """The review index: the store, and the sync over clients of its own.

    The sync's sessions share each platform's resilience (breaker, documented
    limits) with the live ones and add the sync budget innermost. Shut down in
    reverse: the sync stops (tasks cancelled, locks released) before the store
    closes.
    """
    store = await open_store(settings.store)
    stack.push_async_callback(store.close)
    budgets = budgets_for(settings, on_call=metrics.on_sync_call)
    innermost = {p: budget.middleware for p, budget in budgets.items()}
    clients = await open_clients(settings, stack, resilience, innermost)
    service = SyncService(settings, store, clients, budgets=budgets, metrics=metrics)
    await service.start()
    stack.push_async_callback(service.stop)
    public_url = settings.sync.public_url
    if service.webhooks is not None and public_url:
        try:
            await service.webhooks.register_webhooks(public_url)
        except GatewayError as error:
            # Not fatal: the sync's incremental reads still bring Trustoo's changes.
            logger.warning(
                "trustoo webhooks not registered",
                extra={"provider": "trustoo", "error": type(error).__name__},
            )
    return service


async def _services(
    settings: Settings, stack: AsyncExitStack, metrics: Metrics
) -> tuple[Services, SyncService | None]:
    resilience = {
        p: resilience_for(p, options, metrics)
        for p, options in configured(settings).items()
    }
    live = await open_clients(settings, stack, resilience)
    clients = Clients(
        trustpilot=client_of(live, Provider.TRUSTPILOT, TrustpilotClient),
        etrusted=client_of(live, Provider.ETRUSTED, EtrustedClient),
        trustoo=client_of(live, Provider.TRUSTOO, TrustooClient),
        mayar=client_of(live, Provider.MAYAR, MayarClient),
    )
    breakers = {p: r.breaker for p, r in resilience.items()}
    index = None
    if settings.sync.enabled:
        index = await _index(settings, stack, metrics, resilience)
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
    services = Services(
        settings=settings,
        sources={p: c for p, c in candidates.items() if c is not None},
        cache=cache,
        catalog=Catalog.of(settings.catalog),
        clients=clients,
        breakers=breakers,
        metrics=metrics,
        index=index,
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
    return services, index


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


async def _trustoo_webhook(request: Request) -> Response:
    """``POST /webhooks/trustoo?topic=review/...``: one signed delivery, applied."""
    webhooks: TrustooWebhooks | None = request.state.webhooks
    if webhooks is None:
        return JSONResponse(
            {"code": 404, "message": "Trustoo is not synced by this gateway"},
            status_code=404,
        )
    limit = request.state.services.settings.max_body_bytes
    try:
        body = await bounded_body(request, limit)
    except BodyRefused as refused:
        return JSONResponse(
            {"code": refused.status, "message": str(refused)},
            status_code=refused.status,
        )
    status, answer = await webhooks.receive(
        request.headers, body, request.query_params.get("topic")
    )
    return JSONResponse(answer, status_code=status)


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
            services, index = await _services(resolved, stack, metrics)
            logger.info(
                "gateway ready",
                extra={"providers": [p.value for p in services.providers]},
            )
            webhooks = None if index is None else index.webhooks
            yield {"services": services, "sandbox": sandbox, "webhooks": webhooks}

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
        Route("/webhooks/trustoo", _trustoo_webhook, methods=["POST"]),
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
