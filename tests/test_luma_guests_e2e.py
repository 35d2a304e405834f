"""Guest actions (get_guests, add_guests, update_guest_status, send_invites) end to end: the SDK's real
ExecutionContext over HTTP against the local Luma."""

import pytest
from autohive_integrations_sdk.integration import ResultType

from tests.support.fakes import counts, failed, message_of, ok_data, reported_once_each, run
from tests.support.live import apply_late, undeclared_routes
from tests.support.samples import emails

pytestmark = pytest.mark.e2e

ADD = "/v1/events/guests/add"
INVITE = "/v1/events/guests/send-invites"
UPDATE = "/v1/events/guests/update-status"
GET = "/v1/events/guests/get"
LIST = "/v1/events/guests/list"


def guest_emails(emulator, event_id):
    return sorted(g["user_email"].lower() for g in emulator.guests(event_id))


def posted_emails(emulator, route):
    """Every email of every POST to route, in order of arrival."""
    return [g["email"].lower() for r in emulator.requests_to(route, "POST") for g in r.json["guests"]]


def age_guests(emulator, event_id, n):
    """Seeds n guests registered a year ago, so a look-up can tell they were on the list before the call."""
    seeded = emulator.seed_guests(event_id, n)
    for guest in seeded:
        emulator.state.guests[event_id][guest["id"]]["registered_at"] = "2025-11-01T10:00:00.000Z"
    return seeded


class TestGetGuests:
    async def test_one_guest_by_email_and_by_id(self, luma_emulator, live_context, event_id):
        seeded = luma_emulator.seed_guests(event_id, 3)
        by_email = ok_data(
            await run("get_guests", {"event_api_id": event_id, "email": seeded[1]["user_email"]}, live_context)
        )
        assert by_email["guest"]["id"] == seeded[1]["id"]
        by_id = ok_data(
            await run("get_guests", {"event_api_id": event_id, "guest_api_id": seeded[2]["id"]}, live_context)
        )
        assert by_id["guest"]["user_email"] == seeded[2]["user_email"]

    async def test_guest_without_id_is_a_clear_error(self, luma_emulator, live_context, event_id):
        guest = luma_emulator.seed_guests(event_id, 1)[0]
        luma_emulator.inject(f"GET {GET}", body={**guest, "id": None})
        failed(await run("get_guests", {"event_api_id": event_id, "email": guest["user_email"]}, live_context), "no id")

    async def test_unknown_email_is_a_clear_error(self, luma_emulator, live_context, event_id):
        result = await run("get_guests", {"event_api_id": event_id, "email": "ghost@example.org"}, live_context)
        assert result.type == ResultType.ACTION_ERROR
        assert f"No guest with email ghost@example.org is on event {event_id}" in result.result.message

    async def test_pagination_over_more_than_100_guests(self, luma_emulator, live_context, event_id):
        seeded = {g["id"] for g in luma_emulator.seed_guests(event_id, 130)}
        first = ok_data(await run("get_guests", {"event_api_id": event_id, "limit": 120}, live_context))
        assert len(first["guests"]) == 120 and first["has_more"] is True and first["next_cursor"]
        rest = ok_data(
            await run("get_guests", {"event_api_id": event_id, "cursor": first["next_cursor"]}, live_context)
        )
        assert len(rest["guests"]) == 10 and rest["has_more"] is False and rest["next_cursor"] is None
        assert {g["id"] for g in first["guests"] + rest["guests"]} == seeded
        limits = [dict(r.query).get("pagination_limit") for r in luma_emulator.requests_to(LIST)]
        assert limits == ["100", "20", "100"]

    async def test_a_cursor_with_other_filters_says_how_to_continue(self, luma_emulator, live_context, event_id):
        luma_emulator.seed_guests(event_id, 5)
        first = ok_data(await run("get_guests", {"event_api_id": event_id, "limit": 2}, live_context))
        other = {"event_api_id": event_id, "approval_status": "approved", "cursor": first["next_cursor"]}
        message = failed(await run("get_guests", other, live_context), "same action with the same filters")
        assert "Correct the input Luma names" not in message

    async def test_filter_and_sort(self, luma_emulator, live_context, event_id):
        luma_emulator.seed_guests(event_id, 3)
        pending = luma_emulator.seed_guests(event_id, 4, approval_status="pending_approval")
        data = ok_data(
            await run(
                "get_guests",
                {
                    "event_api_id": event_id,
                    "approval_status": "pending_approval",
                    "sort_column": "email",
                    "sort_direction": "desc",
                },
                live_context,
            )
        )
        got = [g["email"] for g in data["guests"]]
        assert got == sorted((g["user_email"] for g in pending), key=str.lower, reverse=True)


