"""The catalog as a connection: the configured products, in catalog order, paged.

A cursor is the position of its product in the configured catalog. It carries no
secret and grants nothing (every position of the list may be read), so it is not
signed; it is checked: anything that is not a position of this catalog is refused
with ``InvalidInput`` rather than read as another page.
"""

from __future__ import annotations

import base64
import binascii
from typing import Final

from gateway.errors import InvalidInput
from resolvers.connections import Connection, Edge, check_first
from resolvers.context import Context
from resolvers.products import Product

DEFAULT_FIRST: Final = 20
_PREFIX: Final = "catalog:"


def encode(position: int) -> str:
    """The cursor of the product at ``position`` (0-based) of the catalog."""
    raw = f"{_PREFIX}{position}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(value: str, size: int) -> int:
    """The position ``value`` names; ``InvalidInput`` unless it is one of ``size``."""
    try:
        padded = value + "=" * (-len(value) % 4)
        text = base64.urlsafe_b64decode(padded.encode()).decode("ascii")
    except (binascii.Error, ValueError):
        text = ""
    digits = text.removeprefix(_PREFIX)
    if text == digits or not digits.isdigit() or len(digits) > 9:
        raise InvalidInput("`after` is not a cursor of the catalog")
    position = int(digits)
    if position >= size:
        raise InvalidInput("`after` is past the end of the catalog")
    return position


def catalog_page(
    ctx: Context, first: int = DEFAULT_FIRST, after: str | None = None
) -> Connection[Product]:
    """``first`` products of the catalog after the cursor ``after`` (no call)."""
    check_first(first, ctx.services.settings.max_page_size)
    entries = tuple(ctx.services.catalog.entries.values())
    start = decode(after, len(entries)) + 1 if after is not None else 0
    window = entries[start : start + first]
    return Connection(
        edges=tuple(
            Edge(encode(start + offset), Product(entry.sku, entry))
            for offset, entry in enumerate(window)
        ),
        has_next_page=start + len(window) < len(entries),
        has_previous_page=start > 0,
        total_count=len(entries),
    )
