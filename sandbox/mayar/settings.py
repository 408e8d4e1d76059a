"""The Mayar simulator's open choices: where the vendor's docs are silent ([??]).

Each field is one assumption listed in the package docstring, with its default and
the evidence it leans on. Tests and the sandbox pass a ``MayarSettings`` to change
them (``run_simulators(settings={"mayar": MayarSettings(...)})``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MayarSettings:
    """Behaviour the Mayar docs leave open, each with a sensible default."""

    rate_limit_per_minute: int | None = 20
    """Requests per minute per client IP (M-rate [OK]); ``None`` disables it."""
    open_buyer_domain: str | None = "buyer.sandbox.example"
    """Sandbox convenience: any e-mail at this domain counts as a paid customer of
    every payment link (``None`` turns it off; only seeded buyers then qualify)."""
    default_limit: int = 10
    """``limit`` when the query has none (the docs' examples all use 10)."""
    max_limit: int = 100
    """Largest accepted ``limit``; above it the call fails validation."""
    product_not_found_status: int = 404
    """HTTP status of ``Produk tidak ditemukan`` (V1: 404 for a missing product)."""
    not_purchased_status: int = 400
    """HTTP status of ``Anda belum pernah membeli produk ini``."""
    already_reviewed_status: int = 400
    """HTTP status of the "already reviewed" refusal (V1 lists no 409)."""
    review_not_found_status: int = 404
    """HTTP status of ``Review tidak ditemukan`` (update)."""
    transaction_not_found_status: int = 404
    """HTTP status of ``Transaksi tidak ditemukan`` (update)."""
    missing_customer_id_status: int = 400
    """HTTP status of ``customerId query parameter is required``."""
    unauthorized_message: str = "no authorization"
    """``messages`` of the 401 answer (the V1 Postman collection's wording)."""
    read_only_message: str = "Read Only API key is not allowed to access this endpoint"
    """``messages`` of the 403 answer to a Read Only key on a POST endpoint."""
