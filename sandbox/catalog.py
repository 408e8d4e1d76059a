"""The seeded product catalog and the fixed sandbox credentials of all simulators.

The catalog is the one fact the four platforms agree on: which products the shop
sells and how each platform identifies them (SKU at Trustpilot and eTrusted, a
Shopify product id at Trustoo, a payment-link UUID at Mayar). It is deterministic:
the same seed always yields the same catalog, so tests and the sandbox can compare
against it.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

PROVIDERS: Final = ("trustpilot", "etrusted", "trustoo", "mayar")
"""Provider ids as the simulators and the sandbox control endpoints spell them."""

ANCHOR: Final = datetime(2026, 11, 1, tzinfo=UTC)
"""Seeded reviews lie in the two years before this instant (keeps data stable)."""

MIN_PRODUCTS: Final = 40
ALL_PLATFORM_PRODUCTS: Final = 12


@dataclass(frozen=True, slots=True)
class TrustpilotCredentials:
    """A business unit's API key pair and its business user's login."""

    api_key: str = "sandbox-trustpilot-api-key"
    api_secret: str = "sandbox-trustpilot-api-secret"
    username: str = "merchant@sandbox-shop.example"
    password: str = "sandbox-trustpilot-password"
    business_unit_id: str = "5f0c8e6a1d2b3c4d5e6f7a8b"
    business_unit_name: str = "sandbox-shop.example"


@dataclass(frozen=True, slots=True)
class EtrustedCredentials:
    """An eTrusted API client and the channels of the account."""

    client_id: str = "sandbox-etrusted-client"
    client_secret: str = "sandbox-etrusted-secret"
    account_id: str = "acc-6a7d2f0e-4c1b-4e8a-9b3d-2f5e8c1a7d90"
    channel_ids: tuple[str, ...] = (
        "chl-3b9e7c2a-5d4f-4a1e-8c6b-1f2e3d4c5b6a",
        "chl-8d1f4a6c-2b3e-4f5a-9d7c-6e5f4a3b2c1d",
    )
    channel_names: tuple[str, ...] = ("Sandbox Shop DE", "Sandbox Shop UK")


@dataclass(frozen=True, slots=True)
class TrustooCredentials:
    """A Trustoo shop's public token (identifies it) and private token (signs)."""

    public_token: str = "sandbox-trustoo-public-token"
    private_token: str = "sandbox-trustoo-private-token"
    shop_domain: str = "sandbox-shop.myshopify.com"
    shopify_shop_id: int = 60221374512


@dataclass(frozen=True, slots=True)
class MayarCredentials:
    """Mayar API keys: one Read & Write, one Read Only."""

    api_key: str = "sandbox-mayar-read-write-key"
    read_only_api_key: str = "sandbox-mayar-read-only-key"
    merchant_user_id: str = "7c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"


@dataclass(frozen=True, slots=True)
class Credentials:
    """The fixed sandbox credentials, written in the README."""

    trustpilot: TrustpilotCredentials = field(default_factory=TrustpilotCredentials)
    etrusted: EtrustedCredentials = field(default_factory=EtrustedCredentials)
    trustoo: TrustooCredentials = field(default_factory=TrustooCredentials)
    mayar: MayarCredentials = field(default_factory=MayarCredentials)


@dataclass(frozen=True, slots=True)
class CatalogProduct:
    """One product of the shop and its identity at each platform that lists it."""

    sku: str
    name: str
    gtin: str
    mpn: str
    brand: str
    category: str
    url: str
    image_url: str
    handle: str
    providers: frozenset[str]
    trustoo_product_id: int | None
    mayar_payment_link_id: str | None
    rating_weights: tuple[float, float, float, float, float]
    """Relative weight of 1..5 stars for this product, shared by every platform."""
    popularity: float
    """Scales how many reviews the product gets (0.3 .. 1.7)."""

    def listed_on(self, provider: str) -> bool:
        return provider in self.providers


@dataclass(frozen=True, slots=True)
class Catalog:
    """The seeded catalog: products and credentials, deterministic from ``seed``."""

    seed: int
    products: tuple[CatalogProduct, ...]
    credentials: Credentials

    def on(self, provider: str) -> tuple[CatalogProduct, ...]:
        """Products listed on ``provider``, in catalog order."""
        return tuple(p for p in self.products if provider in p.providers)

    def by_sku(self, sku: str) -> CatalogProduct | None:
        return next((p for p in self.products if p.sku == sku), None)

    def to_json(self) -> dict[str, object]:
        """The ``GET /_sandbox/catalog`` body of DESIGN.md section 4."""
        c = self.credentials
        return {
            "seed": self.seed,
            "credentials": {
                "trustpilot": {
                    "apiKey": c.trustpilot.api_key,
                    "apiSecret": c.trustpilot.api_secret,
                    "username": c.trustpilot.username,
                    "password": c.trustpilot.password,
                    "businessUnitId": c.trustpilot.business_unit_id,
                },
                "etrusted": {
                    "clientId": c.etrusted.client_id,
                    "clientSecret": c.etrusted.client_secret,
                    "channelIds": list(c.etrusted.channel_ids),
                },
                "trustoo": {
                    "publicToken": c.trustoo.public_token,
                    "privateToken": c.trustoo.private_token,
                },
                "mayar": {
                    "apiKey": c.mayar.api_key,
                    "readOnlyApiKey": c.mayar.read_only_api_key,
                },
            },
            "products": [
                {
                    "sku": p.sku,
                    "name": p.name,
                    "gtin": p.gtin,
                    "mpn": p.mpn,
                    "brand": p.brand,
                    "url": p.url,
                    "imageUrl": p.image_url,
                    "trustooProductId": p.trustoo_product_id,
                    "mayarPaymentLinkId": p.mayar_payment_link_id,
                    "providers": [x.upper() for x in PROVIDERS if x in p.providers],
                }
                for p in self.products
            ],
        }


