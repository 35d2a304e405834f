"""The emulator's state survives a process: save_state/load_state and the state_file option."""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp
import pytest

from luma_local import LumaEmulator
from luma_local import __main__ as cli
from luma_local import state as store
from tests.emulator_support import START, call

pytestmark = pytest.mark.emulator


def answers(emu: LumaEmulator, event_id: str) -> dict[str, object]:
    """What a client sees through several routes, in-process."""
    guest_id = emu.guests(event_id)[0]["id"]
    return {
        path: emu.call("GET", path, query=query)
        for path, query in {
            "/v1/users/get-self": {},
            "/v1/calendars/get": {},
            "/v1/events/get": {"event_id": event_id},
            "/v1/calendars/events/list": {"platforms": ["luma", "external"], "pagination_limit": 3},
            "/v1/events/guests/list": {"event_id": event_id, "sort_column": "email"},
            "/v1/events/guests/get": {"event_id": event_id, "id": guest_id},
            "/v1/events/ticket-types/list": {"event_id": event_id, "include_hidden": "true"},
            "/v1/calendars/contacts/list": {"sort_column": "name"},
            "/v1/webhooks/list": {},
            "/v1/entities/lookup": {"slug": "autohive-builders"},
            "/v1/organizations/events/list": {},
        }.items()
    }


def test_round_trip_gives_identical_answers(tmp_path: Path) -> None:
    first = LumaEmulator()
    event_id = first.seed_demo()["events"][0]["id"]
    first.check_in(event_id, first.guests(event_id)[0]["id"])
    first.submit_calendar_event(name="Partner Night", start_at=START, url="https://partner.example/n")
    path = tmp_path / "luma.json"
    first.save_state(path)

    second = LumaEmulator(api_key="another-key")
    second.load_state(path)
    assert answers(second, event_id) == answers(first, event_id)
    # Seeding goes on with new people instead of repeating the first process's.
    assert second.seed_contacts(1)[0]["email"] not in {c["email"] for c in first.contacts()}


def test_the_file_is_json_and_written_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    emu = LumaEmulator()
    emu.seed_events(1)
    path = tmp_path / "luma.json"
    emu.save_state(path)
    document = json.loads(path.read_text())
    assert document["format"] == "luma_local state" and document["version"] == 1
    before = path.read_bytes()

    def broken_dump(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    emu.seed_events(1)
    monkeypatch.setattr(store.json, "dump", broken_dump)
    with pytest.raises(OSError, match="disk full"):
        emu.save_state(path)
    assert path.read_bytes() == before  # the old state is intact
    assert [p.name for p in tmp_path.iterdir()] == ["luma.json"]  # and no temporary file is left


def test_a_file_of_another_kind_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"format": "luma_local state", "version": 99, "state": {}}))
    with pytest.raises(ValueError, match="version 99"):
        LumaEmulator().load_state(path)


async def test_state_file_chains_processes_with_stable_ids(tmp_path: Path) -> None:
    path = tmp_path / "luma.json"
    async with LumaEmulator(state_file=path) as first:
        async with aiohttp.ClientSession(first.base_url, headers={"x-luma-api-key": first.api_key}) as client:
            body = {"name": "Kept across runs", "start_at": START, "timezone": "UTC"}
            status, created = await call(client, "POST", "/v1/events/create", json=body)
            assert status == 200
            add = {"event_id": created["id"], "guests": [{"email": "ana@example.com"}]}
            assert (await call(client, "POST", "/v1/events/guests/add", json=add))[0] == 200
        assert path.exists()  # written after the write requests, before stop()
    async with LumaEmulator(state_file=path, calendar_name="Ignored, the file has one") as second:
        async with aiohttp.ClientSession(second.base_url, headers={"x-luma-api-key": second.api_key}) as client:
            _, page = await call(client, "GET", "/v1/calendars/events/list")
            assert [e["id"] for e in page["entries"]] == [created["id"]]
            params = {"event_id": created["id"], "id": "ana@example.com"}
            status, guest = await call(client, "GET", "/v1/events/guests/get", params=params)
            assert status == 200 and guest["user_email"] == "ana@example.com"
            assert second.state.calendar["name"] == "Local Community Calendar"


async def test_stop_saves_in_process_changes(tmp_path: Path) -> None:
    path = tmp_path / "luma.json"
    emu = LumaEmulator(state_file=path)
    await emu.start()
    emu.seed_events(2)
    await emu.stop()
    assert len(LumaEmulator(state_file=path).events()) == 2


def test_the_command_line_resumes_a_state_file_without_seeding_it_again(tmp_path: Path) -> None:
    path = tmp_path / "luma.json"
    args = cli.parse_args(["--seed", "demo", "--state", str(path)])
    first = cli.build(args)
    assert path.exists() and len(first.events()) == 5  # seeded and saved at once
    event_id = first.events()[0]["id"]
    again = cli.build(cli.parse_args(["--seed", "demo", "--state", str(path)]))
    assert [e["id"] for e in again.events()] == [e["id"] for e in first.events()]
    assert again.event(event_id) == first.event(event_id)
    assert cli.build(cli.parse_args([])).state_file is None


def test_the_command_line_sets_a_round_trip() -> None:
    emu = cli.build(cli.parse_args(["--latency", "0.15", "--latency-jitter", "0.05"]))
    assert (emu.latency, emu.latency_jitter) == (0.15, 0.05)
    assert cli.build(cli.parse_args([])).latency == 0.0
