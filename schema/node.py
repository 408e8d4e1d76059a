"""The Relay ``Node`` interface."""

import strawberry


@strawberry.interface(description="An object with an opaque global id.")
class Node:
    id: strawberry.ID = strawberry.field(description="Opaque global id.")
