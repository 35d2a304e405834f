"""Coupon actions end to end: the SDK's real ExecutionContext over HTTP against the local Luma."""

import pytest

from tests.support.fakes import failed, ok_data, run
from tests.support.live import UNUSABLE_2XX, posts, work_then_answer

pytestmark = pytest.mark.e2e


def add_coupon(emulator, event_id, code, **discount):
    emulator.call(
        "POST",
        "/v1/events/coupons/create",
        body={
            "event_id": event_id,
            "code": code,
            "discount": discount or {"discount_type": "percent", "percent_off": 10},
        },
    )


class TestListCoupons:
    async def test_pages_with_limit_and_cursor(self, luma_emulator, live_context, event):
        for i in range(105):
            add_coupon(luma_emulator, event["id"], f"CODE{i}")
        first = ok_data(await run("list_coupons", {"event_api_id": event["id"]}, live_context))
        assert len(first["coupons"]) == 100 and first["has_more"] is True
        rest = ok_data(
            await run("list_coupons", {"event_api_id": event["id"], "cursor": first["next_cursor"]}, live_context)
        )
        assert rest["has_more"] is False and rest["next_cursor"] is None
        assert first["coupons"] + rest["coupons"] == luma_emulator.coupons(event["id"])


class TestCreateCoupon:
    async def test_amount_coupon(self, luma_emulator, live_context, event):
        terms = {"code": "FIVEOFF", "amount_off": "4.99", "currency": "usd", "remaining_count": 25}
        validity = {"valid_start_at": "2030-01-01T00:00:00+13:00", "valid_end_at": "2030-02-01T00:00:00Z"}
        inputs = {"event_api_id": event["id"], **terms, **validity}
        data = ok_data(await run("create_coupon", inputs, live_context))
        assert luma_emulator.coupons(event["id"]) == [data["coupon"]]
        coupon = data["coupon"]
        assert (coupon["cents_off"], coupon["currency"], coupon["percent_off"]) == (499, "usd", None)
        assert (coupon["remaining_count"], coupon["valid_start_at"]) == (25, "2029-12-31T11:00:00.000Z")

    async def test_percent_coupon_for_a_ticket_type_is_unlimited_by_default(self, luma_emulator, live_context, event):
        ticket = luma_emulator.ticket_types(event["id"])[0]
        inputs = {
            "event_api_id": event["id"],
            "code": "SPEAKER",
            "percent_off": 100,
            "event_ticket_type_id": ticket["id"],
        }
        coupon = ok_data(await run("create_coupon", inputs, live_context))["coupon"]
        assert (coupon["percent_off"], coupon["remaining_count"], coupon["event_ticket_type_id"]) == (
            100,
            1000000,
            ticket["id"],
        )

    async def test_lost_response_creates_exactly_one(self, luma_emulator, live_context, event):
        for i in range(120):  # the recheck has to page past the first 100 codes
            add_coupon(luma_emulator, event["id"], f"OLD{i}")
        luma_emulator.inject("POST /v1/events/coupons/create", drop_after_work=True)
        inputs = {"event_api_id": event["id"], "code": "Launch", "percent_off": 15}
        data = ok_data(await run("create_coupon", inputs, live_context))
        launch = [c for c in luma_emulator.coupons(event["id"]) if c["code"].lower() == "launch"]
        assert launch == [data["coupon"]]
        assert len(posts(luma_emulator, "/v1/events/coupons/create")) == 1
        assert len(luma_emulator.requests_to("/v1/events/coupons/list")) == 2

    async def test_lost_answer_with_code_held_by_other_terms_is_an_error(self, luma_emulator, live_context, event):
        add_coupon(luma_emulator, event["id"], "LAUNCH", discount_type="percent", percent_off=10)
        luma_emulator.inject("POST /v1/events/coupons/create", status=503)
        inputs = {"event_api_id": event["id"], "code": "launch", "percent_off": 15}
        failed(
            await run("create_coupon", inputs, live_context),
            "already exists",
            "different terms",
            "case-insensitive",
        )
        (coupon,) = luma_emulator.coupons(event["id"])
        assert (coupon["code"], coupon["percent_off"]) == ("LAUNCH", 10)
        assert len(posts(luma_emulator, "/v1/events/coupons/create")) == 1

    async def test_lost_answer_with_code_held_by_same_terms_is_that_coupon(self, luma_emulator, live_context, event):
        luma_emulator.inject("POST /v1/events/coupons/create", drop_after_work=True)
        inputs = {"event_api_id": event["id"], "code": "TENOFF", "amount_off": 10, "currency": "eur"}
        data = ok_data(await run("create_coupon", inputs, live_context))
        assert luma_emulator.coupons(event["id"]) == [data["coupon"]]
        assert data["coupon"]["cents_off"] == 1000

    async def test_existing_code_in_other_case_is_reported(self, luma_emulator, live_context, event):
        add_coupon(luma_emulator, event["id"], "EARLYBIRD")
        inputs = {"event_api_id": event["id"], "code": "earlybird", "cents_off": 500, "currency": "usd"}
        failed(await run("create_coupon", inputs, live_context), "400", "already exists")
        assert len(luma_emulator.coupons(event["id"])) == 1

    @pytest.mark.parametrize("answer", UNUSABLE_2XX)
    async def test_accepted_with_unusable_answer_returns_the_one_coupon(
        self, luma_emulator, live_context, monkeypatch, answer, event
    ):
        work_then_answer(monkeypatch, luma_emulator, live_context, "/v1/events/coupons/create")
        luma_emulator.inject("POST /v1/events/coupons/create", status=200, **answer)
        inputs = {"event_api_id": event["id"], "code": "X1", "percent_off": 5}
        data = ok_data(await run("create_coupon", inputs, live_context))
        assert luma_emulator.coupons(event["id"]) == [data["coupon"]]
        assert len(posts(luma_emulator, "/v1/events/coupons/create")) == 1

    @pytest.mark.parametrize("answer", UNUSABLE_2XX)
    async def test_accepted_with_unusable_answer_not_found_is_never_resent(
        self, luma_emulator, live_context, answer, event
    ):
        luma_emulator.inject("POST /v1/events/coupons/create", status=200, **answer)
        inputs = {"event_api_id": event["id"], "code": "X1", "percent_off": 5}
        failed(await run("create_coupon", inputs, live_context), "accepted")
        assert luma_emulator.coupons(event["id"]) == []
        assert len(posts(luma_emulator, "/v1/events/coupons/create")) == 1

    async def test_answer_without_id_not_found_says_check_before_creating_again(
        self, luma_emulator, live_context, event
    ):
        luma_emulator.inject("POST /v1/events/coupons/create", status=200, body={"ok": True})
        inputs = {"event_api_id": event["id"], "code": "X1", "percent_off": 5}
        failed(await run("create_coupon", inputs, live_context), "accepted", "not confirmed", "list_coupons")
        assert len(posts(luma_emulator, "/v1/events/coupons/create")) == 1
