"""Mayar's V2 envelope and refusals, turned into the gateway's ``ProviderError`` tree.

Mayar reports failures in two places: the HTTP status (mapped by ``gateway.http``)
and the body (``statusCode`` plus ``messages``, or ``message`` on some write
endpoints). Both are checked. ``messages: "failed"`` with HTTP 200 is a validation
failure whose ``data`` holds the detail. The refusal texts of seed 003 and M-update
map as follows (``vendor_code`` is ours and stable, ``vendor_message`` the text):

=================================================  =================== ================
Mayar ``messages``                                 raised              vendor_code
=================================================  =================== ================
``failed`` (+ ``data``)                            ProviderBadRequest  VALIDATION_FAILED
Produk tidak ditemukan                             ProviderNotFound    PRODUCT_NOT_FOUND
Anda belum pernah membeli produk ini               ProviderRejected    NOT_A_BUYER
Anda sudah memberikan ulasan untuk produk ini ...  ProviderRejected    ALREADY_REVIEWED
Review tidak ditemukan                             ProviderNotFound    REVIEW_NOT_FOUND
Transaksi tidak ditemukan                          ProviderRejected    NO_TRANSACTION
Review is not valid! Please check your payload.    ProviderRejected    INVALID_REVIEWS
customerId query parameter is required             ProviderBadRequest  MISSING_CUSTOMER
Gagal / Terjadi kesalahan saat menambahkan ulasan  ProviderUnavailable SAVE_FAILED
=================================================  =================== ================

"Transaksi tidak ditemukan" (the e-mail has no paid transaction for the review's
payment link) is a business rule, so it is a rejection, not a missing object.

``gateway.http`` raises on a 4xx before the body is decoded, so a refusal sent with
an HTTP error status reaches this package without its text. ``refine`` then names
the refusal from the endpoint and status where only one refusal fits (a 404 on
create can only be ``Produk tidak ditemukan``). Where two fit (a 400 on create:
not a buyer, or already reviewed) the error is ``ProviderRejected`` with vendor code
``REVIEW_REFUSED``. Should ``gateway.http`` ever carry the platform's text in
``vendor_message``, ``refine`` maps that text exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from gateway.errors import (
    ProviderBadRequest,
    ProviderError,
    ProviderNotFound,
    ProviderPayloadError,
    ProviderRejected,
    ProviderUnavailable,
)
from gateway.http import raise_for_provider

from .mapping import PROVIDER, as_object, validation_detail

_NAME: Final = PROVIDER.value


@dataclass(frozen=True, slots=True)
class Refusal:
    """One documented Mayar refusal: the error it raises and our stable code."""

    error: type[ProviderError]
    code: str
    text: str | None
    """The vendor's ``messages`` (a prefix of it); ``None`` when not known."""

    def raise_as(self, http_status: int | None) -> ProviderError:
        # Only user errors carry the vendor's text (gateway.errors' rule).
        user_error = issubclass(self.error, ProviderBadRequest | ProviderNotFound)
        return self.error(
            _NAME,
            f"refused the request ({self.code})",
            http_status=http_status,
            vendor_code=self.code,
            vendor_message=self.text if user_error else None,
        )


