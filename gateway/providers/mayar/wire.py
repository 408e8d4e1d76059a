"""Mayar's wire format (Headless API V2, reviews) as TypedDicts: data, not behaviour.

Field names are Mayar's own and never leave this package. Every answer is the V2
envelope ``{statusCode, messages (or message), data}``; list answers add ``hasMore``
and ``nextStartingAfter``. Timestamps are Unix epoch milliseconds, ids UUID strings.
Sources: shared/seeds/003 (create), vendors.md section 2.6/2.7 (lists, stats).
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

MayarStatus = Literal["ACTIVE", "INACTIVE", "ARCHIVED"]
"""A review's state at Mayar; new reviews are ACTIVE (seed 003)."""


class Envelope(TypedDict):
    """Every V2 answer; ``message`` (singular) on some write endpoints."""

    statusCode: int
    messages: NotRequired[str]
    message: NotRequired[str]
    data: NotRequired[object]
    hasMore: NotRequired[bool]
    nextStartingAfter: NotRequired[str | None]


class WireImage(TypedDict):
    """One ``multipleImage`` entry of a review."""

    id: str
    fileType: NotRequired[str]
    description: NotRequired[str | None]
    url: str


class WireFile(TypedDict):
    """The file behind a ``content`` entry."""

    id: str
    filename: NotRequired[str]
    size: NotRequired[int]
    mimetype: NotRequired[str]


class WireContent(TypedDict):
    """One ``content`` entry (videos and other files) of a review."""

    id: str
    value: NotRequired[str]
    file: NotRequired[WireFile]


class WireCustomer(TypedDict):
    """The reviewer as list endpoints embed them."""

    id: str
    name: NotRequired[str | None]


class WirePaymentLink(TypedDict):
    """The reviewed payment link ("product") as list endpoints embed it."""

    id: str
    name: NotRequired[str | None]
    type: NotRequired[str | None]
    link: NotRequired[str | None]
    subType: NotRequired[str | None]


class WireReview(TypedDict):
    """A review: the list shape (M-list2) or the create/update ``data`` (seed 003).

    Create, update and the customer endpoint omit ``customer`` and ``paymentLink``;
    create and update also omit ``multipleImage`` and ``content``.
    """

    id: str
    rating: int
    message: NotRequired[str | None]
    paymentLinkId: str
    customerId: str
    userId: NotRequired[str]
    status: MayarStatus
    createdAt: int
    updatedAt: NotRequired[int]
    multipleImage: NotRequired[list[WireImage]]
    content: NotRequired[list[WireContent]]
    customer: NotRequired[WireCustomer]
    paymentLink: NotRequired[WirePaymentLink]


class WireStarStats(TypedDict):
    """One row of a stats answer (rows for 5..1 stars)."""

    rating: int
    percentage: NotRequired[int | float]
    totalRating: int


class WireStats(TypedDict):
    """Product or merchant rating stats; ``{}`` when there are no ACTIVE reviews."""

    total: NotRequired[int]
    average: NotRequired[float | int]
    stats: NotRequired[list[WireStarStats]]


class WireMediaInput(TypedDict):
    """A ``contentReview`` entry of a create/update body (an uploaded file)."""

    id: str
    type: Literal["image", "video"]


class WireStatusChange(TypedDict):
    """One ``input[]`` entry of the bulk status update."""

    id: str
    status: MayarStatus
    paymentLinkId: NotRequired[str]
