"""The Trustoo simulator's choices where the vendor documentation is silent.

Every field is one ``[??]`` of shared/vendors.md section 1; the package docstring
lists the evidence behind each default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

CreateResponse = Literal["review", "empty"]
SortField = Literal["commented_at", "created_at"]


@dataclass(frozen=True, slots=True)
class TrustooSettings:
    """Behaviour the Trustoo docs leave open, each with the most plausible default."""

    verify_signature: bool = True
    """Check ``Sign`` and the timestamp window (the Public-Token is always checked)."""
    timestamp_tolerance_s: int = 900
    """How far ``Timestamp`` may differ from the clock, both directions (15 min)."""
    error_http_status: int = 200
    """HTTP status of business errors (codes 3, 5, 6, 8); the code is in the body."""
    auth_error_http_status: int = 200
    """HTTP status of authentication failures (business code 16)."""
    max_page_size: int = 100
    """Largest accepted ``page_size``; larger values are rejected with code 3."""
    create_review_response: CreateResponse = "review"
    """``review``: envelope whose ``data`` is the new review; ``empty``: ``{}``."""
    list_unpublished: bool = False
    """Whether ``get_reviews`` lists reviews with ``is_published = 0`` by default."""
    is_published_filter: bool = True
    """Accept an ``is_published`` (0/1) filter on ``get_reviews`` (overrides above)."""
    sort_field: SortField = "commented_at"
    """Which timestamp ``sort_by=created-*`` orders reviews by."""
    rating_decimals: int = 1
    """Decimals of ``rating_value`` in ``get_rating`` (trailing zeros trimmed)."""
    unknown_product_rating_not_found: bool = False
    """``get_rating`` of an unknown product: code 5 (True) or an all-zero rating."""
    strict_event_enums: bool = True
    """Reject ``event_type``/``os_type``/``event_source`` values outside the lists."""
    webhook_delay_scale: float = 1.0
    """Multiplies the documented retry delays (1.0 faithful; 0.001 for tests)."""
    webhook_max_attempts: int = 10
    """Delivery attempts before a delivery is given up (docs: 10)."""
    webhook_retry_step_s: float = 180.0
    """Attempt n waits (n - 1) times this (docs: 0, 3, 6, ... 27 minutes)."""
    webhook_timeout_s: float = 10.0
    """How long one attempt waits for the receiver's answer."""
