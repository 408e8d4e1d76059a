"""What the simulators hold, read from independent copies of their seeded stores."""

from collections.abc import Callable
from datetime import UTC, datetime

from sandbox import etrusted, mayar, trustoo, trustpilot
from sandbox.catalog import Catalog, CatalogProduct

Found = dict[tuple[str, str], datetime]


def _trustpilot(catalog: Catalog, product: CatalogProduct) -> Found:
    store = trustpilot.build_store(catalog, catalog.seed)
    return {
        ("TRUSTPILOT", r.id): r.created_at
        for r in store.by_sku.get(product.sku, [])
        if r.state == "published"
    }


def _etrusted(catalog: Catalog, product: CatalogProduct) -> Found:
    store = etrusted.build_store(catalog, catalog.seed)
    return {
        ("ETRUSTED", r.id): r.submitted_at
        for r in store.reviews
        if r.product is not None
        and r.product.sku == product.sku
        and r.state == "APPROVED"
        and not r.is_statement
    }


def _trustoo(catalog: Catalog, product: CatalogProduct) -> Found:
    store = trustoo.build_store(catalog, catalog.seed)
    return {
        ("TRUSTOO", str(r.id)): r.commented_at
        for r in store.reviews.values()
        if r.product_id == product.trustoo_product_id and r.is_published
    }


def _mayar(catalog: Catalog, product: CatalogProduct) -> Found:
    store = mayar.build_store(catalog, catalog.seed)
    return {
        ("MAYAR", r.id): datetime.fromtimestamp(r.created_at / 1000, UTC)
        for r in store.reviews.values()
        if r.payment_link_id == product.mayar_payment_link_id and r.status == "ACTIVE"
    }


READERS: dict[str, Callable[[Catalog, CatalogProduct], Found]] = {
    "trustpilot": _trustpilot,
    "etrusted": _etrusted,
    "trustoo": _trustoo,
    "mayar": _mayar,
}


def published_reviews(catalog: Catalog, sku: str) -> Found:
    """``{(PROVIDER, platform id): submitted at}`` of a product's published reviews."""
    product = catalog.by_sku(sku)
    assert product is not None
    found: Found = {}
    for provider, read in READERS.items():
        if product.listed_on(provider):
            found.update(read(catalog, product))
    return found
