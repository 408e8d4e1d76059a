"""eTrusted OAuth2 client credentials: one cached access token per client.

``POST settings.token_url`` (login.etrusted.com, Keycloak) with the form
``client_id, client_secret, grant_type=client_credentials, audience`` answers
``{access_token, expires_in, ...}``. The token is reused until ``RENEW_MARGIN_S``
before ``expires_in`` runs out (measured on the injected monotonic clock); callers that
need a token while one is being fetched wait for that one request (and share its
error if it fails). A refused client (401, or Keycloak's 400 for a client it does not
accept) is ``ProviderAuthError``. The secret is revealed only into the form, never
into a message or a log line.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from gateway.config import EtrustedSettings
from gateway.errors import ProviderAuthError, ProviderBadRequest, ProviderError
from gateway.http import ProviderHttp

from .fields import PROVIDER, as_object, drift, opt_number, text

RENEW_MARGIN_S: Final = 30.0
"""Renew this long before expiry (at most half the lifetime for short tokens)."""
DEFAULT_LIFETIME_S: Final = 300.0
"""Assumed when ``expires_in`` is absent: the official sample tokens live 300 s."""


@dataclass(frozen=True, slots=True)
class _Token:
    value: str
    renew_at: float


class TokenSource:
    """Hands out a live access token, fetching a new one only when needed."""

    def __init__(
        self,
        settings: EtrustedSettings,
        http: ProviderHttp,
        monotonic: Callable[[], float],
    ) -> None:
        self._settings = settings
        self._http = http
        self._monotonic = monotonic
        self._token: _Token | None = None
        self._lock = asyncio.Lock()
        self._finished = 0  # token requests completed, failed or not
        self._error: ProviderError | None = None

    def __repr__(self) -> str:
        return f"TokenSource(client_id={self._settings.client_id!r})"

    async def token(self) -> str:
        """A token that is live now; concurrent callers share one token request.

        Callers that waited for a request which failed get its error instead of
        queueing one request each behind a token host that is down.
        """
        current = self._token
        if current is not None and self._monotonic() < current.renew_at:
            return current.value
        finished = self._finished
        async with self._lock:
            current = self._token
            if current is not None and self._monotonic() < current.renew_at:
                return current.value  # fetched while this caller waited
            if self._finished != finished and self._error is not None:
                raise self._error  # the request this caller waited for failed
            self._error = None  # a cancelled request leaves no error to share
            try:
                current = await self._fetch()
            except ProviderError as exc:
                self._error = exc
                raise
            finally:
                self._finished += 1
            self._token = current
            return current.value

    def invalidate(self, value: str) -> None:
        """Forget ``value`` (the API refused it); a newer token is kept."""
        if self._token is not None and self._token.value == value:
            self._token = None

    async def _fetch(self) -> _Token:
        form = {
            "client_id": self._settings.client_id,
            "client_secret": self._settings.client_secret.reveal(),
            "grant_type": "client_credentials",
            "audience": self._settings.audience,
        }
        started = self._monotonic()
        try:
            response = await self._http.request(
                "POST", self._settings.token_url, data=form
            )
        except ProviderBadRequest as exc:
            # Keycloak refuses an unknown or disabled client with 400 too: our
            # configuration, not a caller's input.
            raise ProviderAuthError(
                PROVIDER, "token request refused", http_status=exc.http_status
            ) from exc
        body = as_object(response.body, "token response")
        value = text(body, "access_token", "token response")
        lifetime = opt_number(body, "expires_in", "token response")
        if lifetime is None:
            lifetime = DEFAULT_LIFETIME_S
        if lifetime <= 0:
            raise drift("token response.expires_in is not positive")
        margin = min(RENEW_MARGIN_S, lifetime / 2)
        return _Token(value, started + lifetime - margin)