class TestAddGuests:
    async def test_adds_new_and_reports_existing(self, luma_emulator, live_context, event_id):
        existing = luma_emulator.seed_guests(event_id, 1, approval_status="declined")[0]["user_email"]
        data = ok_data(
            await run(
                "add_guests",
                {"event_api_id": event_id, "guests": [existing, {"email": "new@example.org", "name": "New Person"}]},
                live_context,
            )
        )
        assert [r["status"] for r in data["results"]] == ["already_guest", "added"]
        assert luma_emulator.guest(event_id, existing)["approval_status"] == "declined"
        added = luma_emulator.guest(event_id, "new@example.org")
        assert added["approval_status"] == "approved" and added["user_name"] == "New Person"
        assert len(luma_emulator.requests_to(ADD, "POST")) == 1

    async def test_one_mailbox_in_both_domain_forms_is_added_once(self, luma_emulator, live_context, event_id):
        luma_emulator.call(
            "POST", ADD, body={"event_id": event_id, "guests": [{"email": "jürgen@xn--bcher-kva.example"}]}
        )
        wanted = ["ana@bücher.example", "ana@xn--bcher-kva.example", "jürgen@bücher.example"]
        data = ok_data(await run("add_guests", {"event_api_id": event_id, "guests": wanted}, live_context))
        assert [(r["email"], r["status"]) for r in data["results"]] == [
            ("ana@bücher.example", "added"),
            ("jürgen@bücher.example", "already_guest"),
        ]
        assert len(luma_emulator.guests(event_id)) == 2

    async def test_sharp_s_is_not_double_s(self, luma_emulator, live_context, event_id):
        luma_emulator.call("POST", ADD, body={"event_id": event_id, "guests": [{"email": "x@strasse.de"}]})
        data = ok_data(await run("add_guests", {"event_api_id": event_id, "guests": ["x@straße.de"]}, live_context))
        assert [(r["email"], r["status"]) for r in data["results"]] == [("x@straße.de", "added")]
        assert guest_emails(luma_emulator, event_id) == ["x@strasse.de", "x@straße.de"]

    async def test_lost_response_adds_each_guest_exactly_once(self, luma_emulator, live_context, event_id):
        luma_emulator.inject(f"POST {ADD}", drop_after_work=True)
        wanted = emails(12)
        data = ok_data(await run("add_guests", {"event_api_id": event_id, "guests": wanted}, live_context))
        assert data["added_count"] == 12 and all(r["status"] == "added" for r in data["results"])
        assert guest_emails(luma_emulator, event_id) == wanted
        assert len(luma_emulator.requests_to(ADD, "POST")) == 1  # reconciled, never re-sent

    async def test_server_error_is_never_resent_and_reported_unconfirmed(
        self, luma_emulator, live_context, event_id, one_batch_at_a_time
    ):
        old = [g["user_email"].lower() for g in age_guests(luma_emulator, event_id, 2)]
        luma_emulator.inject(f"POST {ADD}", status=500)  # nothing applied, but the client cannot know that
        wanted = old + emails(160)
        data = ok_data(await run("add_guests", {"event_api_id": event_id, "guests": wanted}, live_context))
        assert counts(data, "added", "already_guest", "unconfirmed", "not_processed") == (0, 2, 100, 60)
        assert data["failed_count"] == 0
        assert [r["status"] for r in data["results"][:3]] == ["already_guest", "already_guest", "unconfirmed"]
        sizes = [len(r.json["guests"]) for r in luma_emulator.requests_to(ADD, "POST")]
        assert sizes == [100]
        assert not {g["email"].lower() for g in luma_emulator.requests_to(ADD, "POST")[0].json["guests"]} & set(old)
        assert guest_emails(luma_emulator, event_id) == sorted(old)

    async def test_server_error_on_one_of_the_batches_in_flight_leaves_the_others_added(
        self, luma_emulator, live_context, event_id
    ):
        old = [g["user_email"].lower() for g in age_guests(luma_emulator, event_id, 2)]
        luma_emulator.inject(f"POST {ADD}", status=500)  # whichever batch arrives first
        wanted = old + emails(160)
        data = ok_data(await run("add_guests", {"event_api_id": event_id, "guests": wanted}, live_context))
        reported_once_each(data, wanted)
        refused, applied = luma_emulator.requests_to(ADD, "POST")
        unconfirmed = [g["email"].lower() for g in refused.json["guests"]]
        added = [g["email"].lower() for g in applied.json["guests"]]
        assert sorted(len(batch) for batch in (unconfirmed, added)) == [60, 100]
        assert [r["email"] for r in data["results"] if r["status"] == "unconfirmed"] == sorted(unconfirmed)
        assert counts(data, "added", "already_guest", "unconfirmed", "not_processed") == (
            len(added),
            2,
            len(unconfirmed),
            0,
        )
        assert guest_emails(luma_emulator, event_id) == sorted(old + added)
        assert len(posted_emails(luma_emulator, ADD)) == 160, "nobody sent twice"

    async def test_slow_batch_applied_after_the_timeout_is_confirmed(
        self, luma_emulator, live_context, event_id, monkeypatch
    ):
        apply_late(monkeypatch, luma_emulator, live_context, ADD)
        wanted = emails(20)
        data = ok_data(await run("add_guests", {"event_api_id": event_id, "guests": wanted}, live_context))
        assert data["added_count"] == 20
        assert guest_emails(luma_emulator, event_id) == wanted

    async def test_lost_response_small_list_with_precheck(self, luma_emulator, live_context, event_id):
        luma_emulator.inject(f"POST {ADD}", drop_after_work=True)
        data = ok_data(
            await run("add_guests", {"event_api_id": event_id, "guests": ["solo@example.org"]}, live_context)
        )
        assert data["results"] == [{"email": "solo@example.org", "status": "added"}]
        assert guest_emails(luma_emulator, event_id) == ["solo@example.org"]

    async def test_large_list_is_batched(self, luma_emulator, live_context, event_id):
        wanted = emails(120)
        data = ok_data(
            await run(
                "add_guests",
                {"event_api_id": event_id, "guests": wanted, "approval_status": "waitlist", "send_email": False},
                live_context,
            )
        )
        assert data["added_count"] == 120
        assert sorted(len(r.json["guests"]) for r in luma_emulator.requests_to(ADD, "POST")) == [20, 100]
        # The pre-check read the (empty) guest list once; no event read, no per-email look-ups.
        assert [r.path for r in luma_emulator.requests if r.method == "GET"] == [LIST]
        assert guest_emails(luma_emulator, event_id) == wanted
        assert {g["approval_status"] for g in luma_emulator.guests(event_id)} == {"waitlist"}

    async def test_ticket_type_given_to_each_guest(self, luma_emulator, live_context, event_id):
        ticket = luma_emulator.call(
            "POST", "/v1/events/ticket-types/create", body={"event_id": event_id, "name": "Crew", "type": "free"}
        )
        ok_data(
            await run(
                "add_guests",
                {"event_api_id": event_id, "guests": emails(2), "event_ticket_type_id": ticket["id"]},
                live_context,
            )
        )
        for guest in luma_emulator.guests(event_id):
            assert [t["event_ticket_type_id"] for t in guest["event_tickets"]] == [ticket["id"]]

    async def test_rejected_batch_is_reported_failed(self, luma_emulator, live_context, event_id):
        data = ok_data(
            await run(
                "add_guests",
                {"event_api_id": event_id, "guests": emails(3), "event_ticket_type_id": "ttype-nope"},
                live_context,
            )
        )
        assert data["failed_count"] == 3
        assert "ttype-nope" in data["results"][0]["message"]
        assert luma_emulator.guests(event_id) == []

    async def test_rejected_batch_is_split_and_every_guest_added_once(self, luma_emulator, live_context, event_id):
        # Luma refuses the whole request for one bad email and applies nothing; the halves are sent separately.
        luma_emulator.inject(f"POST {ADD}", status=400, body={"message": "Invalid guests[7].email"}, times=2)
        wanted = emails(60)
        data = ok_data(await run("add_guests", {"event_api_id": event_id, "guests": wanted}, live_context))
        assert counts(data, "added", "failed") == (60, 0)
        assert guest_emails(luma_emulator, event_id) == wanted
        sizes = [len(r.json["guests"]) for r in luma_emulator.requests_to(ADD, "POST")]
        assert sizes == [60, 30, 15, 15, 30]

    async def test_capacity_refusal_stops_later_batches(self, luma_emulator, live_context, one_batch_at_a_time):
        event = luma_emulator.seed_events(1, max_capacity=150)[0]["id"]
        wanted = emails(300)
        data = ok_data(await run("add_guests", {"event_api_id": event, "guests": wanted}, live_context))
        assert counts(data, "added", "failed", "not_processed") == (100, 100, 100)
        assert "capacity" in data["results"][100]["message"] and "capacity" in message_of(data, data["results"][299])
        assert len(luma_emulator.requests_to(ADD, "POST")) == 2
        assert guest_emails(luma_emulator, event) == wanted[:100]

    async def test_capacity_reached_by_batches_in_flight_adds_nobody_twice(self, luma_emulator, live_context):
        # Sent together, the batches reach Luma in any order: the first fits, the others are refused whole.
        event = luma_emulator.seed_events(1, max_capacity=150)[0]["id"]
        wanted = emails(300)
        data = ok_data(await run("add_guests", {"event_api_id": event, "guests": wanted}, live_context))
        reported_once_each(data, wanted)
        assert counts(data, "added", "failed", "not_processed") == (100, 200, 0)
        added = [r["email"] for r in data["results"] if r["status"] == "added"]
        assert guest_emails(luma_emulator, event) == added
        assert all("capacity" in message_of(data, r) for r in data["results"] if r["status"] == "failed")
        assert sorted(posted_emails(luma_emulator, ADD)) == wanted, "each email sent once"

    async def test_null_name_is_accepted(self, luma_emulator, live_context, event_id):
        guests = [{"email": "noname@example.org", "name": None}]
        data = ok_data(await run("add_guests", {"event_api_id": event_id, "guests": guests}, live_context))
        assert data["added_count"] == 1
        assert luma_emulator.guest(event_id, "noname@example.org")["user_name"] is None

    async def test_capacity_error_is_explained(self, luma_emulator, live_context):
        event = luma_emulator.seed_events(1, max_capacity=2)[0]["id"]
        data = ok_data(await run("add_guests", {"event_api_id": event, "guests": emails(3)}, live_context))
        assert data["failed_count"] == 3
        assert "capacity" in data["results"][0]["message"]

    async def test_unknown_event_is_an_error(self, luma_emulator, live_context):
        failed(await run("add_guests", {"event_api_id": "evt-missing", "guests": emails(11)}, live_context), "404")

    async def test_a_long_list_calls_only_the_routes_it_declares(self, luma_emulator, live_context, event_id):
        ok_data(await run("add_guests", {"event_api_id": event_id, "guests": emails(11)}, live_context))
        assert undeclared_routes(luma_emulator, "add_guests") == []


