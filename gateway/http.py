"""HTTP to the platforms: pooled sessions and the one status-to-error map.

Every provider client talks through ``ProviderHttp``: one pooled ``aiohttp`` session
per platform (opened at start-up, closed at shutdown), a per-platform timeout, JSON
decoding, and ``raise_for_provider`` turning an HTTP failure into ``ProviderError``:

=========================  ==============================
what happened              raised
=========================  ==============================
no answer in time          ProviderTimeout
connection failed          ProviderUnavailable
400, 405, 409, 415, 422    ProviderBadRequest
401, 403                   ProviderAuthError
404                        ProviderNotFound
429                        ProviderRateLimited (+ Retry-After)
5xx, anything else         ProviderUnavailable
2xx with unreadable JSON   ProviderPayloadError
=========================  ==============================

Platforms that report errors inside a 200 envelope (Trustoo ``code``, Mayar
``messages``) are decoded by their client, which raises from the same tree. Log lines
carry provider, method, path (never the host of an absolute URL such as a token
endpoint, never the query: it may hold a key), status and time.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Final
from urllib.parse import urlsplit

import aiohttp
from multidict import CIMultiDictProxy

from gateway import trace
from gateway.config import ProviderSettings
from gateway.errors import (
    ProviderAuthError,
    ProviderBadRequest,
    ProviderError,
    ProviderNotFound,
    ProviderPayloadError,
    ProviderRateLimited,
    ProviderTimeout,
    ProviderUnavailable,
)

logger = logging.getLogger(__name__)

USER_AGENT: Final = "reviews-gateway/0.1 (+aiohttp)"
MAX_ERROR_BODY: Final = 4096
READ_MARK: Final = "X-Gateway-Idempotent"
"""Set on a POST that only reads (Trustpilot's batch summaries) so that it may be
retried like a GET; the resilience middleware strips it before sending."""
MAX_VENDOR_MESSAGE: Final = 300
DEADLINE_SLACK_S: Final = 0.05
"""A timeout this close to (or past) the request's deadline is the deadline's doing."""
Params = Mapping[str, str | int | float]

_STATUS_ERRORS: Final[Mapping[int, type[ProviderError]]] = {
    400: ProviderBadRequest,
    401: ProviderAuthError,
    403: ProviderAuthError,
    404: ProviderNotFound,
    405: ProviderBadRequest,
    409: ProviderBadRequest,
    415: ProviderBadRequest,
    422: ProviderBadRequest,
    429: ProviderRateLimited,
}


def open_session(
    settings: ProviderSettings,
    middlewares: Sequence[aiohttp.ClientMiddlewareType] = (),
) -> aiohttp.ClientSession:
    """A pooled session for one platform, rooted at its ``base_url``.

    ``middlewares`` are the platform's resilience (``gateway.resilience``). Must be
    called inside the running loop (at start-up) and closed at shutdown.
    """
    return aiohttp.ClientSession(
        base_url=settings.base_url,
        middlewares=tuple(middlewares),
        timeout=aiohttp.ClientTimeout(
            total=settings.timeout_s, sock_connect=settings.connect_timeout_s
        ),
        connector=aiohttp.TCPConnector(limit=settings.max_connections),
        headers={"User-Agent": USER_AGENT},
    )


def retry_after_seconds(value: str | None) -> float | None:
    """Parse a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def vendor_message(body: bytes) -> str | None:
    """The platform's own refusal text from an error body, bounded; else ``None``.

    Kept on the error for user errors (Mayar says *why* it refused a review only
    there); never logged and never put in GraphQL ``extensions``.
    """
    try:
        parsed = json.loads(body[:MAX_ERROR_BODY])
    except ValueError:
        return None
    if not isinstance(parsed, dict):
        return None
    fault = parsed.get("fault")
    if isinstance(fault, dict):  # Trustpilot answers in Apigee's fault envelope
        parsed = fault
    for name in ("messages", "message", "error_description", "error", "faultstring"):
        value = parsed.get(name)
        if isinstance(value, str) and value:
            return value[:MAX_VENDOR_MESSAGE]
    return None


def cut_by_deadline() -> bool:
    """Whether a timeout that happens now is the request's deadline, not the platform.

    A call's timeout is the platform's ``timeout_s`` cut to what is left of the
    request's deadline (``ProviderHttp._timeout``). When it fires with the deadline
    (all but) gone, the caller ran out of time: that is no failure of the platform,
    and the circuit breaker must not count it. A timeout well inside the deadline is
    the platform's own and does count.
    """
    left = trace.remaining()
    return left is not None and left <= DEADLINE_SLACK_S


def raise_for_provider(
    provider: str, status: int, headers: Mapping[str, str], body: bytes = b""
) -> None:
    """Raise the ``ProviderError`` for a failed HTTP ``status``; return on 2xx/3xx."""
    if status < 400:
        return
    error = _STATUS_ERRORS.get(status, ProviderUnavailable)
    raise error(
        provider,
        f"answered HTTP {status}",
        http_status=status,
        retry_after=retry_after_seconds(headers.get("Retry-After")),
        vendor_message=vendor_message(body),
    )


@dataclass(frozen=True, slots=True)
class ProviderResponse:
    """A platform's answer: status, headers and the decoded JSON body (or None)."""

    status: int
    headers: CIMultiDictProxy[str]
    body: object


class ProviderHttp:
    """One platform's HTTP: requests over its pooled session, errors mapped."""

    def __init__(self, provider: str, session: aiohttp.ClientSession) -> None:
        self.provider = provider
        self.session = session

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json_body: object = None,
        data: Mapping[str, str] | bytes | None = None,
        headers: Mapping[str, str] | None = None,
        read_only: bool = False,
    ) -> ProviderResponse:
        """Send one request; ``path`` is relative to the base URL (no leading ``/``).

        ``read_only`` marks a POST that only reads, so it may be retried. The call
        never outlives the request's deadline. Raises the ``ProviderError`` subclass
        for the failure; on success returns the decoded body (``None`` if empty).
        """
        started = time.monotonic()
        status = 0
        sent = dict(headers or {})
        if read_only:
            sent[READ_MARK] = "1"
        try:
            async with self.session.request(
                method,
                path,
                params=params,
                json=json_body,
                data=data,
                headers=sent,
                timeout=self._timeout(),
            ) as response:
                status = response.status
                raw = await response.read()
                raise_for_provider(self.provider, status, response.headers, raw)
                return ProviderResponse(status, response.headers, self._decode(raw))
        except TimeoutError as exc:
            if cut_by_deadline():
                raise ProviderTimeout(
                    self.provider, "did not answer within the request's deadline"
                ) from exc
            raise ProviderTimeout(self.provider, "did not answer in time") from exc
        except aiohttp.ClientError as exc:
            raise ProviderUnavailable(
                self.provider, f"connection failed ({type(exc).__name__})"
            ) from exc
        finally:
            logger.info(
                "upstream call",
                extra={
                    "provider": self.provider,
                    "method": method,
                    "path": urlsplit(path).path,
                    "status": status,
                    "ms": round((time.monotonic() - started) * 1000, 1),
                },
            )

    def _timeout(self) -> aiohttp.ClientTimeout:
        """The session's timeout, cut to what is left of the request's deadline."""
        configured = self.session.timeout
        left = trace.remaining()
        if left is None:
            return configured
        if left <= 0:
            raise ProviderTimeout(self.provider, "the request's deadline has passed")
        total = left if configured.total is None else min(configured.total, left)
        return aiohttp.ClientTimeout(total=total, sock_connect=configured.sock_connect)

    def _decode(self, raw: bytes) -> object:
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise ProviderPayloadError(
                self.provider, "answered malformed JSON"
            ) from None


def expect_object(provider: str, body: object, what: str) -> dict[str, object]:
    """``body`` as a JSON object, or ``ProviderPayloadError`` naming ``what``."""
    if not isinstance(body, dict):
        raise ProviderPayloadError(provider, f"{what}: expected a JSON object")
    return body
