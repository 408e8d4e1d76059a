"""Trustoo webhook delivery (vendors.md 1.9): review events POSTed to subscribers.

When a review is created, changed, hidden or deleted (through the API or the
sandbox's activity route), ``WebhookDispatcher.publish`` sends one delivery to every
registered URL of the matching topic (``review/created``, ``review/updated``,
``review/deleted``; the docs' "deleted or hidden" both mean ``review/deleted``)::

    POST <url as registered, query string included>
    Open-Trustoo-Webhook-Public-token: <the shop's public token>
    Open-Trustoo-Webhook-Timestamp:    <Unix seconds, the simulator's clock>
    Open-Trustoo-Webhook-Sign:         <hex HMAC-SHA256(private token,
                                        "timestamp=<ts>|<raw body>")>
    Open-Trustoo-Webhook-RequestId:    <32 hex, the same for every attempt>

    {"list": [<review object as get_reviews lists it, plus my_shopify_domain and
               shopify_shop_id>]}

The receiver must answer HTTP 200 with ``{"code": 0, "message": "success"}``;
anything else (another status, another body, a refused connection, no answer within
``webhook_timeout_s``) is retried: at most ``webhook_max_attempts`` (10) attempts,
attempt *n* waiting ``(n - 1) * webhook_retry_step_s`` (3 minutes: 0, 3, ... 27)
times ``webhook_delay_scale`` (1.0 faithful; the sandbox server uses 0.001). Each
attempt is signed afresh (new timestamp). Deliveries run as background tasks of the
serving app, over one ``aiohttp.ClientSession`` of their own opened on start-up;
shutdown cancels the pending ones. Only loopback URLs are delivered to (the sandbox
never reaches beyond the machine): any other is logged as not delivered. Every
attempt lands in the ``DeliveryLog`` (``GET /_sandbox/webhooks``), never in the
request log, which records the platforms' inbound calls.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import uuid
from collections import deque
from collections.abc import AsyncIterator, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Final
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import yarl
from aiohttp import web

from sandbox.catalog import TrustooCredentials
from sandbox.control import Clock

from .auth import sign
from .settings import TrustooSettings
from .store import Review, TrustooStore

LOG_LIMIT: Final = 5_000
MAX_ANSWER_BYTES: Final = 64 * 1024
CREATED: Final = "review/created"
UPDATED: Final = "review/updated"
DELETED: Final = "review/deleted"


@dataclass(frozen=True, slots=True)
class Delivery:
    """One delivery attempt as ``GET /_sandbox/webhooks`` lists it."""

    topic: str
    url: str
    """The registered URL without its query string (which may carry a secret)."""
    request_id: str
    attempt: int
    """1-based; 0 for a delivery refused before any attempt (not loopback)."""
    status: int | None
    """The receiver's HTTP status; ``None`` when there was no answer."""
    ok: bool
    at: str
    error: str | None = None

    def to_json(self) -> dict[str, object]:
        body = asdict(self)
        body["requestId"] = body.pop("request_id")
        return body


class DeliveryLog:
    """The bounded, in-order log of webhook delivery attempts."""

    def __init__(self, limit: int = LOG_LIMIT) -> None:
        self._entries: deque[Delivery] = deque(maxlen=limit)

    def append(self, entry: Delivery) -> None:
        self._entries.append(entry)

    def entries(self) -> list[Delivery]:
        return list(self._entries)

    def clear(self) -> None:
        self._entries.clear()


