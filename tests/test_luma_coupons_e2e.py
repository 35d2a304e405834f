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
        first = ok_data(await run("list_coupons", {"event_api_id": event["id"], "detail": "full"}, live_context))
        assert len(first["coupons"]) == 100 and first["has_more"] is True
        inputs = {"event_api_id": event["id"], "cursor": first["next_cursor"], "detail": "full"}
        rest = ok_data(await run("list_coupons", inputs, live_context))
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
        # Two pages before sending (is the code free?), two pages after the lost answer (is it ours now?).
        assert len(luma_emulator.requests_to("/v1/events/coupons/list")) == 4

    async def test_code_held_by_other_terms_is_an_error_before_sending(self, luma_emulator, live_context, event):
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
        assert len(posts(luma_emulator, "/v1/events/coupons/create")) == 0, "the code was seen taken before sending"

    async def test_lost_answer_with_code_held_by_same_terms_is_that_coupon(self, luma_emulator, live_context, event):
        luma_emulator.inject("POST /v1/events/coupons/create", drop_after_work=True)
        inputs = {"event_api_id": event["id"], "code": "TENOFF", "amount_off": 10, "currency": "eur"}
        data = ok_data(await run("create_coupon", inputs, live_context))
        assert luma_emulator.coupons(event["id"]) == [data["coupon"]]
        assert data["coupon"]["cents_off"] == 1000

    async def test_existing_code_in_other_case_is_reported(self, luma_emulator, live_context, event):
        add_coupon(luma_emulator, event["id"], "EARLYBIRD")
        inputs = {"event_api_id": event["id"], "code": "earlybird", "cents_off": 500, "currency": "usd"}
        failed(await run("create_coupon", inputs, live_context), "'EARLYBIRD' already exists", "different terms")
        assert len(luma_emulator.coupons(event["id"])) == 1
        assert len(posts(luma_emulator, "/v1/events/coupons/create")) == 0

    async def test_running_it_again_is_safe(self, luma_emulator, live_context, event):
        inputs = {"event_api_id": event["id"], "code": "AGAIN", "percent_off": 15}
        first = ok_data(await run("create_coupon", inputs, live_context))
        second = ok_data(await run("create_coupon", inputs, live_context))
        assert (first["already_existed"], second["already_existed"]) == (False, True)
        assert first["coupon"]["id"] == second["coupon"]["id"] and len(luma_emulator.coupons(event["id"])) == 1

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


def add_calendar_coupon(emulator, code, **discount):
    emulator.call(
        "POST",
        "/v1/calendars/coupons/create",
        body={"code": code, "discount": discount or {"discount_type": "percent", "percent_off": 10}},
    )


class TestListCouponSummaries:
    async def test_summary_by_default(self, luma_emulator, live_context, event):
        add_coupon(luma_emulator, event["id"], "FIVEOFF", discount_type="amount", cents_off=500, currency="usd")
        (summary,) = ok_data(await run("list_coupons", {"event_api_id": event["id"]}, live_context))["coupons"]
        (coupon,) = luma_emulator.coupons(event["id"])
        assert summary == {
            "id": coupon["id"],
            "code": "FIVEOFF",
            "discount": "5.00 USD off",
            "cents_off": 500,
            "currency": "usd",
            "remaining_count": 1000000,
        }


class TestCreateCouponTimes:
    async def test_times_without_offset_are_the_events_local_time(self, luma_emulator, live_context, event):
        # The seeded event is in Pacific/Auckland (UTC+13 in January, daylight time).
        inputs = {"event_api_id": event["id"], "code": "NZ", "percent_off": 10, "valid_start_at": "2030-01-01T09:00"}
        coupon = ok_data(await run("create_coupon", inputs, live_context))["coupon"]
        assert coupon["valid_start_at"] == "2029-12-31T20:00:00.000Z"
        assert len(luma_emulator.requests_to("/v1/events/get")) == 1

    @pytest.mark.parametrize(
        "action", ["create_coupon", "update_coupon", "create_calendar_coupon", "update_calendar_coupon"]
    )
    async def test_an_end_date_without_a_time_sends_nothing(self, luma_emulator, live_context, event, action):
        # Read as its midnight, "valid until 2027-01-31" in Auckland would have ended at 2027-01-30T11:00Z.
        field = "valid_end_at"
        add_coupon(luma_emulator, event["id"], "W3")
        add_calendar_coupon(luma_emulator, "W3")
        before = (luma_emulator.coupons(event["id"]), luma_emulator.coupons())
        inputs = {"code": "W3", field: "2027-01-31"}
        if action.startswith("create"):
            inputs["percent_off"] = 50
        if "calendar" not in action:
            inputs["event_api_id"] = event["id"]
        failed(await run(action, inputs, live_context), field, "no time of day", "2027-01-31T")
        assert luma_emulator.requests == []
        assert (luma_emulator.coupons(event["id"]), luma_emulator.coupons()) == before

    @pytest.mark.parametrize(
        ("action", "start"),
        [
            ("create_coupon", "2027-01-30T11:00:00.000Z"),  # midnight in Pacific/Auckland (UTC+13), the event's zone
            ("update_coupon", "2027-01-30T11:00:00.000Z"),
            ("create_calendar_coupon", "2027-01-30T23:00:00.000Z"),  # midnight in Europe/Paris, the calendar's
            ("update_calendar_coupon", "2027-01-30T23:00:00.000Z"),
        ],
    )
    async def test_a_start_date_without_a_time_is_its_first_moment(
        self, luma_emulator, live_context, event, action, start
    ):
        location = {"city": "Paris", "region": None, "country": "France", "country_code": "FR"}
        luma_emulator.state.home.calendar["location"] = {**location, "timezone": "Europe/Paris"}
        inputs = {"code": "FROM31", "valid_start_at": "2027-01-31", "valid_end_at": "2027-02-28T23:59"}
        if action.startswith("create"):
            inputs["percent_off"] = 50
        elif "calendar" in action:
            add_calendar_coupon(luma_emulator, "FROM31")
        else:
            add_coupon(luma_emulator, event["id"], "FROM31")
        if "calendar" not in action:
            inputs["event_api_id"] = event["id"]
        coupon = ok_data(await run(action, inputs, live_context))["coupon"]
        assert coupon["valid_start_at"] == start

    async def test_a_fraction_of_one_percent_sends_nothing(self, luma_emulator, live_context, event):
        inputs = {"event_api_id": event["id"], "code": "TINY", "percent_off": 0.2}
        failed(await run("create_coupon", inputs, live_context), "20 means 20%")
        assert luma_emulator.requests == []


