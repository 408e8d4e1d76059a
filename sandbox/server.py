"""The sandbox: all four simulators in one aiohttp server, plus its control endpoints.

``create_sandbox()`` builds the application of DESIGN.md section 4: each platform's
simulator mounted under its prefix (``/trustpilot``, ``/etrusted`` with its token
host at ``/etrusted-login``, ``/trustoo``, ``/mayar``) and the ``/_sandbox`` control
API: the catalog (with each platform's enforced ``rateLimits``), the request log,
faults, upstream activity (``POST /_sandbox/activity``, ``sandbox.activity``), every
review a platform holds (``GET /_sandbox/reviews``) and Trustoo's webhook delivery
log (``GET /_sandbox/webhooks``). ``run_simulators()`` serves it on loopback for
tests and for ``reviews-gateway serve``; ``serve_sandbox()`` is the
``reviews-gateway sandbox`` command. Gateway settings for a running sandbox are the
gateway's business (``gateway.sandbox``): nothing here imports ``gateway``.
"""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator, Callable, Collection, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Final

from aiohttp import web

from sandbox import etrusted, mayar, trustoo, trustpilot
from sandbox.activity import ActivityError, Upstream, UpstreamFactory, parse_activity
from sandbox.catalog import PROVIDERS, Catalog, build_catalog
from sandbox.control import (
    Clock,
    FaultSettings,
    ProviderControl,
    RequestLog,
    utc_now,
)
from sandbox.etrusted.upstream import EtrustedUpstream
from sandbox.mayar.upstream import MayarUpstream
from sandbox.ratelimit import Window
from sandbox.trustoo.upstream import TrustooUpstream
from sandbox.trustoo.webhooks import DeliveryLog
from sandbox.trustpilot.upstream import TrustpilotUpstream

AppFactory = Callable[..., Mapping[str, web.Application]]

SIMULATORS: Final[Mapping[str, AppFactory]] = {
    "trustpilot": trustpilot.create_apps,
    "etrusted": etrusted.create_apps,
    "trustoo": trustoo.create_apps,
    "mayar": mayar.create_apps,
}
"""Provider id -> factory returning ``{mount prefix: sub-application}``."""

UPSTREAMS: Final[Mapping[str, UpstreamFactory]] = {
    "trustpilot": TrustpilotUpstream,
    "etrusted": EtrustedUpstream,
    "trustoo": TrustooUpstream,
    "mayar": MayarUpstream,
}
"""Provider id -> what applies ``POST /_sandbox/activity`` to its simulator."""

SHUTDOWN_TIMEOUT_S: Final = 2.0
MAYAR_DOCUMENTED_RATE_LIMIT: Final = 20
"""Calls per minute per client IP that Mayar documents (its simulator's default)."""
SERVER_WEBHOOK_DELAY_SCALE: Final = 0.001
"""Trustoo's webhook retry delays in a sandbox built without Trustoo settings (the
embedded sandbox, tests): 3 minutes become 0.18 s. The faithful 1.0 is the
simulator's own default and ``reviews-gateway sandbox``'s."""
TRUSTPILOT_TOKEN_PATH: Final = (
    "/v1/oauth/oauth-business-users-for-applications/accesstoken"
)


@dataclass(frozen=True, slots=True)
class Sandbox:
    """A built (not yet served) sandbox: its app, catalog, log and fault controls."""

    app: web.Application
    catalog: Catalog
    log: RequestLog
    controls: Mapping[str, ProviderControl]
    prefixes: Mapping[str, tuple[str, ...]]
    apps: Mapping[str, web.Application]
    """Provider id -> its simulator's (API) sub-application."""
    upstreams: Mapping[str, Upstream]
    """Provider id -> how activity is applied to it (``POST /_sandbox/activity``)."""
    rate_limits: Mapping[str, tuple[Window, ...]]

    def describe(self) -> dict[str, object]:
        """The ``GET /_sandbox/catalog`` body: catalog, credentials, what is served.

        Beyond DESIGN.md's shape: ``served`` (the platforms mounted) and
        ``rateLimits``: per platform that enforces limits itself, its windows as
        ``[{"calls": 20, "windowS": 60}]`` (a platform without limits, or with them
        switched off, is absent).
        """
        return {
            **self.catalog.to_json(),
            "served": list(self.prefixes),
            "rateLimits": {
                p: [w.to_json() for w in windows]
                for p, windows in self.rate_limits.items()
            },
        }


SANDBOX_KEY: Final = web.AppKey("sandbox", Sandbox)


@dataclass(frozen=True, slots=True)
class RunningSandbox:
    """A sandbox being served; ``url(provider)`` is that platform's base URL."""

    sandbox: Sandbox
    base_url: str

    def url(self, provider: str, mount: int = 0) -> str:
        """Base URL of ``provider`` (``mount=1``: eTrusted's token host)."""
        return self.base_url + self.sandbox.prefixes[provider][mount]

    @property
    def catalog(self) -> Catalog:
        return self.sandbox.catalog

    @property
    def log(self) -> RequestLog:
        return self.sandbox.log


