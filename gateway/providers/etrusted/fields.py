"""Typed reads of untrusted eTrusted JSON: each raises ProviderPayloadError on drift.

The mappers read every field through these helpers, so a missing required field or a
value of the wrong type becomes ``ProviderPayloadError`` naming the field (never the
value: it may be personal data), instead of a ``KeyError`` deep in a resolver.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from gateway.errors import ProviderPayloadError
from gateway.records import Provider
from gateway.timestamps import parse_iso

PROVIDER = Provider.ETRUSTED
JSONMap = Mapping[str, object]


def drift(what: str) -> ProviderPayloadError:
    """The error for an answer that is not in the documented shape."""
    return ProviderPayloadError(PROVIDER, f"unexpected answer: {what}")


def as_object(raw: object, what: str) -> JSONMap:
    """``raw`` as a JSON object."""
    if not isinstance(raw, dict):
        raise drift(f"{what} is not an object")
    return raw


def as_list(raw: object, what: str) -> list[object]:
    """``raw`` as a JSON array."""
    if not isinstance(raw, list):
        raise drift(f"{what} is not an array")
    return raw


def opt_object(raw: JSONMap, key: str, what: str) -> JSONMap | None:
    """An optional nested object (absent or null: ``None``)."""
    value = raw.get(key)
    return None if value is None else as_object(value, f"{what}.{key}")


def text(raw: JSONMap, key: str, what: str) -> str:
    """A required, non-empty string."""
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise drift(f"{what}.{key} is missing or not a string")
    return value


def opt_text(raw: JSONMap, key: str, what: str) -> str | None:
    """An optional string; empty means absent."""
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise drift(f"{what}.{key} is not a string")
    return value or None


def opt_bool(raw: JSONMap, key: str, what: str) -> bool | None:
    """An optional boolean."""
    value = raw.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise drift(f"{what}.{key} is not a boolean")


def opt_number(raw: JSONMap, key: str, what: str) -> float | None:
    """An optional JSON number (booleans are not numbers)."""
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise drift(f"{what}.{key} is not a number")
    return float(value)


def number(raw: JSONMap, key: str, what: str) -> float:
    """A required JSON number."""
    value = opt_number(raw, key, what)
    if value is None:
        raise drift(f"{what}.{key} is missing")
    return value


def integer(raw: JSONMap, key: str, what: str) -> int:
    """A required whole, non-negative number."""
    value = number(raw, key, what)
    if value != int(value) or value < 0:
        raise drift(f"{what}.{key} is not a count")
    return int(value)


def instant(raw: JSONMap, key: str, what: str) -> datetime:
    """A required ``yyyy-MM-dd'T'HH:mm:ss.SSSZ`` timestamp, as UTC."""
    value = opt_instant(raw, key, what)
    if value is None:
        raise drift(f"{what}.{key} is missing")
    return value


def opt_instant(raw: JSONMap, key: str, what: str) -> datetime | None:
    """An optional timestamp, as UTC."""
    value = opt_text(raw, key, what)
    if value is None:
        return None
    try:
        return parse_iso(value)
    except ValueError:
        raise drift(f"{what}.{key} is not a timestamp") from None
