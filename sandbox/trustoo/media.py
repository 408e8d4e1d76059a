"""Media upload credentials: a presigned video PUT URL and an OSS image policy.

Nothing is uploaded to the sandbox; the answers only have the vendor's shape so a
client can be exercised end to end. The upload host is Alibaba-OSS-style, as the
2026 docs' ``{access_id, host, expire, signature, policy, dir, callback}`` implies.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from datetime import timedelta
from typing import Final

from aiohttp import web

from .context import state
from .envelope import invalid, request_id, respond
from .query import text

UPLOAD_HOST: Final = "https://trustoo-upload.oss-us-west-1.aliyuncs.com"
CALLBACK_URL: Final = "https://rapi.trustoo.io/api/v1/openapi/upload_callback"
ACCESS_ID: Final = "LTAI5tSandboxTrustooOss"
TTL: Final = timedelta(minutes=30)
_VIDEO_NAME: Final = re.compile(r"^[\w.\- ]{1,200}\.(mp4|mov|webm|m4v|avi)$", re.I)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


async def get_video_upload_url(request: web.Request) -> web.Response:
    """GET get_video_upload_url[?file_name=]: a presigned PUT URL, 30 min."""
    st = state(request)
    now = st.now()
    name = text(request.query, "file_name") or "video.mp4"
    if not _VIDEO_NAME.match(name):
        raise invalid("file_name must be a video file name (mp4, mov, webm, m4v, avi)")
    expire = int((now + TTL).timestamp())
    shop = st.credentials.shopify_shop_id
    key = f"video/{shop}/{now:%Y/%m/%d}/{request_id()}-{name.replace(' ', '_')}"
    signature = hmac.new(
        st.credentials.private_token.encode(), f"PUT\n{expire}\n{key}".encode(), "sha1"
    ).digest()
    upload = (
        f"{UPLOAD_HOST}/{key}?OSSAccessKeyId={ACCESS_ID}&Expires={expire}"
        f"&Signature={_b64(signature)}"
    )
    data = {"upload_url": upload, "video_url": f"{UPLOAD_HOST}/{key}", "expire": expire}
    return respond(now, data)


async def get_image_upload_policy_token(request: web.Request) -> web.Response:
    """GET get_image_upload_policy_token: an OSS direct-upload policy, 30 min."""
    st = state(request)
    now = st.now()
    expire_at = now + TTL
    directory = f"openapi/{st.credentials.shopify_shop_id}/{now:%Y/%m/%d}/"
    policy = _b64(
        json.dumps(
            {
                "expiration": expire_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "conditions": [
                    ["content-length-range", 0, 20 * 1024 * 1024],
                    ["starts-with", "$key", directory],
                ],
            }
        ).encode()
    )
    digest = hmac.new(
        st.credentials.private_token.encode(), policy.encode(), hashlib.sha1
    ).digest()
    callback = {"callbackUrl": CALLBACK_URL, "callbackBodyType": "application/json"}
    data = {
        "access_id": ACCESS_ID,
        "host": UPLOAD_HOST,
        "expire": int(expire_at.timestamp()),
        "signature": _b64(digest),
        "policy": policy,
        "dir": directory,
        "callback": _b64(json.dumps(callback).encode()),
    }
    return respond(now, data)
