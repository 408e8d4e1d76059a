from pathlib import Path

from graphql import build_schema

from schema import schema

SNAPSHOT = Path(__file__).parents[1] / "schema" / "schema.graphql"


def test_the_committed_sdl_matches_the_schema() -> None:
    # Regenerate with `make sdl` after a deliberate change, and review the diff.
    assert SNAPSHOT.read_text(encoding="utf-8") == str(schema) + "\n"


def test_every_contract_type_and_field_is_described() -> None:
    sdl = build_schema(SNAPSHOT.read_text(encoding="utf-8"), assume_valid_sdl=True)
    missing = []
    for name, kind in sdl.type_map.items():
        if (
            name.startswith("_")
            or name.startswith("__")
            or name
            in (
                "String",
                "Int",
                "Float",
                "Boolean",
                "ID",
            )
        ):
            continue
        if not kind.description:
            missing.append(name)
        for field_name, field in getattr(kind, "fields", {}).items():
            if not field_name.startswith("_") and not field.description:
                missing.append(f"{name}.{field_name}")
    assert missing == []


def test_the_contract_names_are_kept() -> None:
    sdl = build_schema(SNAPSHOT.read_text(encoding="utf-8"), assume_valid_sdl=True)
    query = sdl.query_type
    assert query is not None
    assert {
        "node",
        "review",
        "product",
        "products",
        "reviews",
        "conversation",
        "providers",
    } <= set(query.fields)
    review = sdl.type_map["Review"]
    assert {
        "id",
        "provider",
        "providerReviewId",
        "rating",
        "ratingExact",
        "title",
        "body",
        "language",
        "createdAt",
        "updatedAt",
        "status",
        "verified",
        "imported",
        "author",
        "product",
        "media",
        "reply",
        "conversation",
        "attributeRatings",
        "customer",
        "raw",
    } <= set(review.fields)  # type: ignore[attr-defined]
    product = sdl.type_map["Product"]
    assert {
        "id",
        "sku",
        "name",
        "gtin",
        "mpn",
        "brand",
        "url",
        "imageUrl",
        "reviews",
        "ratingSummary",
        "attributeSummaries",
    } <= set(product.fields)  # type: ignore[attr-defined]
