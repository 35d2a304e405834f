"""Membership actions end to end: the SDK's real ExecutionContext over HTTP against the local Luma."""

import pytest

from luma_local.routes.memberships import add_tier
from tests.support.fakes import failed, ok_data, run
from tests.support.live import posts

pytestmark = pytest.mark.e2e

ADD = "/v1/memberships/members/add"
UPDATE = "/v1/memberships/members/update-status"
ONCE = {"type": "payment-once", "amount": 5000, "currency": "nzd", "require_approval": False}
APPROVAL = {"type": "free", "require_approval": True}


def membership_of(emulator, email):
    (person,) = [p for p in emulator.contacts() if p["email"] == email]
    return person["membership"]


class TestListMembershipTiers:
    async def test_every_kind_of_tier(self, luma_emulator, live_context):
        add_tier(luma_emulator.state.home, "Patron", ONCE, description="One payment, forever")
        data = ok_data(await run("list_membership_tiers", {}, live_context))
        assert [tier["name"] for tier in data["membership_tiers"]] == ["Community Member", "Patron"]
        assert data["membership_tiers"][1]["access_info"] == ONCE
        full = ok_data(await run("list_membership_tiers", {"detail": "full", "limit": 1}, live_context))
        assert full["membership_tiers"][0]["tint_color"] and full["has_more"] is True
        rest = ok_data(await run("list_membership_tiers", {"cursor": full["next_cursor"]}, live_context))
        assert [tier["name"] for tier in rest["membership_tiers"]] == ["Patron"]


class TestAddMember:
    async def test_free_tier_then_again(self, luma_emulator, live_context):
        tier_id = luma_emulator.call("GET", "/v1/memberships/tiers/list")["entries"][0]["id"]
        inputs = {"email": "ana@example.com", "membership_tier_id": tier_id}
        first = ok_data(await run("add_member", inputs, live_context))["membership"]
        assert first["status"] == "approved" and first["membership_id"] and first["already_member"] is False
        assert membership_of(luma_emulator, "ana@example.com") == {
            "status": "approved",
            "calendar_membership_tier_id": tier_id,
        }
        again = ok_data(await run("add_member", inputs, live_context))["membership"]
        assert again["already_member"] is True and again["status"] == "approved"
        assert len(posts(luma_emulator, ADD)) == 1

    async def test_paid_tier_needs_skip_payment(self, luma_emulator, live_context):
        tier = add_tier(luma_emulator.state.home, "Patron", ONCE)
        inputs = {"email": "ana@example.com", "membership_tier_id": tier["id"]}
        failed(await run("add_member", inputs, live_context), "Patron", "paid", "5000 NZD", "skip_payment true")
        assert posts(luma_emulator, ADD) == [] and luma_emulator.contacts() == []
        data = ok_data(await run("add_member", dict(inputs, skip_payment=True), live_context))
        assert data["membership"]["status"] == "approved"
        assert posts(luma_emulator, ADD)[0].json["skip_payment"] is True

    async def test_unknown_tier(self, luma_emulator, live_context):
        inputs = {"email": "ana@example.com", "membership_tier_id": "cmt-nope"}
        failed(await run("add_member", inputs, live_context), "not a membership tier")
        failed(await run("add_member", dict(inputs, skip_payment=True), live_context), "not a membership tier", "404")

    async def test_lost_answer_adds_exactly_one(self, luma_emulator, live_context):
        tier = add_tier(luma_emulator.state.home, "Approved Members", APPROVAL)
        luma_emulator.inject(f"POST {ADD}", drop_after_work=True)
        inputs = {"email": "ana@example.com", "membership_tier_id": tier["id"]}
        data = ok_data(await run("add_member", inputs, live_context))["membership"]
        assert (data["membership_id"], data["status"], data["already_member"]) == (None, "pending", False)
        assert len(posts(luma_emulator, ADD)) == 1
        assert membership_of(luma_emulator, "ana@example.com")["status"] == "pending"

    async def test_refused_before_landing_is_not_confirmed(self, luma_emulator, live_context):
        tier_id = luma_emulator.call("GET", "/v1/memberships/tiers/list")["entries"][0]["id"]
        luma_emulator.inject(f"POST {ADD}", status=503)
        inputs = {"email": "ana@example.com", "membership_tier_id": tier_id}
        failed(await run("add_member", inputs, live_context), "not confirmed", "list_people")
        assert len(posts(luma_emulator, ADD)) == 1 and luma_emulator.contacts() == []


class TestUpdateMemberStatus:
    @pytest.fixture
    def pending(self, luma_emulator):
        tier = add_tier(luma_emulator.state.home, "Approved Members", APPROVAL)
        luma_emulator.call("POST", ADD, body={"email": "ana@example.com", "membership_tier_id": tier["id"]})
        return luma_emulator.contacts()[0]

    async def test_approve_then_decline_by_email_and_by_id(self, luma_emulator, live_context, pending):
        approved = ok_data(
            await run("update_member_status", {"user_id": "ana@example.com", "status": "approved"}, live_context)
        )
        assert approved == {"membership": {"user_id": "ana@example.com", "status": "approved"}}
        assert membership_of(luma_emulator, "ana@example.com")["status"] == "approved"
        inputs = {"user_id": pending["user_id"], "status": "declined"}
        ok_data(await run("update_member_status", inputs, live_context))
        assert membership_of(luma_emulator, "ana@example.com")["status"] == "declined"

    async def test_lost_answer_by_user_id_is_confirmed_once(self, luma_emulator, live_context):
        free = luma_emulator.call("GET", "/v1/memberships/tiers/list")["entries"][0]["id"]
        for person in luma_emulator.seed_contacts(120):  # approved before her: the read-back pages past them
            luma_emulator.call("POST", ADD, body={"email": person["email"], "membership_tier_id": free})
        tier = add_tier(luma_emulator.state.home, "Approved Members", APPROVAL)
        luma_emulator.call("POST", ADD, body={"email": "ana@example.com", "membership_tier_id": tier["id"]})
        (ana,) = [p for p in luma_emulator.contacts() if p["email"] == "ana@example.com"]
        luma_emulator.inject(f"POST {UPDATE}", drop_after_work=True)
        data = ok_data(
            await run("update_member_status", {"user_id": ana["user_id"], "status": "approved"}, live_context)
        )
        assert data["membership"]["status"] == "approved"
        assert len(posts(luma_emulator, UPDATE)) == 1
        assert len(luma_emulator.requests_to("/v1/calendars/contacts/list")) == 2

    async def test_someone_without_a_membership(self, luma_emulator, live_context):
        luma_emulator.seed_contacts(1)
        person = luma_emulator.contacts()[0]
        inputs = {"user_id": person["email"], "status": "approved"}
        failed(await run("update_member_status", inputs, live_context), "holds no membership", "add_member")
