"""eTrusted OAuth2 client credentials: the token request and its answer.

``POST settings.token_url`` (login.etrusted.com, Keycloak) with the form
``client_id, client_secret, grant_type=client_credentials, audience`` answers
``{access_token, expires_in, ...}``. A token is used until ``RENEW_MARGIN_S`` (at most
half its lifetime) before ``expires_in`` runs out, measured on the injected monotonic
clock. Holding it, sharing one in-flight request (and its error) and the 401 replay
are ``gateway.tokens``'s; ``TokenEndpoint.fetch`` is what it calls. A refused client
(401, or Keycloak's 400 for a client it does not accept) is ``ProviderAuthError``. The
secret is revealed only into the form, never into a message or a log line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from gateway.config import EtrustedSettings
from gateway.errors import ProviderAuthError, ProviderBadRequest
from gateway.http import ProviderHttp
from gateway.tokens import Token

from .fields import PROVIDER, as_object, drift, opt_number, text

RENEW_MARGIN_S: Final = 30.0
"""Renew this long before expiry (at most half the lifetime for short tokens)."""
DEFAULT_LIFETIME_S: Final = 300.0
"""Assumed when ``expires_in`` is absent: the official sample tokens live 300 s."""


class TokenEndpoint:
    """Obtains client-credentials tokens (there is no refresh token to spend)."""

    def __init__(
        self,
        settings: EtrustedSettings,
        http: ProviderHttp,
        monotonic: Callable[[], float],
    ) -> None:
        self._settings = settings
        self._http = http
        self._monotonic = monotonic

    def __repr__(self) -> str:
        return f"TokenEndpoint(client_id={self._settings.client_id!r})"

    async def fetch(self, previous: Token | None) -> Token:
        """A new token; ``previous`` is not used (client credentials never refresh)."""
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
        return Token(value, started + lifetime - margin)
