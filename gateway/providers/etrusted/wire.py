"""eTrusted wire shapes: what api.etrusted.com and its token host send and accept.

Field names follow the seed's DTOs (``CustomerReviewResponseDto``,
``CustomerReviewListResponseDto``, ``ReviewVetoRequestDto``/``ResponseDto``) and
vendors.md section 4; the shapes the seed leaves open (token response, count, channels,
aggregate rating) follow the simulator's documented choices. These types document the
wire and type the request bodies; responses are validated field by field in
``mapping`` before they are trusted. Nothing here leaves the eTrusted package.
"""

from __future__ import annotations

from typing import Final, NotRequired, TypedDict

REVIEW_STATES: Final = ("APPROVED", "MODERATION", "REJECTED")
"""``state`` values and ``status`` filter values (seed glossary)."""
SERVICE_REVIEW: Final = "SERVICE_REVIEW"
PRODUCT_REVIEW: Final = "PRODUCT_REVIEW"
VERIFIED: Final = "VERIFIED"
VETO_REASONS: Final = (
    "UNTRUTHFUL",
    "ABUSIVE",
    "VIOLATES_THE_TERMS_OF_USE",
    "INAPPROPRIATE_IMAGE",
)
"""The seed's three reasons plus ``INAPPROPRIATE_IMAGE`` (Pipedream, vendors.md 4.5)."""
AGGREGATE_PERIODS: Final = ("7days", "30days", "90days", "365days", "overall")
MAX_COUNT: Final = 1000
"""Largest ``count`` (page size) the list endpoints accept."""


class TokenResponse(TypedDict):
    """Keycloak's token answer (only the fields the client reads)."""

    access_token: str
    expires_in: int
    token_type: NotRequired[str]


class ReplyWire(TypedDict):
    """``CustomerReviewReplyDto``; also the body ``POST /reviews/{id}/reply`` sends."""

    comment: str
    sendNotification: bool
    createdAt: NotRequired[str]
    updatedAt: NotRequired[str]


class CustomerWire(TypedDict, total=False):
    """The reviewer (PII)."""

    firstName: str
    lastName: str
    fullName: str
    email: str
    mobile: str


class TransactionWire(TypedDict, total=False):
    """The order the review was collected for."""

    reference: str
    date: str


class QuestionnaireWire(TypedDict, total=False):
    """The questionnaire used; ``locale`` like ``en_GB``."""

    id: str
    locale: str
    templateRef: str


class ProductWire(TypedDict, total=False):
    """``CustomerReviewResponseProductDto``; ``gtin`` a string (sample: a number)."""

    id: str
    sku: str
    mpn: str
    gtin: str | int
    name: str
    url: str
    imageUrl: str
    brand: str


class ImageWire(TypedDict, total=False):
    """One attached image; the paths are relative to ``urlOriginal``'s host."""

    id: str
    extensions: str
    urlOriginal: str
    pathOriginal: str
    pathThumbnail: str
    pathLarge: str


class AttachmentsWire(TypedDict, total=False):
    """``additionalInformation.attachments``."""

    images: list[ImageWire]


class AdditionalInformationWire(TypedDict, total=False):
    """Only the parts asked for with ``additionalInformation=``."""

    veto: dict[str, object]
    attachments: AttachmentsWire
    originalReview: dict[str, object]


class ReviewWire(TypedDict):
    """``CustomerReviewResponseDto`` (list item and single review alike)."""

    id: str
    rating: float | None
    submittedAt: str
    state: str
    type: str
    channelRef: NotRequired[str]
    title: NotRequired[str | None]
    comment: NotRequired[str | None]
    createdAt: NotRequired[str]
    updatedAt: NotRequired[str]
    feedbackType: NotRequired[str]
    verificationType: NotRequired[str]
    reply: NotRequired[ReplyWire]
    customer: NotRequired[CustomerWire]
    transaction: NotRequired[TransactionWire]
    questionnaire: NotRequired[QuestionnaireWire]
    additionalInformation: NotRequired[AdditionalInformationWire]
    product: NotRequired[ProductWire]


class CursorWire(TypedDict, total=False):
    """``paging.cursor``: ``after`` is absent or empty on the last page."""

    before: str | None
    after: str | None


class PagingWire(TypedDict):
    """``paging`` of a list answer."""

    count: int
    cursor: CursorWire


class ReviewListWire(TypedDict):
    """``CustomerReviewListResponseDto`` (``totalElements`` is deprecated: 0)."""

    totalElements: int
    paging: PagingWire
    items: list[ReviewWire]


class CountWire(TypedDict, total=False):
    """``GET /reviews/count``: ``totalElements`` (Pipedream) or ``count`` (E-py)."""

    totalElements: int
    count: int


class VetoRequest(TypedDict):
    """``ReviewVetoRequestDto``."""

    comment: str
    reason: str
    vetoReporterEmail: NotRequired[str]
    channelName: NotRequired[str]


class VetoWire(TypedDict):
    """``ReviewVetoResponseDto``."""

    id: str
    reason: str
    ticketId: NotRequired[str]
    comment: NotRequired[str]
    createdAt: NotRequired[str]
    updatedAt: NotRequired[str]


class ChannelWire(TypedDict):
    """An item of ``GET /channels`` (a bare array)."""

    id: str
    name: str


class DistributionWire(TypedDict):
    """An aggregate period's star counts (Trusted Shops SDK fixture; not in docs)."""

    oneStar: int
    twoStars: int
    threeStars: int
    fourStars: int
    fiveStars: int


class AggregatePeriodWire(TypedDict):
    """One period of the service aggregate rating."""

    count: int
    rating: float
    distribution: NotRequired[DistributionWire]
