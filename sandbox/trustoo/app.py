"""Assembly of the Trustoo simulator: routes, auth/error middleware, mount prefix."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Final

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from sandbox.catalog import Catalog
from sandbox.control import Clock, ErrorRenderer, ProviderControl

from . import activity, media, reviews, shop
from .auth import authenticate
from .context import STATE, State
from .envelope import Code, TrustooError, code_for_status, error_response
from .seeding import build_store
from .settings import TrustooSettings
from .webhooks import WebhookDispatcher

PREFIX: Final = "/trustoo"
BASE: Final = "/api/v1/openapi/"

ROUTES: Final = (
    ("POST", "create_shop_webhook", shop.create_shop_webhook),
    ("POST", "update_shop_webhook", shop.update_shop_webhook),
    ("POST", "delete_shop_webhook", shop.delete_shop_webhook),
    ("GET", "get_shop_webhooks", shop.get_shop_webhooks),
    ("GET", "get_reviews", reviews.get_reviews),
    ("GET", "get_review", reviews.get_review),
    ("GET", "get_rating", reviews.get_rating),
    ("GET", "get_orders", activity.get_orders),
    ("GET", "get_customer_events", activity.get_customer_events),
    ("POST", "email_unsubscribe", shop.email_unsubscribe),
    ("GET", "get_video_upload_url", media.get_video_upload_url),
    ("GET", "get_image_upload_policy_token", media.get_image_upload_policy_token),
    ("POST", "create_review", reviews.create_review),
    ("POST", "delete_review", reviews.delete_review),
    ("POST", "create_customer_exclude", shop.create_customer_exclude),
    ("POST", "delete_customer_exclude", shop.delete_customer_exclude),
    ("GET", "get_customer_excludes", shop.get_customer_excludes),
)
"""(method, name under /api/v1/openapi/, handler), in the seed's navigation order."""


def render_error(status: int, message: str) -> web.StreamResponse:
    """Trustoo's envelope at HTTP ``status`` (429: code 8, 5xx: code 13)."""
    return error_response(datetime.now(UTC), code_for_status(status), message, status)


def _renderer(clock: Clock) -> ErrorRenderer:
    def render(status: int, message: str) -> web.StreamResponse:
        return error_response(clock(), code_for_status(status), message, status)

    return render


def _trustoo_middleware(st: State) -> Middleware:
    """Route misses, HMAC auth and business errors, all as Trustoo envelopes."""

    @web.middleware
    async def trustoo(request: web.Request, handler: Handler) -> web.StreamResponse:
        now = st.now()
        miss = request.match_info.http_exception
        if miss is not None:
            return error_response(
                now, code_for_status(miss.status), miss.reason, miss.status
            )
        try:
            await authenticate(request, st.credentials, st.settings, now)
            return await handler(request)
        except TrustooError as exc:
            status = (
                st.settings.auth_error_http_status
                if exc.code is Code.UNAUTHENTICATED
                else st.settings.error_http_status
            )
            return error_response(now, exc.code, exc.message, status)

    return trustoo


def create_apps(
    catalog: Catalog,
    control: ProviderControl,
    *,
    seed: int,
    clock: Clock,
    settings: TrustooSettings | None = None,
) -> Mapping[str, web.Application]:
    """The Trustoo simulator mounted at ``/trustoo`` (paths ``/api/v1/openapi/...``)."""
    settings = settings or TrustooSettings()
    store = build_store(catalog, seed)
    credentials = catalog.credentials.trustoo
    st = State(
        store=store,
        settings=settings,
        credentials=credentials,
        clock=clock,
        webhooks=WebhookDispatcher(store, credentials, settings, clock),
    )
    app = web.Application(
        middlewares=[
            control.middleware(_renderer(clock), PREFIX),
            _trustoo_middleware(st),
        ]
    )
    app[STATE] = st
    app.cleanup_ctx.append(st.webhooks.lifespan)
    for method, name, handler in ROUTES:
        app.router.add_route(method, BASE + name, handler)
    return {PREFIX: app}


def webhook_dispatcher(app: web.Application) -> WebhookDispatcher:
    """The webhook dispatcher of a Trustoo app built by ``create_apps``."""
    return app[STATE].webhooks
