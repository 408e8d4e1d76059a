"""Trustoo shop administration in the graph: ShopMutations, its inputs and payloads.

Webhooks, customer exclusions, unsubscribes and media upload credentials. The
mutations need the write scope; every field calls one ``resolvers.shop_writes``
function and turns its refusals into userErrors.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers import shop_writes
from resolvers.shop import EmailType, WebhookTopic
from resolvers.writes import IdInput
from schema._info import Info
from schema.enums import MediaType
from schema.shop_types import (
    CustomerExclusion,
    EmailUnsubscription,
    MediaUpload,
    Webhook,
)
from schema.user_errors import UserError, user_errors

INPUT = strawberry.argument(description="What to write.")
CLIENT_MUTATION_ID = "An idempotency key: the same key and input never write twice."
WEBHOOK_ID = "The webhook's id (give this, or the deprecated id)."
LEGACY_ID = "The webhook's id: deprecated, give webhookId instead."
DEPRECATED_ID = "Use webhookId: every mutation names its object as <type>Id."


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
    webhook_id: strawberry.ID | None = strawberry.field(
        default=None, description=WEBHOOK_ID
    )
    id: strawberry.ID | None = strawberry.field(
        default=None, description=LEGACY_ID, deprecation_reason=DEPRECATED_ID
    )
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
    webhook_id: strawberry.ID | None = strawberry.field(
        default=None, description=WEBHOOK_ID
    )
    id: strawberry.ID | None = strawberry.field(
        default=None, description=LEGACY_ID, deprecation_reason=DEPRECATED_ID
    )
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


# --- root ------------------------------------------------------------------------


@strawberry.type
class ShopMutations:
    @strawberry.mutation(description="Subscribe a URL to a webhook topic (TRUSTOO).")
    async def create_webhook(
        self, info: Info, input: Annotated[CreateWebhookInput, INPUT]
    ) -> CreateWebhookPayload:
        result = await shop_writes.create_webhook(
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
        result = await shop_writes.update_webhook(
            info.context,
            webhook=IdInput("webhookId", input.webhook_id, input.id),
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
        result = await shop_writes.delete_webhook(
            info.context,
            webhook=IdInput("webhookId", input.webhook_id, input.id),
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
        result = await shop_writes.exclude_customer(
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
        result = await shop_writes.remove_customer_exclusion(
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
        result = await shop_writes.unsubscribe_email(
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
        result = await shop_writes.create_media_upload(
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
