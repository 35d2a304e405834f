"""What the emulator records of each request, and the misbehaviours a test can program with ``inject``."""

from __future__ import annotations

import asyncio
import json
import math
from dataclasses import dataclass
from typing import Any

from aiohttp import web


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: list[tuple[str, str]]
    json: Any
    headers: dict[str, str]
    body: bytes = b""
    status: int | None = None  # None when no response was sent (hang / drop_after_work)
    at: float | None = None  # when it arrived, by the clock the rate limit reads (seconds)

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for k, v in self.headers.items():
            if k.lower() == lowered:
                return v
        return None

    def query_values(self, name: str) -> list[str]:
        return [v for k, v in self.query if k == name]


@dataclass
class FaultSpec:
    """A programmed misbehaviour for matching requests.

    ``route`` is ``"/v1/events/get"`` (any method), ``"POST /v1/events/create"`` or ``"*"``.
    ``times=None`` applies it forever; ``hits`` counts how often it fired.
    """

    route: str
    status: int | None = None
    times: int | None = 1
    body: Any = None
    content_type: str | None = None
    latency: float = 0.0
    hang: bool = False
    drop_after_work: bool = False
    retry_after: float | None = None
    headers: dict[str, str] | None = None
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.route == "*":
            return True
        if " " in self.route:
            m, p = self.route.split(" ", 1)
            return m.upper() == method and p == path
        return self.route == path

    @property
    def replaces_answer(self) -> bool:
        return not self.drop_after_work and (self.status is not None or self.body is not None)

    def response(self) -> web.Response:
        status = self.status or 200
        headers = dict(self.headers or {})
        if self.retry_after is not None:
            headers["Retry-After"] = str(math.ceil(self.retry_after))
        if self.body is None:
            payload = json.dumps({"message": f"Injected fault: HTTP {status}"}).encode()
            content_type = self.content_type or "application/json"
        elif isinstance(self.body, bytes):
            payload, content_type = self.body, self.content_type or "application/octet-stream"
        elif isinstance(self.body, str):
            payload, content_type = self.body.encode(), self.content_type or "application/json"
        else:
            payload, content_type = json.dumps(self.body).encode(), self.content_type or "application/json"
        headers["Content-Type"] = content_type
        return web.Response(status=status, body=payload, headers=headers)


def drop(request: web.Request) -> web.Response:
    # Closing the socket before writing anything: the client sees a disconnect, i.e. a lost
    # response, while any state change already happened.
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=499)


async def misbehave(fault: FaultSpec, request: web.Request, stopping: asyncio.Event | None) -> web.Response | None:
    """Delay, hang or answer for a matched fault; None lets the request go on to its real handler."""
    fault.hits += 1
    if fault.latency:
        await asyncio.sleep(fault.latency)
    if fault.hang:
        if stopping is not None:
            await stopping.wait()
        return drop(request)
    return fault.response() if fault.replaces_answer else None
