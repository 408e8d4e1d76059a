"""The shop's catalog as the resolvers see it: SKUs and their ids at each platform."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from gateway.config import CatalogEntry
from gateway.records import Provider

SKU_KEYED = frozenset({Provider.TRUSTPILOT, Provider.ETRUSTED})
"""Platforms that key products by the shop's SKU: any SKU may have reviews there."""


@dataclass(frozen=True, slots=True)
class Catalog:
    """The configured catalog, indexed by SKU."""

    entries: Mapping[str, CatalogEntry]

    @classmethod
    def of(cls, entries: Iterable[CatalogEntry]) -> Catalog:
        return cls({entry.sku: entry for entry in entries})

    def get(self, sku: str) -> CatalogEntry | None:
        return self.entries.get(sku)

    def listed_on(self, provider: Provider, sku: str) -> bool:
        """Whether ``sku`` can have reviews on ``provider`` (False: no call needed)."""
        if provider in SKU_KEYED:
            return True
        entry = self.entries.get(sku)
        if entry is None:
            return False
        if provider is Provider.TRUSTOO:
            return entry.trustoo_product_id is not None
        return entry.mayar_payment_link_id is not None
