"""Request parsing for the Trustpilot simulator, with the platform's 400/415 errors.

Multi-valued query parameters are comma-separated (``sku=A,B``); repeating the
parameter works too. Paging is ``page`` (1..2147483647, default 1) and ``perPage``
(1..100 default 20, or 1..1000 default 1000 for summaries); a page past the end is
an empty list, not an error.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .errors import TrustpilotError, bad_request

MAX_PAGE = 2_147_483_647


@dataclass(frozen=True, slots=True)
class Paging:
    """A requested page: 1-based ``page`` of ``per_page`` items."""

    page: int
    per_page: int

    @property
    def start(self) -> int:
        return (self.page - 1) * self.per_page


def int_param(
    request: web.Request, name: str, default: int, low: int, high: int
) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise bad_request(f"{name} must be an integer") from None
    if not low <= value <= high:
        raise bad_request(f"{name} must be between {low} and {high}")
    return value


def paging(request: web.Request, *, default: int = 20, maximum: int = 100) -> Paging:
    page = int_param(request, "page", 1, 1, MAX_PAGE)
    return Paging(page, int_param(request, "perPage", default, 1, maximum))


def list_param(request: web.Request, name: str) -> list[str]:
    """Comma-separated (or repeated) values, blanks dropped, order kept, deduped."""
    values = (
        part.strip()
        for raw in request.query.getall(name, ())
        for part in raw.split(",")
    )
    return list(dict.fromkeys(v for v in values if v))


def required_list(request: web.Request, name: str) -> list[str]:
    values = list_param(request, name)
    if not values:
        raise bad_request(f"{name} is required")
    return values


def stars_param(request: web.Request) -> set[int]:
    """``stars``: a list of 1..5."""
    stars = set()
    for raw in list_param(request, "stars"):
        if raw not in ("1", "2", "3", "4", "5"):
            raise bad_request("stars must be a list of values from 1 to 5")
        stars.add(int(raw))
    return stars


def optional_str(request: web.Request, name: str) -> str | None:
    value = request.query.get(name, "").strip()
    return value or None


async def json_body(request: web.Request) -> Mapping[str, Any]:
    """The JSON object body, or 415 (wrong Content-Type) / 400 (not a JSON object)."""
    if request.content_type != "application/json":
        raise TrustpilotError(415, "Content-Type must be application/json")
    try:
        body = json.loads(await request.text())
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise bad_request("The request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object")
    return body


def string_list(body: Mapping[str, Any], name: str, maximum: int) -> list[str]:
    """A required, non-empty list of non-empty strings (at most ``maximum``)."""
    value = body.get(name)
    if not isinstance(value, list) or not value:
        raise bad_request(f"{name} must be a non-empty list of strings")
    if not all(isinstance(v, str) and v.strip() for v in value):
        raise bad_request(f"{name} must be a non-empty list of strings")
    if len(value) > maximum:
        raise bad_request(f"{name} takes at most {maximum} values")
    return list(dict.fromkeys(v.strip() for v in value))


def required_text(body: Mapping[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise bad_request(f"{name} is required")
    return value


def optional_text(body: Mapping[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad_request(f"{name} must be a string")
    return value