class TestUpdateCoupon:
    async def test_changes_uses_and_validity(self, luma_emulator, live_context, event):
        add_coupon(luma_emulator, event["id"], "SPRING")
        inputs = {"event_api_id": event["id"], "code": "spring", "remaining_count": 3}
        inputs |= {"valid_start_at": "2030-01-01T09:00", "valid_end_at": "2030-02-01T00:00:00Z"}
        data = ok_data(await run("update_coupon", inputs, live_context))
        assert luma_emulator.coupons(event["id"]) == [data["coupon"]]
        coupon = data["coupon"]
        assert (coupon["code"], coupon["remaining_count"], coupon["percent_off"]) == ("SPRING", 3, 10)
        assert (coupon["valid_start_at"], coupon["valid_end_at"]) == (
            "2029-12-31T20:00:00.000Z",
            "2030-02-01T00:00:00.000Z",
        )

    async def test_a_partial_window_is_checked_against_the_coupon(self, luma_emulator, live_context, event):
        add_coupon(luma_emulator, event["id"], "SPRING")
        start = {"event_api_id": event["id"], "code": "SPRING", "valid_start_at": "2030-03-01T00:00:00Z"}
        ok_data(await run("update_coupon", start, live_context))
        end = {"event_api_id": event["id"], "code": "SPRING", "valid_end_at": "2030-02-01T00:00:00Z"}
        failed(await run("update_coupon", end, live_context), "the coupon's current valid_start_at")
        assert len(posts(luma_emulator, "/v1/events/coupons/update")) == 1

    async def test_unknown_code(self, luma_emulator, live_context, event):
        inputs = {"event_api_id": event["id"], "code": "NOPE", "remaining_count": 1}
        failed(await run("update_coupon", inputs, live_context), "No coupon with code 'NOPE'")
        assert posts(luma_emulator, "/v1/events/coupons/update") == []

    @pytest.mark.parametrize("fault", [{"drop_after_work": True}, {"status": 503}])
    async def test_lost_answer_sends_once(self, luma_emulator, live_context, event, fault):
        add_coupon(luma_emulator, event["id"], "SPRING")
        luma_emulator.inject("POST /v1/events/coupons/update", **fault)
        inputs = {"event_api_id": event["id"], "code": "SPRING", "remaining_count": 0}
        result = await run("update_coupon", inputs, live_context)
        if "status" in fault:
            failed(result, "not confirmed", "list_coupons")
        else:
            assert ok_data(result)["coupon"]["remaining_count"] == 0
        assert len(posts(luma_emulator, "/v1/events/coupons/update")) == 1


class TestListCalendarCoupons:
    async def test_pages_of_the_calendars_coupons(self, luma_emulator, live_context, event):
        for i in range(3):
            add_calendar_coupon(luma_emulator, f"CAL{i}")
        add_coupon(luma_emulator, event["id"], "EVENTONLY")
        first = ok_data(await run("list_calendar_coupons", {"limit": 2, "detail": "full"}, live_context))
        assert first["has_more"] is True and len(first["coupons"]) == 2
        rest = ok_data(
            await run("list_calendar_coupons", {"cursor": first["next_cursor"], "detail": "full"}, live_context)
        )
        assert first["coupons"] + rest["coupons"] == luma_emulator.coupons()
        assert rest["has_more"] is False


