"""Helpers shared by the emulator's own tests (tests/test_emulator*.py); the fixtures are in conftest.py."""

from __future__ import annotations

from typing import Any

import aiohttp

KEY = "luma-local-key"
START = "2030-05-01T18:00:00.000Z"


class FakeClock:
    """A bare seconds callable, the way tests drove the rate limiter before the emulator had a Clock."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def call(
    session: aiohttp.ClientSession, method: str, path: str, *, params: Any = None, json: Any = None
) -> tuple[int, Any]:
    async with session.request(method, path, params=params, json=json) as resp:
        return resp.status, await resp.json(content_type=None)


async def create_event(client: aiohttp.ClientSession, **fields: Any) -> str:
    body = {"name": "Test Event", "start_at": START, "timezone": "UTC", **fields}
    status, data = await call(client, "POST", "/v1/events/create", json=body)
    assert status == 200, data
    return data["id"]
