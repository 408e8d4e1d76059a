"""Review invitations: ``createInvitationLink`` (Trustpilot invitation links).

A link asks a customer to review what they bought, given EITHER as catalog SKUs (the
client sends each with the catalog's name and product URL, which Trustpilot
requires) OR as Trustpilot's own product ids. The gateway checks, before any call,
what the platform documents or its client needs: a customer e-mail, name and
reference; exactly one of ``skus`` and ``productIds``; SKUs the catalog knows with
a name and URL. Where the documents are silent: a locale must look like the
documented examples (``en-US``, ``da-DK``), and a ``redirectUri`` must be an absolute
http(s) URL. Trustpilot product ids cannot be checked here (the catalog does not
hold them); an unknown one is the platform's refusal (PROVIDER_BAD_REQUEST).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from gateway.records import InvitationLink, Provider
from resolvers.context import Context
from resolvers.writes import Checks, UserError, WriteResult, perform

LOCALE: Final = re.compile(r"^[a-z]{2}-[A-Z]{2}$")


@dataclass(frozen=True, slots=True)
class InvitationInput:
    """Who is invited to review what (Trustpilot invitation link)."""

    customer_email: str
    customer_name: str
    reference_id: str
    locale: str = "en-US"
    redirect_uri: str | None = None
    skus: tuple[str, ...] = ()
    product_ids: tuple[str, ...] = ()


def _check_invitation(checks: Checks, ctx: Context, given: InvitationInput) -> None:
    if checks.require(given.customer_email, ("customerEmail",)):
        checks.email(given.customer_email, ("customerEmail",))
    checks.require(given.customer_name, ("customerName",))
    checks.require(given.reference_id, ("referenceId",))
    if checks.require(given.locale, ("locale",)) and not LOCALE.match(given.locale):
        checks.fail(("locale",), "locale must look like en-US", "INVALID_LOCALE")
    if given.redirect_uri is not None and not _web_url(given.redirect_uri):
        checks.fail(
            ("redirectUri",), "redirectUri must be an http(s) URL", "INVALID_URL"
        )
    _check_products(checks, ctx, given)
    if ctx.services.clients.trustpilot is None:
        checks.errors.append(
            UserError("TRUSTPILOT is not configured", "NOT_CONFIGURED")
        )


def _web_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _check_products(checks: Checks, ctx: Context, given: InvitationInput) -> None:
    """Exactly one of ``skus`` (known to the catalog) and ``productIds``."""
    if given.skus and given.product_ids:
        checks.fail(
            ("productIds",),
            "give skus or productIds, not both",
            "MUTUALLY_EXCLUSIVE",
        )
    elif not given.skus and not given.product_ids:
        checks.fail(("skus",), "give skus or productIds", "REQUIRED")
    for index, sku in enumerate(given.skus):
        entry = ctx.services.catalog.get(sku)
        path = ("skus", str(index))
        if entry is None:
            checks.fail(path, f"the catalog has no SKU {sku!r}", "UNKNOWN_SKU")
        elif not entry.name or not entry.url:
            # Trustpilot needs the product's name and page for a SKU invitation.
            checks.fail(
                path, f"the catalog lacks a name or URL for {sku!r}", "UNKNOWN_SKU"
            )
    for index, product_id in enumerate(given.product_ids):
        checks.require(product_id, ("productIds", str(index)))


async def create_invitation_link(
    ctx: Context, given: InvitationInput, client_mutation_id: str | None
) -> WriteResult[InvitationLink]:
    """A Trustpilot link asking a customer to review what they bought: one call."""
    checks = Checks()
    _check_invitation(checks, ctx, given)
    client = ctx.services.clients.trustpilot

    async def write() -> WriteResult[InvitationLink]:
        assert client is not None  # checked above: no write without a client
        link = await client.create_invitation_link(
            email=given.customer_email,
            name=given.customer_name,
            reference_id=given.reference_id,
            locale=given.locale,
            skus=given.skus,
            product_ids=given.product_ids,
            redirect_uri=given.redirect_uri,
        )
        return WriteResult(link)

    return await perform(
        ctx,
        Provider.TRUSTPILOT,
        "createInvitationLink",
        client_mutation_id,
        ("createInvitationLink", given),
        checks,
        write,
    )