class TestUpdateGuestStatus:
    async def test_approves_a_pending_guest(self, luma_emulator, live_context, event_id):
        guest = luma_emulator.seed_guests(event_id, 1, approval_status="pending_approval")[0]
        data = ok_data(
            await run(
                "update_guest_status",
                {"event_api_id": event_id, "guest_api_id": guest["id"], "status": "approved", "message": "Welcome!"},
                live_context,
            )
        )
        assert data["guest"]["id"] == guest["id"] and data["guest"]["approval_status"] == "approved"
        assert luma_emulator.guest(event_id, guest["id"])["approval_status"] == "approved"

    async def test_lost_response_is_reconciled(self, luma_emulator, live_context, event_id):
        guest = luma_emulator.seed_guests(event_id, 1)[0]
        luma_emulator.inject(f"POST {UPDATE}", drop_after_work=True)
        data = ok_data(
            await run(
                "update_guest_status",
                {"event_api_id": event_id, "email": guest["user_email"], "status": "declined", "send_email": False},
                live_context,
            )
        )
        assert data["guest"]["approval_status"] == "declined"
        assert len(luma_emulator.requests_to(UPDATE, "POST")) == 1

    async def test_read_back_failure_still_reports_the_change(self, luma_emulator, live_context, event_id):
        guest = luma_emulator.seed_guests(event_id, 1, approval_status="pending_approval")[0]
        luma_emulator.inject(f"GET {GET}", status=500, times=None)
        data = ok_data(
            await run(
                "update_guest_status",
                {"event_api_id": event_id, "email": guest["user_email"], "status": "approved"},
                live_context,
            )
        )
        assert data == {"guest": {"user_email": guest["user_email"], "approval_status": "approved"}}
        assert luma_emulator.guest(event_id, guest["id"])["approval_status"] == "approved"
        assert len(luma_emulator.requests_to(UPDATE, "POST")) == 1

    async def test_unknown_guest_is_a_clear_error(self, luma_emulator, live_context, event_id):
        inputs = {"event_api_id": event_id, "email": "ghost@example.org", "status": "approved"}
        failed(await run("update_guest_status", inputs, live_context), "No guest with email ghost@example.org")

    async def test_message_without_email_rejected_before_sending(self, luma_emulator, live_context, event_id):
        result = await run(
            "update_guest_status",
            {
                "event_api_id": event_id,
                "email": "a@example.org",
                "status": "declined",
                "send_email": False,
                "message": "bye",
            },
            live_context,
        )
        assert result.type == ResultType.ACTION_ERROR
        assert luma_emulator.requests == []


