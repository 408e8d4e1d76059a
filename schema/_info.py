"""The ``Info`` type every resolver method receives."""

import strawberry

from resolvers.context import Context

Info = strawberry.Info[Context, None]
