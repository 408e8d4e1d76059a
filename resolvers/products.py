"""Products: the catalog's SKUs, each with its reviews and summaries elsewhere."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.config import CatalogEntry
from resolvers.context import Context


@dataclass(frozen=True, slots=True)
class Product:
    """A product of the shop's catalog (or a SKU the catalog does not describe)."""

    sku: str
    entry: CatalogEntry | None


def product(ctx: Context, sku: str) -> Product | None:
    """The product with ``sku``; ``None`` if the catalog does not list it.

    Trustpilot and eTrusted key products by SKU, so a SKU the catalog does not know
    could still have reviews there; the graph only serves catalog products so that
    every product has its ids at every platform.
    """
    entry = ctx.services.catalog.get(sku)
    return Product(sku, entry) if entry is not None else None


def products(ctx: Context, skus: list[str]) -> list[Product | None]:
    return [product(ctx, sku) for sku in skus]