class TestSendInvites:
    async def test_invites_new_people(self, luma_emulator, live_context, event_id):
        going = luma_emulator.seed_guests(event_id, 1)[0]["user_email"]
        data = ok_data(
            await run(
                "send_invites",
                {"event_api_id": event_id, "guests": [going, "friend@example.org"], "message": "Join us"},
                live_context,
            )
        )
        assert [r["status"] for r in data["results"]] == ["already_guest", "invited"]
        assert luma_emulator.guest(event_id, "friend@example.org")["approval_status"] == "invited"
        assert luma_emulator.guest(event_id, going)["approval_status"] == "approved"
        assert luma_emulator.requests_to(INVITE, "POST")[0].json["guests"] == [{"email": "friend@example.org"}]

    async def test_null_name_is_accepted(self, luma_emulator, live_context, event_id):
        guests = [{"email": "x@example.org", "name": None}]
        data = ok_data(await run("send_invites", {"event_api_id": event_id, "guests": guests}, live_context))
        assert data["invited_count"] == 1
        assert luma_emulator.guest(event_id, "x@example.org")["approval_status"] == "invited"

    async def test_lost_response_invites_each_person_exactly_once(self, luma_emulator, live_context, event_id):
        luma_emulator.inject(f"POST {INVITE}", drop_after_work=True)
        wanted = emails(15)
        data = ok_data(await run("send_invites", {"event_api_id": event_id, "guests": wanted}, live_context))
        assert data["invited_count"] == 15
        assert guest_emails(luma_emulator, event_id) == wanted
        assert len(luma_emulator.requests_to(INVITE, "POST")) == 1

    async def test_weekly_quota_stops_further_batches(self, luma_emulator, live_context, event_id, one_batch_at_a_time):
        luma_emulator.invite_quota_per_week = 150
        wanted = emails(230)
        data = ok_data(await run("send_invites", {"event_api_id": event_id, "guests": wanted}, live_context))
        assert counts(data, "invited", "failed", "not_processed") == (100, 100, 30)
        refused = data["results"][100]
        assert refused["status"] == "failed" and "Weekly invite limit" in refused["message"]
        assert "retry next week" in refused["message"]
        assert data["results"][200]["status"] == "not_processed"
        assert len(luma_emulator.requests_to(INVITE, "POST")) == 2
        assert guest_emails(luma_emulator, event_id) == wanted[:100]

    async def test_weekly_quota_reached_by_batches_in_flight_invites_nobody_twice(
        self, luma_emulator, live_context, event_id
    ):
        luma_emulator.invite_quota_per_week = 150
        wanted = emails(230)
        data = ok_data(await run("send_invites", {"event_api_id": event_id, "guests": wanted}, live_context))
        reported_once_each(data, wanted)
        invited = [r["email"] for r in data["results"] if r["status"] == "invited"]
        failed_emails = [r["email"] for r in data["results"] if r["status"] == "failed"]
        # Whole batches either way: the quota lets through the first arrivals that fit in it.
        assert len(invited) <= 150 and len(invited) + len(failed_emails) == 230
        assert all("retry next week" in message_of(data, r) for r in data["results"] if r["status"] == "failed")
        assert guest_emails(luma_emulator, event_id) == invited
        assert sorted(posted_emails(luma_emulator, INVITE)) == wanted, "each email sent once"

    async def test_a_long_list_calls_only_the_routes_it_declares(self, luma_emulator, live_context, event_id):
        ok_data(await run("send_invites", {"event_api_id": event_id, "guests": emails(11)}, live_context))
        assert undeclared_routes(luma_emulator, "send_invites") == []


