"""Reading a request body within a bound: the one body reader of the gateway.

``/graphql`` (``schema.request_body``) and the sandbox's control routes
(``gateway.sandbox_proxy``) read bodies through ``bounded_body``, so that no route
reads more than its limit and a client that leaves mid-body is a quiet refusal.
"""

from __future__ import annotations

from starlette.requests import ClientDisconnect, Request


class BodyRefused(Exception):
    """A request body that is not read: ``status`` and a message for the client."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


async def bounded_body(request: Request, limit: int) -> bytes:
    """The request body, read only while it stays within ``limit`` bytes.

    Raises ``BodyRefused``: 413 for a body over ``limit`` (by its
    ``Content-Length``, or counted while reading, which stops there), 400 for a
    client that disconnects before its body ends (a quiet refusal nobody receives,
    rather than a traceback and a 500 in the logs).
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    body = bytearray()
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise _too_large(limit)
    except ClientDisconnect:
        raise BodyRefused(400, "the request body was cut short") from None
    return bytes(body)


def _too_large(limit: int) -> BodyRefused:
    return BodyRefused(413, f"the request is larger than {limit} bytes")
