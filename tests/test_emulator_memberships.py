"""Membership tiers set up as a host does in Luma (``add_tier``), and how members/add treats each kind."""

from __future__ import annotations

import pytest

from luma_local import LumaEmulator
from luma_local.routes.memberships import add_tier
from tests.emulator_support import call

pytestmark = pytest.mark.emulator

RECURRING = {
    "type": "payment-recurring",
    "currency": "usd",
    "stripe_account_id": "acct_1",
    "stripe_product_id": "prod_1",
    "stripe_monthly_price_id": "price_1",
    "amount_monthly": 1000,
    "stripe_yearly_price_id": None,
    "amount_yearly": None,
    "require_approval": True,
}


async def test_added_tiers_are_listed_within_lumas_contract(emu: LumaEmulator, client) -> None:
    paid = add_tier(emu.state.home, "Supporter", RECURRING, description="Monthly")
    assert paid["access_info"] == RECURRING and paid["id"].startswith("cmt-")
    status, page = await call(client, "GET", "/v1/memberships/tiers/list")
    assert status == 200  # validate_responses: a tier outside Luma's schema would be a 500
    assert [tier["name"] for tier in page["entries"]] == ["Community Member", "Supporter"]
    assert page["entries"][1] == paid


async def test_a_paid_tier_takes_members_only_with_skip_payment(emu: LumaEmulator, client) -> None:
    paid = add_tier(emu.state.home, "Supporter", RECURRING)
    body = {"email": "ana@example.com", "membership_tier_id": paid["id"]}
    status, data = await call(client, "POST", "/v1/memberships/members/add", json=body)
    assert status == 400 and "skip_payment" in data["message"]
    status, data = await call(client, "POST", "/v1/memberships/members/add", json={**body, "skip_payment": True})
    assert status == 200 and data["status"] == "pending"  # the tier requires approval


async def test_tiers_belong_to_one_calendar(emu: LumaEmulator) -> None:
    other = emu.call("POST", "/v2/organizations/calendars/create", body={"name": "Other"})["id"]
    add_tier(emu.state.calendars[other], "Other's tier")
    assert [t["name"] for t in emu.call("GET", "/v1/memberships/tiers/list")["entries"]] == ["Community Member"]
    listed = emu.call("GET", "/v1/memberships/tiers/list", calendar_id=other)["entries"]
    assert [t["name"] for t in listed] == ["Community Member", "Other's tier"]
