"""Reading a GraphQL request's body and JSON, bounded, before Strawberry sees it.

Every refusal is an ``HTTPException`` that the view answers in the GraphQL error
shape (``transport_code`` names its code):

- a POST body over ``limit`` bytes (by its ``Content-Length``, or counted while
  reading a chunked body, which stops at the limit) or a query string over it: 413,
  ``PAYLOAD_TOO_LARGE``; a body the client stopped sending (it disconnected): 400,
  ``BAD_REQUEST`` (``gateway.bodies.bounded_body`` reads it);
- a JSON body that is not an object (``null``, a number, a string, an array: one
  operation per request, no batching): 400, ``BAD_REQUEST``;
- JSON (the body, or a GET's ``variables``/``extensions``) that is not UTF-8, not
  JSON, nested deeper than ``MAX_JSON_DEPTH``, whose objects hold more than
  ``MAX_JSON_MEMBERS`` members in all, whose arrays hold more than ``max_items``
  items in all (the ``max_list_items`` setting: 300,000 integers in
  one variable held the event loop for 1.6 s while coerced, and 120 arrays of
  1,000 in 30 variables for 0.6 s) or an integer longer than Python reads (4,300
  digits): 400, ``BAD_REQUEST``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Final

from cross_web import HTTPException
from starlette.requests import Request
from starlette.types import Message
from strawberry.http.parse_content_type import parse_content_type

from gateway.bodies import BodyRefused, bounded_body

BAD_REQUEST: Final = "BAD_REQUEST"
PAYLOAD_TOO_LARGE: Final = "PAYLOAD_TOO_LARGE"
MAX_JSON_DEPTH: Final = 64
"""Nesting of arrays and objects allowed in the body and in variables."""
MAX_JSON_MEMBERS: Final = 1000
"""Members of all the objects of the body (or of a GET parameter) together.

graphql-core's error for an unknown input field inspects the whole object: 4,000
unknown keys in one variable took 1.6 s to coerce (quadratic), 1,000 take 8 ms."""
_WHITESPACE: Final = b" \t\r\n"


def transport_code(status_code: int) -> str:
    """The error code of a request refused before GraphQL ran."""
    return PAYLOAD_TOO_LARGE if status_code == 413 else BAD_REQUEST


def _too_large(limit: int) -> HTTPException:
    return HTTPException(413, f"the request is larger than {limit} bytes")


async def bounded(request: Request, limit: int) -> Request:
    """``request`` with its body read (at most ``limit`` bytes) and checked.

    Answers a request whose body will be parsed as JSON only if that body is an
    object; the returned request replays the body to whoever reads it next.
    """
    if request.method != "POST":
        if len(request.scope.get("query_string", b"")) > limit:
            raise _too_large(limit)
        return request
    try:
        body = await bounded_body(request, limit)
    except BodyRefused as refused:
        raise HTTPException(refused.status, str(refused)) from None
    if _is_json(request):
        _require_object(body)
    replayed = False

    async def receive() -> Message:
        nonlocal replayed
        if replayed:
            return await request.receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(request.scope, receive)


def _is_json(request: Request) -> bool:
    # The test Strawberry applies before it parses a body as JSON.
    media, _ = parse_content_type(request.headers.get("content-type", ""))
    return "application/json" in media


def _require_object(body: bytes) -> None:
    first = body.lstrip(_WHITESPACE)[:1]
    if first == b"[":
        raise HTTPException(400, "batching is not supported: send one operation")
    if first != b"{":
        raise HTTPException(400, "the body must be a JSON object")


def read_json(data: str | bytes, max_items: int) -> object:
    """Parse ``data`` as JSON, refusing what would break or burden the gateway.

    ``max_items`` bounds the items of all its arrays together.
    """
    try:
        text = data.decode() if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise HTTPException(400, "the JSON is not UTF-8 text") from None
    try:
        value = json.loads(text)
    except RecursionError:
        raise _too_deep() from None
    except json.JSONDecodeError:
        raise HTTPException(400, "the JSON is not valid") from None
    except ValueError:  # Python refuses to read an integer over 4,300 digits
        raise HTTPException(400, "a number in the JSON has too many digits") from None
    _check_shape(value, max_items)
    return value


def _too_deep() -> HTTPException:
    return HTTPException(400, f"JSON nested deeper than {MAX_JSON_DEPTH} levels")


def _too_many_members() -> HTTPException:
    return HTTPException(
        400, f"the JSON's objects hold more than {MAX_JSON_MEMBERS} members in all"
    )


def _too_long(max_items: int) -> HTTPException:
    return HTTPException(
        400, f"the JSON's arrays hold more than {max_items} items in all"
    )


def _check_shape(value: object, max_items: int) -> None:
    """Refuse ``value`` nested too deeply, or with too many members or items.

    The items of all arrays count together: graphql-core coerces a list variable
    at about 2.5 microseconds an item, twice (``schema.cost`` and the executor).
    Without recursion; the sum is checked before an array's items are looked at.

    Only arrays and objects are pushed, never the scalars (``json.loads`` makes
    exact ``dict`` and ``list`` objects, so ``type`` tests them at the least cost).
    """
    if type(value) is not dict and type(value) is not list:
        return
    pending: list[tuple[dict[str, object] | list[object], int]] = [(value, 1)]
    items = members = 0
    while pending:
        item, level = pending.pop()
        if level > MAX_JSON_DEPTH:
            raise _too_deep()
        if isinstance(item, dict):
            members += len(item)
            if members > MAX_JSON_MEMBERS:
                raise _too_many_members()
            children: Iterable[object] = item.values()
        else:
            items += len(item)
            if items > max_items:
                raise _too_long(max_items)
            children = item
        for child in children:
            if type(child) is dict or type(child) is list:
                pending.append((child, level + 1))
