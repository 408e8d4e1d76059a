"""Trustoo webhooks: verified deliveries applied to the index at once.

The app mounts ``TrustooWebhooks.receive`` at ``POST /webhooks/trustoo``; the
gateway registers one URL per topic, ``{public_url}/webhooks/trustoo?topic=<topic>``
(``register_webhooks``), so the topic arrives as the ``topic`` query parameter.

A delivery (vendors.md 1.9) is verified before anything is read from it:
``Open-Trustoo-Webhook-Public-token`` must be the shop's public token and
``Open-Trustoo-Webhook-Sign`` the lowercase hex HMAC-SHA256, keyed with the private
token, of ``timestamp=<Open-Trustoo-Webhook-Timestamp>|<raw body>`` (the request
signing of ``gateway.providers.trustoo.auth``), with the timestamp within 15 minutes
of now; both compared in constant time. Then:

==============================  ============================================
what                            answer
==============================  ============================================
headers missing, token, sign    401 ``{"code": 401, "message": ...}``, nothing
or timestamp wrong              applied
unknown topic, body not         400 ``{"code": 400, "message": ...}``
``{"list": [review objects]}``
any topic                       each review named is read from Trustoo now
                                and applied: upserted, or removed when gone
                                or hidden
the read fails                  503 ``{"code": 503, ...}`` (Trustoo retries)
applied (or a repeated          200 ``{"code": 0, "message": "success"}``
``RequestId``)
==============================  ============================================

A delivery says *which* reviews changed; what they are now is read from Trustoo
(one call for the batch, within the sync's budget), never taken from the body. The
signature covers the body and its timestamp but not the topic (a query parameter)
or the RequestId, so a captured delivery could be replayed within its 15 minutes
under another topic, or an old ``review/updated`` retried after a later
``review/deleted``: read back, either is harmless. A delivery whose
``Open-Trustoo-Webhook-RequestId`` was applied already is answered without a read.
No header value, token or body is ever logged.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Final
from urllib.parse import quote

from gateway.config import TrustooSettings
from gateway.errors import GatewayError, ProviderPayloadError
from gateway.providers.trustoo import TrustooClient
from gateway.providers.trustoo.auth import string_to_sign
from gateway.records import Provider, ReviewKey, Webhook
from gateway.store import ReviewStore

logger = logging.getLogger(__name__)

CREATED: Final = "review/created"
UPDATED: Final = "review/updated"
DELETED: Final = "review/deleted"
TOPICS: Final = (CREATED, UPDATED, DELETED)
PATH: Final = "/webhooks/trustoo"
MAX_SKEW_S: Final = 15 * 60
MAX_STAMP_DIGITS: Final = 12
"""Unix seconds have 10 digits until the year 2286; anything longer is not one."""
REMEMBERED_DELIVERIES: Final = 1024
PUBLIC_TOKEN: Final = "open-trustoo-webhook-public-token"
TIMESTAMP: Final = "open-trustoo-webhook-timestamp"
SIGN: Final = "open-trustoo-webhook-sign"
REQUEST_ID: Final = "open-trustoo-webhook-requestid"
SUCCESS: Final[dict[str, object]] = {"code": 0, "message": "success"}

Answer = tuple[int, dict[str, object]]


def webhook_url(public_url: str, topic: str) -> str:
    """The URL the gateway registers for ``topic``."""
    return f"{public_url.rstrip('/')}{PATH}?topic={quote(topic, safe='')}"


def _refuse(status: int, message: str) -> Answer:
    return status, {"code": status, "message": message}


class BadDelivery(ValueError):
    """A verified delivery whose body or topic cannot be applied (400)."""


def _rows(body: bytes) -> list[object]:
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadDelivery("body is not JSON") from None
    rows = parsed.get("list") if isinstance(parsed, dict) else None
    if not isinstance(rows, list):
        raise BadDelivery('body must be {"list": [...]}')
    return rows


def _review_id(row: object) -> str:
    value = row.get("id") if isinstance(row, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise BadDelivery("a review in list has no id")
    text = str(value)
    if not text.isdigit():
        raise BadDelivery("a review in list has no id")
    return text


class TrustooWebhooks:
    """Receives Trustoo's review webhooks and registers them; see the module doc."""

    def __init__(
        self,
        settings: TrustooSettings,
        client: TrustooClient,
        store: ReviewStore,
        *,
        clock: Callable[[], datetime],
        confirm: Callable[[Sequence[ReviewKey]], Awaitable[object]],
        on_applied: Callable[[], None] | None = None,
    ) -> None:
        """``confirm``: the sync's refresh of the named reviews.

        It reads them from Trustoo now and applies them, and raises
        ``GatewayError`` when the read fails.
        """
        self._public_token = settings.public_token
        self._private_token = settings.private_token
        self._client = client
        self._store = store
        self._clock = clock
        self._confirm = confirm
        self._on_applied = on_applied
        self._applied: OrderedDict[str, None] = OrderedDict()

    async def register_webhooks(self, public_url: str) -> list[Webhook]:
        """Ensure one webhook per review topic at ``public_url``'s receiver.

        Missing ones are created; others (any other URL or topic) are left alone.
        Returns the gateway's webhooks, one per topic.
        """
        existing = await self._client.webhooks()
        ours: list[Webhook] = []
        for topic in TOPICS:
            url = webhook_url(public_url, topic)
            found = next(
                (w for w in existing if w.topic == topic and w.url == url), None
            )
            ours.append(found or await self._client.create_webhook(topic, url))
        logger.info(
            "trustoo webhooks registered",
            extra={"provider": Provider.TRUSTOO.value, "topics": list(TOPICS)},
        )
        return ours

    def _verified(self, headers: Mapping[str, str], body: bytes) -> bool:
        given = {name.lower(): value for name, value in headers.items()}
        token, stamp, sign = (given.get(h) for h in (PUBLIC_TOKEN, TIMESTAMP, SIGN))
        if token is None or stamp is None or sign is None:
            return False
        if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= MAX_STAMP_DIGITS):
            return False
        skew = abs(self._clock().timestamp() - int(stamp))
        message = string_to_sign({}, stamp) + b"|" + body
        expected = hmac.new(
            self._private_token.reveal().encode(), message, hashlib.sha256
        ).hexdigest()
        token_ok = hmac.compare_digest(token.encode(), self._public_token.encode())
        sign_ok = hmac.compare_digest(sign.encode(), expected.encode())
        return token_ok and sign_ok and skew <= MAX_SKEW_S

    async def receive(
        self, headers: Mapping[str, str], body: bytes, topic: str | None
    ) -> Answer:
        """Verify and apply one delivery: ``(HTTP status, JSON body)`` to answer."""
        if not self._verified(headers, body):
            logger.warning(
                "trustoo webhook refused", extra={"provider": "trustoo", "status": 401}
            )
            return _refuse(401, "the webhook signature does not verify")
        request_id = {k.lower(): v for k, v in headers.items()}.get(REQUEST_ID)
        if request_id is not None and request_id in self._applied:
            return 200, dict(SUCCESS)
        try:
            count = await self._apply(topic, _rows(body))
        except BadDelivery as error:
            return _refuse(400, str(error))
        except GatewayError:
            logger.warning(
                "trustoo webhook not applied: the read back failed",
                extra={"provider": "trustoo", "status": 503},
            )
            return _refuse(503, "the reviews could not be read back; try again")
        if request_id is not None:
            self._applied[request_id] = None
            while len(self._applied) > REMEMBERED_DELIVERIES:
                self._applied.popitem(last=False)
        if self._on_applied is not None:
            self._on_applied()
        logger.info(
            "trustoo webhook applied",
            extra={"provider": "trustoo", "topic": topic, "reviews": count},
        )
        return 200, dict(SUCCESS)

    async def _apply(self, topic: str | None, rows: list[object]) -> int:
        if topic not in TOPICS:
            raise BadDelivery(f"topic must be one of: {', '.join(TOPICS)}")
        if topic != DELETED:
            # A body that is not a review of Trustoo's shape is refused, though
            # what is applied is read back, not taken from it.
            try:
                for row in rows:
                    self._client.webhook_review(row)
            except ProviderPayloadError:
                raise BadDelivery("a review in list cannot be read") from None
        ids = list(dict.fromkeys(_review_id(row) for row in rows))
        await self._confirm([ReviewKey(review_id) for review_id in ids])
        return len(ids)
