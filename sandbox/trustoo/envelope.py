"""Trustoo's response envelope, business codes and wall-clock formats.

Every answer is ``{"code", "message", "time", "request_id", "data"}`` with code 0
and message ``success``; errors carry the Response Code table's number (which
coincides with gRPC status codes) and usually travel with HTTP 200.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from enum import IntEnum
from typing import Final

from aiohttp import web

TIME_FORMAT: Final = "%Y-%m-%d %H:%M:%S"


class Code(IntEnum):
    """The Response Code table (T-codes)."""

    OK = 0
    CANCELED = 1
    INVALID_ARGUMENT = 3
    DEADLINE_EXCEEDED = 4
    NOT_FOUND = 5
    ALREADY_EXISTS = 6
    REJECTED = 8
    INTERNAL = 13
    UNAUTHENTICATED = 16


UNAUTHENTICATED_MESSAGE: Final = (
    "request does not have valid authentication credentials for the operation"
)


class TrustooError(Exception):
    """A business error; handlers raise it and the error middleware renders it."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def invalid(message: str) -> TrustooError:
    return TrustooError(Code.INVALID_ARGUMENT, message)


def not_found(message: str) -> TrustooError:
    return TrustooError(Code.NOT_FOUND, message)


def request_id() -> str:
    """A fresh 32-hex request id, as every Trustoo answer carries."""
    return uuid.uuid4().hex


def envelope(
    now: datetime, data: object, *, code: Code = Code.OK, message: str = "success"
) -> dict[str, object]:
    return {
        "code": int(code),
        "message": message,
        "time": int(now.timestamp()),
        "request_id": request_id(),
        "data": data,
    }


def respond(now: datetime, data: object) -> web.Response:
    """A success envelope with ``data``."""
    return web.json_response(envelope(now, data), dumps=_dumps)


def error_response(
    now: datetime, code: Code, message: str, status: int
) -> web.Response:
    """An error envelope (``data`` null) at HTTP ``status``."""
    body = envelope(now, None, code=code, message=message)
    return web.json_response(body, status=status, dumps=_dumps)


def code_for_status(status: int) -> Code:
    """The business code Trustoo would pair with an HTTP error status."""
    if status == 429:
        return Code.REJECTED
    mapping = {
        400: Code.INVALID_ARGUMENT,
        401: Code.UNAUTHENTICATED,
        404: Code.NOT_FOUND,
    }
    mapping |= {403: Code.UNAUTHENTICATED, 405: Code.NOT_FOUND}
    mapping |= {408: Code.DEADLINE_EXCEEDED}
    return mapping.get(status, Code.INTERNAL)


def format_time(moment: datetime) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in UTC, Trustoo's one timestamp format."""
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


def parse_time(text: str) -> datetime | None:
    """Parse ``YYYY-MM-DD HH:MM:SS`` (UTC); ``None`` when it is not exactly that."""
    if len(text) != 19:
        return None
    try:
        return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def _dumps(value: object) -> str:
    # Keep non-ASCII review text readable on the wire, as the vendor does.
    return json.dumps(value, ensure_ascii=False)
