"""Writes on a review's public face: replies, threads, reports and invitations."""

from __future__ import annotations

import strawberry

from gateway import records
from resolvers import ids, invitations, replies
from resolvers.replies import ReportReason
from schema._info import Info
from schema.conversation import Comment, CommentAuthor, Conversation
from schema.enums import ConversationState
from schema.report import ReviewReport
from schema.review import Review
from schema.user_errors import UserError, user_errors


@strawberry.input(description="Report a review to its platform (ETRUSTED).")
class ReportReviewInput:
    review_id: strawberry.ID = strawberry.field(description="The review's global id.")
    reason: ReportReason = strawberry.field(description="Why it is reported.")
    comment: str = strawberry.field(description="What is wrong (1 to 4000 characters).")
    reporter_email: str | None = strawberry.field(
        default=None, description="Who reports it (eTrusted requires it)."
    )
    client_mutation_id: str | None = strawberry.field(
        default=None,
        description="An idempotency key: the same key and input never write twice.",
    )


@strawberry.type(description="The result of reportReview.")
class ReportReviewPayload:
    report: ReviewReport | None = strawberry.field(description="The filed report.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")
    client_mutation_id: str | None = strawberry.field(description="The key, echoed.")


IDEMPOTENCY_KEY = "An idempotency key: the same key and input never write twice."


@strawberry.input(
    description="Set the merchant's public reply to a review (TRUSTPILOT, ETRUSTED)."
)
class ReplyToReviewInput:
    review_id: strawberry.ID = strawberry.field(description="The review's global id.")
    body: str = strawberry.field(
        description="The reply (1 to 4000 characters). On TRUSTPILOT it replaces "
        "the first business comment of the review's conversation (created when "
        "missing); on ETRUSTED it replaces the review's reply."
    )
    notify_customer: bool | None = strawberry.field(
        default=None,
        description="ETRUSTED: e-mail the reviewer about the reply (default false). "
        "TRUSTPILOT decides itself: leave it out there.",
    )
    client_mutation_id: str | None = strawberry.field(
        default=None, description=IDEMPOTENCY_KEY
    )


@strawberry.type(description="The result of replyToReview.")
class ReplyToReviewPayload:
    written: strawberry.Private[ids.ReviewId | None]
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")
    client_mutation_id: str | None = strawberry.field(description="The key, echoed.")

    @strawberry.field(
        description="The review, read again after the write: its reply (and "
        "conversation) show the new text."
    )
    async def review(self, info: Info) -> Review | None:
        found = await replies.written_review(info.context, self.written)
        return Review.from_record(found) if found else None


@strawberry.input(description="Edit one of the business's comments (TRUSTPILOT).")
class UpdateCommentInput:
    conversation_id: strawberry.ID = strawberry.field(
        description="The conversation's global id."
    )
    comment_id: strawberry.ID = strawberry.field(
        description="The comment's id (Comment.id); consumers' comments cannot be "
        "edited."
    )
    body: str = strawberry.field(description="The new text (1 to 4000 characters).")
    client_mutation_id: str | None = strawberry.field(
        default=None, description=IDEMPOTENCY_KEY
    )


def _comment(record: records.Comment) -> Comment:
    return Comment(
        id=strawberry.ID(record.id),
        body=record.body,
        created_at=record.created_at,
        author=CommentAuthor(id=record.author_id, type=record.author_type),
    )


@strawberry.type(description="The result of updateComment.")
class UpdateCommentPayload:
    edited: strawberry.Private[replies.EditedComment | None]
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")
    client_mutation_id: str | None = strawberry.field(description="The key, echoed.")

    @strawberry.field(description="The comment as the platform answered the edit.")
    def comment(self) -> Comment | None:
        return _comment(self.edited.comment) if self.edited else None

    @strawberry.field(description="The conversation, read again after the write.")
    async def conversation(self, info: Info) -> Conversation | None:
        thread = self.edited.conversation if self.edited else None
        found = await replies.written_conversation(info.context, thread)
        return Conversation.from_record(found) if found else None


@strawberry.input(description="Make a conversation public or private (TRUSTPILOT).")
class SetConversationStateInput:
    conversation_id: strawberry.ID = strawberry.field(
        description="The conversation's global id."
    )
    state: ConversationState = strawberry.field(
        description="PRIVATE hides the thread from everyone but server keys."
    )
    client_mutation_id: str | None = strawberry.field(
        default=None, description=IDEMPOTENCY_KEY
    )


@strawberry.type(description="The result of setConversationState.")
class SetConversationStatePayload:
    written: strawberry.Private[ids.ConversationId | None]
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")
    client_mutation_id: str | None = strawberry.field(description="The key, echoed.")

    @strawberry.field(description="The conversation, read again after the write.")
    async def conversation(self, info: Info) -> Conversation | None:
        found = await replies.written_conversation(info.context, self.written)
        return Conversation.from_record(found) if found else None


