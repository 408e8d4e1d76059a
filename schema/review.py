"""Reviews: the common review type and its parts, and review connections."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Self

import strawberry
from strawberry.scalars import JSON

from gateway import records
from resolvers import conversations, ids
from resolvers import reviews as review_cases
from resolvers.connections import Connection
from resolvers.context import READ_PRIVATE
from schema._info import Info
from schema.enums import MediaType, Provider, ReviewKind, ReviewStatus
from schema.node import Node
from schema.report import ReviewReport

if TYPE_CHECKING:
    from schema.conversation import Conversation
    from schema.product import Product


@strawberry.type(description="How a review's author is shown publicly.")
class ReviewAuthor:
    display_name: str = strawberry.field(description="The name the platform shows.")
    country: str | None = strawberry.field(description="ISO country code, if known.")


@strawberry.type(description="The reviewer's private details (server keys only).")
class Customer:
    name: str | None = strawberry.field(description="Full name.")
    email: str | None = strawberry.field(description="E-mail address.")
    phone: str | None = strawberry.field(description="Phone number.")
    order_reference: str | None = strawberry.field(
        description="The shop's order or transaction reference."
    )


@strawberry.type(description="An image or video attached to a review.")
class Media:
    type: MediaType = strawberry.field(description="Image or video.")
    url: str = strawberry.field(description="Full-size URL.")
    thumbnail_url: str | None = strawberry.field(description="Thumbnail URL.")


@strawberry.type(description="The merchant's public reply to a review.")
class Reply:
    body: str = strawberry.field(description="The reply's text.")
    created_at: datetime | None = strawberry.field(description="When it was written.")
    updated_at: datetime | None = strawberry.field(description="When it last changed.")


@strawberry.type(description="A rating of one product attribute.")
class AttributeRating:
    id: str = strawberry.field(description="The attribute's id at the platform.")
    name: str = strawberry.field(description="The attribute's name.")
    rating: int = strawberry.field(description="Stars, 1 to 5.")


@strawberry.federation.type(
    keys=["id"], description="A review from one platform, in the common model."
)
class Review(Node):
    record: strawberry.Private[records.Review]

    @classmethod
    def from_record(cls, record: records.Review) -> Self:
        global_id = ids.review_id(record.provider, record.key)
        return cls(id=strawberry.ID(global_id), record=record)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Self | None:
        decoded = ids.decode_review(id)
        record = await review_cases.review(info.context, decoded.provider, decoded.key)
        return cls.from_record(record) if record else None

    @strawberry.field(description="The platform that holds this review.")
    def provider(self) -> Provider:
        return self.record.provider

    @strawberry.field(description="The review's id at its platform.")
    def provider_review_id(self) -> str:
        return self.record.provider_review_id

    @strawberry.field(
        description="Stars, 1 to 5 (rounded where the platform rates in fractions)."
    )
    def rating(self) -> int:
        return self.record.rating

    @strawberry.field(
        description="The rating as the platform reported it (eTrusted: 1.0 to 5.0)."
    )
    def rating_exact(self) -> float:
        return self.record.rating_exact

    @strawberry.field(description="The review's title, where the platform has titles.")
    def title(self) -> str | None:
        return self.record.title

    @strawberry.field(description="The review's text.")
    def body(self) -> str | None:
        return self.record.body

    @strawberry.field(description="ISO 639-1 language code, if known.")
    def language(self) -> str | None:
        return self.record.language

    @strawberry.field(description="When the customer submitted the review.")
    def created_at(self) -> datetime:
        return self.record.created_at

    @strawberry.field(description="When the review last changed, if known.")
    def updated_at(self) -> datetime | None:
        return self.record.updated_at

    @strawberry.field(
        description="A product review, or a review of the shop and its service."
    )
    def kind(self) -> ReviewKind:
        return self.record.kind

    @strawberry.field(description="The review's moderation state.")
    def status(self) -> ReviewStatus:
        return self.record.status

    @strawberry.field(description="Whether the platform verified a purchase, if known.")
    def verified(self) -> bool | None:
        return self.record.verified

    @strawberry.field(description="Whether the review was imported from elsewhere.")
    def imported(self) -> bool:
        return self.record.imported

    @strawberry.field(description="The author as shown publicly.")
    def author(self) -> ReviewAuthor:
        author = self.record.author
        return ReviewAuthor(display_name=author.display_name, country=author.country)

    @strawberry.field(description="The product reviewed; null for shop reviews.")
    def product(
        self, info: Info
    ) -> Annotated[Product, strawberry.lazy("schema.product")] | None:
        # Product and Review refer to each other; the import is deferred to break
        # the module cycle (the annotation above is lazy for the same reason).
        from schema.product import Product

        found = review_cases.product_of(info.context, self.record)
        return Product.from_record(found) if found else None

    @strawberry.field(description="Images and videos attached to the review.")
    def media(self) -> list[Media]:
        return [
            Media(type=m.type, url=m.url, thumbnail_url=m.thumbnail_url)
            for m in self.record.media
        ]

    @strawberry.field(description="The merchant's public reply, on any platform.")
    async def reply(self, info: Info) -> Reply | None:
        reply = await conversations.reply_of(
            info.context, info.context.sink(tuple(info.path.as_list())), self.record
        )
        if reply is None:
            return None
        return Reply(
            body=reply.body, created_at=reply.created_at, updated_at=reply.updated_at
        )

    @strawberry.field(
        description="The reply thread, on platforms with threads (Trustpilot)."
    )
    async def conversation(
        self, info: Info
    ) -> Annotated[Conversation, strawberry.lazy("schema.conversation")] | None:
        from schema.conversation import Conversation  # deferred: a module cycle

        found = await conversations.of_review(
            info.context, info.context.sink(tuple(info.path.as_list())), self.record
        )
        return Conversation.from_record(found) if found else None

    @strawberry.field(description="Per-attribute ratings (Trustpilot).")
    def attribute_ratings(self) -> list[AttributeRating]:
        return [
            AttributeRating(id=a.id, name=a.name, rating=a.rating)
            for a in self.record.attribute_ratings
        ]

    @strawberry.field(description="The reviewer's private details. Needs read:private.")
    async def customer(self, info: Info) -> Customer | None:
        info.context.caller.require(READ_PRIVATE, "Review.customer")
        found = await review_cases.live_review(
            info.context, info.context.sink(tuple(info.path.as_list())), self.record
        )
        customer = found.customer if found is not None else None
        if customer is None:
            return None
        return Customer(
            name=customer.name,
            email=customer.email,
            phone=customer.phone,
            order_reference=customer.order_reference,
        )

    @strawberry.field(
        description="Reports filed against the review (ETRUSTED vetos, as "
        "reportReview files them); [] on platforms without reports. Needs "
        "read:private: null with a FORBIDDEN error otherwise."
    )
    async def reports(self, info: Info) -> list[ReviewReport] | None:
        found = await review_cases.reports_of(
            info.context, info.context.sink(tuple(info.path.as_list())), self.record
        )
        return [ReviewReport.from_record(r) for r in found]

    @strawberry.field(description="The platform's own payload. Needs read:private.")
    async def raw(self, info: Info) -> JSON | None:
        info.context.caller.require(READ_PRIVATE, "Review.raw")
        found = await review_cases.live_review(
            info.context, info.context.sink(tuple(info.path.as_list())), self.record
        )
        return JSON(dict(found.raw)) if found is not None else None


@strawberry.type(description="A review and the cursor after it.")
class ReviewEdge:
    cursor: str = strawberry.field(
        description="Pass as `after` to continue after this."
    )
    node: Review = strawberry.field(description="The review.")


@strawberry.type(description="Where a page stands in its list (Relay).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow.")
    has_previous_page: bool = strawberry.field(description="Items came before.")
    start_cursor: str | None = strawberry.field(description="The first edge's cursor.")
    end_cursor: str | None = strawberry.field(description="The last edge's cursor.")

    @classmethod
    def from_record(cls, connection: Connection[Any]) -> Self:
        return cls(
            has_next_page=connection.has_next_page,
            has_previous_page=connection.has_previous_page,
            start_cursor=connection.start_cursor,
            end_cursor=connection.end_cursor,
        )


@strawberry.type(description="One page of a review list merged over platforms.")
class ReviewConnection:
    edges: list[ReviewEdge] = strawberry.field(description="The reviews of this page.")
    page_info: PageInfo = strawberry.field(description="Paging state.")
    total_count: int | None = strawberry.field(
        description="How many reviews the list holds, where every platform can tell."
    )
    complete: bool = strawberry.field(
        description=(
            "Whether every platform of the list answered for this page; false when"
            " it lacks some (see missingProviders and the errors)."
        )
    )
    missing_providers: list[Provider] = strawberry.field(
        description=(
            "Platforms that failed for this page: their reviews are not in it, and"
            " the list stays open for them (hasNextPage), so paging on later, once"
            " they recover, still yields every review exactly once."
        )
    )

    @classmethod
    def from_record(cls, record: review_cases.ReviewConnection) -> Self:
        return cls(
            edges=[
                ReviewEdge(cursor=e.cursor, node=Review.from_record(e.node))
                for e in record.edges
            ],
            page_info=PageInfo.from_record(record),
            total_count=record.total_count,
            complete=record.complete,
            missing_providers=list(record.missing),
        )
