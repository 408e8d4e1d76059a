"""The GraphQL schema: an Apollo Federation 2 subgraph over the resolvers."""

import logging
from collections.abc import Sequence

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.types import ExecutionContext
from strawberry.utils.logging import StrawberryLogger

from gateway.errors import GatewayError
from schema.errors import ProviderErrors, should_mask
from schema.query import Query

logger = logging.getLogger(__name__)


class GatewaySchema(strawberry.federation.Schema):
    """Logs the gateway's own errors briefly, and only bugs with their traceback."""

    def process_errors(
        self,
        errors: Sequence[GraphQLError],
        execution_context: ExecutionContext | None = None,
    ) -> None:
        for error in errors:
            original = error.original_error
            if original is None or isinstance(original, GatewayError):
                code = getattr(original, "code", "GRAPHQL_VALIDATION_FAILED")
                logger.info("request error", extra={"code": code})
            else:
                StrawberryLogger.error(error, execution_context)


schema = GatewaySchema(
    query=Query,
    extensions=[
        ProviderErrors,
        lambda: MaskErrors(should_mask_error=should_mask),
    ],
)
