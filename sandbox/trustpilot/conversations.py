"""The Trustpilot business-user conversation endpoints.

Read a conversation, add, read and edit comments, and switch the conversation
between public and private.
"""

from __future__ import annotations

from aiohttp import web

from . import wire
from .auth import require_bearer
from .errors import TrustpilotError, bad_request, not_found
from .params import json_body, optional_text, required_text
from .state import TrustpilotContext, context
from .store import Comment, Conversation

CONVERSATION_STATES = ("public", "private")


def _conversation(request: web.Request) -> tuple[TrustpilotContext, Conversation]:
    require_bearer(request)
    ctx = context(request)
    conversation = ctx.store.conversations.get(request.match_info["conversationId"])
    if conversation is None:
        raise not_found("Conversation not found")
    return ctx, conversation


def _comment(request: web.Request, conversation: Conversation) -> Comment:
    found = conversation.comment(request.match_info["commentId"])
    if found is None:
        raise not_found("Comment not found")
    return found


async def get_conversation(request: web.Request) -> web.Response:
    """GET /v1/private/conversations/{conversationId}."""
    ctx, conversation = _conversation(request)
    return web.json_response(
        wire.private_conversation(conversation, ctx.store, ctx.settings)
    )


async def add_comment(request: web.Request) -> web.Response:
    """POST .../comments {content, integrationId}: appended as the business user."""
    ctx, conversation = _conversation(request)
    body = await json_body(request)
    comment = ctx.store.add_comment(
        conversation,
        required_text(body, "content"),
        optional_text(body, "integrationId"),
        ctx.clock(),
    )
    return web.json_response(
        wire.comment(comment, ctx.settings), status=ctx.settings.created_status
    )


async def get_comment(request: web.Request) -> web.Response:
    """GET .../comments/{commentId}."""
    ctx, conversation = _conversation(request)
    return web.json_response(
        wire.comment(_comment(request, conversation), ctx.settings)
    )


async def edit_comment(request: web.Request) -> web.Response:
    """PUT .../comments/{commentId}: only the business's own comments (else 403)."""
    ctx, conversation = _conversation(request)
    comment = _comment(request, conversation)
    body = await json_body(request)
    content = required_text(body, "content")
    integration_id = optional_text(body, "integrationId")
    if comment.author_type != "businessUser":
        raise TrustpilotError(403, "Only the business's own comments can be edited")
    comment.content = content
    comment.integration_id = integration_id
    return web.json_response(wire.comment(comment, ctx.settings))


async def set_state(request: web.Request) -> web.Response:
    """POST .../state {"state": "public"|"private"}; private hides it publicly."""
    ctx, conversation = _conversation(request)
    body = await json_body(request)
    state = body.get("state")
    if state not in CONVERSATION_STATES:
        raise bad_request("state must be public or private")
    conversation.state = str(state)
    return web.Response(status=ctx.settings.set_state_status)
