"""The Trustpilot simulator's error responses.

Trustpilot documents its error statuses (400, 401, 403, 404, 415, 429, 500, 501) but
not their bodies. Its API sits behind Apigee (the token endpoint answers Apigee's
OAuth shape, ``expires_in`` as a string), so every error here uses Apigee's fault
envelope::

    {"fault": {"faultstring": "Invalid ApiKey",
               "detail": {"errorcode": "oauth.v2.InvalidApiKey"}}}

with Apigee's own error codes for key and token failures and ``http.<Reason>`` codes
(``http.BadRequest``, ``http.NotFound``...) for everything else. The token endpoint
answers Apigee's OAuthV2 shape instead: ``{"ErrorCode": "invalid_client", "Error":
"..."}``. Clients should act on the status code only.
"""

from __future__ import annotations

from http import HTTPStatus

from aiohttp import web
from aiohttp.typedefs import Handler


def _reason_code(status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return "http." + "".join(part.capitalize() for part in phrase.split())


def render_error(status: int, message: str) -> web.Response:
    """The platform's error response for ``status`` (used by fault injection too)."""
    return fault(status, message, _reason_code(status))


def fault(status: int, message: str, code: str) -> web.Response:
    body = {"fault": {"faultstring": message, "detail": {"errorcode": code}}}
    return web.json_response(body, status=status)


class TrustpilotError(Exception):
    """An error answer in the fault envelope, raised by handlers and checks."""

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or _reason_code(status)

    def response(self) -> web.Response:
        return fault(self.status, self.message, self.code)


class TokenError(Exception):
    """An OAuth token-endpoint error in Apigee's OAuthV2 shape."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def response(self) -> web.Response:
        body = {"ErrorCode": self.code, "Error": self.message}
        return web.json_response(body, status=self.status)


def bad_request(message: str) -> TrustpilotError:
    return TrustpilotError(400, message)


def not_found(message: str) -> TrustpilotError:
    return TrustpilotError(404, message)


@web.middleware
async def error_middleware(
    request: web.Request, handler: Handler
) -> web.StreamResponse:
    """Turn raised errors (ours, and aiohttp's routing 404/405) into the envelope."""
    try:
        return await handler(request)
    except (TrustpilotError, TokenError) as exc:
        return exc.response()
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return render_error(exc.status, exc.reason)