PRODUCT_NOT_FOUND: Final = Refusal(
    ProviderNotFound, "PRODUCT_NOT_FOUND", "Produk tidak ditemukan"
)
NOT_A_BUYER: Final = Refusal(
    ProviderRejected, "NOT_A_BUYER", "Anda belum pernah membeli produk ini"
)
ALREADY_REVIEWED: Final = Refusal(
    ProviderRejected,
    "ALREADY_REVIEWED",
    # Its first sentence only: the tail is advice that may be reworded.
    "Anda sudah memberikan ulasan untuk produk ini",
)
REVIEW_NOT_FOUND: Final = Refusal(
    ProviderNotFound, "REVIEW_NOT_FOUND", "Review tidak ditemukan"
)
NO_TRANSACTION: Final = Refusal(
    ProviderRejected, "NO_TRANSACTION", "Transaksi tidak ditemukan"
)
INVALID_REVIEWS: Final = Refusal(
    ProviderRejected,
    "INVALID_REVIEWS",
    "Review is not valid! Please check your payload.",
)
CUSTOMER_ID_REQUIRED: Final = Refusal(
    ProviderBadRequest,
    "MISSING_CUSTOMER",
    "customerId query parameter is required",
)
REVIEW_REFUSED: Final = Refusal(ProviderRejected, "REVIEW_REFUSED", None)
"""A create refused with HTTP 400 whose text did not reach us (two refusals fit)."""
REVIEW_OR_TRANSACTION: Final = Refusal(
    ProviderNotFound, "REVIEW_OR_TRANSACTION_NOT_FOUND", None
)
"""An update with an e-mail refused with HTTP 404 whose text did not reach us."""

_BY_TEXT: Final = (
    PRODUCT_NOT_FOUND,
    NOT_A_BUYER,
    ALREADY_REVIEWED,
    REVIEW_NOT_FOUND,
    NO_TRANSACTION,
    INVALID_REVIEWS,
    CUSTOMER_ID_REQUIRED,
    Refusal(ProviderUnavailable, "SAVE_FAILED", "Gagal menambahkan ulasan"),
    Refusal(
        ProviderUnavailable, "SAVE_FAILED", "Terjadi kesalahan saat menambahkan ulasan"
    ),
)


def refusal_of(text: str) -> Refusal | None:
    """The documented refusal whose text ``text`` starts with, if any."""
    folded = text.strip().casefold()
    for refusal in _BY_TEXT:
        if refusal.text is not None and folded.startswith(refusal.text.casefold()):
            return refusal
    return None


def _with_text(refusal: Refusal, text: str, http_status: int | None) -> ProviderError:
    error = refusal.raise_as(http_status)
    if error.vendor_message is not None:
        error.vendor_message = text.strip()
    return error


def _status_error(status: int, text: str) -> ProviderError:
    """The error for a body ``statusCode`` that is not a success."""
    try:
        raise_for_provider(_NAME, status, {})
    except ProviderError as exc:
        user_error = isinstance(exc, ProviderBadRequest | ProviderNotFound)
        return type(exc)(
            _NAME,
            f"answered statusCode {status}",
            http_status=status,
            vendor_message=(text or None) if user_error else None,
        )
    return ProviderPayloadError(_NAME, f"statusCode {status} is not a success")


def unwrap(body: object) -> Mapping[str, object]:
    """The envelope of a successful answer; raise the ``ProviderError`` otherwise."""
    envelope = as_object(body, "envelope")
    status = envelope.get("statusCode")
    if isinstance(status, bool) or not isinstance(status, int):
        raise ProviderPayloadError(_NAME, "unexpected payload: no statusCode")
    message = envelope.get("messages", envelope.get("message"))
    text = message if isinstance(message, str) else ""
    if text.strip().casefold() == "failed":
        raise ProviderBadRequest(
            _NAME,
            "refused the request as invalid",
            http_status=status,
            vendor_code="VALIDATION_FAILED",
            vendor_message=validation_detail(envelope.get("data")),
        )
    refusal = refusal_of(text)
    if refusal is not None:
        raise _with_text(refusal, text, status)
    if not 200 <= status < 300:
        raise _status_error(status, text)
    return envelope


def refine(error: ProviderError, by_status: Mapping[int, Refusal]) -> ProviderError:
    """Name the refusal behind an HTTP error raised by ``gateway.http``.

    ``by_status`` lists the refusals the endpoint documents per HTTP status.
    """
    if error.vendor_message:
        refusal = refusal_of(error.vendor_message)
        if refusal is not None:
            return _with_text(refusal, error.vendor_message, error.http_status)
    refusal = by_status.get(error.http_status or 0)
    if refusal is None:
        return error
    return refusal.raise_as(error.http_status)
