"""Trustoo shop administration in the graph: webhooks, exclusions, unsubscribes.

Also media upload credentials, review-request orders and customer events. The
queries need the read:private scope (customers' e-mails), the mutations the write
scope; every field calls one ``resolvers.shop`` function.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

import strawberry
from strawberry.scalars import JSON

from gateway import records
from resolvers import shop
from resolvers.connections import Connection
from resolvers.shop import EmailType, OrderState, WebhookTopic
from schema._info import Info
from schema.enums import MediaType, Provider
from schema.review import PageInfo
from schema.user_errors import UserError, user_errors

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

First = Annotated[
    int, strawberry.argument(description="How many rows (at most the page maximum).")
]
After = Annotated[
    str | None,
    strawberry.argument(description="A cursor from this list: continue after it."),
]
OldestFirst = Annotated[
    bool,
    strawberry.argument(
        description="Oldest first. Stable while rows are added; newest first (the "
        "default) may repeat a row when rows are added while paging."
    ),
]
INPUT = strawberry.argument(description="What to write.")
CLIENT_MUTATION_ID = "An idempotency key: the same key and input never write twice."


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


# --- filters ---------------------------------------------------------------------


@strawberry.input(description="Narrows review-request orders; every field must match.")
class ReviewRequestOrderFilter:
    state: OrderState | None = strawberry.field(
        default=None, description="Only orders whose request is in this state."
    )
    sent_after: datetime | None = strawberry.field(
        default=None, description="Only requests sent at or after this instant."
    )
    sent_before: datetime | None = strawberry.field(
        default=None, description="Only requests sent before this instant."
    )
    created_after: datetime | None = strawberry.field(
        default=None, description="Only orders placed at or after this instant."
    )
    created_before: datetime | None = strawberry.field(
        default=None, description="Only orders placed before this instant."
    )

    def to_record(self) -> shop.OrderFilter:
        return shop.OrderFilter(
            self.state,
            self.sent_after,
            self.sent_before,
            self.created_after,
            self.created_before,
        )


@strawberry.input(
    description="Narrows customer events; values as Trustoo names them (upper case)."
)
class CustomerEventFilter:
    event_type: str | None = strawberry.field(
        default=None, description="Only this event type, e.g. VIEW_REVIEW."
    )
    os_type: str | None = strawberry.field(
        default=None, description="Only this system, e.g. IOS."
    )
    event_source: str | None = strawberry.field(
        default=None, description="Only this source, e.g. STOREFRONT."
    )

    def to_record(self) -> shop.EventFilter:
        return shop.EventFilter(self.event_type, self.os_type, self.event_source)


# --- mutation inputs and payloads ------------------------------------------------


@strawberry.input(description="Subscribe a URL to a Trustoo webhook topic.")
class CreateWebhookInput:
    topic: WebhookTopic = strawberry.field(description="What to subscribe to.")
    url: str = strawberry.field(description="Where to deliver: an absolute https URL.")
    client_mutation_id: str | None = strawberry.field(
        default=None, description=CLIENT_MUTATION_ID
    )


@strawberry.type(description="The result of createWebhook.")
class CreateWebhookPayload:
    webhook: Webhook | None = strawberry.field(description="The new subscription.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")
    client_mutation_id: str | None = strawberry.field(description="The key, echoed.")


@strawberry.input(description="Change a webhook's topic, URL or both.")
class UpdateWebhookInput:
    id: strawberry.ID = strawberry.field(description="The webhook's id.")
    topic: WebhookTopic | None = strawberry.field(
        default=None, description="The new topic; null keeps it."
    )
    url: str | None = strawberry.field(
        default=None, description="The new https URL; null keeps it."
    )
    client_mutation_id: str | None = strawberry.field(
        default=None, description=CLIENT_MUTATION_ID
    )


@strawberry.type(description="The result of updateWebhook.")
class UpdateWebhookPayload:
    webhook: Webhook | None = strawberry.field(description="The changed subscription.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")
    client_mutation_id: str | None = strawberry.field(description="The key, echoed.")


@strawberry.input(description="Delete a webhook subscription.")
class DeleteWebhookInput:
    id: strawberry.ID = strawberry.field(description="The webhook's id.")
    client_mutation_id: str | None = strawberry.field(
        default=None, description=CLIENT_MUTATION_ID
    )


@strawberry.type(description="The result of deleteWebhook.")
class DeleteWebhookPayload:
    deleted_webhook_id: strawberry.ID | None = strawberry.field(
        description="The deleted webhook's id."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")
    client_mutation_id: str | None = strawberry.field(description="The key, echoed.")


@strawberry.input(description="Stop Trustoo's review-request e-mails to a customer.")
class ExcludeCustomerInput:
    email: str = strawberry.field(description="The customer's e-mail address.")
    client_mutation_id: str | None = strawberry.field(
        default=None, description=CLIENT_MUTATION_ID
    )


@strawberry.type(description="The result of excludeCustomer.")
class ExcludeCustomerPayload:
    exclusion: CustomerExclusion | None = strawberry.field(
        description="The excluded customer."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")
    client_mutation_id: str | None = strawberry.field(description="The key, echoed.")


@strawberry.input(
    description="Let review requests reach a customer again: give customerId or email."
)
class RemoveCustomerExclusionInput:
    customer_id: str | None = strawberry.field(
        default=None, description="The excluded customer's id (or give email)."
    )
    email: str | None = strawberry.field(
        default=None, description="The excluded customer's e-mail (or customerId)."
    )
    client_mutation_id: str | None = strawberry.field(
        default=None, description=CLIENT_MUTATION_ID
    )


@strawberry.type(description="The result of removeCustomerExclusion.")
class RemoveCustomerExclusionPayload:
    removed_customer_id: str | None = strawberry.field(
        description="The customer id given, when the exclusion was removed by id."
    )
    removed_email: str | None = strawberry.field(
        description="The e-mail given, when the exclusion was removed by e-mail."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")
    client_mutation_id: str | None = strawberry.field(description="The key, echoed.")


@strawberry.input(description="Unsubscribe an address from Trustoo's e-mails.")
class UnsubscribeEmailInput:
    email: str = strawberry.field(description="The address.")
    email_type: EmailType = strawberry.field(
        default=EmailType.ALL, description="Which e-mails (default ALL: every kind)."
    )
    client_mutation_id: str | None = strawberry.field(
        default=None, description=CLIENT_MUTATION_ID
    )


@strawberry.type(description="The result of unsubscribeEmail.")
class UnsubscribeEmailPayload:
    unsubscription: EmailUnsubscription | None = strawberry.field(
        description="What was unsubscribed."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")
    client_mutation_id: str | None = strawberry.field(description="The key, echoed.")


@strawberry.input(description="Get credentials to upload a review image or video.")
class CreateMediaUploadInput:
    kind: MediaType = strawberry.field(description="IMAGE or VIDEO.")
    file_name: str | None = strawberry.field(
        default=None,
        description="VIDEO only: the file's name (mp4, mov, webm, m4v or avi).",
    )
    client_mutation_id: str | None = strawberry.field(
        default=None, description=CLIENT_MUTATION_ID
    )


@strawberry.type(description="The result of createMediaUpload.")
class CreateMediaUploadPayload:
    upload: MediaUpload | None = strawberry.field(description="The credentials.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")
    client_mutation_id: str | None = strawberry.field(description="The key, echoed.")


# --- roots -----------------------------------------------------------------------


@strawberry.type
class ShopMutations:
    @strawberry.mutation(description="Subscribe a URL to a webhook topic (TRUSTOO).")
    async def create_webhook(
        self, info: Info, input: Annotated[CreateWebhookInput, INPUT]
    ) -> CreateWebhookPayload:
        result = await shop.create_webhook(
            info.context,
            topic=input.topic,
            url=input.url,
            client_mutation_id=input.client_mutation_id,
        )
        return CreateWebhookPayload(
            webhook=Webhook.from_record(result.value) if result.value else None,
            user_errors=user_errors(result),
            client_mutation_id=input.client_mutation_id,
        )

    @strawberry.mutation(description="Change a webhook's topic or URL (TRUSTOO).")
    async def update_webhook(
        self, info: Info, input: Annotated[UpdateWebhookInput, INPUT]
    ) -> UpdateWebhookPayload:
        result = await shop.update_webhook(
            info.context,
            webhook_id=input.id,
            topic=input.topic,
            url=input.url,
            client_mutation_id=input.client_mutation_id,
        )
        return UpdateWebhookPayload(
            webhook=Webhook.from_record(result.value) if result.value else None,
            user_errors=user_errors(result),
            client_mutation_id=input.client_mutation_id,
        )

    @strawberry.mutation(description="Delete a webhook subscription (TRUSTOO).")
    async def delete_webhook(
        self, info: Info, input: Annotated[DeleteWebhookInput, INPUT]
    ) -> DeleteWebhookPayload:
        result = await shop.delete_webhook(
            info.context,
            webhook_id=input.id,
            client_mutation_id=input.client_mutation_id,
        )
        return DeleteWebhookPayload(
            deleted_webhook_id=strawberry.ID(result.value) if result.value else None,
            user_errors=user_errors(result),
            client_mutation_id=input.client_mutation_id,
        )

    @strawberry.mutation(
        description="Stop review-request e-mails to a customer (TRUSTOO)."
    )
    async def exclude_customer(
        self, info: Info, input: Annotated[ExcludeCustomerInput, INPUT]
    ) -> ExcludeCustomerPayload:
        result = await shop.exclude_customer(
            info.context, email=input.email, client_mutation_id=input.client_mutation_id
        )
        return ExcludeCustomerPayload(
            exclusion=(
                CustomerExclusion.from_record(result.value) if result.value else None
            ),
            user_errors=user_errors(result),
            client_mutation_id=input.client_mutation_id,
        )

    @strawberry.mutation(
        description="Let review requests reach a customer again (TRUSTOO)."
    )
    async def remove_customer_exclusion(
        self, info: Info, input: Annotated[RemoveCustomerExclusionInput, INPUT]
    ) -> RemoveCustomerExclusionPayload:
        result = await shop.remove_customer_exclusion(
            info.context,
            customer_id=input.customer_id,
            email=input.email,
            client_mutation_id=input.client_mutation_id,
        )
        removed = result.value
        return RemoveCustomerExclusionPayload(
            removed_customer_id=removed.customer_id if removed else None,
            removed_email=removed.email if removed else None,
            user_errors=user_errors(result),
            client_mutation_id=input.client_mutation_id,
        )

    @strawberry.mutation(description="Unsubscribe an address from e-mails (TRUSTOO).")
    async def unsubscribe_email(
        self, info: Info, input: Annotated[UnsubscribeEmailInput, INPUT]
    ) -> UnsubscribeEmailPayload:
        result = await shop.unsubscribe_email(
            info.context,
            email=input.email,
            email_type=input.email_type,
            client_mutation_id=input.client_mutation_id,
        )
        done = result.value
        return UnsubscribeEmailPayload(
            unsubscription=(
                EmailUnsubscription(email=done.email, email_type=done.email_type)
                if done
                else None
            ),
            user_errors=user_errors(result),
            client_mutation_id=input.client_mutation_id,
        )

    @strawberry.mutation(
        description="Credentials to upload a review image or video (TRUSTOO)."
    )
    async def create_media_upload(
        self, info: Info, input: Annotated[CreateMediaUploadInput, INPUT]
    ) -> CreateMediaUploadPayload:
        result = await shop.create_media_upload(
            info.context,
            kind=input.kind,
            file_name=input.file_name,
            client_mutation_id=input.client_mutation_id,
        )
        return CreateMediaUploadPayload(
            upload=MediaUpload.from_record(result.value) if result.value else None,
            user_errors=user_errors(result),
            client_mutation_id=input.client_mutation_id,
        )


@strawberry.type
class ShopQuery:
    @strawberry.field(
        description="The shop's Trustoo webhook subscriptions (needs read:private)."
    )
    async def webhooks(self, info: Info) -> list[Webhook]:
        return [Webhook.from_record(w) for w in await shop.webhooks(info.context)]

    @strawberry.field(
        description="Customers excluded from Trustoo's review requests "
        "(needs read:private)."
    )
    async def customer_exclusions(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        oldest_first: OldestFirst = False,
    ) -> CustomerExclusionConnection:
        found = await shop.exclusions(
            info.context, first=first, after=after, oldest_first=oldest_first
        )
        return CustomerExclusionConnection.from_record(found)

    @strawberry.field(
        description="The shop's orders and their Trustoo review requests "
        "(needs read:private)."
    )
    async def review_request_orders(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        filter: Annotated[
            ReviewRequestOrderFilter | None,
            strawberry.argument(description="Only the orders matching this."),
        ] = None,
        oldest_first: OldestFirst = False,
    ) -> ReviewRequestOrderConnection:
        found = await shop.review_request_orders(
            info.context,
            first=first,
            after=after,
            order_filter=filter.to_record() if filter else shop.OrderFilter(),
            oldest_first=oldest_first,
        )
        return ReviewRequestOrderConnection.from_record(found)

    @strawberry.field(
        description="Shoppers' interactions with Trustoo's review widgets "
        "(needs read:private)."
    )
    async def customer_events(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        filter: Annotated[
            CustomerEventFilter | None,
            strawberry.argument(description="Only the events matching this."),
        ] = None,
        oldest_first: OldestFirst = False,
    ) -> CustomerEventConnection:
        found = await shop.customer_events(
            info.context,
            first=first,
            after=after,
            event_filter=filter.to_record() if filter else shop.EventFilter(),
            oldest_first=oldest_first,
        )
        return CustomerEventConnection.from_record(found)
