"""The GraphQL schema: an Apollo Federation 2 subgraph over the resolvers.

``build_schema(limits, cost)`` makes the schema with its query limits and its demand
control (the app builds one from its settings); ``schema`` is the one with default
limits, for the SDL snapshot.
"""

import logging
from collections.abc import Sequence
from functools import cached_property

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import AddValidationRules, MaskErrors
from strawberry.federation.schema import FederationAny
from strawberry.types import ExecutionContext, Info

from gateway.errors import GatewayError
from schema.cost import CostLimits, DemandControl
from schema.errors import ProviderErrors, should_mask
from schema.limits import QueryLimits, TokenLimit, alias_rule, depth_rule
from schema.pacing import PacedExecutor
from schema.query import ReadQuery
from schema.reply_mutations import ReplyMutations
from schema.representations import check_representations, entity_keys
from schema.request_errors import BAD_USER_INPUT, RequestErrorCodes, code_of
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
    """Logs request errors by code only, and bugs with their traceback (no query text).

    ``_entities`` refuses malformed representations as the caller's input
    (``schema.representations``).
    """

    @cached_property
    def _entity_keys(self) -> dict[str, frozenset[str]]:
        return entity_keys(self.schema_converter.type_map)

    def entities_resolver(
        self, info: Info, representations: list[FederationAny]
    ) -> list[FederationAny]:
        check_representations(representations, self._entity_keys)
        return super().entities_resolver(info, representations)

    def process_errors(
        self,
        errors: Sequence[GraphQLError],
        execution_context: ExecutionContext | None = None,
    ) -> None:
        for error in errors:
            original = error.original_error
            if original is None or isinstance(original, GatewayError | GraphQLError):
                # Parse and validation errors are coded by now; what is left
                # without a code stopped at the variables.
                code = code_of(error) or getattr(original, "code", BAD_USER_INPUT)
                logger.info("request error", extra={"code": code})
            else:
                # A bug: its traceback, and the field's path, but not the error's
                # text, which quotes the query document around the field.
                logger.error(
                    "unexpected error",
                    exc_info=original,
                    extra={"path": ".".join(map(str, error.path or ()))},
                )


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
            # First, so that it closes last (extensions close in reverse order):
            # it codes what masking made and what the limits left uncoded.
            RequestErrorCodes,
            ProviderErrors,
            lambda: MaskErrors(should_mask_error=should_mask),
            lambda: AddValidationRules(rules),
            lambda: TokenLimit(tokens),
            lambda: DemandControl(demand),
        ],
        execution_context_class=PacedExecutor,
    )


schema = build_schema()