class TestCreateCalendarCoupon:
    async def test_creates_on_the_calendar_in_its_time_zone(self, luma_emulator, live_context):
        location = {"city": "Paris", "region": None, "country": "France", "country_code": "FR"}
        luma_emulator.state.home.calendar["location"] = {**location, "timezone": "Europe/Paris"}
        inputs = {"code": "MEMBERS", "amount_off": "5", "currency": "eur", "valid_start_at": "2030-07-01T00:00"}
        coupon = ok_data(await run("create_calendar_coupon", inputs, live_context))["coupon"]
        assert luma_emulator.coupons() == [coupon]
        assert (coupon["cents_off"], coupon["valid_start_at"]) == (500, "2030-06-30T22:00:00.000Z")

    async def test_utc_when_the_calendar_has_no_city(self, luma_emulator, live_context):
        inputs = {"code": "MEMBERS", "percent_off": 5, "valid_start_at": "2030-07-01T00:00"}
        coupon = ok_data(await run("create_calendar_coupon", inputs, live_context))["coupon"]
        assert coupon["valid_start_at"] == "2030-07-01T00:00:00.000Z"

    async def test_lost_answer_creates_exactly_one(self, luma_emulator, live_context):
        luma_emulator.inject("POST /v1/calendars/coupons/create", drop_after_work=True)
        data = ok_data(await run("create_calendar_coupon", {"code": "Launch", "percent_off": 15}, live_context))
        assert luma_emulator.coupons() == [data["coupon"]]
        assert len(posts(luma_emulator, "/v1/calendars/coupons/create")) == 1

    async def test_existing_code_in_other_case(self, luma_emulator, live_context):
        add_calendar_coupon(luma_emulator, "MEMBERS")
        failed(
            await run("create_calendar_coupon", {"code": "members", "percent_off": 5}, live_context), "already exists"
        )
        assert len(luma_emulator.coupons()) == 1


class TestUpdateCalendarCoupon:
    async def test_changes_uses(self, luma_emulator, live_context):
        add_calendar_coupon(luma_emulator, "MEMBERS")
        data = ok_data(await run("update_calendar_coupon", {"code": "members", "remaining_count": 9}, live_context))
        assert luma_emulator.coupons() == [data["coupon"]] and data["coupon"]["remaining_count"] == 9

    @pytest.mark.parametrize("fault", [{"drop_after_work": True}, {"status": 503}])
    async def test_lost_answer_sends_once(self, luma_emulator, live_context, fault):
        add_calendar_coupon(luma_emulator, "MEMBERS")
        luma_emulator.inject("POST /v1/calendars/coupons/update", **fault)
        result = await run("update_calendar_coupon", {"code": "MEMBERS", "remaining_count": 9}, live_context)
        if "status" in fault:
            failed(result, "not confirmed", "list_calendar_coupons")
            assert luma_emulator.coupons()[0]["remaining_count"] == 1000000
        else:
            assert ok_data(result)["coupon"]["remaining_count"] == 9
        assert len(posts(luma_emulator, "/v1/calendars/coupons/update")) == 1


class TestCodeWithAFormatCharacter:
    async def test_is_refused_and_the_visible_code_stays_free(self, luma_emulator, live_context):
        inputs = {"code": "\u200bAB\u200b", "percent_off": 10}
        failed(await run("create_calendar_coupon", inputs, live_context), "invisible character (U+200B", "'AB'")
        assert luma_emulator.coupons() == [] and luma_emulator.requests == []
        ok_data(await run("create_calendar_coupon", {"code": "AB", "percent_off": 10}, live_context))
        data = ok_data(await run("update_calendar_coupon", {"code": "AB", "remaining_count": 3}, live_context))
        assert data["coupon"]["code"] == "AB"

    @pytest.mark.parametrize(
        "code",
        [
            "FAMILY\U0001f468\u200d\U0001f469\u200d\U0001f467",  # ZWJ joins the family emoji
            "DEV\U0001f469\u200d\U0001f4bb",  # woman technologist
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian "I want": ZWNJ is its spelling
            "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # Scotland's flag (tags)
        ],
        ids=["zwj-family", "zwj-technologist", "persian-zwnj", "subdivision-flag"],
    )
    async def test_joiners_and_emoji_tags_are_part_of_the_code(self, luma_emulator, live_context, code):
        data = ok_data(await run("create_calendar_coupon", {"code": code, "percent_off": 10}, live_context))
        assert data["coupon"]["code"] == code and [c["code"] for c in luma_emulator.coupons()] == [code]

    @pytest.mark.parametrize("hidden", ["\u2060", "\ufeff", "\u00ad", "\u200e", "\u202e", "\u2066", "\u061c"])
    async def test_every_character_that_draws_nothing_is_refused(self, luma_emulator, live_context, hidden):
        inputs = {"code": f"A{hidden}B", "percent_off": 10}
        failed(await run("create_calendar_coupon", inputs, live_context), f"U+{ord(hidden):04X}", "'AB'")
        assert luma_emulator.requests == []
