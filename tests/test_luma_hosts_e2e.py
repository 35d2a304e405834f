"""Host actions end to end: the SDK's real ExecutionContext over HTTP against the local Luma."""

import pytest

from tests.support.examples import add_host
from tests.support.fakes import failed, ok_data, run
from tests.support.live import UNUSABLE_2XX, apply_late, posts, work_then_answer

pytestmark = pytest.mark.e2e


def host_emails(emulator, event_id):
    return [host["email"] for host in emulator.event(event_id)["hosts"]]


def stored_host(emulator, event_id, email):
    """How the emulator keeps a host, access level and visibility included (Luma's API shows neither)."""
    user = emulator.state.user_by_id_or_email(email)
    return next(h for h in emulator.state.events[event_id]["_hosts"] if h["user_id"] == user["id"])


class TestAddHost:
    async def test_adds_door_staff_hidden_from_the_page(self, luma_emulator, live_context, event_id):
        inputs = {
            "event_api_id": event_id,
            "email": "Door@Example.com",
            "name": "Door Staff",
            "access_level": "check-in",
            "is_visible": False,
        }
        data = ok_data(await run("add_host", inputs, live_context))
        assert host_emails(luma_emulator, event_id) == ["owner@example.com", "Door@example.com"]
        assert data["host"] == luma_emulator.event(event_id)["hosts"][1] and data["host"]["name"] == "Door Staff"
        assert (data["access_level_set"], data["is_visible_set"], data["already_host"]) == ("check-in", False, False)
        stored = stored_host(luma_emulator, event_id, "door@example.com")
        assert (stored["access_level"], stored["is_visible"]) == ("check-in", False)

    async def test_defaults_to_a_visible_manager(self, luma_emulator, live_context, event_id):
        data = ok_data(await run("add_host", {"event_api_id": event_id, "email": "co@example.com"}, live_context))
        assert (data["access_level_set"], data["is_visible_set"]) == ("manager", True)
        stored = stored_host(luma_emulator, event_id, "co@example.com")
        assert (stored["access_level"], stored["is_visible"]) == ("manager", True)

    async def test_twice_is_already_host_and_sends_one_add(self, luma_emulator, live_context, event_id):
        inputs = {"event_api_id": event_id, "email": "co@example.com"}
        first = ok_data(await run("add_host", inputs, live_context))
        again = ok_data(await run("add_host", dict(inputs, email="CO@example.com", access_level="none"), live_context))
        assert again == {"host": first["host"], "already_host": True}
        assert stored_host(luma_emulator, event_id, "co@example.com")["access_level"] == "manager"
        assert len(posts(luma_emulator, "/v1/events/hosts/add")) == 1

    async def test_the_creator_is_already_a_host(self, luma_emulator, live_context, event_id):
        data = ok_data(await run("add_host", {"event_api_id": event_id, "email": "owner@example.com"}, live_context))
        assert data["already_host"] is True and luma_emulator.requests_to("/v1/events/hosts/add") == []

    async def test_lost_answer_adds_exactly_one(self, luma_emulator, live_context, event_id):
        luma_emulator.inject("POST /v1/events/hosts/add", drop_after_work=True)
        data = ok_data(await run("add_host", {"event_api_id": event_id, "email": "co@example.com"}, live_context))
        assert host_emails(luma_emulator, event_id) == ["owner@example.com", "co@example.com"]
        assert data["host"]["email"] == "co@example.com" and data["already_host"] is False
        assert len(posts(luma_emulator, "/v1/events/hosts/add")) == 1

    async def test_slow_add_applied_after_the_timeout_is_found(
        self, luma_emulator, live_context, monkeypatch, event_id
    ):
        apply_late(monkeypatch, luma_emulator, live_context, "/v1/events/hosts/add")
        data = ok_data(await run("add_host", {"event_api_id": event_id, "email": "co@example.com"}, live_context))
        assert data["host"]["email"] == "co@example.com"
        assert host_emails(luma_emulator, event_id) == ["owner@example.com", "co@example.com"]

    async def test_server_error_is_checked_and_never_resent(self, luma_emulator, live_context, event_id):
        luma_emulator.inject("POST /v1/events/hosts/add", status=503)
        inputs = {"event_api_id": event_id, "email": "co@example.com"}
        failed(await run("add_host", inputs, live_context), "not confirmed", "get_events")
        assert host_emails(luma_emulator, event_id) == ["owner@example.com"]
        assert len(posts(luma_emulator, "/v1/events/hosts/add")) == 1

    @pytest.mark.parametrize("answer", UNUSABLE_2XX[1:])
    async def test_accepted_with_unreadable_answer_is_found(
        self, luma_emulator, live_context, monkeypatch, answer, event_id
    ):
        work_then_answer(monkeypatch, luma_emulator, live_context, "/v1/events/hosts/add")
        luma_emulator.inject("POST /v1/events/hosts/add", status=200, **answer)
        data = ok_data(await run("add_host", {"event_api_id": event_id, "email": "co@example.com"}, live_context))
        assert data["host"]["email"] == "co@example.com"
        assert len(posts(luma_emulator, "/v1/events/hosts/add")) == 1

    async def test_unknown_event(self, luma_emulator, live_context):
        failed(await run("add_host", {"event_api_id": "evt-nope", "email": "co@example.com"}, live_context), "404")
        assert luma_emulator.requests_to("/v1/events/hosts/add") == []


