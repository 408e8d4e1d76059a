"""Structured logs: one JSON object per line, with the request id.

``configure_logging()`` installs the JSON formatter on the root logger. Every record
carries the request id of the request it happened in (``trace.request_id()``) and the
``extra`` fields the caller gave (provider, status, ms, code...). Callers never log
secrets, tokens, upstream URLs, query strings, variables or bodies; the formatter
adds nothing else.

The access log is the gateway's own: ``AccessLog`` (ASGI middleware) writes one
``request`` line per HTTP request with method, path (never the query string: a GET
carries the query and its variables there), status and ms. ``UVICORN_LOG_CONFIG``
routes uvicorn's own loggers through the root's JSON handler and silences
``uvicorn.access`` (it prints the full URL): no handler and no propagation, so
uvicorn does not even write its lines. The CLI (and so the Docker image) runs
uvicorn with it; plain ``uvicorn`` gives that logger its own handler, not the
root's, so none of its records ever reaches ``JsonFormatter``.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from typing import Any, Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway import trace

access_logger = logging.getLogger("gateway.access")

_STANDARD: Final = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__
) | {"message", "asctime", "taskName", "color_message"}
"""Record attributes that are not ``extra`` fields (uvicorn adds ``color_message``)."""


class JsonFormatter(logging.Formatter):
    """Renders a record as one JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = trace.request_id()
        if request_id:
            entry["request_id"] = request_id
        for name, value in record.__dict__.items():
            if name not in _STANDARD and not name.startswith("_"):
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: int = logging.INFO) -> None:
    """JSON lines on stderr for the gateway and the server."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


UVICORN_LOG_CONFIG: Final[dict[str, Any]] = {
    "version": 1,
    "disable_existing_loggers": False,
    "loggers": {
        "uvicorn": {"handlers": [], "propagate": True},
        "uvicorn.error": {"handlers": [], "propagate": True},
        # Silent: with no handler anywhere uvicorn skips its access lines.
        "uvicorn.access": {"handlers": [], "propagate": False},
    },
}
"""``uvicorn.run(log_config=...)``: uvicorn's loggers write through the root's,
except its access log, which writes nowhere (``AccessLog`` replaces it)."""


class AccessLog:
    """ASGI middleware: one ``request`` log line per HTTP request, without the query."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        status = 500  # what the server answers if the app fails before a response

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            access_logger.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
