"""Luma's documented rate limit: a per-minute budget per key shared by GET and POST, then a one-minute block."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable

from .errors import ApiError


class RateLimiter:
    """A sliding window per key: a request is refused when ``limit`` requests of that key already arrived in the
    ``window`` seconds before it, and that refusal starts a lockout.

    Luma documents "200 requests per minute" without saying how the minute is counted; a sliding window is the
    strictest reading (no burst across a window boundary gets through), so a client that passes here passes a
    fixed window too. Requests refused during a lockout are not counted, and once a lockout ends the window
    starts empty (the penalty was served). With Luma's numbers (window = lockout = 60 s) that changes nothing:
    every request counted before a lockout is over 60 s old when it ends."""

    def __init__(self, limit: int, window: float, lockout: float, clock: Callable[[], float]):
        self.limit, self.window, self.lockout, self.clock = limit, window, lockout, clock
        self._arrivals: dict[str, deque[float]] = {}
        self._locked_until: dict[str, float] = {}

    def reset(self) -> None:
        self._arrivals.clear()
        self._locked_until.clear()

    def _too_many(self, message: str, wait: int) -> ApiError:
        headers = {
            "Retry-After": str(wait),
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": str(wait),
        }
        return ApiError(429, message, headers)

    def hit(self, key: str) -> dict[str, str]:
        now = self.clock()
        arrivals = self._arrivals.setdefault(key, deque())
        locked_until = self._locked_until.get(key)
        if locked_until is not None:
            if locked_until > now:
                raise self._too_many(
                    "Too many requests: rate limit exceeded, try again later", max(1, math.ceil(locked_until - now))
                )
            del self._locked_until[key]
            arrivals.clear()
        while arrivals and arrivals[0] <= now - self.window:
            arrivals.popleft()
        if len(arrivals) >= self.limit:
            self._locked_until[key] = now + self.lockout
            raise self._too_many(
                f"Too many requests: more than {self.limit} requests in {self.window:g} seconds",
                max(1, math.ceil(self.lockout)),
            )
        arrivals.append(now)
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(0, self.limit - len(arrivals))),
            # When the oldest request in the window leaves it, freeing a slot.
            "X-RateLimit-Reset": str(max(0, math.ceil(arrivals[0] + self.window - now))),
        }