def is_loopback(url: str) -> bool:
    """Whether ``url`` names this machine (``localhost`` or a loopback address)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def without_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


class WebhookDispatcher:
    """Sends the shop's review events to its webhook subscribers, with retries."""

    def __init__(
        self,
        store: TrustooStore,
        credentials: TrustooCredentials,
        settings: TrustooSettings,
        clock: Clock,
    ) -> None:
        self._store = store
        self._credentials = credentials
        self._settings = settings
        self._clock = clock
        self.log = DeliveryLog()
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def lifespan(self, app: web.Application) -> AsyncIterator[None]:
        """An aiohttp ``cleanup_ctx``: the session while serving, tasks cancelled."""
        del app
        timeout = aiohttp.ClientTimeout(total=self._settings.webhook_timeout_s)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            self._session = session
            try:
                yield
            finally:
                self._session = None
                await self.cancel()

    async def cancel(self) -> None:
        """Cancel every pending delivery and wait until each has stopped."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def drain(self) -> None:
        """Wait until every pending delivery has ended (tests, orderly stops)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    @property
    def pending(self) -> int:
        return len(self._tasks)

    def payload(self, reviews: Iterable[Review]) -> bytes:
        """The raw delivery body for ``reviews`` (signed as these exact bytes)."""
        shop = {
            "my_shopify_domain": self._credentials.shop_domain,
            "shopify_shop_id": self._credentials.shopify_shop_id,
        }
        items = [
            r.to_json(self._store.products.get(r.product_id)) | shop for r in reviews
        ]
        return json.dumps({"list": items}, ensure_ascii=False).encode()

    def publish(self, topic: str, reviews: Iterable[Review]) -> None:
        """Send ``topic`` about ``reviews`` to every subscriber, in the background."""
        hooks = sorted(
            (h for h in self._store.webhooks.values() if h.topic == topic),
            key=lambda h: h.id,
        )
        if not hooks:
            return
        body = self.payload(reviews)
        for hook in hooks:
            request_id = uuid.uuid4().hex
            refusal = self._refusal(hook.url)
            if refusal is not None:
                self._record(topic, hook.url, request_id, 0, None, refusal)
                continue
            task = asyncio.get_running_loop().create_task(
                self._deliver(topic, hook.url, body, request_id)
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _refusal(self, url: str) -> str | None:
        if not is_loopback(url):
            return "not delivered: the sandbox only delivers to loopback URLs"
        if self._session is None:
            return "not delivered: the sandbox is not serving"
        return None

    async def _deliver(
        self, topic: str, url: str, body: bytes, request_id: str
    ) -> None:
        settings = self._settings
        for attempt in range(1, settings.webhook_max_attempts + 1):
            delay = (
                (attempt - 1)
                * settings.webhook_retry_step_s
                * settings.webhook_delay_scale
            )
            if delay > 0:
                await asyncio.sleep(delay)
            status, error = await self._attempt(url, body, request_id)
            self._record(topic, url, request_id, attempt, status, error)
            if error is None:
                return

    async def _attempt(
        self, url: str, body: bytes, request_id: str
    ) -> tuple[int | None, str | None]:
        """POST once; ``(status, None)`` when acknowledged, else with the reason."""
        session = self._session
        if session is None:
            return None, "the sandbox stopped serving"
        timestamp = str(int(self._clock().timestamp()))
        headers = {
            "Content-Type": "application/json",
            "Open-Trustoo-Webhook-Public-token": self._credentials.public_token,
            "Open-Trustoo-Webhook-Timestamp": timestamp,
            "Open-Trustoo-Webhook-Sign": sign(
                self._credentials.private_token, (), timestamp, body
            ),
            "Open-Trustoo-Webhook-RequestId": request_id,
        }
        try:
            # encoded=True: the URL goes out exactly as registered (yarl would
            # otherwise normalise its query, e.g. %2F -> /).
            target = yarl.URL(url, encoded=True)
            async with session.post(
                target, data=body, headers=headers, allow_redirects=False
            ) as response:
                answer = await response.content.read(MAX_ANSWER_BYTES)
                return response.status, _refused_answer(response.status, answer)
        except (aiohttp.ClientError, TimeoutError) as exc:
            return None, f"no answer ({type(exc).__name__})"

    def _record(
        self,
        topic: str,
        url: str,
        request_id: str,
        attempt: int,
        status: int | None,
        error: str | None,
    ) -> None:
        self.log.append(
            Delivery(
                topic=topic,
                url=without_query(url),
                request_id=request_id,
                attempt=attempt,
                status=status,
                ok=error is None,
                at=_iso(self._clock()),
                error=error,
            )
        )


def _refused_answer(status: int, answer: bytes) -> str | None:
    """``None`` when the receiver acknowledged as documented, else why not."""
    if status != 200:
        return f"answered HTTP {status}"
    try:
        parsed = json.loads(answer)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return "answered without a JSON body"
    if (
        not isinstance(parsed, dict)
        or parsed.get("code") != 0
        or parsed.get("message") != "success"
    ):
        return 'answered without {"code": 0, "message": "success"}'
    return None


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
