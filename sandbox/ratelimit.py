"""Sliding-window rate limits a simulator enforces, counted per client.

A ``Window`` is one documented limit (``calls`` per ``window_s`` seconds); a
``SlidingLimiter`` holds several windows at once (Trustpilot: 833 per 5 minutes and
10,000 per hour) and answers, for one client key, either ``None`` (the call is
counted) or the whole seconds to wait before a call would be counted again (the
``Retry-After`` value). A refused call is not counted. Time comes from an injected
``seconds`` function (the simulator's clock), so a test clock can step the windows.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Window:
    """At most ``calls`` calls in any ``window_s`` seconds."""

    calls: int
    window_s: float

    def __post_init__(self) -> None:
        if self.calls < 1 or self.window_s <= 0:
            raise ValueError("a rate limit needs calls >= 1 and window_s > 0")

    def to_json(self) -> dict[str, object]:
        """The ``GET /_sandbox/catalog`` ``rateLimits`` entry of this window."""
        window: float | int = self.window_s
        if float(window).is_integer():
            window = int(window)
        return {"calls": self.calls, "windowS": window}


class SlidingLimiter:
    """Every ``Window`` at once, kept per client key (API key, IP...)."""

    def __init__(self, windows: Sequence[Window], seconds: Callable[[], float]) -> None:
        if not windows:
            raise ValueError("a limiter needs at least one window")
        self.windows = tuple(windows)
        self._seconds = seconds
        self._longest = max(w.window_s for w in self.windows)
        self._calls: dict[str, list[float]] = {}

    def retry_after(self, client: str) -> int | None:
        """Seconds until ``client`` may call again, or ``None`` (call counted)."""
        now = self._seconds()
        calls = self._calls.setdefault(client, [])
        expired = bisect.bisect_right(calls, now - self._longest)
        if expired:
            del calls[:expired]
        wait = 0.0
        for window in self.windows:
            # Calls inside this window: those later than ``now - window_s``.
            inside = len(calls) - bisect.bisect_right(calls, now - window.window_s)
            if inside >= window.calls:
                # A slot frees when the call ``window.calls`` back leaves the window.
                oldest = calls[len(calls) - window.calls]
                wait = max(wait, window.window_s - (now - oldest))
        if wait > 0:
            return max(1, math.ceil(wait))
        calls.append(now)
        return None
