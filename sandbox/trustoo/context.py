"""What every Trustoo handler needs: the app state, the clock and the JSON body."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from sandbox.catalog import TrustooCredentials
from sandbox.control import Clock

from .envelope import invalid
from .settings import TrustooSettings
from .store import TrustooStore
from .webhooks import WebhookDispatcher


@dataclass(frozen=True, slots=True)
class State:
    """One mounted Trustoo simulator: shop, settings, credentials, clock, webhooks."""

    store: TrustooStore
    settings: TrustooSettings
    credentials: TrustooCredentials
    clock: Clock
    webhooks: WebhookDispatcher

    def now(self) -> datetime:
        return self.clock().replace(microsecond=0)


STATE = web.AppKey("trustoo_state", State)


def state(request: web.Request) -> State:
    return request.app[STATE]


async def json_object(request: web.Request) -> dict[str, object]:
    """The request body as a JSON object; code 3 when it is not one."""
    raw = await request.read()
    try:
        body = json.loads(raw) if raw.strip() else None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise invalid("request body must be valid JSON") from None
    if not isinstance(body, dict):
        raise invalid("request body must be a JSON object")
    return body


def required_int(body: dict[str, object], name: str) -> int:
    """A required positive integer id (JSON number or digit string)."""
    value = body.get(name)
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if value is None or value == "":
        raise invalid(f"{name} is required")
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise invalid(f"{name} must be a positive integer")
    return value
