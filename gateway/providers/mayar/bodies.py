"""Request bodies of Mayar's write endpoints, built from plain values (no I/O).

Checks here are the ones Mayar documents and a caller can break before any call:
the bulk update's 1..50 entries and the states Mayar knows. Field lengths and
e-mail format are left to Mayar, whose ``failed`` answer names each field.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from gateway.records import MediaType, ReviewKey, ReviewStatus

from .mapping import STATUS_TO_WIRE, parse_locator
from .wire import WireMediaInput, WireStatusChange

MAX_BULK: Final = 50
"""Largest bulk status update (M-bulk: ``input[]`` 1..50)."""

MediaFile = tuple[str, MediaType]
"""An uploaded file to attach: its Mayar file id and whether image or video."""


def as_key(review: ReviewKey | str) -> ReviewKey:
    return review if isinstance(review, ReviewKey) else ReviewKey(review)


def media_input(media: Sequence[MediaFile]) -> list[WireMediaInput]:
    """``contentReview[]``: each file's id and type."""
    return [
        {"id": file_id, "type": "image" if kind is MediaType.IMAGE else "video"}
        for file_id, kind in media
    ]


def create_body(
    payment_link_id: str,
    customer_email: str,
    rating: int,
    body: str | None,
    media: Sequence[MediaFile],
) -> dict[str, object]:
    payload: dict[str, object] = {
        "paymentLinkId": payment_link_id,
        "customerEmail": customer_email,
        "rating": rating,
    }
    if body:
        payload["message"] = body
    if media:
        payload["contentReview"] = media_input(media)
    return payload


def update_body(
    key: ReviewKey,
    rating: int | None,
    body: str | None,
    email: str | None,
    add_media: Sequence[MediaFile],
    delete_media_ids: Sequence[str],
) -> dict[str, object]:
    """The update body; a key's locator adds ``paymentLinkId``.

    Mayar finds the review by ``id``; ``customerId`` is optional and not sent (ids
    carry no customer), ``customerEmail`` checks the buyer when given.
    """
    # Mayar reads the review id from the body, not the URL (M-update).
    payload: dict[str, object] = {"id": key.id}
    link = parse_locator(key.locator) if key.locator else None
    if link is not None:
        payload["paymentLinkId"] = link
    optional = {"rating": rating, "message": body or None, "customerEmail": email}
    payload.update({k: v for k, v in optional.items() if v is not None})
    if add_media:
        payload["contentReview"] = media_input(add_media)
    if delete_media_ids:
        payload["deleteContentReview"] = list(delete_media_ids)
    return payload


def status_changes(
    changes: Sequence[tuple[ReviewKey | str, ReviewStatus]],
) -> list[WireStatusChange]:
    """``input[]`` of the bulk status update; ``ValueError`` before any call."""
    if not 1 <= len(changes) <= MAX_BULK:
        raise ValueError(f"a bulk status update takes 1 to {MAX_BULK} reviews")
    entries: list[WireStatusChange] = []
    for review, status in changes:
        key = as_key(review)
        wire_status = STATUS_TO_WIRE.get(status)
        if wire_status is None:
            raise ValueError(f"Mayar has no review status {status.name}")
        if not key.id:
            raise ValueError("a review id is empty")
        entry: WireStatusChange = {"id": key.id, "status": wire_status}
        link = parse_locator(key.locator) if key.locator else None
        if link is not None:
            entry["paymentLinkId"] = link
        entries.append(entry)
    return entries