def create_sandbox(
    *,
    seed: int = 1,
    latency_ms: int = 0,
    providers: Collection[str] = PROVIDERS,
    clock: Clock = utc_now,
    settings: Mapping[str, Any] | None = None,
) -> Sandbox:
    """Build the sandbox application for ``providers`` (all four by default).

    ``settings`` maps a provider id to that simulator's settings object (its ``[??]``
    choices); ``latency_ms`` is every provider's baseline latency. Without Trustoo
    settings its webhook retries run at ``SERVER_WEBHOOK_DELAY_SCALE``.
    """
    unknown = set(providers) - set(PROVIDERS)
    if unknown:
        raise ValueError(f"unknown provider(s): {', '.join(sorted(unknown))}")
    chosen = dict(settings or {})
    chosen.setdefault(
        "trustoo",
        trustoo.TrustooSettings(webhook_delay_scale=SERVER_WEBHOOK_DELAY_SCALE),
    )
    catalog = build_catalog(seed)
    log = RequestLog()
    baseline = FaultSettings(latency_ms=latency_ms)
    baseline.check()
    app = web.Application()
    controls: dict[str, ProviderControl] = {}
    prefixes: dict[str, tuple[str, ...]] = {}
    apps: dict[str, web.Application] = {}
    for provider in (p for p in PROVIDERS if p in providers):
        control = ProviderControl(
            provider, log, baseline=baseline, rng=random.Random(f"{seed}:{provider}")
        )
        mounts = SIMULATORS[provider](
            catalog,
            control,
            seed=seed,
            clock=clock,
            settings=chosen.get(provider),
        )
        for prefix, sub_app in mounts.items():
            app.add_subapp(prefix, sub_app)
        controls[provider] = control
        prefixes[provider] = tuple(mounts)
        apps[provider] = next(iter(mounts.values()))
    limits = _rate_limits(chosen, prefixes)
    upstreams = {p: UPSTREAMS[p](a, catalog) for p, a in apps.items()}
    sandbox = Sandbox(app, catalog, log, controls, prefixes, apps, upstreams, limits)
    app[SANDBOX_KEY] = sandbox
    app.router.add_get("/", _index)
    app.router.add_get("/_sandbox/catalog", _catalog)
    app.router.add_get("/_sandbox/requests", _requests)
    app.router.add_delete("/_sandbox/requests", _clear_requests)
    app.router.add_get("/_sandbox/faults", _faults)
    app.router.add_put("/_sandbox/faults", _set_faults)
    app.router.add_post("/_sandbox/activity", _activity)
    app.router.add_get("/_sandbox/reviews", _reviews)
    app.router.add_get("/_sandbox/webhooks", _webhooks)
    app.router.add_delete("/_sandbox/webhooks", _clear_webhooks)
    return sandbox


def _rate_limits(
    settings: Mapping[str, Any], served: Collection[str]
) -> dict[str, tuple[Window, ...]]:
    """The windows each served platform enforces itself (for ``rateLimits``)."""
    limits: dict[str, tuple[Window, ...]] = {}
    mayar_settings = settings.get("mayar") or mayar.MayarSettings()
    if "mayar" in served and mayar_settings.rate_limit_per_minute is not None:
        limits["mayar"] = (Window(mayar_settings.rate_limit_per_minute, 60.0),)
    trustpilot_settings = settings.get("trustpilot") or trustpilot.TrustpilotSettings()
    if "trustpilot" in served and trustpilot_settings.rate_limits:
        limits["trustpilot"] = tuple(trustpilot_settings.rate_limits)
    return limits


def _bad_request(message: str) -> web.Response:
    return web.json_response({"error": message}, status=400)


async def _index(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX_KEY]
    return web.json_response(
        {
            "providers": {p: list(m) for p, m in sandbox.prefixes.items()},
            "control": [
                "GET /_sandbox/catalog",
                "GET|DELETE /_sandbox/requests",
                "GET|PUT /_sandbox/faults",
                "POST /_sandbox/activity",
                "GET /_sandbox/reviews?provider=",
                "GET|DELETE /_sandbox/webhooks",
            ],
        }
    )


async def _catalog(request: web.Request) -> web.Response:
    return web.json_response(request.app[SANDBOX_KEY].describe())


async def _requests(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX_KEY]
    provider = request.query.get("provider")
    if provider is not None and provider not in sandbox.controls:
        return _bad_request(f"unknown provider {provider!r}")
    return web.json_response([e.to_json() for e in sandbox.log.entries(provider)])


async def _clear_requests(request: web.Request) -> web.Response:
    request.app[SANDBOX_KEY].log.clear()
    return web.Response(status=204)


def _faults_json(sandbox: Sandbox) -> dict[str, object]:
    return {p: c.faults.to_json() for p, c in sandbox.controls.items()}


