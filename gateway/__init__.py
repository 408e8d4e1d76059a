"""reviews-gateway: one GraphQL endpoint over four product-review platforms."""
