"""The GraphQL schema: an Apollo Federation 2 subgraph over the resolvers.

``build_schema(limits, cost)`` makes the schema with its query limits and its demand
control (the app builds one from its settings); ``schema`` is the one with default
limits, for the SDL snapshot.
"""

import logging
from collections.abc import Sequence

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import AddValidationRules, MaskErrors
from strawberry.types import ExecutionContext
from strawberry.utils.logging import StrawberryLogger

from gateway.errors import GatewayError
from schema.cost import CostLimits, DemandControl
from schema.errors import ProviderErrors, should_mask
from schema.limits import QueryLimits, TokenLimit, alias_rule, depth_rule
from schema.pacing import PacedExecutor
from schema.query import ReadQuery
from schema.reply_mutations import ReplyMutations
from schema.review_mutations import ReviewMutations
from schema.shop_mutations import ShopMutations
from schema.shop_queries import ShopQuery

logger = logging.getLogger(__name__)


@strawberry.type(description="Reads over every configured review platform.")
class Query(ReadQuery, ShopQuery):
    pass


@strawberry.type(
    description="Writes to the platforms. Every mutation needs a server key with the "
    "write scope; refusals come back as userErrors, nothing half-written."
)
class Mutation(ReviewMutations, ReplyMutations, ShopMutations):
    pass


class GatewaySchema(strawberry.federation.Schema):
    """Logs the gateway's own errors briefly, and only bugs with their traceback."""

    def process_errors(
        self,
        errors: Sequence[GraphQLError],
        execution_context: ExecutionContext | None = None,
    ) -> None:
        for error in errors:
            original = error.original_error
            if original is None or isinstance(original, GatewayError | GraphQLError):
                code = getattr(original, "code", "GRAPHQL_VALIDATION_FAILED")
                logger.info("request error", extra={"code": code})
            else:
                StrawberryLogger.error(error, execution_context)


def build_schema(
    limits: QueryLimits | None = None, cost: CostLimits | None = None
) -> GatewaySchema:
    """The schema enforcing ``limits`` and ``cost`` (default: their defaults)."""
    limits = limits or QueryLimits()
    demand = cost or CostLimits()
    tokens = limits.max_tokens
    rules: list[type[ASTValidationRule]] = [
        depth_rule(limits.max_depth),
        alias_rule(limits.max_aliases),
    ]
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        extensions=[
            ProviderErrors,
            lambda: MaskErrors(should_mask_error=should_mask),
            lambda: AddValidationRules(rules),
            lambda: TokenLimit(tokens),
            lambda: DemandControl(demand),
        ],
        execution_context_class=PacedExecutor,
    )


schema = build_schema()
