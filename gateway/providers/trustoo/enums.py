"""The fixed value lists of Trustoo's shop endpoints, as enums callers can pass."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

WEBHOOK_TOPICS: Final = (
    "review/created",
    "review/updated",
    "review/deleted",
    "customer_event/created",
)
"""What a shop webhook can subscribe to (create_shop_webhook ``topic``)."""


class EmailType(StrEnum):
    """The e-mails a customer can be unsubscribed from (email_unsubscribe)."""

    ALL = "all"
    REVIEW_REQUEST = "review_request"
    REVIEW_REQUEST_TEST = "review_request_test"
    DISCOUNT_FOR_PHOTO_REVIEW = "discount_for_photo_review"
    LEFT_REVIEW = "left_review"
    MARKET_EMAIL = "market_email"
    QUESTION_NOTIFICATION = "question_notification"
    ANSWER_NOTIFICATION = "answer_notification"
    REVIEW_REQUEST_QUOTA_EXHAUSTED = "review_request_quota_exhausted"
    REVIEW_DISPLAY_QUOTA_EXHAUSTED = "review_display_quota_exhausted"
    REPLY_TO_REVIEW = "reply_to_review"
    POST_PURCHASE_REFERRAL = "post_purchase_referral"
    ADVOCATE_REWARD_PAID = "advocate_reward_paid"
    ADVOCATE_REWARD_REFUND = "advocate_reward_refund"
    REVIEW_MEDIA_REMIND = "review_media_remind"
    AUTO_LEAVE_REVIEW = "auto_leave_review"
    REQUEST_UPDATE_REVIEW = "request_update_review"


class OrderState(StrEnum):
    """The review-request state filter of get_orders (``ReviewRequestOrder.status``)."""

    WAITING = "waiting"
    SCHEDULED = "scheduled"
    SENT = "sent"
    OPENED = "opened"
    EVALUATED = "evaluated"
    CANCELLED = "cancelled"


ORDER_TYPES: Final = {state: number for number, state in enumerate(OrderState, 1)}
"""OrderState -> get_orders ``type`` (0, all, is sent as no filter)."""
