"""Luma's documented rate limit: a per-minute budget per key shared by GET and POST, then a one-minute block."""

from __future__ import annotations

import math
from collections.abc import Callable

from .errors import ApiError


class RateLimiter:
    """Fixed window per key; the request that goes over the limit starts a lockout."""

    def __init__(self, limit: int, window: float, lockout: float, clock: Callable[[], float]):
        self.limit, self.window, self.lockout, self.clock = limit, window, lockout, clock
        self._buckets: dict[str, list[float]] = {}  # key -> [window_start, count, locked_until]

    def reset(self) -> None:
        self._buckets.clear()

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
        bucket = self._buckets.setdefault(key, [now, 0, 0.0])
        if bucket[2] > now:
            raise self._too_many(
                "Too many requests: rate limit exceeded, try again later", max(1, math.ceil(bucket[2] - now))
            )
        if bucket[2] or now - bucket[0] >= self.window:
            bucket[:] = [now, 0, 0.0]
        bucket[1] += 1
        if bucket[1] > self.limit:
            bucket[2] = now + self.lockout
            raise self._too_many(
                f"Too many requests: more than {self.limit} requests in {self.window:g} seconds",
                max(1, math.ceil(self.lockout)),
            )
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(0, self.limit - int(bucket[1]))),
            "X-RateLimit-Reset": str(max(0, math.ceil(bucket[0] + self.window - now))),
        }
