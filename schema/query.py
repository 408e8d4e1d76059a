"""The root ``Query``: thin fields over the resolvers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

import strawberry

from gateway.sync.status import SyncStatus
from resolvers import catalog_pages, conversations, ids, products, summaries
from resolvers import providers as provider_cases
from resolvers import reviews as review_cases
from schema._info import Info
from schema.conversation import Conversation
from schema.enums import Provider, ReviewOrder, SyncState
from schema.filters import SEARCH, ReviewFilter, list_filter
from schema.node import Node
from schema.product import Product, ProductConnection, RatingSummary
from schema.review import Review, ReviewConnection


@strawberry.type(description="How a platform's review index sync stands.")
class ProviderSync:
    state: SyncState = strawberry.field(
        description="Backfilling, live, failing, standby (another process syncs), off."
    )
    last_success_at: datetime | None = strawberry.field(
        description="When the last sync call or webhook succeeded."
    )
    lag_seconds: float | None = strawberry.field(
        description="How old the newest confirmed state is; null before the first."
    )
    reviews: int = strawberry.field(description="Reviews the index holds (any status).")
    budget_used: float = strawberry.field(
        description=(
            "Share (0 to 1) of the sync's call allowance used in its tightest window."
        )
    )
    calls_used: int = strawberry.field(
        description="Sync calls this gateway process made since it started."
    )
    last_error: str | None = strawberry.field(
        description="Why the last attempt failed (no URL); null when it did not."
    )

    @classmethod
    def from_record(cls, status: SyncStatus) -> Self:
        return cls(
            state=status.phase,
            last_success_at=status.last_success_at,
            lag_seconds=status.lag_seconds,
            reviews=status.reviews,
            budget_used=status.budget_used,
            calls_used=status.calls,
            last_error=status.last_error,
        )


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

    @strawberry.field(
        description=(
            "The review index's sync of this platform; null when the gateway has "
            "no index or the platform is not configured."
        )
    )
    async def sync(self, info: Info) -> ProviderSync | None:
        found = await provider_cases.sync_status(info.context, self.provider)
        return ProviderSync.from_record(found) if found else None


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
        search: Annotated[str | None, SEARCH] = None,
    ) -> ReviewConnection:
        ctx = info.context
        connection = await review_cases.list_reviews(
            ctx,
            ctx.sink(tuple(info.path.as_list())),
            skus=None,
            review_filter=list_filter(ctx, filter, search),
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
