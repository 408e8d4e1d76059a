"""The eTrusted simulator's settings: every behaviour the vendor's docs leave open.

Each field is one ``[??]`` of vendors.md section 4 (or a gap the seed leaves); the
package docstring says which evidence each default leans on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

STATUSES: Final = ("APPROVED", "MODERATION", "REJECTED")
REVIEW_TYPES: Final = ("SERVICE_REVIEW", "PRODUCT_REVIEW")
VETO_REASONS: Final = (
    "UNTRUTHFUL",
    "ABUSIVE",
    "VIOLATES_THE_TERMS_OF_USE",
    "INAPPROPRIATE_IMAGE",
)


@dataclass(frozen=True, slots=True)
class EtrustedSettings:
    """The open choices of the eTrusted simulator, each with a plausible default."""

    token_lifetime_s: int = 300
    """``expires_in`` of issued tokens (the official sample JWTs live 300 s)."""
    token_scope: str = "email profile"
    """``scope`` of the token response (Trusted Shops' own SDK test fixture)."""
    default_count: int = 20
    """Page size when ``count`` is not given (the seed's paging example: 20)."""
    default_statuses: tuple[str, ...] = STATUSES
    """Statuses listed when ``status`` is not given (seed: "all are listed")."""
    foreign_channel_status: int = 403
    """Status for a channel id that is not one of the account's channels."""
    unknown_cursor_status: int = 400
    """Status for an ``after``/``before`` review id that does not exist."""
    count_alias: bool = True
    """``/reviews/count`` also carries ``count`` beside ``totalElements``."""
    omit_empty_cursor: bool = True
    """Last page: leave ``cursor.after``/``links.next`` out (False: send null)."""
    gtin_as_number: bool = False
    """``product.gtin`` as a JSON number like the seed sample (schema: string)."""
    unverified_value: str = "UNDEFINED"
    """``verificationType`` of reviews that are not ``VERIFIED``."""
    reply_save_status: int = 200
    """``POST /reviews/{id}/reply`` answers this status with the saved reply."""
    reply_delete_status: int = 204
    """``DELETE /reviews/{id}/reply`` answers this status with no body."""
    reply_to_rejected: bool = False
    """Whether a REJECTED review can be replied to (False: 400)."""
    repeat_veto_status: int = 400
    """Status for a second veto on the same review."""
    veto_reasons: tuple[str, ...] = VETO_REASONS
    """Accepted veto reasons (the seed's three plus ``INAPPROPRIATE_IMAGE``)."""
    veto_requires_reporter_email: bool = True
    """Whether ``vetoReporterEmail`` is required on the new veto endpoint."""
    full_review_additional_information: bool = True
    """``GET /reviews/{id}`` includes every part of ``additionalInformation``."""
    aggregate_distribution: bool = True
    """Aggregate periods carry a star ``distribution`` (Trusted Shops SDK fixture)."""
    service_reviews_per_channel: int = 160
    """Seeded service reviews per channel."""