async def _faults(request: web.Request) -> web.Response:
    return web.json_response(_faults_json(request.app[SANDBOX_KEY]))


async def _set_faults(request: web.Request) -> web.Response:
    """Apply per-provider faults atomically: all valid, or none changed (400)."""
    sandbox = request.app[SANDBOX_KEY]
    try:
        body = await request.json()
    except json.JSONDecodeError:
        return _bad_request("body must be a JSON object")
    if not isinstance(body, dict):
        return _bad_request("body must be a JSON object")
    parsed: dict[str, FaultSettings] = {}
    for provider, value in body.items():
        control = sandbox.controls.get(provider)
        if control is None:
            return _bad_request(f"unknown provider {provider!r}")
        if not isinstance(value, dict):
            return _bad_request(f"{provider}: faults must be a JSON object")
        try:
            parsed[provider] = FaultSettings.parse(value, control.baseline)
        except (TypeError, ValueError) as exc:
            return _bad_request(f"{provider}: {exc}")
    for provider, faults in parsed.items():
        sandbox.controls[provider].apply(faults)
    return web.json_response(_faults_json(sandbox))


async def _activity(request: web.Request) -> web.Response:
    """Make customer activity happen upstream (``sandbox.activity``); 400 if bad."""
    sandbox = request.app[SANDBOX_KEY]
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _bad_request("body must be a JSON object")
    try:
        activity = parse_activity(body, sandbox.upstreams)
        outcome = sandbox.upstreams[activity.provider].apply(activity)
    except ActivityError as exc:
        return _bad_request(str(exc))
    return web.json_response(outcome)


async def _reviews(request: web.Request) -> web.Response:
    """Every review one platform holds, any status, in common-word JSON."""
    sandbox = request.app[SANDBOX_KEY]
    provider = request.query.get("provider", "")
    upstream = sandbox.upstreams.get(provider)
    if upstream is None:
        return _bad_request(f"provider must be one of: {', '.join(sandbox.upstreams)}")
    return web.json_response(upstream.reviews())


def _deliveries(sandbox: Sandbox) -> DeliveryLog | None:
    trustoo_app = sandbox.apps.get("trustoo")
    return None if trustoo_app is None else trustoo.webhook_dispatcher(trustoo_app).log


async def _webhooks(request: web.Request) -> web.Response:
    """Trustoo's webhook delivery attempts, oldest first (empty without Trustoo)."""
    log = _deliveries(request.app[SANDBOX_KEY])
    entries = [] if log is None else log.entries()
    return web.json_response([{"provider": "trustoo", **e.to_json()} for e in entries])


async def _clear_webhooks(request: web.Request) -> web.Response:
    log = _deliveries(request.app[SANDBOX_KEY])
    if log is not None:
        log.clear()
    return web.Response(status=204)


@asynccontextmanager
async def run_simulators(
    host: str = "127.0.0.1", port: int = 0, **options: Any
) -> AsyncIterator[RunningSandbox]:
    """Serve a sandbox on ``host:port`` (0: a free port) until the block exits.

    ``options`` go to ``create_sandbox``. Handlers are cancelled when a client hangs up,
    so a hung "timeout" fault never delays shutdown.
    """
    sandbox = create_sandbox(**options)
    runner = web.AppRunner(
        sandbox.app,
        handler_cancellation=True,
        shutdown_timeout=SHUTDOWN_TIMEOUT_S,
        access_log=None,
    )
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_port = runner.addresses[0][1]
        yield RunningSandbox(sandbox, f"http://{host}:{bound_port}")
    finally:
        await runner.cleanup()


def serve_sandbox(
    host: str,
    port: int,
    *,
    seed: int,
    latency_ms: int,
    mayar_rate_limit: int | None = MAYAR_DOCUMENTED_RATE_LIMIT,
    trustpilot_rate_limits: tuple[Window, ...] = (
        trustpilot.settings.DOCUMENTED_RATE_LIMITS
    ),
    webhook_delay_scale: float = 1.0,
) -> None:
    """Run the sandbox in the foreground (the ``reviews-gateway sandbox`` command).

    The platforms' documented limits are on unless switched off (``None``/``()``);
    Trustoo's webhook retries wait as documented unless ``webhook_delay_scale``.
    """
    settings = {
        "mayar": mayar.MayarSettings(rate_limit_per_minute=mayar_rate_limit),
        "trustpilot": trustpilot.TrustpilotSettings(rate_limits=trustpilot_rate_limits),
        "trustoo": trustoo.TrustooSettings(webhook_delay_scale=webhook_delay_scale),
    }
    sandbox = create_sandbox(seed=seed, latency_ms=latency_ms, settings=settings)
    web.run_app(
        sandbox.app,
        host=host,
        port=port,
        handler_cancellation=True,
        shutdown_timeout=SHUTDOWN_TIMEOUT_S,
        print=None,
    )