class TestOneMailboxInEitherDomainForm:
    """A guest stored as j@xn--bcher-kva.example is the guest of j@bücher.example for every action, as add_guests
    already says (already_guest)."""

    @pytest.fixture
    def stored(self, luma_emulator, event_id):
        body = {"event_id": event_id, "guests": [{"email": "j@xn--bcher-kva.example"}]}
        luma_emulator.call("POST", ADD, body=body)
        return luma_emulator.guest(event_id, "j@xn--bcher-kva.example")

    async def test_get_update_status_and_tickets_find_the_guest(self, luma_emulator, live_context, event_id, stored):
        given = {"event_api_id": event_id, "email": "j@bücher.example"}
        added = ok_data(await run("add_guests", {"event_api_id": event_id, "guests": [given["email"]]}, live_context))
        assert added["results"][0]["status"] == "already_guest"
        assert ok_data(await run("get_guests", given, live_context))["guest"]["id"] == stored["id"]
        changed = {**given, "status": "declined", "send_email": False}
        assert ok_data(await run("update_guest_status", changed, live_context))["guest"]["id"] == stored["id"]
        assert luma_emulator.guest(event_id, stored["id"])["approval_status"] == "declined"
        assert [r.json["guest_id"] for r in luma_emulator.requests_to(UPDATE, "POST")] == [stored["id"]]
        type_id = stored["event_tickets"][0]["event_ticket_type_id"]
        tickets = ok_data(
            await run(
                "update_guest_tickets", {**given, "add_ticket_type_ids": [type_id], "send_email": False}, live_context
            )
        )
        assert tickets["guest"]["id"] == stored["id"] and len(tickets["added_tickets"]) == 1

    async def test_another_mailbox_is_still_not_found(self, luma_emulator, live_context, event_id, stored):
        given = {"event_api_id": event_id, "email": "k@bücher.example"}
        failed(
            await run("get_guests", given, live_context), f"No guest with email k@bücher.example is on event {event_id}"
        )
        changed = {**given, "status": "declined"}
        failed(await run("update_guest_status", changed, live_context), "No guest with email k@bücher.example")
        assert luma_emulator.requests_to(UPDATE, "POST") == []
