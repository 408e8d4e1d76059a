"""Shop administration endpoints: webhooks, customer exclusions and unsubscribes."""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from aiohttp import web

from .context import json_object, required_int, state
from .envelope import Code, TrustooError, invalid, not_found, request_id, respond
from .query import descending, paging
from .review_input import check_email, check_url
from .store import WEBHOOK_TOPICS, Exclusion, Webhook

EMAIL_TYPES: Final = (
    "all",
    "review_request",
    "review_request_test",
    "discount_for_photo_review",
    "left_review",
    "market_email",
    "question_notification",
    "answer_notification",
    "review_request_quota_exhausted",
    "review_display_quota_exhausted",
    "reply_to_review",
    "post_purchase_referral",
    "advocate_reward_paid",
    "advocate_reward_refund",
    "review_media_remind",
    "auto_leave_review",
    "request_update_review",
)


def _topic(value: object) -> str:
    if value not in WEBHOOK_TOPICS:
        raise invalid(f"topic must be one of: {', '.join(WEBHOOK_TOPICS)}")
    return str(value)


def _present(body: dict[str, object], name: str) -> object:
    value = body.get(name)
    if value is None or value == "":
        raise invalid(f"{name} is required")
    return value


async def create_shop_webhook(request: web.Request) -> web.Response:
    """POST create_shop_webhook {topic, url}; code 6 for a duplicate."""
    st = state(request)
    body = await json_object(request)
    topic = _topic(_present(body, "topic"))
    url = check_url(_present(body, "url"), "url")
    now = st.now()
    hook = Webhook(st.store.next_webhook_id(), topic, url, now, now)
    return respond(now, st.store.save_webhook(hook).to_json())


async def update_shop_webhook(request: web.Request) -> web.Response:
    """POST update_shop_webhook {id, topic?, url?}."""
    st = state(request)
    body = await json_object(request)
    hook = st.store.webhook(required_int(body, "id"))
    topic = _topic(body["topic"]) if body.get("topic") is not None else hook.topic
    url = check_url(body["url"], "url") if body.get("url") is not None else hook.url
    now = st.now()
    changed = replace(hook, topic=topic, url=url, updated_at=now)
    return respond(now, st.store.save_webhook(changed).to_json())


async def delete_shop_webhook(request: web.Request) -> web.Response:
    """POST delete_shop_webhook {id}."""
    st = state(request)
    hook = st.store.webhook(required_int(await json_object(request), "id"))
    del st.store.webhooks[hook.id]
    return respond(st.now(), None)


async def get_shop_webhooks(request: web.Request) -> web.Response:
    """GET get_shop_webhooks: every subscription, oldest first (a bare array)."""
    st = state(request)
    hooks = sorted(st.store.webhooks.values(), key=lambda h: h.id)
    return respond(st.now(), [h.to_json() for h in hooks])


async def create_customer_exclude(request: web.Request) -> web.Response:
    """POST create_customer_exclude {email}; code 6 when already excluded."""
    st = state(request)
    email = check_email(_present(await json_object(request), "email"), "email")
    if st.store.exclusion_by_email(email) is not None:
        raise TrustooError(Code.ALREADY_EXISTS, "customer is already excluded")
    who = st.store.customer(email)
    now = st.now()
    excluded = Exclusion(
        who.customer_id, who.first_name, who.last_name, who.email, who.phone, now, now
    )
    st.store.exclusions[excluded.customer_id] = excluded
    return respond(now, excluded.to_json())


async def delete_customer_exclude(request: web.Request) -> web.Response:
    """POST delete_customer_exclude {customer_id} or {email}, exactly one."""
    st = state(request)
    body = await json_object(request)
    has_id = body.get("customer_id") not in (None, "", 0)
    has_email = body.get("email") not in (None, "")
    if has_id == has_email:
        raise invalid("exactly one of customer_id and email is required")
    if has_id:
        found = st.store.exclusions.get(required_int(body, "customer_id"))
    else:
        found = st.store.exclusion_by_email(check_email(body["email"], "email"))
    if found is None:
        raise not_found("customer exclusion not found")
    del st.store.exclusions[found.customer_id]
    return respond(st.now(), None)


async def get_customer_excludes(request: web.Request) -> web.Response:
    """GET get_customer_excludes: paged, by creation (newest first by default)."""
    st = state(request)
    page = paging(request.query, st.settings.max_page_size)
    desc = descending(request.query)
    rows = sorted(
        st.store.exclusions.values(),
        key=lambda e: (e.created_at, e.customer_id),
        reverse=desc,
    )
    return respond(st.now(), page.body(rows, Exclusion.to_json))


async def email_unsubscribe(request: web.Request) -> web.Response:
    """POST email_unsubscribe {email, email_type}: answers code 0, message OK."""
    st = state(request)
    body = await json_object(request)
    email = check_email(_present(body, "email"), "email")
    email_type = _present(body, "email_type")
    if email_type not in EMAIL_TYPES:
        raise invalid(f"email_type must be one of: {', '.join(EMAIL_TYPES)}")
    st.store.unsubscribes.add((email.lower(), str(email_type)))
    # The one documented answer without time and data (T-uns).
    return web.json_response({"code": 0, "message": "OK", "request_id": request_id()})
