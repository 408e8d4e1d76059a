"""Reading Trustpilot JSON defensively: typed field access raising on drift.

Every helper raises ``ProviderPayloadError`` naming the field when a required value
is missing or of the wrong type; ``opt_*`` accept a missing or ``null`` value.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Final

from gateway.errors import ProviderPayloadError
from gateway.records import Provider
from gateway.timestamps import parse_iso

P: Final = Provider.TRUSTPILOT
Raw = Mapping[str, object]


def drift(what: str) -> ProviderPayloadError:
    """The error for a payload that is not what the docs promise."""
    return ProviderPayloadError(P, f"unexpected payload: {what}")


def obj(raw: object, what: str) -> Raw:
    if not isinstance(raw, Mapping):
        raise drift(f"{what} is not an object")
    return raw


def opt_obj(raw: Raw, key: str, what: str) -> Raw | None:
    value = raw.get(key)
    return None if value is None else obj(value, f"{what}.{key}")


def text(raw: Raw, key: str, what: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str):
        raise drift(f"{what}.{key} is missing or not a string")
    return value


def opt_text(raw: Raw, key: str, what: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise drift(f"{what}.{key} is not a string")
    return value


def integer(raw: Raw, key: str, what: str) -> int:
    value = raw.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise drift(f"{what}.{key} is missing or not an integer")
    return value


def opt_number(raw: Raw, key: str, what: str) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise drift(f"{what}.{key} is not a number")
    return float(value)


def items(raw: Raw, key: str, what: str) -> list[Raw]:
    """A list of objects; missing or ``null`` is empty."""
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise drift(f"{what}.{key} is not a list")
    return [obj(item, f"{what}.{key}[]") for item in value]


def timestamp(raw: Raw, key: str, what: str) -> datetime:
    value = text(raw, key, what)
    try:
        return parse_iso(value)
    except ValueError:
        raise drift(f"{what}.{key} is not an ISO-8601 time") from None


def opt_timestamp(raw: Raw, key: str, what: str) -> datetime | None:
    return None if raw.get(key) is None else timestamp(raw, key, what)


def stars(raw: Raw, what: str) -> int:
    value = integer(raw, "stars", what)
    if not 1 <= value <= 5:
        raise drift(f"{what}.stars is not 1..5")
    return value
