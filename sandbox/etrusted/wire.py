"""eTrusted wire shapes: reviews, vetos, replies and channels as the API writes them.

Field names, nesting and types follow the seed's ``CustomerReviewResponseDto`` sample:
``_object: "CustomerReview"``, ``rating`` as a number 1.0-5.0 (``null`` on statements
without stars), timestamps ``yyyy-MM-dd'T'HH:mm:ss.SSSZ`` with a literal ``Z``.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any, Final

from .model import Channel, Customer, Image, OriginalReview, Product, Reply, Review
from .model import Veto as VetoRecord
from .settings import EtrustedSettings

JSON = dict[str, Any]
ATTACHMENT_HOST: Final = "https://attachments.etrusted.koeln"
EXTRAS: Final = ("VETO", "ATTACHMENTS", "ORIGINAL_REVIEW")
"""The ``additionalInformation`` parts a list call can ask for."""


def timestamp(moment: datetime) -> str:
    """``2018-02-01T17:09:41.790Z``: UTC, milliseconds, a literal ``Z``."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def review_json(
    review: Review,
    account_id: str,
    settings: EtrustedSettings,
    extras: Collection[str],
) -> JSON:
    """A full ``CustomerReview``; ``extras`` picks the additionalInformation parts."""
    body: JSON = {
        "_object": "CustomerReview",
        "id": review.id,
        "accountRef": account_id,
        "channelRef": review.channel_id,
        "inviteRef": review.invite_id,
        "rating": review.rating,
        "title": review.title,
        "comment": review.comment,
        "createdAt": timestamp(review.created_at),
        "updatedAt": timestamp(review.updated_at),
        "submittedAt": timestamp(review.submitted_at),
        "feedbackType": "STATEMENT" if review.is_statement else "REVIEW",
        "state": review.state,
        "type": review.type,
        "verificationType": "VERIFIED"
        if review.verified
        else settings.unverified_value,
    }
    if review.reply is not None:
        body["reply"] = reply_json(review.reply)
    body.update(_context_json(review))
    if extras:
        body["additionalInformation"] = _additional(review, extras)
    if review.product is not None:
        body["product"] = product_json(review.product, settings)
    if review.edited_at is not None and review.original is not None:
        body["editedAt"] = timestamp(review.edited_at)
        body["originalReview"] = _original_json(review.original)
    return body


def minimal_json(review: Review, account_id: str) -> JSON:
    """An item of ``GET /reviews-minimal``: the core review, no personal data."""
    return {
        "id": review.id,
        "accountRef": account_id,
        "channelRef": review.channel_id,
        "rating": review.rating,
        "title": review.title,
        "comment": review.comment,
        "submittedAt": timestamp(review.submitted_at),
        "state": review.state,
        "type": review.type,
    }


def _context_json(review: Review) -> JSON:
    """Who wrote the review, for which order, through which questionnaire."""
    return {
        "customer": _customer_json(review.customer),
        "transaction": {
            "reference": review.transaction_reference,
            "date": timestamp(review.transaction_date),
        },
        "event": {"id": review.event_id, "type": "checkout"},
        "metadata": dict(review.metadata),
        "surveyData": {},
        "questionnaire": {
            "id": review.questionnaire_id,
            "locale": review.locale,
            "templateRef": review.template_id,
        },
        "hasAttachments": bool(review.images),
    }


def _customer_json(customer: Customer) -> JSON:
    body: JSON = {
        "firstName": customer.first_name,
        "lastName": customer.last_name,
        "fullName": f"{customer.first_name} {customer.last_name}",
        "email": customer.email,
    }
    if customer.mobile is not None:
        body["mobile"] = customer.mobile
    return body


def reply_json(reply: Reply) -> JSON:
    return {
        "createdAt": timestamp(reply.created_at),
        "updatedAt": timestamp(reply.updated_at),
        "comment": reply.comment,
        "sendNotification": reply.send_notification,
    }


def product_json(product: Product, settings: EtrustedSettings) -> JSON:
    return {
        "id": product.id,
        "sku": product.sku,
        "mpn": product.mpn,
        "gtin": int(product.gtin) if settings.gtin_as_number else product.gtin,
        "name": product.name,
        "url": product.url,
        "imageUrl": product.image_url,
        "brand": product.brand,
    }


def _additional(review: Review, extras: Collection[str]) -> JSON:
    """Only the requested parts the review actually has."""
    body: JSON = {}
    if "VETO" in extras and review.veto is not None:
        veto = review.veto
        body["veto"] = {
            "createdAt": timestamp(veto.created_at),
            "comment": veto.comment,
            "reason": veto.reason,
            "ticketId": veto.ticket_id,
        }
    if "ATTACHMENTS" in extras and review.images:
        body["attachments"] = {"images": [_image_json(i) for i in review.images]}
    if "ORIGINAL_REVIEW" in extras and review.original is not None:
        original = review.original
        # Inside additionalInformation the reply keeps the reply DTO's field names;
        # the top-level originalReview renames them (replyComment, ...): seed sample.
        body["originalReview"] = {
            "rating": original.rating,
            "title": original.title,
            "comment": original.comment,
            **({"reply": reply_json(original.reply)} if original.reply else {}),
        }
    return body


def _image_json(image: Image) -> JSON:
    original = f"{image.path}/original.{image.extension}"
    return {
        "id": image.id,
        "extensions": image.extension,
        "urlOriginal": ATTACHMENT_HOST + original,
        "pathOriginal": original,
        "pathThumbnail": f"{image.path}/thumbnail.{image.extension}",
        "pathLarge": f"{image.path}/large.{image.extension}",
    }


def _original_json(original: OriginalReview) -> JSON:
    body: JSON = {
        "rating": original.rating,
        "comment": original.comment,
        "title": original.title,
    }
    if original.reply is not None:
        body["reply"] = {
            "replyComment": original.reply.comment,
            "replyCreatedAt": timestamp(original.reply.created_at),
            "replyUpdatedAt": timestamp(original.reply.updated_at),
        }
    return body


def veto_json(veto: VetoRecord) -> JSON:
    """``ReviewVetoResponseDto``."""
    return {
        "id": veto.id,
        "ticketId": veto.ticket_id,
        "comment": veto.comment,
        "reason": veto.reason,
        "createdAt": timestamp(veto.created_at),
        "updatedAt": timestamp(veto.updated_at),
    }


def channel_json(channel: Channel, account_id: str) -> JSON:
    return {
        "id": channel.id,
        "createdAt": timestamp(channel.created_at),
        "updatedAt": timestamp(channel.created_at),
        "name": channel.name,
        "address": "",
        "url": channel.url,
        "locale": channel.locale,
        "accountRef": account_id,
    }
