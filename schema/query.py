"""The root ``Query``: thin fields over the resolvers."""

from __future__ import annotations

import strawberry

from resolvers import catalog_pages, conversations, ids, products, summaries
from resolvers import providers as provider_cases
from resolvers import reviews as review_cases
from resolvers.filters import ReviewFilter as FilterRecord
from schema._info import Info
from schema.conversation import Conversation
from schema.enums import Provider, ReviewOrder
from schema.filters import ReviewFilter, to_record
from schema.node import Node
from schema.product import Product, ProductConnection, RatingSummary
from schema.review import Review, ReviewConnection


@strawberry.type(
    description="A platform, whether it is configured, and what it can do."
)
class ProviderInfo:
    provider: Provider = strawberry.field(description="The platform.")
    configured: bool = strawberry.field(description="Credentials are configured.")
    healthy: bool | None = strawberry.field(
        description="Whether recent calls succeeded; null when not yet known."
    )
    capabilities: list[str] = strawberry.field(
        description="The graph operations this platform supports."
    )


async def _review(info: Info, value: str) -> Review | None:
    decoded = ids.decode_review(value)
    found = await review_cases.review(info.context, decoded.provider, decoded.key)
    return Review.from_record(found) if found else None


def _product(info: Info, sku: str) -> Product | None:
    found = products.product(info.context, sku)
    return Product.from_record(found) if found else None


async def _conversation(info: Info, value: str) -> Conversation | None:
    decoded = ids.decode(value)
    if not isinstance(decoded, ids.ConversationId):
        return None
    found = await conversations.conversation(info.context, decoded.provider, decoded.id)
    return Conversation.from_record(found) if found else None


@strawberry.type
class ReadQuery:
    @strawberry.field(description="Any object by its global id.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        decoded = ids.decode(id)
        if isinstance(decoded, ids.ProductId):
            return _product(info, decoded.sku)
        if isinstance(decoded, ids.ConversationId):
            return await _conversation(info, id)
        return await _review(info, id)

    @strawberry.field(description="A review by its global id.")
    async def review(self, info: Info, id: strawberry.ID) -> Review | None:
        return await _review(info, id)

    @strawberry.field(description="A catalog product by SKU.")
    def product(self, info: Info, sku: str) -> Product | None:
        return _product(info, sku)

    @strawberry.field(
        description="Catalog products by SKU, in order; null where unknown."
    )
    def products(self, info: Info, skus: list[str]) -> list[Product | None]:
        return [
            Product.from_record(p) if p else None
            for p in products.products(info.context, skus)
        ]

    @strawberry.field(
        description=(
            "The configured catalog's products, in catalog order (a Relay "
            "connection; `first` at most the maximum page size). No platform call."
        )
    )
    def catalog(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> ProductConnection:
        page = catalog_pages.catalog_page(
            info.context, catalog_pages.DEFAULT_FIRST if first is None else first, after
        )
        return ProductConnection.from_record(page)

    @strawberry.field(
        description=(
            "The shop's own rating: eTrusted's service rating and Trustoo's store "
            "rating merged (shop reviews, not products)."
        )
    )
    async def shop_rating_summary(self, info: Info) -> RatingSummary:
        ctx = info.context
        merged = await summaries.shop_rating_summary(
            ctx, ctx.sink(tuple(info.path.as_list()))
        )
        return RatingSummary.from_record(merged)

    @strawberry.field(description="Reviews of the whole shop, merged over platforms.")
    async def reviews(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: ReviewFilter | None = None,
        order_by: ReviewOrder | None = ReviewOrder.NEWEST,
    ) -> ReviewConnection:
        ctx = info.context
        connection = await review_cases.list_reviews(
            ctx,
            ctx.sink(tuple(info.path.as_list())),
            skus=None,
            review_filter=to_record(ctx, filter) if filter else FilterRecord(),
            order=order_by or ReviewOrder.NEWEST,
            first=20 if first is None else first,
            after=after,
        )
        return ReviewConnection.from_record(connection)

    @strawberry.field(description="A conversation by its global id.")
    async def conversation(self, info: Info, id: strawberry.ID) -> Conversation | None:
        return await _conversation(info, id)

    @strawberry.field(description="Every platform and its state.")
    def providers(self, info: Info) -> list[ProviderInfo]:
        return [
            ProviderInfo(
                provider=p.provider,
                configured=p.configured,
                healthy=p.healthy,
                capabilities=list(p.capabilities),
            )
            for p in provider_cases.providers(info.context)
        ]