@strawberry.input(
    description="Ask a customer to review what they bought (TRUSTPILOT). Give the "
    "products as catalog skus or as Trustpilot productIds, exactly one of the two."
)
class CreateInvitationLinkInput:
    customer_email: str = strawberry.field(description="The customer's e-mail.")
    customer_name: str = strawberry.field(description="The customer's name.")
    reference_id: str = strawberry.field(
        description="Your reference for the purchase, e.g. the order number."
    )
    locale: str = strawberry.field(
        default="en-US", description="The review page's language, like en-US."
    )
    redirect_uri: str | None = strawberry.field(
        default=None, description="Where the customer goes after reviewing (http(s))."
    )
    skus: list[str] | None = strawberry.field(
        default=None,
        description="Catalog SKUs bought (sent with the catalog's name and URL).",
    )
    product_ids: list[str] | None = strawberry.field(
        default=None, description="Trustpilot's own product ids bought."
    )
    client_mutation_id: str | None = strawberry.field(
        default=None, description=IDEMPOTENCY_KEY
    )

    def to_record(self) -> invitations.InvitationInput:
        return invitations.InvitationInput(
            customer_email=self.customer_email,
            customer_name=self.customer_name,
            reference_id=self.reference_id,
            locale=self.locale,
            redirect_uri=self.redirect_uri,
            skus=tuple(self.skus or ()),
            product_ids=tuple(self.product_ids or ()),
        )


@strawberry.type(description="A link a customer follows to review their purchase.")
class InvitationLink:
    id: strawberry.ID = strawberry.field(description="The link's id at the platform.")
    url: str = strawberry.field(description="The review page to send the customer.")


@strawberry.type(description="The result of createInvitationLink.")
class CreateInvitationLinkPayload:
    link: InvitationLink | None = strawberry.field(description="The new link.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused.")
    client_mutation_id: str | None = strawberry.field(description="The key, echoed.")


@strawberry.type
class ReplyMutations:
    @strawberry.mutation(description="Report a review to its platform (ETRUSTED).")
    async def report_review(
        self, info: Info, input: ReportReviewInput
    ) -> ReportReviewPayload:
        result = await replies.report_review(
            info.context,
            review_id=input.review_id,
            reason=input.reason,
            comment=input.comment,
            reporter_email=input.reporter_email,
            client_mutation_id=input.client_mutation_id,
        )
        return ReportReviewPayload(
            report=ReviewReport.from_record(result.value) if result.value else None,
            user_errors=user_errors(result),
            client_mutation_id=input.client_mutation_id,
        )

    @strawberry.mutation(
        description="Set the merchant's public reply to a review (TRUSTPILOT, "
        "ETRUSTED; TRUSTOO and MAYAR cannot)."
    )
    async def reply_to_review(
        self, info: Info, input: ReplyToReviewInput
    ) -> ReplyToReviewPayload:
        result = await replies.reply_to_review(
            info.context,
            review_id=input.review_id,
            body=input.body,
            notify_customer=input.notify_customer,
            client_mutation_id=input.client_mutation_id,
        )
        return ReplyToReviewPayload(
            written=result.value,
            user_errors=user_errors(result),
            client_mutation_id=input.client_mutation_id,
        )

    @strawberry.mutation(description="Edit a business comment (TRUSTPILOT).")
    async def update_comment(
        self, info: Info, input: UpdateCommentInput
    ) -> UpdateCommentPayload:
        result = await replies.update_comment(
            info.context,
            conversation_id=input.conversation_id,
            comment_id=input.comment_id,
            body=input.body,
            client_mutation_id=input.client_mutation_id,
        )
        return UpdateCommentPayload(
            edited=result.value,
            user_errors=user_errors(result),
            client_mutation_id=input.client_mutation_id,
        )

    @strawberry.mutation(
        description="Make a conversation public or private (TRUSTPILOT)."
    )
    async def set_conversation_state(
        self, info: Info, input: SetConversationStateInput
    ) -> SetConversationStatePayload:
        result = await replies.set_conversation_state(
            info.context,
            conversation_id=input.conversation_id,
            state=input.state,
            client_mutation_id=input.client_mutation_id,
        )
        return SetConversationStatePayload(
            written=result.value,
            user_errors=user_errors(result),
            client_mutation_id=input.client_mutation_id,
        )

    @strawberry.mutation(
        description="A link asking a customer to review their purchase (TRUSTPILOT)."
    )
    async def create_invitation_link(
        self, info: Info, input: CreateInvitationLinkInput
    ) -> CreateInvitationLinkPayload:
        result = await invitations.create_invitation_link(
            info.context, input.to_record(), input.client_mutation_id
        )
        link = result.value
        return CreateInvitationLinkPayload(
            link=InvitationLink(id=strawberry.ID(link.id), url=link.url)
            if link
            else None,
            user_errors=user_errors(result),
            client_mutation_id=input.client_mutation_id,
        )
