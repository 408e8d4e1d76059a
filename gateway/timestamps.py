"""Parsing the platforms' many timestamp formats into timezone-aware UTC datetimes.

Trustpilot writes ISO-8601 without a zone (``2013-09-07T13:37:00``, documented as UTC),
eTrusted ISO-8601 with milliseconds and ``Z``, Trustoo ``YYYY-MM-DD HH:MM:SS`` (UTC
assumed: the docs name no zone), Mayar milliseconds since the epoch.
"""

from __future__ import annotations

from datetime import UTC, datetime


def parse_iso(value: str) -> datetime:
    """An ISO-8601 string, with or without zone (no zone means UTC), as UTC."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_epoch_ms(value: int | float) -> datetime:
    """Milliseconds since the Unix epoch, as UTC."""
    return datetime.fromtimestamp(value / 1000, tz=UTC)


def format_iso(value: datetime) -> str:
    """A UTC instant as ISO-8601 with ``Z`` and milliseconds."""
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
