"""Trustoo request signing (vendors.md 1.3, mode A: HMAC-SHA256, no tokens).

Every request carries three headers: ``Public-Token`` (identifies the shop),
``Timestamp`` (Unix seconds, from the injected clock: the platform accepts 15
minutes) and ``Sign``, the lowercase hex HMAC-SHA256 keyed with the private token
over the string to sign:

- every query parameter plus ``timestamp=<Timestamp>``, as decoded ``k=v`` pairs
  sorted by key and joined by ``&``;
- for a request with a body, ``|`` and the exact raw body bytes (so the client
  serialises the JSON itself and sends those bytes).

Array parameters are sent, and therefore signed, as comma lists
(``product_ids=1,2``): one key, one value, no ``[0]`` suffixes to canonicalise.
Because a fresh timestamp is signed per request there is nothing to renew.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from gateway.config import Secret


def string_to_sign(params: Mapping[str, str], timestamp: str) -> bytes:
    pairs = sorted([*params.items(), ("timestamp", timestamp)], key=lambda p: p[0])
    return "&".join(f"{key}={value}" for key, value in pairs).encode()


def signed_headers(
    public_token: str,
    private_token: Secret,
    params: Mapping[str, str],
    timestamp: str,
    body: bytes = b"",
) -> dict[str, str]:
    """The three auth headers for one request (never logged, never in errors)."""
    message = string_to_sign(params, timestamp)
    if body:
        message += b"|" + body
    sign = hmac.new(private_token.reveal().encode(), message, hashlib.sha256)
    return {
        "Public-Token": public_token,
        "Timestamp": timestamp,
        "Sign": sign.hexdigest(),
    }
