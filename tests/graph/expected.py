"""What the simulators hold, read from independent copies of their seeded stores."""

from datetime import UTC, datetime

from gateway.simulators import etrusted, mayar, trustoo, trustpilot
from gateway.simulators.catalog import Catalog


def published_reviews(catalog: Catalog, sku: str) -> dict[tuple[str, str], datetime]:
    """``{(PROVIDER, platform id): submitted at}`` of a product's published reviews."""
    product = catalog.by_sku(sku)
    assert product is not None
    found: dict[tuple[str, str], datetime] = {}
    if product.listed_on("trustpilot"):
        store = trustpilot.build_store(catalog, catalog.seed)
        for r in store.by_sku.get(sku, []):
            if r.state == "published":
                found["TRUSTPILOT", r.id] = r.created_at
    if product.listed_on("etrusted"):
        et = etrusted.build_store(catalog, catalog.seed)
        for e in et.reviews:
            if (
                e.product is not None
                and e.product.sku == sku
                and e.state == "APPROVED"
                and not e.is_statement
            ):
                found["ETRUSTED", e.id] = e.submitted_at
    if product.listed_on("trustoo"):
        to = trustoo.build_store(catalog, catalog.seed)
        for t in to.reviews.values():
            if t.product_id == product.trustoo_product_id and t.is_published:
                found["TRUSTOO", str(t.id)] = t.commented_at
    if product.listed_on("mayar"):
        ma = mayar.build_store(catalog, catalog.seed)
        for m in ma.reviews.values():
            if (
                m.payment_link_id == product.mayar_payment_link_id
                and m.status == "ACTIVE"
            ):
                found["MAYAR", m.id] = datetime.fromtimestamp(m.created_at / 1000, UTC)
    return found
