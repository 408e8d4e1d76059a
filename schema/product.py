"""Products and their star summaries."""

from __future__ import annotations

from typing import Annotated, Self

import strawberry

from gateway import records
from resolvers import ids, products, summaries
from resolvers import reviews as review_cases
from resolvers.connections import Connection
from schema._info import Info
from schema.enums import Provider, ReviewOrder
from schema.filters import SEARCH, ReviewFilter, list_filter
from schema.node import Node
from schema.review import PageInfo, ReviewConnection


@strawberry.type(description="How many reviews gave each number of stars.")
class StarDistribution:
    one_star: int = strawberry.field(description="Reviews with 1 star.")
    two_stars: int = strawberry.field(description="Reviews with 2 stars.")
    three_stars: int = strawberry.field(description="Reviews with 3 stars.")
    four_stars: int = strawberry.field(description="Reviews with 4 stars.")
    five_stars: int = strawberry.field(description="Reviews with 5 stars.")

    @classmethod
    def from_record(cls, d: records.StarDistribution) -> Self:
        return cls(
            one_star=d.one,
            two_stars=d.two,
            three_stars=d.three,
            four_stars=d.four,
            five_stars=d.five,
        )


@strawberry.type(description="One platform's part of a rating summary.")
class ProviderRatingSummary:
    provider: Provider = strawberry.field(description="The platform.")
    count: int = strawberry.field(description="How many reviews it counts.")
    average: float | None = strawberry.field(description="Average stars; null if none.")
    distribution: StarDistribution = strawberry.field(description="Stars per review.")


@strawberry.type(description="Count, average and distribution over several platforms.")
class RatingSummary:
    count: int = strawberry.field(description="How many reviews in all.")
    average: float | None = strawberry.field(
        description="Average stars, weighted by each platform's count; null if none."
    )
    distribution: StarDistribution = strawberry.field(description="Stars per review.")
    providers: list[ProviderRatingSummary] = strawberry.field(
        description="Each platform's own summary."
    )
    complete: bool = strawberry.field(
        description=(
            "Whether every platform that lists the product answered; false when the"
            " figures leave some out (see missingProviders and the errors)."
        )
    )
    missing_providers: list[Provider] = strawberry.field(
        description=(
            "Platforms that list the product but failed, so the figures lack them."
        )
    )

    @classmethod
    def from_record(cls, merged: summaries.MergedSummary) -> Self:
        return cls(
            count=merged.count,
            average=merged.average,
            distribution=StarDistribution.from_record(merged.distribution),
            providers=[
                ProviderRatingSummary(
                    provider=s.provider,
                    count=s.count,
                    average=s.average,
                    distribution=StarDistribution.from_record(s.distribution),
                )
                for s in merged.providers
            ],
            complete=merged.complete,
            missing_providers=list(merged.missing),
        )


@strawberry.type(description="The aggregated ratings of one product attribute.")
class AttributeSummary:
    id: str = strawberry.field(description="The attribute's id at the platform.")
    name: str = strawberry.field(description="The attribute's name.")
    average: float | None = strawberry.field(description="Average stars; null if none.")
    count: int = strawberry.field(description="How many ratings.")
    distribution: StarDistribution = strawberry.field(description="Stars per rating.")


@strawberry.federation.type(
    keys=["sku"], description="A product of the shop's catalog, reviewed anywhere."
)
class Product(Node):
    sku: str = strawberry.field(description="The shop's stock-keeping unit.")
    record: strawberry.Private[products.Product]

    @classmethod
    def from_record(cls, record: products.Product) -> Self:
        return cls(
            id=strawberry.ID(ids.product_id(record.sku)), sku=record.sku, record=record
        )

    @classmethod
    def resolve_reference(cls, info: Info, sku: str) -> Self | None:
        found = products.product(info.context, sku)
        return cls.from_record(found) if found else None

    @strawberry.field(description="The product's name.")
    def name(self) -> str | None:
        return self.record.entry.name if self.record.entry else None

    @strawberry.field(description="Global Trade Item Number.")
    def gtin(self) -> str | None:
        return self.record.entry.gtin if self.record.entry else None

    @strawberry.field(description="Manufacturer part number.")
    def mpn(self) -> str | None:
        return self.record.entry.mpn if self.record.entry else None

    @strawberry.field(description="The brand.")
    def brand(self) -> str | None:
        return self.record.entry.brand if self.record.entry else None

    @strawberry.field(description="The product page.")
    def url(self) -> str | None:
        return self.record.entry.url if self.record.entry else None

    @strawberry.field(description="The product image.")
    def image_url(self) -> str | None:
        return self.record.entry.image_url if self.record.entry else None

    @strawberry.field(description="The product's reviews from every platform, merged.")
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
            skus=(self.sku,),
            review_filter=list_filter(ctx, filter, search),
            order=order_by or ReviewOrder.NEWEST,
            first=20 if first is None else first,
            after=after,
        )
        return ReviewConnection.from_record(connection)

    @strawberry.field(
        description="Star summary over the given platforms (default: all)."
    )
    async def rating_summary(
        self, info: Info, providers: list[Provider] | None = None
    ) -> RatingSummary:
        ctx = info.context
        merged = await summaries.rating_summary(
            ctx,
            ctx.sink(tuple(info.path.as_list())),
            self.sku,
            frozenset(providers) if providers is not None else None,
        )
        return RatingSummary.from_record(merged)

    @strawberry.field(description="Per-attribute rating summaries (Trustpilot).")
    async def attribute_summaries(self, info: Info) -> list[AttributeSummary]:
        ctx = info.context
        found = await summaries.attribute_summaries(
            ctx, ctx.sink(tuple(info.path.as_list())), self.sku
        )
        return [
            AttributeSummary(
                id=a.id,
                name=a.name,
                average=a.average,
                count=a.count,
                distribution=StarDistribution.from_record(a.distribution),
            )
            for a in found
        ]


@strawberry.type(description="A product and the cursor just after it.")
class ProductEdge:
    cursor: str = strawberry.field(description="Pass as `after` for what follows.")
    node: Product = strawberry.field(description="The product.")


@strawberry.type(description="One page of the catalog's products, in catalog order.")
class ProductConnection:
    edges: list[ProductEdge] = strawberry.field(
        description="The products of this page."
    )
    page_info: PageInfo = strawberry.field(description="Paging state.")
    total_count: int = strawberry.field(
        description="How many products the catalog holds."
    )

    @classmethod
    def from_record(cls, record: Connection[products.Product]) -> Self:
        return cls(
            edges=[
                ProductEdge(cursor=e.cursor, node=Product.from_record(e.node))
                for e in record.edges
            ],
            page_info=PageInfo.from_record(record),
            total_count=record.total_count or 0,
        )
