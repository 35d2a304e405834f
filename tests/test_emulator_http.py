"""The emulator's HTTP behaviour: auth, routing, strict validation, rate limit, faults, recording, threads."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import pytest

from luma_local import FaultSpec, LumaEmulator
from tests.emulator_support import KEY, START, FakeClock, call

pytestmark = pytest.mark.emulator


async def test_auth_missing_and_wrong_key(emu: LumaEmulator) -> None:
    async with aiohttp.ClientSession(emu.base_url) as anon:
        status, data = await call(anon, "GET", "/v1/users/get-self")
        assert status == 401 and data["message"]
    async with aiohttp.ClientSession(emu.base_url, headers={"x-luma-api-key": "wrong"}) as wrong:
        status, data = await call(wrong, "GET", "/v1/users/get-self")
        assert status == 401 and "API key" in data["message"]


async def test_unknown_route_and_wrong_method(client: aiohttp.ClientSession) -> None:
    status, data = await call(client, "GET", "/v1/event/get", params={"id": "evt-x"})  # legacy F2 path
    assert status == 404 and "message" in data
    status, data = await call(client, "POST", "/v1/events/get", json={})
    assert status == 405 and "message" in data


async def test_get_self_and_calendar(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    status, me = await call(client, "GET", "/v1/users/get-self")
    assert status == 200 and me["id"].startswith("usr-") and me["email"] == "owner@example.com"
    status, cal = await call(client, "GET", "/v1/calendars/get")
    assert status == 200 and cal["id"].startswith("cal-")
    assert emu.requests[0].header("X-Luma-Api-Key") == KEY


@pytest.mark.parametrize(
    ("method", "path", "params", "body", "needle"),
    [
        ("POST", "/v1/events/create", None, {"name": "x", "start_at": START, "timezone": "UTC", "title": "x"}, "title"),
        ("POST", "/v1/events/create", None, {"name": 5, "start_at": START, "timezone": "UTC"}, "name"),
        ("POST", "/v1/events/create", None, {"name": "x", "timezone": "UTC"}, "start_at"),
        ("POST", "/v1/events/create", None, {"name": "x", "start_at": "tomorrow", "timezone": "UTC"}, "start_at"),
        (
            "POST",
            "/v1/events/create",
            None,
            {"name": "x", "start_at": START, "timezone": "UTC", "visibility": "secret"},
            "visibility",
        ),
        ("GET", "/v1/events/get", [("event_id", "evt-a"), ("event_id", "evt-a")], None, "event_id"),
        ("GET", "/v1/events/get", {"event_id": "evt-a", "api_id": "evt-a"}, None, "api_id"),
        ("GET", "/v1/events/get", {}, None, "event_id"),
        ("GET", "/v1/calendars/events/list", {"sort_direction": "up"}, None, "sort_direction"),
        ("GET", "/v1/calendars/events/list", {"pagination_limit": "ten"}, None, "pagination_limit"),
        ("POST", "/v1/events/guests/add", None, {"event_id": "evt-a", "guests": [{"mail": "a@b.co"}]}, "mail"),
    ],
)
async def test_strict_validation_400(
    client: aiohttp.ClientSession, method: str, path: str, params: Any, body: Any, needle: str
) -> None:
    status, data = await call(client, method, path, params=params, json=body)
    assert status == 400, data
    assert needle in data["message"]


async def test_non_json_and_non_object_bodies(client: aiohttp.ClientSession) -> None:
    async with client.post("/v1/events/create", data=b"name=x") as resp:
        assert resp.status == 400
    for body in ([1, 2], "text", None):
        status, _ = await call(client, "POST", "/v1/events/create", json=body)
        assert status == 400


async def test_lax_mode_ignores_unknown_fields() -> None:
    async with LumaEmulator(strict=False) as emu:
        async with aiohttp.ClientSession(emu.base_url, headers={"x-luma-api-key": KEY}) as client:
            body = {"name": "x", "start_at": START, "timezone": "UTC", "colour": "red"}
            status, _ = await call(client, "POST", "/v1/events/create", json=body, params={"debug": "1"})
            assert status == 200


async def test_rate_limit_429_lockout_and_headers() -> None:
    clock = FakeClock()
    async with LumaEmulator(rate_limit=3, rate_window=1.0, lockout=0.5, clock=clock) as emu:
        async with aiohttp.ClientSession(emu.base_url, headers={"x-luma-api-key": KEY}) as client:
            remaining = []
            for _ in range(3):
                async with client.get("/v1/users/get-self") as resp:
                    assert resp.status == 200
                    assert resp.headers["X-RateLimit-Limit"] == "3"
                    assert resp.headers["X-RateLimit-Reset"] == "1"
                    remaining.append(resp.headers["X-RateLimit-Remaining"])
            assert remaining == ["2", "1", "0"]
            async with client.post("/v1/events/create", json={}) as resp:  # GET and POST share the budget
                assert resp.status == 429 and resp.headers["Retry-After"] == "1"
                assert "message" in await resp.json()
            clock.now += 0.3
            async with client.get("/v1/users/get-self") as resp:  # still locked out
                assert resp.status == 429 and resp.headers["Retry-After"] == "1"
            clock.now += 0.3
            async with client.get("/v1/users/get-self") as resp:
                assert resp.status == 200 and resp.headers["X-RateLimit-Remaining"] == "2"


async def test_the_rate_limit_window_slides_so_a_burst_across_a_minute_boundary_is_caught() -> None:
    # Luma says "200 requests per minute". A fixed window opened at the first request would let this client send
    # 5 requests in the 2 seconds around its boundary (59-61 s); a sliding window counts the last 60 s.
    clock = FakeClock()
    async with LumaEmulator(rate_limit=3, clock=clock) as emu:
        async with aiohttp.ClientSession(emu.base_url, headers={"x-luma-api-key": KEY}) as client:
            assert (await call(client, "GET", "/v1/users/get-self"))[0] == 200  # t = 0
            clock.now += 59
            for remaining in ("1", "0"):
                async with client.get("/v1/users/get-self") as resp:
                    assert resp.status == 200 and resp.headers["X-RateLimit-Remaining"] == remaining
            # The slot of t = 0 frees at t = 60: the answer says so.
            assert resp.headers["X-RateLimit-Reset"] == "1"
            clock.now += 2  # t = 61: the request of t = 0 has left the window, the two of t = 59 have not
            async with client.get("/v1/users/get-self") as resp:
                assert resp.status == 200 and resp.headers["X-RateLimit-Remaining"] == "0"
                assert resp.headers["X-RateLimit-Reset"] == "58"  # when the first of t = 59 leaves
            async with client.get("/v1/users/get-self") as resp:
                assert resp.status == 429 and resp.headers["Retry-After"] == "60"
            statuses = [request.status for request in emu.requests]
            assert statuses == [200, 200, 200, 200, 429]
            assert [request.at for request in emu.requests] == [1000.0, 1059.0, 1059.0, 1061.0, 1061.0]


async def test_a_steady_client_at_the_limit_is_never_refused() -> None:
    # One request every window / limit seconds, forever: never more than `limit` in any window.
    clock = FakeClock()
    async with LumaEmulator(rate_limit=4, clock=clock) as emu:
        async with aiohttp.ClientSession(emu.base_url, headers={"x-luma-api-key": KEY}) as client:
            for _ in range(20):
                assert (await call(client, "GET", "/v1/users/get-self"))[0] == 200
                clock.now += 15
            clock.now -= 15 + 14  # 14 s after the last one, the next is the fifth in its window
            assert (await call(client, "GET", "/v1/users/get-self"))[0] == 429


async def test_latency_is_added_to_every_request_and_requests_wait_it_out_together() -> None:
    async with LumaEmulator(latency=0.2) as emu:
        async with aiohttp.ClientSession(emu.base_url, headers={"x-luma-api-key": KEY}) as client:
            started = time.perf_counter()
            assert (await call(client, "GET", "/v1/users/get-self"))[0] == 200
            one = time.perf_counter() - started
            started = time.perf_counter()
            answers = await asyncio.gather(*(call(client, "GET", "/v1/users/get-self") for _ in range(8)))
            eight = time.perf_counter() - started
            emu.inject("/v1/users/get-self", status=503)
            started = time.perf_counter()
            assert (await call(client, "GET", "/v1/users/get-self"))[0] == 503
            faulted = time.perf_counter() - started
            emu.latency = 0.0
            started = time.perf_counter()
            assert (await call(client, "GET", "/v1/users/get-self"))[0] == 200
            local = time.perf_counter() - started
    assert 0.2 <= one < 0.35
    assert all(status == 200 for status, _ in answers)
    assert 0.2 <= eight < 0.35, "a round trip delays each request, it does not queue them"
    assert 0.2 <= faulted < 0.35, "a faulted answer travels as far as a real one"
    assert local < 0.1


async def test_the_emulators_own_work_is_part_of_the_round_trip(monkeypatch: pytest.MonkeyPatch) -> None:
    # A round trip measured from a Lambda includes Luma's work: the emulator's time on a request (here a slow
    # 50 ms of it) comes off the way back instead of adding to the latency.
    async with LumaEmulator(latency=0.2) as emu:
        handle = emu._process

        def slow(request: Any, raw: bytes) -> Any:
            time.sleep(0.05)
            return handle(request, raw)

        monkeypatch.setattr(emu, "_process", slow)
        async with aiohttp.ClientSession(emu.base_url, headers={"x-luma-api-key": KEY}) as client:
            started = time.perf_counter()
            assert (await call(client, "GET", "/v1/users/get-self"))[0] == 200
            seconds = time.perf_counter() - started
            emu.latency = 0.06  # work longer than the way back (30 ms) shows beyond it
            started = time.perf_counter()
            assert (await call(client, "GET", "/v1/users/get-self"))[0] == 200
            longer = time.perf_counter() - started
    assert 0.2 <= seconds < 0.24
    assert 0.08 <= longer < 0.12


async def test_latency_jitter_adds_up_to_its_amount() -> None:
    async with LumaEmulator(latency=0.05, latency_jitter=0.1) as emu:
        async with aiohttp.ClientSession(emu.base_url, headers={"x-luma-api-key": KEY}) as client:
            times = []
            for _ in range(6):
                started = time.perf_counter()
                assert (await call(client, "GET", "/v1/users/get-self"))[0] == 200
                times.append(time.perf_counter() - started)
    assert all(0.05 <= seconds < 0.25 for seconds in times)
    assert max(times) - min(times) > 0.005, "each request draws its own jitter"


async def test_rate_limit_headers_can_be_disabled() -> None:
    async with LumaEmulator(rate_limit=1, rate_limit_headers=False) as emu:
        async with aiohttp.ClientSession(emu.base_url, headers={"x-luma-api-key": KEY}) as client:
            async with client.get("/v1/users/get-self") as resp:
                assert resp.status == 200 and "X-RateLimit-Remaining" not in resp.headers
            async with client.get("/v1/users/get-self") as resp:
                assert resp.status == 429 and resp.headers["Retry-After"] == "60"
                assert "X-RateLimit-Reset" not in resp.headers


async def test_fault_status_times_then_normal(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    fault = emu.inject("/v1/users/get-self", status=503, times=2)
    assert isinstance(fault, FaultSpec)
    assert (await call(client, "GET", "/v1/users/get-self"))[0] == 503
    assert (await call(client, "GET", "/v1/users/get-self"))[0] == 503
    assert (await call(client, "GET", "/v1/users/get-self"))[0] == 200
    assert fault.hits == 2
    emu.inject("GET /v1/calendars/get", status=429, retry_after=7, body={"message": "slow down", "code": None})
    async with client.get("/v1/calendars/get") as resp:
        assert resp.status == 429 and resp.headers["Retry-After"] == "7"
        assert await resp.json() == {"message": "slow down", "code": None}
    emu.inject("*", status=500, times=None)
    assert (await call(client, "GET", "/v1/calendars/get"))[0] == 500
    emu.clear_faults()
    assert (await call(client, "GET", "/v1/calendars/get"))[0] == 200


async def test_fault_malformed_bodies(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    emu.inject("/v1/users/get-self", body="{not json")
    async with client.get("/v1/users/get-self") as resp:
        assert resp.status == 200
        with pytest.raises(ValueError):
            await resp.json()
    emu.inject("/v1/users/get-self", status=502, body="<html><body>Bad gateway</body></html>", content_type="text/html")
    async with client.get("/v1/users/get-self") as resp:
        assert resp.status == 502 and resp.content_type == "text/html"


async def test_fault_latency(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    emu.inject("/v1/users/get-self", latency=0.2)
    started = time.perf_counter()
    status, _ = await call(client, "GET", "/v1/users/get-self")
    assert status == 200 and time.perf_counter() - started >= 0.2


async def test_fault_hang_times_out_client(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    emu.inject("/v1/users/get-self", hang=True)
    with pytest.raises(asyncio.TimeoutError):
        async with client.get("/v1/users/get-self", timeout=aiohttp.ClientTimeout(total=0.2)) as resp:
            await resp.read()
    assert (await call(client, "GET", "/v1/users/get-self"))[0] == 200


async def test_fault_drop_after_work_changes_state(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    emu.inject("POST /v1/events/create", drop_after_work=True)
    body = {"name": "Lost response", "start_at": START, "timezone": "UTC"}
    with pytest.raises(aiohttp.ClientConnectionError):
        await call(client, "POST", "/v1/events/create", json=body)
    assert [e["name"] for e in emu.events()] == ["Lost response"]
    assert (await call(client, "POST", "/v1/events/create", json=body))[0] == 200  # a naive retry duplicates
    assert len(emu.events()) == 2
    assert emu.requests_to("/v1/events/create")[0].status is None


async def test_requests_are_recorded(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    await call(client, "GET", "/v1/calendars/contacts/list", params=[("tags", "a"), ("tags", "b")])
    await call(client, "POST", "/v1/calendars/contact-tags/create", json={"name": "a"})
    get, post = emu.requests
    assert (get.method, get.path, get.query, get.status) == (
        "GET",
        "/v1/calendars/contacts/list",
        [("tags", "a"), ("tags", "b")],
        200,
    )
    assert get.query_values("tags") == ["a", "b"]
    assert post.json == {"name": "a"} and post.header("x-luma-api-key") == KEY


async def test_start_in_thread() -> None:
    emu = LumaEmulator()
    url = emu.start_in_thread()
    try:
        async with aiohttp.ClientSession(url, headers={"x-luma-api-key": KEY}) as client:
            assert (await call(client, "GET", "/v1/users/get-self"))[0] == 200
    finally:
        emu.stop_thread()
