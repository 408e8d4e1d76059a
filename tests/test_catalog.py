import random
from collections import Counter

from sandbox.catalog import PROVIDERS, build_catalog
from sandbox.corpus import pick_rating


def test_catalog_is_deterministic_per_seed() -> None:
    assert build_catalog(7) == build_catalog(7)
    assert build_catalog(7).products != build_catalog(8).products


def test_catalog_meets_the_sandbox_contract() -> None:
    catalog = build_catalog(1)
    products = catalog.products
    assert len(products) >= 40
    assert sum(1 for p in products if p.providers == set(PROVIDERS)) >= 10
    assert sum(1 for p in products if len(p.providers) >= 2) > len(products) / 2
    assert len({p.sku for p in products}) == len(products)
    trustoo_ids = [p.trustoo_product_id for p in catalog.on("trustoo")]
    mayar_ids = [p.mayar_payment_link_id for p in catalog.on("mayar")]
    assert None not in trustoo_ids
    assert len(set(trustoo_ids)) == len(trustoo_ids)
    assert None not in mayar_ids
    assert len(set(mayar_ids)) == len(mayar_ids)
    for p in products:
        assert (p.trustoo_product_id is None) == ("trustoo" not in p.providers)
        assert (p.mayar_payment_link_id is None) == ("mayar" not in p.providers)


def test_star_profiles_differ_between_products_and_skew_high() -> None:
    catalog = build_catalog(1)
    assert len({p.rating_weights for p in catalog.products}) >= 3

    rng = random.Random(0)
    weights = catalog.products[0].rating_weights
    counts = Counter(pick_rating(rng, weights) for _ in range(2000))
    top = max(counts, key=lambda k: counts[k])
    assert top == max(range(1, 6), key=lambda s: weights[s - 1])
