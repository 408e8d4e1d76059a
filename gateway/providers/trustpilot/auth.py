"""Trustpilot business-user tokens: obtained, cached, renewed, shared.

POST ``settings.token_url`` (form-urlencoded, ``Authorization: Basic
base64(api_key:api_secret)``) with ``grant_type=password`` when a username and
password are configured, else ``client_credentials``. ``expires_in`` is a string of
seconds. A token is reused until shortly before it expires (on the injected
monotonic clock); then a held refresh token is spent (``grant_type=refresh_token``
on the same URL, as the docs allow), and a refused refresh falls back to a fresh
grant. Concurrent callers share one in-flight token request. No token or secret is
ever put in an error, a log line or a ``repr``.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

from gateway.config import TrustpilotSettings
from gateway.errors import ProviderAuthError, ProviderBadRequest
from gateway.http import ProviderHttp, expect_object

from .fields import P, drift, text

logger = logging.getLogger(__name__)

MAX_MARGIN_S: Final = 60.0
"""Renew this long before expiry (at most; a tenth of the lifetime when shorter)."""


@dataclass(frozen=True, slots=True)
class Token:
    """An access token, its refresh token and when (monotonic) to stop using it."""

    access: str = field(repr=False)
    refresh: str | None = field(repr=False)
    fresh_until: float


def parse_token(body: object, obtained_at: float) -> Token:
    """The token endpoint's answer; ``expires_in`` is documented as a string."""
    raw = expect_object(P, body, "token")
    expires_in = raw.get("expires_in")
    try:
        seconds = float(str(expires_in)) if expires_in is not None else None
    except ValueError:
        seconds = None
    if seconds is None or isinstance(expires_in, bool) or seconds < 0:
        raise drift("token.expires_in is missing or not a number of seconds")
    refresh = raw.get("refresh_token")
    margin = min(MAX_MARGIN_S, seconds / 10)
    return Token(
        access=text(raw, "access_token", "token"),
        refresh=refresh if isinstance(refresh, str) and refresh else None,
        fresh_until=obtained_at + seconds - margin,
    )


class TokenSource:
    """The business-user access token for private calls (single-flight renewal)."""

    def __init__(
        self,
        settings: TrustpilotSettings,
        http: ProviderHttp,
        monotonic: Callable[[], float],
    ) -> None:
        self._settings = settings
        self._http = http
        self._monotonic = monotonic
        self._token: Token | None = None
        self._pending: asyncio.Task[Token] | None = None

    def __repr__(self) -> str:
        return "TokenSource(trustpilot)"

    async def access_token(self) -> str:
        """A usable access token: the cached one, or one renewed for all waiters."""
        token = self._token
        if token is not None and self._monotonic() < token.fresh_until:
            return token.access
        if self._pending is None:
            self._pending = asyncio.create_task(self._renew())
            # Mark a failure as retrieved even if every waiter was cancelled.
            self._pending.add_done_callback(
                lambda t: None if t.cancelled() else t.exception()
            )
        # shield: one waiter's cancellation must not cancel the others' request.
        return (await asyncio.shield(self._pending)).access

    def invalidate(self, access: str) -> None:
        """Forget ``access`` (and its refresh token) after the API refused it.

        Only if it is still the current token: concurrent callers refused with the
        same token then share one re-authentication.
        """
        if self._token is not None and self._token.access == access:
            self._token = None

    async def _renew(self) -> Token:
        try:
            held = self._token
            if held is not None and held.refresh is not None:
                try:
                    return await self._grant(
                        {"grant_type": "refresh_token", "refresh_token": held.refresh}
                    )
                except (ProviderAuthError, ProviderBadRequest):
                    logger.info(
                        "token refresh refused, requesting a new grant",
                        extra={"provider": P},
                    )
            return await self._fresh_grant()
        finally:
            self._pending = None

    async def _fresh_grant(self) -> Token:
        settings = self._settings
        form = {"grant_type": "client_credentials"}
        if settings.username and settings.password is not None:
            form = {
                "grant_type": "password",
                "username": settings.username,
                "password": settings.password.reveal(),
            }
        try:
            return await self._grant(form)
        except ProviderBadRequest as exc:
            # A refused grant means our configured credentials are wrong.
            raise ProviderAuthError(
                P, "token request refused", http_status=exc.http_status
            ) from None

    async def _grant(self, form: Mapping[str, str]) -> Token:
        pair = f"{self._settings.api_key.reveal()}:{self._settings.api_secret.reveal()}"
        started = self._monotonic()
        response = await self._http.request(
            "POST",
            self._settings.token_url,
            data=form,
            headers={
                "Authorization": "Basic " + base64.b64encode(pair.encode()).decode()
            },
        )
        token = parse_token(response.body, started)
        if token.refresh is None and form["grant_type"] == "refresh_token":
            # No rotation in the answer: the refresh token stays valid.
            token = Token(token.access, form["refresh_token"], token.fresh_until)
        self._token = token
        logger.info("token issued", extra={"provider": P, "grant": form["grant_type"]})
        return token
