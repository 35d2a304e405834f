"""One clock drives every timestamp of the emulator, its rate limit, cancellation tokens and invite quota."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from luma_local import ApiError, LumaEmulator
from luma_local.clock import Clock
from tests.emulator_support import call, create_event

pytestmark = pytest.mark.emulator

NOV_1 = datetime(2026, 11, 1, tzinfo=UTC)


def test_clock_runs_in_real_time_until_set() -> None:
    clock = Clock()
    before = datetime.now(UTC)
    assert before <= clock.now() <= datetime.now(UTC) and not clock.frozen


def test_set_freezes_and_advance_moves() -> None:
    clock = Clock()
    clock.set(NOV_1)
    assert clock.frozen and clock.now() == NOV_1 and clock.now_iso() == "2026-11-01T00:00:00.000Z"
    assert clock.advance(seconds=90) == NOV_1 + timedelta(seconds=90)
    assert clock.advance(timedelta(days=1), minutes=1) == NOV_1 + timedelta(days=1, seconds=150)
    assert clock() == (NOV_1 + timedelta(days=1, seconds=150)).timestamp()


def test_advance_shifts_a_running_clock_and_resume_runs_from_the_frozen_instant() -> None:
    clock = Clock()
    clock.advance(days=30)
    assert clock.now() - datetime.now(UTC) > timedelta(days=29)
    clock.set(NOV_1)
    clock.resume()
    assert not clock.frozen and NOV_1 <= clock.now() < NOV_1 + timedelta(minutes=1)


def test_set_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="aware"):
        Clock().set(datetime(2026, 11, 1))


async def test_every_timestamp_comes_from_the_clock(client: aiohttp.ClientSession, emu: LumaEmulator) -> None:
    emu.clock.set(NOV_1)
    event_id = await create_event(client)
    assert emu.event(event_id)["created_at"] == "2026-11-01T00:00:00.000Z"

    emu.clock.advance(seconds=90)
    add = {"event_id": event_id, "guests": [{"email": "ana@example.com"}]}
    assert (await call(client, "POST", "/v1/events/guests/add", json=add))[0] == 200
    guest = emu.guest(event_id, "ana@example.com")
    assert guest["registered_at"] == "2026-11-01T00:01:30.000Z"
    assert emu.contacts()[0]["created_at"] == "2026-11-01T00:01:30.000Z"

    emu.clock.advance(minutes=1)
    invite = {"event_id": event_id, "guests": [{"email": "ben@example.com"}]}
    assert (await call(client, "POST", "/v1/events/guests/send-invites", json=invite))[0] == 200
    assert emu.guest(event_id, "ben@example.com")["invited_at"] == "2026-11-01T00:02:30.000Z"

    emu.clock.advance(hours=1)
    update = {"event_id": event_id, "guest_id": "ben@example.com", "status": "approved"}
    assert (await call(client, "POST", "/v1/events/guests/update-status", json=update))[0] == 200
    assert emu.guest(event_id, "ben@example.com")["registered_at"] == "2026-11-01T01:02:30.000Z"

    hook = {"url": "https://example.com/h", "event_types": ["event.created"]}
    _, webhook = await call(client, "POST", "/v2/webhooks/create", json=hook)
    assert webhook["created_at"] == "2026-11-01T01:02:30.000Z"


def test_a_clock_given_to_the_constructor_dates_seeded_events() -> None:
    emu = LumaEmulator(clock=Clock(NOV_1))
    [event] = emu.seed_events(1)
    assert event["created_at"] == "2026-11-01T00:00:00.000Z"
    assert event["start_at"] == "2026-11-02T18:00:00.000Z"  # seeded events start tomorrow at 18:00 UTC


async def test_the_rate_limit_lockout_follows_the_clock() -> None:
    async with LumaEmulator(rate_limit=1, lockout=60) as emu:
        emu.clock.set(NOV_1)
        async with aiohttp.ClientSession(emu.base_url, headers={"x-luma-api-key": emu.api_key}) as client:
            assert (await call(client, "GET", "/v1/users/get-self"))[0] == 200
            assert (await call(client, "GET", "/v1/users/get-self"))[0] == 429
            emu.clock.advance(seconds=59)
            assert (await call(client, "GET", "/v1/users/get-self"))[0] == 429
            emu.clock.advance(seconds=2)
            assert (await call(client, "GET", "/v1/users/get-self"))[0] == 200


async def test_a_cancellation_token_expires_after_15_minutes_of_clock_time(emu: LumaEmulator) -> None:
    emu.clock.set(NOV_1)
    event_id = emu.seed_events(1)[0]["id"]
    token = emu.call("POST", "/v1/events/cancel/request", body={"event_id": event_id})["cancellation_token"]
    emu.clock.advance(minutes=15, seconds=1)
    with pytest.raises(ApiError, match="expired"):
        emu.call("POST", "/v1/events/cancel", body={"event_id": event_id, "cancellation_token": token})


def test_the_invite_quota_week_follows_the_clock() -> None:
    emu = LumaEmulator(invite_quota_per_week=1)
    emu.clock.set(NOV_1)
    event_id = emu.seed_events(1)[0]["id"]

    def invite(email: str) -> None:
        emu.call("POST", "/v1/events/guests/send-invites", body={"event_id": event_id, "guests": [{"email": email}]})

    invite("a@example.com")
    with pytest.raises(ApiError, match="Weekly invite limit"):
        invite("b@example.com")
    emu.clock.advance(days=7)
    invite("b@example.com")
    assert emu.guest(event_id, "b@example.com")["invited_at"] == "2026-11-08T00:00:00.000Z"
