"""Structured logs: one JSON object per line, with the request id.

``configure_logging()`` installs the JSON formatter on the root logger. Every record
carries the request id of the request it happened in (``trace.request_id()``) and the
``extra`` fields the caller gave (provider, status, ms, code...). Callers never log
secrets, tokens, query strings or bodies; the formatter adds nothing else.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Final

from gateway import trace

_STANDARD: Final = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__
) | {"message", "asctime", "taskName"}


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
