"""Trustoo's answer envelope ``{code, message, time, request_id, data}``.

Errors usually travel with HTTP 200, so the body's ``code`` is checked on every
answer (the Response Code table, T-codes; the numbers are gRPC's):

====  ==================  =========================================
code  meaning             raised
====  ==================  =========================================
0     ok (2000 in 2024)   -- (``data`` returned)
1     canceled            ProviderUnavailable
3     invalid argument    ProviderBadRequest (vendor_message = text)
4     deadline expired    ProviderTimeout
5     entity not found    ProviderNotFound
6     already exists      ProviderRejected (vendor_code ALREADY_EXISTS)
8     operation rejected  ProviderRejected; ProviderRateLimited at 429
13    internal error      ProviderUnavailable
16    unauthenticated     ProviderAuthError
====  ==================  =========================================

Any other code is ProviderUnavailable. An answer at an HTTP error status never
reaches this module: ``gateway.http`` maps the status first (429 rate limited,
5xx unavailable, 401/403 auth, 404 not found, 400 bad request).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from gateway.errors import (
    ProviderAuthError,
    ProviderBadRequest,
    ProviderError,
    ProviderNotFound,
    ProviderRateLimited,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
)

from .mapping import PROVIDER, Fields, drift

SUCCESS: Final = frozenset({0, 2000})
_ERRORS: Final[Mapping[int, tuple[type[ProviderError], str]]] = {
    1: (ProviderUnavailable, "CANCELED"),
    3: (ProviderBadRequest, "INVALID_ARGUMENT"),
    4: (ProviderTimeout, "DEADLINE_EXCEEDED"),
    5: (ProviderNotFound, "NOT_FOUND"),
    6: (ProviderRejected, "ALREADY_EXISTS"),
    8: (ProviderRejected, "REJECTED"),
    13: (ProviderUnavailable, "INTERNAL"),
    16: (ProviderAuthError, "UNAUTHENTICATED"),
}


def envelope_error(code: int, message: str | None, http_status: int) -> ProviderError:
    """The ``ProviderError`` for a non-success ``code``."""
    error, name = _ERRORS.get(code, (ProviderUnavailable, f"CODE_{code}"))
    if code == 8 and http_status == 429:
        error = ProviderRateLimited
    # The platform's text is for user errors only (errors.py): never for auth.
    text = message if issubclass(error, ProviderBadRequest) else None
    return error(
        PROVIDER.value,
        f"answered code {code} ({name.lower().replace('_', ' ')})",
        http_status=http_status,
        vendor_code=name,
        vendor_message=text,
    )


def unwrap(body: object, http_status: int) -> object:
    """``data`` of a success envelope; raise the mapped error for any other code."""
    envelope = Fields(body, "envelope")
    code = envelope.opt_int("code")
    if code is None:
        raise drift("envelope.code is missing")
    if code not in SUCCESS:
        message = envelope.raw.get("message")
        text = message if isinstance(message, str) else None
        raise envelope_error(code, text, http_status)
    return envelope.raw.get("data")
