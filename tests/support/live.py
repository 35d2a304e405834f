"""Helpers for end-to-end tests against the local Luma: what was posted (`posts`), the two faults `inject` cannot
make alone (`apply_late`: a write Luma applies late; `work_then_answer`: a write Luma applies but answers
unreadably), how many objects of each kind it holds (`census`), and the routes an action called without declaring
them (`undeclared_routes`)."""

import asyncio
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

import pytest

from luma_local import LumaEmulator, RecordedRequest
from tests.support.examples import luma_routes_of

# A 2xx whose body has no id ({}), or cannot be read at all (HTML, a list).
UNUSABLE_2XX = [
    pytest.param({"body": {}}, id="empty-json"),
    pytest.param({"body": "<html>ok</html>", "content_type": "text/html"}, id="html"),
    pytest.param({"body": [1]}, id="list"),
]


def posts(emulator: LumaEmulator, path: str) -> list[RecordedRequest]:
    return emulator.requests_to(path, "POST")


def apply_late(monkeypatch: Any, emulator: LumaEmulator, context: Any, path: str, delay: float = 0.3) -> None:
    """A slow write: the next POST to path times out at the client, and Luma applies it a moment later (a gateway
    504, or Luma finishing after the client hung up). A check made at once finds nothing yet."""
    send, done = context.fetch, []

    async def fetch(url, *args, **kwargs):
        if not done and kwargs.get("method") == "POST" and urlsplit(url).path == path:
            done.append(True)
            body = kwargs.get("json")
            asyncio.get_running_loop().call_later(delay, lambda: emulator.call("POST", path, body=body))
            raise TimeoutError()
        return await send(url, *args, **kwargs)

    monkeypatch.setattr(context, "fetch", fetch)


def work_then_answer(monkeypatch: Any, emulator: LumaEmulator, context: Any, path: str) -> None:
    """The next POST to path is applied by the emulator before it goes out, so the injected 2xx fault answers a
    write that did happen (a status/body fault alone does not do the work)."""
    send, done = context.fetch, []

    async def fetch(url, *args, **kwargs):
        if not done and kwargs.get("method") == "POST" and urlsplit(url).path == path:
            done.append(emulator.call("POST", path, body=kwargs.get("json")))
        return await send(url, *args, **kwargs)

    monkeypatch.setattr(context, "fetch", fetch)


def undeclared_routes(emulator: LumaEmulator, action: str) -> list[str]:
    """The routes the emulator was called on that the action's luma_routes do not list."""
    return sorted({f"{request.method} {request.path}" for request in emulator.requests} - luma_routes_of(action))


def census(emulator: LumaEmulator) -> Counter:
    """How many objects of each kind the emulator holds: a write applied twice shows as one too many."""
    counts = Counter(
        events=len(emulator.events()),
        calendar_coupons=len(emulator.coupons()),
        contacts=len(emulator.contacts()),
        contact_tags=len(emulator.contact_tags()),
        event_tags=len(emulator.event_tags()),
        webhooks=len(emulator.webhooks()),
    )
    for event in emulator.events():
        counts["guests"] += len(emulator.guests(event["id"]))
        counts["ticket_types"] += len(emulator.ticket_types(event["id"]))
        counts["event_coupons"] += len(emulator.coupons(event["id"]))
    return counts
