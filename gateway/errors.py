"""The gateway's exception tree: every failure a caller may see, with a stable code.

::

    GatewayError                      code
    ├── InvalidInput                  BAD_USER_INPUT
    ├── MalformedRequest              BAD_REQUEST (HTTP 400, before GraphQL runs)
    ├── NotFound                      NOT_FOUND
    ├── Unauthenticated               UNAUTHENTICATED
    ├── Forbidden                     FORBIDDEN
    ├── ConfigError                   CONFIG_ERROR (start-up only, never served)
    └── ProviderError(provider)       a platform call failed
        ├── ProviderUnavailable       PROVIDER_UNAVAILABLE  network error, 5xx
        │   └── ProviderTimeout       PROVIDER_TIMEOUT      no answer in time
        ├── ProviderPayloadError      PROVIDER_UNAVAILABLE  answer we cannot read
        ├── ProviderRateLimited       PROVIDER_RATE_LIMITED 429, carries retry_after
        ├── ProviderAuthError         PROVIDER_AUTH_FAILED  401/403: our credentials
        ├── ProviderNotFound          NOT_FOUND             404 or "entity not found"
        └── ProviderBadRequest        PROVIDER_BAD_REQUEST  400: the platform refused
            └── ProviderRejected      PROVIDER_REJECTED     a business rule refused

``extensions`` is what graphql-core copies into a GraphQL error: the code, the provider
(as the GraphQL enum spells it) and, where known, the upstream status and Retry-After.
No message or extension ever holds a credential, a token, an upstream URL or body; the
platform's own refusal text is kept on ``vendor_message`` for user errors only.
"""

from __future__ import annotations


class GatewayError(Exception):
    """Base of every error the gateway raises on purpose."""

    code = "INTERNAL_SERVER_ERROR"

    @property
    def extensions(self) -> dict[str, object]:
        return {"code": self.code}


class InvalidInput(GatewayError):
    """The caller's input is invalid (a bad argument, cursor or page size)."""

    code = "BAD_USER_INPUT"


class MalformedRequest(GatewayError):
    """The HTTP request itself is malformed (a header that breaks its syntax)."""

    code = "BAD_REQUEST"


class NotFound(GatewayError):
    """The requested object does not exist."""

    code = "NOT_FOUND"


class Unauthenticated(GatewayError):
    """The request carries a server key that is not valid."""

    code = "UNAUTHENTICATED"


class Forbidden(GatewayError):
    """The caller's key lacks the scope this field or mutation needs."""

    code = "FORBIDDEN"


class ConfigError(GatewayError):
    """A missing or malformed setting; stops start-up with a message naming it."""

    code = "CONFIG_ERROR"


class ProviderError(GatewayError):
    """A call to one review platform failed; ``provider`` is its lower-case id."""

    code = "PROVIDER_UNAVAILABLE"

    def __init__(
        self,
        provider: str,
        message: str,
        *,
        http_status: int | None = None,
        retry_after: float | None = None,
        vendor_code: str | None = None,
        vendor_message: str | None = None,
    ) -> None:
        super().__init__(f"{provider}: {message}")
        self.provider = provider
        self.http_status = http_status
        self.retry_after = retry_after
        self.vendor_code = vendor_code
        self.vendor_message = vendor_message

    @property
    def extensions(self) -> dict[str, object]:
        extensions: dict[str, object] = {
            "code": self.code,
            "provider": self.provider.upper(),
        }
        if self.http_status is not None:
            extensions["httpStatus"] = self.http_status
        if self.retry_after is not None:
            extensions["retryAfter"] = self.retry_after
        return extensions


class ProviderUnavailable(ProviderError):
    """The platform could not be reached or answered with a server error."""

    code = "PROVIDER_UNAVAILABLE"


class ProviderTimeout(ProviderUnavailable):
    """The platform did not answer within its timeout."""

    code = "PROVIDER_TIMEOUT"


class ProviderPayloadError(ProviderError):
    """The platform answered, but not in the shape its documentation promises."""

    code = "PROVIDER_UNAVAILABLE"


class ProviderRateLimited(ProviderError):
    """The platform refused the call for its rate limit (429)."""

    code = "PROVIDER_RATE_LIMITED"


class ProviderAuthError(ProviderError):
    """The platform refused our credentials (401/403): a configuration problem."""

    code = "PROVIDER_AUTH_FAILED"


class ProviderNotFound(ProviderError):
    """The platform does not know the requested object."""

    code = "NOT_FOUND"


class ProviderBadRequest(ProviderError):
    """The platform refused the request as invalid (400 or its envelope's kin)."""

    code = "PROVIDER_BAD_REQUEST"


class ProviderRejected(ProviderBadRequest):
    """A business rule refused a write (already reviewed, not a buyer, ...)."""

    code = "PROVIDER_REJECTED"
