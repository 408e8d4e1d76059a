"""The Trustpilot simulator's settings: every choice its documentation leaves open.

Each field is one ``[??]`` of shared/vendors.md section 3 (or a gap in the seed),
set to the most plausible value; the package docstring says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from sandbox.ratelimit import Window

DOCUMENTED_RATE_LIMITS: Final = (Window(833, 300.0), Window(10_000, 3600.0))
"""Trustpilot's guidance: under 833 calls per 5 minutes and 10,000 per hour."""


@dataclass(frozen=True, slots=True)
class TrustpilotSettings:
    """Behaviour the Trustpilot docs do not pin down, with the chosen defaults."""

    rate_limits: tuple[Window, ...] = DOCUMENTED_RATE_LIMITS
    """The windows enforced per API key (429 + ``Retry-After``); ``()`` is off."""
    access_token_ttl_s: int = 359_999
    """Access-token lifetime; ``expires_in`` echoes it as a string (docs: 100 h)."""
    refresh_token_ttl_s: int = 30 * 24 * 3600
    """Refresh-token lifetime (docs: 30 days)."""
    min_refresh_interval_s: int = 0
    """Refreshing sooner than this after issue is a 429 (docs); 0 disables it."""
    unknown_business_unit_status: int = 404
    """Status for a business unit id other than the sandbox's (404 or 403)."""
    accept_apikey_query: bool = True
    """Also accept ``?apikey=`` (the old intro page allowed it)."""
    check_apikey_with_bearer: bool = True
    """A wrong ``apikey`` header next to a valid Bearer token is still a 401."""
    existing_conversation: Literal["return", "conflict"] = "return"
    """create-conversation on a review that has one: 200 + its id, or 409."""
    private_conversation_status: int = 404
    """Status of the public conversation endpoint for a private conversation."""
    created_status: int = 201
    """Status of add-comment and invitation-links (the docs show only bodies)."""
    set_state_status: int = 204
    """Status of set-conversation-state (the docs show no response body)."""
    consumer_author_type: str = "consumer"
    """``author.type`` of a consumer's comment (only ``businessUser`` is shown)."""
    timestamp_format: str = "%Y-%m-%dT%H:%M:%S"
    """Timestamps as the doc samples print them: UTC, no zone suffix."""
    stars_average_decimals: int = 1
    """``starsAverage`` rounding (sample: 44 stars / 14 reviews -> 3.1)."""
    attribute_average_decimals: int = 2
    """Attribute ``average`` rounding (sample: 4.23)."""
    empty_stars_average: float | None = 0.0
    """``starsAverage`` when no review matches."""
    batch_max_skus: int = 100
    """Most SKUs one batch-summaries or attribute-summaries body may carry."""
    attribute_ids_filter_reviews: bool = False
    """``attributeIds``: False narrows each review's ``attributeRatings`` to those
    ids; True instead keeps only reviews rated on at least one of them."""
    rel_self: str = "self"
    rel_next: str = "next-page"
    rel_prev: str = "prev-page"
