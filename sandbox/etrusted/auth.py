"""eTrusted auth: the Keycloak token host (login.etrusted.com) and bearer checks.

``POST /oauth/token`` (and the older Keycloak path
``/auth/realms/business/protocol/openid-connect/token``) takes the OAuth2
client-credentials form and answers Keycloak's token JSON; its errors are Keycloak's
``{"error", "error_description"}`` bodies, checked in Keycloak's order (grant_type
present, then the client, then the grant). The API host accepts only tokens this
sandbox issued and that have not expired by the injected clock; anything else is a
bare 401, as the API documents.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta
from typing import Final

from aiohttp import web
from aiohttp.typedefs import Handler

from sandbox.catalog import EtrustedCredentials
from sandbox.control import Clock

from .settings import EtrustedSettings

ISSUER: Final = "https://login.etrusted.com/auth/realms/business"
AUDIENCE: Final = "https://api.etrusted.com"
TOKEN_PATHS: Final = (
    "/oauth/token",
    "/auth/realms/business/protocol/openid-connect/token",
)
_SIGNING_KEY: Final = b"etrusted-sandbox-signing-key"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenBook:
    """Issues opaque JWT-looking access tokens and remembers when each expires."""

    def __init__(
        self, credentials: EtrustedCredentials, settings: EtrustedSettings, clock: Clock
    ) -> None:
        self._credentials = credentials
        self._settings = settings
        self._clock = clock
        self._expiry: dict[str, datetime] = {}

    def issue(self) -> dict[str, object]:
        """A new token and Keycloak's token response around it."""
        now = self._clock()
        lifetime = self._settings.token_lifetime_s
        claims = {
            "exp": int(now.timestamp()) + lifetime,
            "iat": int(now.timestamp()),
            "jti": f"{len(self._expiry) + 1:08d}-sandbox",
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": self._credentials.account_id,
            "typ": "Bearer",
            "azp": self._credentials.client_id,
            "scope": self._settings.token_scope,
        }
        header = _b64(
            json.dumps({"alg": "RS256", "typ": "JWT"}, separators=(",", ":")).encode()
        )
        payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
        signed = f"{header}.{payload}".encode()
        signature = _b64(hmac.new(_SIGNING_KEY, signed, hashlib.sha256).digest())
        token = f"{header}.{payload}.{signature}"
        self._expiry[token] = now + timedelta(seconds=lifetime)
        return {
            "access_token": token,
            "expires_in": lifetime,
            "refresh_expires_in": 0,
            "token_type": "Bearer",
            "not-before-policy": 0,
            "scope": self._settings.token_scope,
        }

    def valid(self, authorization: str | None) -> bool:
        """Whether an ``Authorization`` header carries a live token of this book."""
        if authorization is None:
            return False
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer":
            return False
        expiry = self._expiry.get(token.strip())
        return expiry is not None and self._clock() < expiry


def keycloak_error(status: int, error: str, description: str) -> web.Response:
    """Keycloak's error body (also what fault injection answers on the login host)."""
    return web.json_response(
        {"error": error, "error_description": description}, status=status
    )


def render_login_error(status: int, message: str) -> web.Response:
    """The login host's own error response for ``status`` (used by faults)."""
    error = "invalid_request" if status < 500 else "server_error"
    return keycloak_error(status, error, message)


def _client_pair(request: web.Request, form: dict[str, str]) -> tuple[str, str]:
    """client_id/secret from the form, or from HTTP Basic as Keycloak also allows."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip()).decode()
        except ValueError:
            return "", ""
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    return form.get("client_id", ""), form.get("client_secret", "")


TOKENS_KEY: Final = web.AppKey("etrusted_tokens", TokenBook)
CREDENTIALS_KEY: Final = web.AppKey("etrusted_credentials", EtrustedCredentials)


async def token(request: web.Request) -> web.Response:
    """``POST /oauth/token``: the client-credentials grant."""
    posted = await request.post()
    form = {k: v for k, v in posted.items() if isinstance(v, str)}
    grant = form.get("grant_type")
    if not grant:
        return keycloak_error(
            400, "invalid_request", "Missing form parameter: grant_type"
        )
    credentials = request.app[CREDENTIALS_KEY]
    client_id, secret = _client_pair(request, form)
    known = hmac.compare_digest(client_id, credentials.client_id)
    if not (known and hmac.compare_digest(secret, credentials.client_secret)):
        return keycloak_error(
            401, "invalid_client", "Invalid client or Invalid client credentials"
        )
    if grant != "client_credentials":
        return keycloak_error(400, "unsupported_grant_type", "Unsupported grant_type")
    return web.json_response(request.app[TOKENS_KEY].issue())


@web.middleware
async def require_bearer(request: web.Request, handler: Handler) -> web.StreamResponse:
    """401 without a body unless the call carries a live token."""
    if not request.app[TOKENS_KEY].valid(request.headers.get("Authorization")):
        return web.Response(status=401, headers={"WWW-Authenticate": "Bearer"})
    return await handler(request)
