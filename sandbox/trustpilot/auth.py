"""Trustpilot auth: the API key, business-user Bearer tokens, the token endpoint.

Public endpoints take the key in the ``apikey`` header (or ``?apikey=``, which the
old docs allowed). Private ones take ``Authorization: Bearer <access_token>`` from
POST ``/v1/oauth/oauth-business-users-for-applications/accesstoken`` (or ``/refresh``):
form-urlencoded, the app's ``Authorization: Basic base64(apiKey:apiSecret)`` (or
``client_id``/``client_secret`` form fields, as the auth-code flow allows), with
``grant_type`` ``client_credentials`` (no refresh token), ``password`` or
``refresh_token``. ``expires_in`` is a string, as the docs show.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from aiohttp import web

from .errors import TokenError, TrustpilotError
from .state import IssuedToken, TrustpilotContext, context

FORM = "application/x-www-form-urlencoded"


def require_apikey(request: web.Request) -> None:
    """Raise the platform's 401 unless the request carries the business unit's key."""
    ctx = context(request)
    key = request.headers.get("apikey")
    if key is None and ctx.settings.accept_apikey_query:
        key = request.query.get("apikey")
    if key is None:
        raise TrustpilotError(
            401,
            "Failed to resolve API Key variable request.header.apikey",
            "steps.oauth.v2.FailedToResolveAPIKey",
        )
    if key != ctx.credentials.api_key:
        raise TrustpilotError(401, "Invalid ApiKey", "oauth.v2.InvalidApiKey")


def require_bearer(request: web.Request) -> IssuedToken:
    """The caller's live access token, or the platform's 401."""
    ctx = context(request)
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise TrustpilotError(
            401, "Invalid access token", "oauth.v2.InvalidAccessToken"
        )
    token = ctx.tokens.access.get(value.strip())
    if token is None:
        raise TrustpilotError(
            401, "Invalid Access Token", "keymanagement.service.invalid_access_token"
        )
    if ctx.clock() >= token.expires_at:
        raise TrustpilotError(
            401, "Access Token expired", "keymanagement.service.access_token_expired"
        )
    key = request.headers.get("apikey")
    if ctx.settings.check_apikey_with_bearer and key not in (
        None,
        ctx.credentials.api_key,
    ):
        raise TrustpilotError(401, "Invalid ApiKey", "oauth.v2.InvalidApiKey")
    return token


def _client(request: web.Request, form: Mapping[str, str]) -> tuple[str, str]:
    """The (key, secret) pair from Basic auth, else from the form."""
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise TokenError(401, "invalid_client", "Invalid client header") from exc
        key, _, secret = decoded.partition(":")
        return key, secret
    return form.get("client_id", ""), form.get("client_secret", "")


def _token_body(
    access: IssuedToken, refresh: IssuedToken | None, ttl_s: int, refresh_ttl_s: int
) -> dict[str, str]:
    body = {
        "access_token": access.value,
        "expires_in": str(ttl_s),
        "issued_at": str(int(access.issued_at.timestamp() * 1000)),
        "token_type": "BearerToken",
    }
    if refresh is not None:
        body["refresh_token"] = refresh.value
        body["refresh_token_expires_in"] = str(refresh_ttl_s)
    return body


def _password_grant(ctx: TrustpilotContext, form: Mapping[str, str]) -> None:
    username, password = form.get("username"), form.get("password")
    if not username or not password:
        raise TokenError(400, "invalid_request", "username and password are required")
    creds = ctx.credentials
    if (username, password) != (creds.username, creds.password):
        raise TokenError(401, "invalid_grant", "Invalid username or password")


def _refresh_grant(ctx: TrustpilotContext, form: Mapping[str, str]) -> None:
    """Check and consume the refresh token (a refresh rotates it)."""
    value = form.get("refresh_token")
    if not value:
        raise TokenError(400, "invalid_request", "refresh_token is required")
    token = ctx.tokens.refresh.get(value)
    now = ctx.clock()
    if token is None or now >= token.expires_at:
        raise TokenError(400, "invalid_grant", "Invalid refresh token")
    elapsed = (now - token.issued_at).total_seconds()
    if elapsed < ctx.settings.min_refresh_interval_s:
        raise TokenError(429, "too_many_requests", "Token refreshed too often")
    del ctx.tokens.refresh[value]


def _grant(ctx: TrustpilotContext, form: Mapping[str, str], refresh_only: bool) -> bool:
    """Validate the grant; return whether the answer carries a refresh token."""
    grant = form.get("grant_type")
    if not grant:
        raise TokenError(400, "invalid_request", "grant_type is required")
    if refresh_only and grant != "refresh_token":
        raise TokenError(400, "unsupported_grant_type", "Use grant_type refresh_token")
    if grant == "client_credentials":
        return False
    if grant == "password":
        _password_grant(ctx, form)
        return True
    if grant == "refresh_token":
        _refresh_grant(ctx, form)
        return True
    raise TokenError(400, "unsupported_grant_type", f"Unsupported grant {grant}")


async def _token_endpoint(request: web.Request, *, refresh_only: bool) -> web.Response:
    ctx = context(request)
    if request.content_type != FORM:
        raise TrustpilotError(415, f"Content-Type must be {FORM}")
    form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
    if _client(request, form) != (ctx.credentials.api_key, ctx.credentials.api_secret):
        raise TokenError(401, "invalid_client", "Client credentials are invalid")
    with_refresh = _grant(ctx, form, refresh_only)
    settings = ctx.settings
    access, refresh = ctx.tokens.issue(
        ctx.clock(),
        settings.access_token_ttl_s,
        refresh_ttl_s=settings.refresh_token_ttl_s if with_refresh else None,
    )
    body = _token_body(
        access, refresh, settings.access_token_ttl_s, settings.refresh_token_ttl_s
    )
    return web.json_response(body)


async def access_token(request: web.Request) -> web.Response:
    """POST .../accesstoken: any of the three grants."""
    return await _token_endpoint(request, refresh_only=False)


async def refresh_token(request: web.Request) -> web.Response:
    """POST .../refresh: the refresh grant only."""
    return await _token_endpoint(request, refresh_only=True)
