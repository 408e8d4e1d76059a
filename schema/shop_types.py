"""Trustoo shop administration in the graph: its object types, enums and connections.

The output types of the shop's queries and mutations (webhooks, exclusions,
unsubscriptions, media upload credentials, review-request orders, customer
events), each built from a record with ``from_record``, and the registration of
the shop's enums. The fields live in ``schema.shop_queries`` and
``schema.shop_mutations``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry
from strawberry.scalars import JSON

from gateway import records
from resolvers import shop
from resolvers.connections import Connection
from resolvers.shop import EmailType, OrderState, WebhookTopic
from schema.enums import MediaType, Provider
from schema.review import PageInfo

strawberry.enum(
    WebhookTopic, name="WebhookTopic", description="What a webhook subscribes to."
)
strawberry.enum(
    EmailType,
    name="EmailType",
    description="The kinds of Trustoo e-mail a customer can be unsubscribed from.",
)
strawberry.enum(
    OrderState,
    name="ReviewRequestState",
    description="Where an order's review-request e-mail stands.",
)


# --- types -----------------------------------------------------------------------


@strawberry.type(description="A Trustoo webhook subscription of the shop.")
class Webhook:
    id: strawberry.ID = strawberry.field(description="The webhook's id at Trustoo.")
    topic: WebhookTopic | None = strawberry.field(
        description="What it subscribes to; null for a topic this graph does not know."
    )
    topic_name: str = strawberry.field(
        description="Trustoo's name of the topic, e.g. review/created."
    )
    url: str = strawberry.field(description="Where Trustoo delivers the events.")
    created_at: datetime | None = strawberry.field(description="When it was created.")
    updated_at: datetime | None = strawberry.field(description="When it last changed.")

    @classmethod
    def from_record(cls, record: records.Webhook) -> Self:
        known = record.topic in tuple(WebhookTopic)
        return cls(
            id=strawberry.ID(record.id),
            topic=WebhookTopic(record.topic) if known else None,
            topic_name=record.topic,
            url=record.url,
            created_at=record.created_at,
            updated_at=record.updated_at,
        )


@strawberry.type(description="A customer who receives no review-request e-mails.")
class CustomerExclusion:
    customer_id: str = strawberry.field(description="The customer's id at Trustoo.")
    email: str = strawberry.field(description="The customer's e-mail address.")
    first_name: str | None = strawberry.field(description="The first name, if known.")
    last_name: str | None = strawberry.field(description="The last name, if known.")
    phone: str | None = strawberry.field(description="The phone number, if known.")
    created_at: datetime | None = strawberry.field(description="When it was excluded.")

    @classmethod
    def from_record(cls, record: records.CustomerExclusion) -> Self:
        return cls(
            customer_id=record.customer_id,
            email=record.email,
            first_name=record.first_name,
            last_name=record.last_name,
            phone=record.phone,
            created_at=record.created_at,
        )


@strawberry.type(description="An address unsubscribed from one kind of e-mail.")
class EmailUnsubscription:
    email: str = strawberry.field(description="The unsubscribed address.")
    email_type: EmailType = strawberry.field(
        description="The kind of e-mail it no longer receives (ALL: every kind)."
    )


@strawberry.type(
    description="Short-lived credentials to upload review media straight to storage."
)
class MediaUpload:
    provider: Provider = strawberry.field(description="The platform that issued them.")
    kind: MediaType = strawberry.field(description="What they upload.")
    fields: JSON = strawberry.field(
        description="The upload parameters, by the platform's names. IMAGE: an OSS "
        "post policy (access_id, host, signature, policy, dir, callback); VIDEO: "
        "upload_url (HTTP PUT the file there) and video_url (where it will be)."
    )
    expires_at: datetime | None = strawberry.field(
        description="When the credentials stop working."
    )

    @classmethod
    def from_record(cls, record: shop.MediaUpload) -> Self:
        return cls(
            provider=record.credentials.provider,
            kind=record.kind,
            fields=JSON(dict(record.credentials.fields)),
            expires_at=record.credentials.expires_at,
        )


@strawberry.type(description="An order and the state of its review-request e-mail.")
class ReviewRequestOrder:
    id: strawberry.ID = strawberry.field(description="The Shopify order id.")
    order_number: str | None = strawberry.field(
        description="The order's name in the shop, e.g. #1001."
    )
    customer_email: str | None = strawberry.field(description="The buyer's e-mail.")
    customer_name: str | None = strawberry.field(description="The buyer's name.")
    state: OrderState | None = strawberry.field(
        description="Where the review request stands; null if Trustoo says otherwise."
    )
    created_at: datetime | None = strawberry.field(description="When it was ordered.")
    scheduled_at: datetime | None = strawberry.field(
        description="When the request is (or was) scheduled to be sent."
    )
    sent_at: datetime | None = strawberry.field(description="When it was sent.")
    raw: JSON = strawberry.field(description="Trustoo's own row.")

    @classmethod
    def from_record(cls, record: records.ReviewRequestOrder) -> Self:
        known = record.status in tuple(OrderState)
        return cls(
            id=strawberry.ID(record.id),
            order_number=record.order_number,
            customer_email=record.customer_email,
            customer_name=record.customer_name,
            state=OrderState(record.status) if known else None,
            created_at=record.created_at,
            scheduled_at=record.scheduled_at,
            sent_at=record.sent_at,
            raw=JSON(dict(record.raw)),
        )


@strawberry.type(description="A shopper's interaction with the review widgets.")
class CustomerEvent:
    id: strawberry.ID = strawberry.field(description="The event's id at Trustoo.")
    event_type: str = strawberry.field(
        description="What happened, e.g. VIEW_REVIEW, SUBMIT_REVIEW, CLICK_MEDIA."
    )
    event_source: str | None = strawberry.field(
        description="Where, e.g. STOREFRONT, EMAIL, ADMIN."
    )
    os_type: str | None = strawberry.field(
        description="The shopper's system, e.g. IOS, ANDROID, WINDOWS."
    )
    created_at: datetime | None = strawberry.field(description="When it happened.")
    raw: JSON = strawberry.field(
        description="Trustoo's own row (customer e-mail, product and review ids)."
    )

    @classmethod
    def from_record(cls, record: records.CustomerEvent) -> Self:
        return cls(
            id=strawberry.ID(record.id),
            event_type=record.event_type,
            event_source=record.event_source,
            os_type=record.os_type,
            created_at=record.created_at,
            raw=JSON(dict(record.raw)),
        )


# --- connections -----------------------------------------------------------------


@strawberry.type(description="An excluded customer and the cursor after it.")
class CustomerExclusionEdge:
    cursor: str = strawberry.field(description="Pass as `after` to continue after it.")
    node: CustomerExclusion = strawberry.field(description="The excluded customer.")


@strawberry.type(description="One page of the customers excluded from requests.")
class CustomerExclusionConnection:
    edges: list[CustomerExclusionEdge] = strawberry.field(description="The rows.")
    page_info: PageInfo = strawberry.field(description="Where this page stands.")
    total_count: int | None = strawberry.field(description="Rows in the whole list.")

    @classmethod
    def from_record(cls, page: Connection[records.CustomerExclusion]) -> Self:
        return cls(
            edges=[
                CustomerExclusionEdge(
                    cursor=e.cursor, node=CustomerExclusion.from_record(e.node)
                )
                for e in page.edges
            ],
            page_info=PageInfo.from_record(page),
            total_count=page.total_count,
        )


@strawberry.type(description="An order and the cursor after it.")
class ReviewRequestOrderEdge:
    cursor: str = strawberry.field(description="Pass as `after` to continue after it.")
    node: ReviewRequestOrder = strawberry.field(description="The order.")


@strawberry.type(description="One page of the shop's review-request orders.")
class ReviewRequestOrderConnection:
    edges: list[ReviewRequestOrderEdge] = strawberry.field(description="The rows.")
    page_info: PageInfo = strawberry.field(description="Where this page stands.")
    total_count: int | None = strawberry.field(description="Rows in the whole list.")

    @classmethod
    def from_record(cls, page: Connection[records.ReviewRequestOrder]) -> Self:
        return cls(
            edges=[
                ReviewRequestOrderEdge(
                    cursor=e.cursor, node=ReviewRequestOrder.from_record(e.node)
                )
                for e in page.edges
            ],
            page_info=PageInfo.from_record(page),
            total_count=page.total_count,
        )


@strawberry.type(description="A customer event and the cursor after it.")
class CustomerEventEdge:
    cursor: str = strawberry.field(description="Pass as `after` to continue after it.")
    node: CustomerEvent = strawberry.field(description="The event.")


@strawberry.type(description="One page of the shoppers' widget interactions.")
class CustomerEventConnection:
    edges: list[CustomerEventEdge] = strawberry.field(description="The rows.")
    page_info: PageInfo = strawberry.field(description="Where this page stands.")
    total_count: int | None = strawberry.field(description="Rows in the whole list.")

    @classmethod
    def from_record(cls, page: Connection[records.CustomerEvent]) -> Self:
        return cls(
            edges=[
                CustomerEventEdge(
                    cursor=e.cursor, node=CustomerEvent.from_record(e.node)
                )
                for e in page.edges
            ],
            page_info=PageInfo.from_record(page),
            total_count=page.total_count,
        )
