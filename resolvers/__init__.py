"""Use cases behind the graph: plain async functions over records, and dataloaders.

Nothing here imports Strawberry or the schema: resolvers take a ``Context`` and plain
arguments and return records, so they can be tested without GraphQL.
"""
