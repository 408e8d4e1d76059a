"""Gateway settings for sandbox mode: every platform pointed at a running sandbox.

The sandbox itself (the simulators' server) is the top-level ``sandbox`` package; this
module only turns a sandbox's catalog (``GET /_sandbox/catalog``) into gateway
``Settings``: for the embedded sandbox of ``reviews-gateway serve``, for
``serve --sandbox-url`` and for tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Final

import aiohttp

from gateway.config import (
    CatalogEntry,
    EtrustedSettings,
    MayarSettings,
    Mode,
    Secret,
    Settings,
    StoreSettings,
    SyncSettings,
    TrustooSettings,
    TrustpilotSettings,
)
from gateway.errors import ConfigError
from sandbox.catalog import PROVIDERS
from sandbox.server import TRUSTPILOT_TOKEN_PATH, RunningSandbox


def settings_from_catalog(
    base_url: str, catalog: Mapping[str, Any], **overrides: Any
) -> Settings:
    """Gateway settings for the sandbox at ``base_url`` from its ``/_sandbox/catalog``.

    Every provider points at its prefix there with the sandbox's credentials, and the
    catalog maps each SKU to its Trustoo and Mayar ids. ``overrides`` replace
    top-level ``Settings`` fields (``cache_ttl_s=0``, ...).
    """
    creds = catalog["credentials"]
    tp, et, to, ma = (creds[p] for p in PROVIDERS)
    tp_base = f"{base_url}/trustpilot"
    providers = {
        "trustpilot": TrustpilotSettings(
            base_url=tp_base,
            token_url=tp_base + TRUSTPILOT_TOKEN_PATH,
            api_key=Secret(tp["apiKey"]),
            api_secret=Secret(tp["apiSecret"]),
            business_unit_id=tp["businessUnitId"],
            username=tp["username"],
            password=Secret(tp["password"]),
        ),
        "etrusted": EtrustedSettings(
            base_url=f"{base_url}/etrusted",
            token_url=f"{base_url}/etrusted-login/oauth/token",
            client_id=et["clientId"],
            client_secret=Secret(et["clientSecret"]),
            channel_ids=tuple(et["channelIds"]),
        ),
        "trustoo": TrustooSettings(
            base_url=f"{base_url}/trustoo",
            public_token=to["publicToken"],
            private_token=Secret(to["privateToken"]),
        ),
        "mayar": MayarSettings(
            base_url=f"{base_url}/mayar", api_key=Secret(ma["apiKey"])
        ),
    }
    entries = tuple(
        CatalogEntry(
            sku=p["sku"],
            trustoo_product_id=p.get("trustooProductId"),
            mayar_payment_link_id=p.get("mayarPaymentLinkId"),
            name=p.get("name"),
            gtin=p.get("gtin"),
            mpn=p.get("mpn"),
            brand=p.get("brand"),
            url=p.get("url"),
            image_url=p.get("imageUrl"),
        )
        for p in catalog["products"]
    )
    served = catalog.get("served", PROVIDERS)
    chosen = {name: value for name, value in providers.items() if name in served}
    limits = catalog.get("rateLimits", {})
    for name in ("mayar", "trustpilot"):
        if name in chosen:
            # The gateway's own limiter stays under the limits the sandbox enforces.
            chosen[name] = replace(chosen[name], **_limit_fields(limits.get(name)))
    for name, tuned in overrides.get("tuning", {}).items():
        if name in chosen:
            chosen[name] = replace(chosen[name], **tuned)
    options: dict[str, Any] = {"mode": Mode.SANDBOX, "catalog": entries}
    return Settings(**{**options, **chosen, **overrides})


def _windows(published: object) -> list[tuple[int, float]]:
    """``rateLimits`` of one platform as ``(calls, window_s)``, shortest first.

    Reads the current shape (``[{"calls": 20, "windowS": 60}]``) and the earlier
    one (a bare number of calls per minute).
    """
    if isinstance(published, int) and not isinstance(published, bool):
        return [(published, 60.0)]
    if not isinstance(published, list):
        return []
    found = [
        (int(w["calls"]), float(w["windowS"]))
        for w in published
        if isinstance(w, dict) and {"calls", "windowS"} <= w.keys()
    ]
    return sorted(found, key=lambda window: window[1])


def _limit_fields(published: object) -> dict[str, Any]:
    """ProviderSettings limit fields mirroring the sandbox's windows (none: off).

    The shortest window becomes ``rate_limit_calls``/``rate_limit_window_s``; an
    hour-long window, ``hourly_limit``.
    """
    windows = _windows(published)
    if not windows:
        return {"rate_limit_calls": None, "hourly_limit": None}
    calls, window_s = windows[0]
    hourly = next((c for c, w in windows[1:] if w == 3600.0), None)
    return {
        "rate_limit_calls": calls,
        "rate_limit_window_s": window_s,
        "hourly_limit": hourly,
    }


def sandbox_settings(running: RunningSandbox, **overrides: Any) -> Settings:
    """Gateway settings pointing every provider at ``running`` (see above)."""
    return settings_from_catalog(
        running.base_url, running.sandbox.describe(), **overrides
    )


async def remote_sandbox_settings(base_url: str, **overrides: Any) -> Settings:
    """Settings for a sandbox already running at ``base_url`` (``serve --sandbox-url``).

    Raises ``ConfigError`` when nothing sandbox-like answers there.
    """
    url = base_url.rstrip("/")
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http,
            http.get(url + "/_sandbox/catalog") as response,
        ):
            response.raise_for_status()
            catalog = await response.json()
        return settings_from_catalog(url, catalog, **overrides)
    except (aiohttp.ClientError, TimeoutError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError(
            f"no sandbox answers at {url}/_sandbox/catalog ({type(exc).__name__})"
        ) from exc


SANDBOX_STORE: Final = StoreSettings(path="data/sandbox.sqlite3")
"""Sandbox mode's index, apart from the one a shop's real platforms fill."""
SANDBOX_INTERVAL_S: Final = 10.0
SANDBOX_RECONCILE_INTERVAL_S: Final = 600.0


def sandbox_index(settings: Settings, own_url: str) -> Settings:
    """The review index in sandbox mode, where the user has not set it otherwise.

    Its own store file (``data/sandbox.sqlite3``), short sync intervals (10 s, a
    reconcile every 10 min: within the sandbox's documented limits), and webhooks
    registered back to the gateway at ``own_url``, so that Trustoo's changes arrive
    at once as they would in production.
    """
    defaults = SyncSettings()
    sync = settings.sync
    if sync.interval_s == defaults.interval_s:
        sync = replace(sync, interval_s=SANDBOX_INTERVAL_S)
    if sync.reconcile_interval_s == defaults.reconcile_interval_s:
        sync = replace(sync, reconcile_interval_s=SANDBOX_RECONCILE_INTERVAL_S)
    if sync.public_url is None:
        sync = replace(sync, public_url=own_url)
    store = settings.store
    if store == StoreSettings():
        store = SANDBOX_STORE
    return replace(settings, sync=sync, store=store)
