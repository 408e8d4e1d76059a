"""Placeholder: Trustoo shop administration (mutations and queries)."""

import strawberry


@strawberry.type
class ShopMutations:
    pass


@strawberry.type
class ShopQuery:
    pass
