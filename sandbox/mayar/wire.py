"""Mayar's wire format: the ``{statusCode, messages, data}`` envelope and review JSON.

Field names, nesting and order follow the V2 docs' examples (M-list2, M-prod,
M-create): timestamps are Unix epoch milliseconds (numbers), ids are UUID strings,
list answers add ``hasMore`` and ``nextStartingAfter`` to the envelope.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiohttp import web

from sandbox.mayar.store import MayarStore, Page, Review
from sandbox.mayar.validation import Problem

JsonObject = dict[str, object]


def envelope(status: int, messages: str, **extra: object) -> web.Response:
    """The V2 envelope at HTTP ``status`` (``statusCode`` mirrors it)."""
    return web.json_response(
        {"statusCode": status, "messages": messages, **extra}, status=status
    )


def ok(data: object) -> web.Response:
    return envelope(200, "success", data=data)


def failed(problems: Sequence[Problem]) -> web.Response:
    """Validation failure: HTTP 200, ``messages: "failed"``, the detail in ``data``."""
    return envelope(200, "failed", data=list(problems))


def page(store: MayarStore, result: Page) -> web.Response:
    return envelope(
        200,
        "success",
        data=[review_json(store, r) for r in result.reviews],
        hasMore=result.has_more,
        nextStartingAfter=result.next_starting_after,
    )


def bare_review_json(review: Review) -> JsonObject:
    """A review as the list endpoints show it, without ``customer``/``paymentLink``."""
    return {
        "id": review.id,
        "createdAt": review.created_at,
        "customerId": review.customer_id,
        "message": review.message,
        "paymentLinkId": review.payment_link_id,
        "rating": review.rating,
        "status": review.status,
        "updatedAt": review.updated_at,
        "userId": review.user_id,
        "multipleImage": [
            {
                "id": i.id,
                "fileType": i.file_type,
                "description": i.description,
                "url": i.url,
            }
            for i in review.images
        ],
        "content": [
            {
                "id": c.id,
                "value": c.file_id,
                "file": {
                    "id": c.file_id,
                    "filename": c.filename,
                    "size": c.size,
                    "mimetype": c.mimetype,
                },
            }
            for c in review.content
        ],
    }


def review_json(store: MayarStore, review: Review) -> JsonObject:
    """A review with its ``customer`` and ``paymentLink`` objects (M-list2)."""
    customer = store.customers[review.customer_id]
    link = store.payment_links[review.payment_link_id]
    return {
        **bare_review_json(review),
        "customer": {"id": customer.id, "name": customer.name},
        "paymentLink": {
            "id": link.id,
            "name": link.name,
            "type": link.type,
            "link": link.link,
            "subType": link.sub_type,
        },
    }


def written_json(review: Review) -> JsonObject:
    """The ``data`` of a create or update answer (M-create)."""
    return {
        "id": review.id,
        "rating": review.rating,
        "message": review.message,
        "paymentLinkId": review.payment_link_id,
        "customerId": review.customer_id,
        "userId": review.user_id,
        "status": review.status,
        "createdAt": review.created_at,
        "updatedAt": review.updated_at,
    }
