"""Checking ``_entities(representations:)`` before Strawberry's federation resolver.

A representation is an object with the ``__typename`` of an entity (``Product``,
``Review``) and exactly that entity's ``@key`` fields, as strings. Anything else
(a string, a missing or unknown ``__typename``, a missing or extra field) is the
caller's input: ``BAD_USER_INPUT`` naming the index, where Strawberry would fail
with an AttributeError, KeyError or TypeError (a masked 'Unexpected error.').
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from strawberry.federation.schema_directives import Key

from gateway.errors import InvalidInput


def entity_keys(type_map: Mapping[str, object]) -> dict[str, frozenset[str]]:
    """Each entity type's name and its key fields, from its ``@key`` directives."""
    keys: dict[str, frozenset[str]] = {}
    for name, converted in type_map.items():
        definition = getattr(converted, "definition", None)
        for directive in getattr(definition, "directives", None) or ():
            if isinstance(directive, Key):
                keys[name] = frozenset(str(directive.fields).split())
    return keys


def check_representations(
    representations: Sequence[object], keys: Mapping[str, frozenset[str]]
) -> None:
    """Raise ``InvalidInput`` for the first representation that is not well formed."""
    for index, representation in enumerate(representations):
        where = f"representations[{index}]"
        if not isinstance(representation, dict):
            raise InvalidInput(f"{where} must be an object")
        typename = representation.get("__typename")
        if not isinstance(typename, str) or typename not in keys:
            names = ", ".join(sorted(keys))
            raise InvalidInput(f"{where}.__typename must be one of {names}")
        fields = set(representation) - {"__typename"}
        if fields != keys[typename] or not all(
            isinstance(representation[name], str) for name in fields
        ):
            wanted = ", ".join(sorted(keys[typename]))
            raise InvalidInput(f"{where}: a {typename} is given by {wanted} (strings)")
