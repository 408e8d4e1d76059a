"""Trustpilot business-user tokens: the grants and the token endpoint's answer.

POST ``settings.token_url`` (form-urlencoded, ``Authorization: Basic
base64(api_key:api_secret)``) with ``grant_type=password`` when a username and
password are configured, else ``client_credentials``. ``expires_in`` is a string of
seconds; a token is used until ``MAX_MARGIN_S`` (or a tenth of its lifetime, when
shorter) before it expires. Renewal spends a held refresh token first
(``grant_type=refresh_token`` on the same URL, as the docs allow), and a refused
refresh falls back to a fresh grant. Holding the token, the single in-flight request
and the 401 replay are ``gateway.tokens``'s; ``TokenEndpoint.fetch`` is what it calls.
No token or secret is ever put in an error, a log line or a ``repr``.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Final

from gateway.config import TrustpilotSettings
from gateway.errors import ProviderAuthError, ProviderBadRequest
from gateway.http import ProviderHttp, expect_object
from gateway.tokens import Token

from .fields import P, drift, text

logger = logging.getLogger(__name__)

MAX_MARGIN_S: Final = 60.0
"""Renew this long before expiry (at most; a tenth of the lifetime when shorter)."""


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


class TokenEndpoint:
    """Obtains business-user tokens: a refresh when one is held, else a new grant."""

    def __init__(
        self,
        settings: TrustpilotSettings,
        http: ProviderHttp,
        monotonic: Callable[[], float],
    ) -> None:
        self._settings = settings
        self._http = http
        self._monotonic = monotonic

    def __repr__(self) -> str:
        return "TokenEndpoint(trustpilot)"

    async def fetch(self, previous: Token | None) -> Token:
        """A new token; ``previous`` (if not invalidated) lends its refresh token."""
        if previous is not None and previous.refresh is not None:
            try:
                return await self._grant(
                    {"grant_type": "refresh_token", "refresh_token": previous.refresh}
                )
            except (ProviderAuthError, ProviderBadRequest):
                logger.info(
                    "token refresh refused, requesting a new grant",
                    extra={"provider": P},
                )
        return await self._fresh_grant()

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
            token = replace(token, refresh=form["refresh_token"])
        logger.info("token issued", extra={"provider": P, "grant": form["grant_type"]})
        return token
