"""Business unit lookup, invitation links, conversations and their comments."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.errors import ProviderError
from gateway.records import (
    Comment,
    Conversation,
    ConversationState,
    InvitationLink,
)

from . import fields as f
from . import mapping as m
from .transport import (
    TrustpilotTransport,
    none_if_missing,
    seg,
    settled,
)
from .wire import CommentRequest, InvitationProduct, InvitationRequest


class ConversationsApi(TrustpilotTransport):
    """Conversations, comments and invitations."""

    # --- business unit, invitations ----------------------------------------------

    async def find_business_unit(self, name: str) -> str | None:
        """GET /v1/business-units/find?name=<domain>: its id, ``None`` if unknown."""
        body = await none_if_missing(
            self._public("GET", "v1/business-units/find", params={"name": name})
        )
        if body is None:
            return None
        return f.text(f.obj(body, "businessUnit"), "id", "businessUnit")

    async def create_invitation_link(
        self,
        *,
        email: str,
        name: str,
        reference_id: str,
        locale: str,
        skus: Sequence[str] = (),
        product_ids: Sequence[str] = (),
        redirect_uri: str | None = None,
    ) -> InvitationLink:
        """POST .../invitation-links: a review link for what the customer bought.

        Products are given EITHER as catalog ``skus`` (sent with their details from
        the catalog) OR as Trustpilot ``product_ids``, never both (ValueError).
        """
        if bool(skus) == bool(product_ids):
            raise ValueError("give either skus or product_ids")
        request: InvitationRequest = {
            "consumer": {"email": email, "name": name},
            "referenceId": reference_id,
            "locale": locale,
        }
        if redirect_uri:
            request["redirectUri"] = redirect_uri
        if skus:
            request["products"] = [self._invited_product(sku) for sku in skus]
        else:
            request["productIds"] = list(product_ids)
        body = await self._private(
            "POST", f"{self._private_bu}/invitation-links", json_body=request
        )
        return m.to_invitation_link(body)

    def _invited_product(self, sku: str) -> InvitationProduct:
        entry = self._catalog.get(sku)
        if entry is None or not entry.name or not entry.url:
            raise ValueError(f"SKU {sku!r} has no catalog entry with name and url")
        product: InvitationProduct = {
            "sku": sku,
            "name": entry.name,
            "productUrl": entry.url,
        }
        if entry.image_url:
            product["imageUrl"] = entry.image_url
        if entry.gtin:
            product["gtin"] = entry.gtin
        if entry.mpn:
            product["mpn"] = entry.mpn
        if entry.brand:
            product["brand"] = entry.brand
        return product

    # --- conversations ------------------------------------------------------------

    async def create_conversation(self, review_id: str) -> str:
        """POST .../product-reviews/{id}/create-conversation: the conversation id.

        A review that already has one answers with that id.
        """
        body = await self._private(
            "POST", f"v1/private/product-reviews/{seg(review_id)}/create-conversation"
        )
        raw = f.obj(body, "createConversation")
        return f.text(raw, "conversationId", "createConversation")

    async def conversation(self, conversation_id: str) -> Conversation | None:
        """GET /v1/private/conversations/{id} (any state); ``None`` if unknown."""
        body = await none_if_missing(
            self._private("GET", f"v1/private/conversations/{seg(conversation_id)}")
        )
        return None if body is None else m.to_conversation(body)

    async def public_conversation(self, conversation_id: str) -> Conversation | None:
        """GET /v1/conversations/{id} (API key); ``None`` if unknown or private."""
        body = await none_if_missing(
            self._public("GET", f"v1/conversations/{seg(conversation_id)}")
        )
        return None if body is None else m.to_conversation(body)

    async def conversations_by_ids(
        self, ids: Sequence[str]
    ) -> list[Conversation | ProviderError | None]:
        """Aligned with ``ids`` (for loaders): private reads, one per distinct id."""
        unique = list(dict.fromkeys(i for i in ids if i))
        results = await settled(self.conversation(i) for i in unique)
        by_id = dict(zip(unique, results, strict=True))
        return [by_id.get(i) for i in ids]

    async def add_comment(
        self, conversation_id: str, body: str, *, integration_id: str | None = None
    ) -> Comment:
        """POST .../conversations/{id}/comments: appended as the business user."""
        answer = await self._private(
            "POST",
            f"v1/private/conversations/{seg(conversation_id)}/comments",
            json_body=self._comment_request(body, integration_id),
        )
        return m.to_comment(answer)

    async def get_comment(
        self, conversation_id: str, comment_id: str
    ) -> Comment | None:
        """GET .../conversations/{id}/comments/{commentId}; ``None`` if unknown."""
        answer = await none_if_missing(
            self._private("GET", self._comment_path(conversation_id, comment_id))
        )
        return None if answer is None else m.to_comment(answer)

    async def edit_comment(
        self,
        conversation_id: str,
        comment_id: str,
        body: str,
        *,
        integration_id: str | None = None,
    ) -> Comment:
        """PUT .../comments/{commentId}: new text for one of the business's comments."""
        answer = await self._private(
            "PUT",
            self._comment_path(conversation_id, comment_id),
            json_body=self._comment_request(body, integration_id),
        )
        return m.to_comment(answer)

    async def set_conversation_state(
        self, conversation_id: str, state: ConversationState
    ) -> None:
        """POST .../conversations/{id}/state: public, or private (hidden publicly)."""
        await self._private(
            "POST",
            f"v1/private/conversations/{seg(conversation_id)}/state",
            json_body={"state": state.value},
        )

    @staticmethod
    def _comment_path(conversation_id: str, comment_id: str) -> str:
        return (
            f"v1/private/conversations/{seg(conversation_id)}"
            f"/comments/{seg(comment_id)}"
        )

    @staticmethod
    def _comment_request(body: str, integration_id: str | None) -> CommentRequest:
        request: CommentRequest = {"content": body}
        if integration_id:
            request["integrationId"] = integration_id
        return request