class TestUpdateHost:
    async def test_demote_and_hide_a_cohost(self, luma_emulator, live_context, event_id):
        email = add_host(luma_emulator, event_id, "co@example.com")
        inputs = {"event_api_id": event_id, "email": email, "access_level": "check-in", "is_visible": False}
        data = ok_data(await run("update_host", inputs, live_context))
        assert data == {
            "host": luma_emulator.event(event_id)["hosts"][1],
            "access_level_set": "check-in",
            "is_visible_set": False,
        }
        stored = stored_host(luma_emulator, event_id, email)
        assert (stored["access_level"], stored["is_visible"]) == ("check-in", False)

    async def test_visibility_alone_keeps_the_access_level(self, luma_emulator, live_context, event_id):
        email = add_host(luma_emulator, event_id, "co@example.com")
        inputs = {"event_api_id": event_id, "email": email, "is_visible": False}
        assert ok_data(await run("update_host", inputs, live_context))["is_visible_set"] is False
        stored = stored_host(luma_emulator, event_id, email)
        assert (stored["access_level"], stored["is_visible"]) == ("manager", False)

    async def test_the_creators_access_level_cannot_be_changed(self, luma_emulator, live_context, event_id):
        inputs = {"event_api_id": event_id, "email": "owner@example.com", "access_level": "check-in"}
        failed(await run("update_host", inputs, live_context), "creator", "Nothing was changed")
        assert stored_host(luma_emulator, event_id, "owner@example.com")["access_level"] == "manager"

    async def test_not_a_host_sends_nothing(self, luma_emulator, live_context, event_id):
        inputs = {"event_api_id": event_id, "email": "stranger@example.com", "access_level": "none"}
        failed(await run("update_host", inputs, live_context), "not a host", "add_host")
        assert luma_emulator.requests_to("/v1/events/hosts/update") == []

    async def test_lost_answer_is_applied_once_and_said_unconfirmed(self, luma_emulator, live_context, event_id):
        email = add_host(luma_emulator, event_id, "co@example.com")
        luma_emulator.inject("POST /v1/events/hosts/update", drop_after_work=True)
        inputs = {"event_api_id": event_id, "email": email, "access_level": "none"}
        failed(await run("update_host", inputs, live_context), "not confirmed", "harmless")
        assert stored_host(luma_emulator, event_id, email)["access_level"] == "none"
        assert len(posts(luma_emulator, "/v1/events/hosts/update")) == 1
        # Running it again, as the error says, is harmless: the same values.
        ok_data(await run("update_host", inputs, live_context))
        assert stored_host(luma_emulator, event_id, email)["access_level"] == "none"


class TestRemoveHost:
    async def test_removes_a_cohost(self, luma_emulator, live_context, event_id):
        email = add_host(luma_emulator, event_id, "co@example.com")
        data = ok_data(await run("remove_host", {"event_api_id": event_id, "email": email.upper()}, live_context))
        assert data == {"email": "CO@example.com", "event_api_id": event_id, "already_absent": False}
        assert host_emails(luma_emulator, event_id) == ["owner@example.com"]

    async def test_twice_is_already_absent(self, luma_emulator, live_context, event_id):
        email = add_host(luma_emulator, event_id, "co@example.com")
        inputs = {"event_api_id": event_id, "email": email}
        assert ok_data(await run("remove_host", inputs, live_context))["already_absent"] is False
        assert ok_data(await run("remove_host", inputs, live_context))["already_absent"] is True
        assert len(posts(luma_emulator, "/v1/events/hosts/remove")) == 1

    async def test_the_creator_cannot_be_removed(self, luma_emulator, live_context, event_id):
        inputs = {"event_api_id": event_id, "email": "owner@example.com"}
        failed(await run("remove_host", inputs, live_context), "creator", "cannot be removed", "Nothing was changed")
        assert host_emails(luma_emulator, event_id) == ["owner@example.com"]

    async def test_lost_answer_removes_once_and_is_done(self, luma_emulator, live_context, event_id):
        email = add_host(luma_emulator, event_id, "co@example.com")
        luma_emulator.inject("POST /v1/events/hosts/remove", drop_after_work=True)
        data = ok_data(await run("remove_host", {"event_api_id": event_id, "email": email}, live_context))
        assert data["already_absent"] is False
        assert host_emails(luma_emulator, event_id) == ["owner@example.com"]
        assert len(posts(luma_emulator, "/v1/events/hosts/remove")) == 1

    async def test_server_error_leaves_the_host_and_says_not_confirmed(self, luma_emulator, live_context, event_id):
        email = add_host(luma_emulator, event_id, "co@example.com")
        luma_emulator.inject("POST /v1/events/hosts/remove", status=503)
        failed(await run("remove_host", {"event_api_id": event_id, "email": email}, live_context), "not confirmed")
        assert host_emails(luma_emulator, event_id) == ["owner@example.com", email]
        assert len(posts(luma_emulator, "/v1/events/hosts/remove")) == 1

    async def test_host_added_then_removed_leaves_the_event_as_it_was(self, luma_emulator, live_context, event_id):
        before = luma_emulator.event(event_id)
        inputs = {"event_api_id": event_id, "email": "guest.speaker@example.com", "access_level": "none"}
        ok_data(await run("add_host", inputs, live_context))
        ok_data(await run("remove_host", {"event_api_id": event_id, "email": inputs["email"]}, live_context))
        assert luma_emulator.event(event_id) == before
