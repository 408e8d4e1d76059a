"""Who is calling: anonymous, or a server key from the configuration.

Keys are held in the configuration as SHA-256 digests with scopes; a caller sends
``Authorization: Bearer <key>``. In sandbox mode the fixed ``sandbox-server-key``
(all scopes) is accepted too. A key that matches nothing is refused outright
(UNAUTHENTICATED) rather than treated as anonymous, so a typo is noticed. A header
that is not ``Bearer <token>`` with a token of RFC 6750's characters (visible ASCII:
no non-ASCII byte, no space) is a malformed request (BAD_REQUEST), never a crash.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Final

from gateway.config import SANDBOX_SERVER_KEY, Mode, Settings
from gateway.errors import MalformedRequest, Unauthenticated
from resolvers.context import ANONYMOUS, SCOPES, Caller

_TOKEN: Final = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
"""RFC 6750's ``b64token``: the characters a bearer token may have."""


def digest(key: str) -> str:
    """The SHA-256 hex digest under which a key is configured."""
    return hashlib.sha256(key.encode()).hexdigest()


def authenticate(authorization: str | None, settings: Settings) -> Caller:
    """The caller for an ``Authorization`` header; ``Unauthenticated`` if it is bad."""
    if not authorization:
        return ANONYMOUS
    scheme, _, key = authorization.partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        raise Unauthenticated("send a server key as `Authorization: Bearer <key>`")
    if _TOKEN.fullmatch(key) is None:
        raise MalformedRequest(
            "the Authorization header is malformed: a bearer token has letters, "
            "digits and -._~+/= only"
        )
    # Compared as bytes: compare_digest refuses str with non-ASCII characters.
    sandbox = SANDBOX_SERVER_KEY.encode()
    presented = digest(key)
    if settings.mode is Mode.SANDBOX and hmac.compare_digest(key.encode(), sandbox):
        return Caller("sandbox", SCOPES, presented)
    for configured in settings.api_keys:
        if hmac.compare_digest(presented, configured.sha256):
            return Caller(configured.name, frozenset(configured.scopes), presented)
    raise Unauthenticated("the server key is not valid")
