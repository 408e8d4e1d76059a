"""Positions in Trustpilot's page-numbered lists, and the filters applied in the client.

A position is Trustpilot's own place in a list: the page number, the page size it
was computed with (kept, so a caller changing ``limit`` between calls cannot skip or
repeat items) and how many items of that page were already handed out. It travels
as an opaque URL-safe string. Pure: no I/O.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Final

from gateway.errors import InvalidInput
from gateway.records import Review, ReviewQuery

_TAG: Final = "tp1"
MAX_PAGE: Final = 2_147_483_647


@dataclass(frozen=True, slots=True)
class Position:
    """Page ``page`` (1-based) of ``per_page`` items, ``skip`` of them consumed."""

    page: int
    per_page: int
    skip: int = 0

    def encode(self) -> str:
        raw = f"{_TAG}:{self.page}:{self.per_page}:{self.skip}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str, max_per_page: int) -> Position:
        """Parse a position this client made; ``InvalidInput`` for anything else."""
        try:
            padded = value + "=" * (-len(value) % 4)
            tag, *numbers = base64.urlsafe_b64decode(padded).decode().split(":")
            page, per_page, skip = (int(n) for n in numbers)
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise InvalidInput("malformed Trustpilot list position") from None
        valid = 1 <= page <= MAX_PAGE and 1 <= per_page <= max_per_page
        if tag != _TAG or not valid or not 0 <= skip < per_page:
            raise InvalidInput("malformed Trustpilot list position")
        return cls(page, per_page, skip)

    def after(self, index: int, count: int, more: bool) -> Position | None:
        """Where to resume after item ``index`` of this page of ``count`` items."""
        if index + 1 < count:
            return Position(self.page, self.per_page, index + 1)
        return self.next_page() if more else None

    def next_page(self) -> Position:
        return Position(self.page + 1, self.per_page)


def check_limit(limit: int, maximum: int) -> None:
    """``limit`` must be 1..``maximum`` (the platform's page size limit)."""
    if isinstance(limit, bool) or not 1 <= limit <= maximum:
        raise ValueError(f"limit must be between 1 and {maximum}")


def client_filtered(query: ReviewQuery) -> bool:
    """Whether part of ``query`` is applied here, not by Trustpilot."""
    return bool(query.ratings or query.created_after or query.created_before)


def matches(review: Review, query: ReviewQuery) -> bool:
    """Whether ``review`` satisfies every filter of ``query``.

    Trustpilot filters SKU, state and language itself; checking them again costs
    nothing and keeps the result exact. Dates are half-open:
    ``created_after <= created_at < created_before``.
    """
    sku = review.product.sku if review.product else None
    checks = (
        query.skus is None or sku in query.skus,
        review.status in query.statuses,
        query.language is None or review.language == query.language,
        query.ratings is None or review.rating in query.ratings,
        query.created_after is None or review.created_at >= query.created_after,
        query.created_before is None or review.created_at < query.created_before,
    )
    return all(checks)


def past_window(review: Review, query: ReviewQuery) -> bool:
    """Whether ``review`` and, the list being newest first, all after it are too old."""
    return query.created_after is not None and review.created_at < query.created_after