_BRANDS: Final = (
    "Nordwind",
    "Alpenglut",
    "Kaffeehaus",
    "Lumen & Co",
    "Terra Verde",
    "Bergfalke",
    "Sundara",
    "Polar Loom",
)
_ITEMS: Final = (
    ("Merino Hiking Socks", "apparel"),
    ("Trail Running Jacket", "apparel"),
    ("Organic Cotton Hoodie", "apparel"),
    ("Wool Beanie", "apparel"),
    ("Insulated Water Bottle", "outdoor"),
    ("Ultralight Tent 2P", "outdoor"),
    ("Down Sleeping Bag", "outdoor"),
    ("Trekking Poles", "outdoor"),
    ("Espresso Grinder", "kitchen"),
    ("Pour-Over Kettle", "kitchen"),
    ("Cast Iron Skillet", "kitchen"),
    ("Ceramic Coffee Mug", "kitchen"),
    ("Chef's Knife 20cm", "kitchen"),
    ("Bamboo Cutting Board", "kitchen"),
    ("LED Desk Lamp", "home"),
    ("Linen Bed Sheet Set", "home"),
    ("Scented Soy Candle", "home"),
    ("Wool Throw Blanket", "home"),
    ("Noise-Cancelling Headphones", "electronics"),
    ("Wireless Charger", "electronics"),
    ("Bluetooth Speaker", "electronics"),
    ("USB-C Power Bank", "electronics"),
    ("Yoga Mat", "fitness"),
    ("Resistance Bands Set", "fitness"),
)
_VARIANTS: Final = ("", " Pro", " Mini", " Classic", " XL", " Eco")

# Star profiles: weights for 1..5 stars. Real review sets are J-shaped and differ
# from product to product.
_PROFILES: Final = (
    (0.02, 0.02, 0.05, 0.21, 0.70),
    (0.04, 0.04, 0.08, 0.30, 0.54),
    (0.08, 0.06, 0.12, 0.32, 0.42),
    (0.15, 0.10, 0.15, 0.25, 0.35),
    (0.30, 0.15, 0.15, 0.15, 0.25),
    (0.03, 0.05, 0.22, 0.45, 0.25),
)


def _gtin13(rng: random.Random) -> str:
    digits = [rng.randrange(10) for _ in range(12)]
    check = (10 - sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10) % 10
    return "".join(map(str, digits)) + str(check)


def _providers_for(index: int, rng: random.Random) -> frozenset[str]:
    if index < ALL_PLATFORM_PRODUCTS:
        return frozenset(PROVIDERS)
    size = rng.choices((1, 2, 3), weights=(1, 4, 4))[0]
    return frozenset(rng.sample(PROVIDERS, size))


def _product(index: int, rng: random.Random) -> CatalogProduct:
    item, category = _ITEMS[index % len(_ITEMS)]
    variant = _VARIANTS[(index // len(_ITEMS)) % len(_VARIANTS)]
    brand = rng.choice(_BRANDS)
    name = f"{brand} {item}{variant}"
    handle = name.lower().replace("&", "and").replace("'", "").replace(" ", "-")
    handle = "-".join(part for part in handle.split("-") if part)
    sku = f"{category[:3].upper()}-{1000 + index * 7}"
    providers = _providers_for(index, rng)
    base = "https://sandbox-shop.example"
    return CatalogProduct(
        sku=sku,
        name=name,
        gtin=_gtin13(rng),
        mpn=f"{brand[:2].upper()}{rng.randrange(100000, 999999)}",
        brand=brand,
        category=category,
        url=f"{base}/products/{handle}",
        image_url=f"{base}/images/{handle}.jpg",
        handle=handle,
        providers=providers,
        trustoo_product_id=(
            7_100_000_000_000 + index * 9_973 if "trustoo" in providers else None
        ),
        mayar_payment_link_id=(
            str(uuid.UUID(int=rng.getrandbits(128), version=4))
            if "mayar" in providers
            else None
        ),
        rating_weights=rng.choice(_PROFILES),
        popularity=round(rng.uniform(0.3, 1.7), 2),
    )


def build_catalog(seed: int = 1, size: int = 48) -> Catalog:
    """The deterministic catalog: ``size`` (40 or more) products, 12 on all four."""
    if size < MIN_PRODUCTS:
        raise ValueError(f"the catalog needs at least {MIN_PRODUCTS} products")
    rng = random.Random(f"catalog:{seed}")
    products = tuple(_product(i, rng) for i in range(size))
    return Catalog(seed=seed, products=products, credentials=Credentials())
