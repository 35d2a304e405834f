"""Regression tests for what an adversarial probe found: bursts past the rate limit, a key leaking into errors,
Retry-After misread, NaN reaching Luma, inputs refused or accepted wrongly. Each failed before its fix."""

import asyncio
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from autohive_integrations_sdk import RateLimitError
from autohive_integrations_sdk.integration import ResultType, ValidationError

import helpers
import luma_integration
import validation
from helpers import LumaAuthError, LumaClient, LumaInvalidRequestError, LumaResponseError
from luma import luma
from tests.support.fakes import TEST_API_KEY, failed, luma_error, ok, page, production_auth
from tests.support.samples import USER

pytestmark = pytest.mark.unit


def fragments(secret, size=helpers.SECRET_FRAGMENT):
    return {secret[start : start + size] for start in range(len(secret) - size + 1)}


def leaks(text, secret):
    return [piece for piece in fragments(secret) if piece in text]


class TestPacing:
    async def test_thirty_concurrent_runs_never_exceed_the_limit_in_any_window(self, make_context, monkeypatch):
        # A small window keeps the test quick; the rule is the same at 200 a minute.
        monkeypatch.setattr(helpers, "RATE_WINDOW_SECONDS", 0.4)
        monkeypatch.setenv(helpers.RATE_LIMIT_ENV, "5")
        sent: list[float] = []

        async def fetch(*args, **kwargs):
            sent.append(time.monotonic())
            await asyncio.sleep(0.01)
            return ok(USER)

        contexts = [make_context() for _ in range(30)]
        for context in contexts:
            context.fetch.side_effect = fetch
        await asyncio.gather(*(LumaClient(context).get("/v1/users/get-self") for context in contexts))
        assert len(sent) == 30
        for first in sent:
            in_window = [moment for moment in sent if first <= moment < first + 0.4]
            assert len(in_window) <= 5, f"{len(in_window)} requests within one window"

    async def test_waiters_woken_together_recheck_before_sending(self, mock_context, monkeypatch):
        monkeypatch.setattr(helpers, "RATE_WINDOW_SECONDS", 0.3)
        monkeypatch.setenv(helpers.RATE_LIMIT_ENV, "2")
        mock_context.fetch.return_value = ok(USER)
        client = LumaClient(mock_context)
        started = time.monotonic()
        await asyncio.gather(*(client.get("/v1/users/get-self") for _ in range(6)))
        # 6 requests at 2 per 0.3 s need at least two full windows of waiting.
        assert time.monotonic() - started >= 0.6 - 0.05


class TestSecretMasking:
    LONG_KEY = "lk_" + "Q7w9Zr2Xp4Vn8Ks1Dm6Ty3Bh5" * 3  # nosec B105 - a fake key

    async def test_two_xx_body_echoing_headers_does_not_leak_the_key(self, make_context):
        context = make_context(production_auth(self.LONG_KEY))
        context.fetch.return_value = ok(f"<html>GET /v1/users/get-self\nx-luma-api-key: {self.LONG_KEY}\n</html>")
        with pytest.raises(LumaResponseError) as caught:
            await LumaClient(context).get("/v1/users/get-self")
        assert not leaks(caught.value.message, self.LONG_KEY)

    async def test_key_quoted_near_the_cut_is_masked_before_it(self, make_context):
        context = make_context(production_auth(self.LONG_KEY))
        quoted = "x" * 490 + f" key {self.LONG_KEY} is not valid"
        context.fetch.side_effect = luma_error(400, quoted)
        with pytest.raises(LumaInvalidRequestError) as caught:
            await LumaClient(context).get("/v1/users/get-self")
        assert not leaks(caught.value.message, self.LONG_KEY)

    async def test_a_fragment_of_the_key_is_masked_wherever_it_appears(self, make_context):
        context = make_context(production_auth(self.LONG_KEY))
        context.fetch.side_effect = luma_error(401, f"bad key ...{self.LONG_KEY[20:40]}...")
        result = await luma.execute_action("get_self", {}, context)
        assert result.type == ResultType.ACTION_ERROR
        assert not leaks(result.result.message, self.LONG_KEY)
        assert "***" in result.result.message

    async def test_key_of_implausible_length_is_refused_and_not_quoted(self, make_context):
        huge = "k" * 9000
        context = make_context(production_auth(huge))
        result = await luma.execute_action("get_self", {}, context)
        assert result.type == ResultType.ACTION_ERROR
        assert "9000 characters" in result.result.message and huge[:20] not in result.result.message
        context.fetch.assert_not_called()

    def test_mask_secret_covers_overlapping_runs(self):
        secret = "abcdefghijklmnop"  # nosec B105
        text = "…cdefghijkl… and abcdefgh and xyz"
        masked = helpers.mask_secret(text, secret)
        assert not leaks(masked, secret) and "xyz" in masked

    def test_short_fragments_are_left_alone(self):
        assert helpers.mask_secret("luma key", TEST_API_KEY) == "luma key"


class TestRetryAfter:
    async def test_zero_means_retry_at_once(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [RateLimitError(0, 429, "Rate limit exceeded", ""), ok(USER)]
        assert await LumaClient(mock_context).get("/v1/users/get-self") == USER
        assert all(call.args[0] <= 0.01 for call in no_sleep.await_args_list)

    async def test_fractional_seconds_are_honoured(self, mock_context, monkeypatch):
        now, sleeps = [1000.0], []

        async def sleep(seconds):
            sleeps.append(round(seconds, 2))
            now[0] += seconds

        monkeypatch.setattr(helpers, "_now", lambda: now[0])
        monkeypatch.setattr(helpers, "_sleep", sleep)
        mock_context.fetch.side_effect = [ValueError("invalid literal for int() with base 10: '1.5'"), ok(USER)]
        assert await LumaClient(mock_context).get("/v1/users/get-self") == USER
        assert sleeps == [1.5]

    def test_http_date(self, monkeypatch):
        now = datetime(2026, 11, 30, 12, 0, 0, tzinfo=timezone.utc)
        monkeypatch.setattr(helpers.time, "time", lambda: now.timestamp())
        assert helpers.retry_after_seconds(format_datetime(now + timedelta(seconds=7), usegmt=True)) == 7.0

    @pytest.mark.parametrize("value", [None, "", "soon", "nan", "inf"])
    def test_only_unreadable_means_the_lockout(self, value):
        assert helpers.retry_after_seconds(value) == helpers.LUMA_LOCKOUT_SECONDS


class TestNonFiniteNumbers:
    @pytest.mark.parametrize(
        ("action", "inputs", "where"),
        [
            ("create_coupon", {"event_api_id": "evt-1", "code": "X", "percent_off": float("nan")}, "percent_off"),
            (
                "create_event",
                {
                    "name": "N",
                    "start_at": "2027-01-01T10:00",
                    "timezone": "UTC",
                    "coordinate": {"latitude": float("inf"), "longitude": 1.0},
                },
                "coordinate.latitude",
            ),
            (
                "create_ticket_type",
                {"event_api_id": "evt-1", "name": "T", "type": "paid", "price": float("-inf"), "currency": "usd"},
                "price",
            ),
        ],
    )
    async def test_refused_before_anything_is_sent(self, mock_context, action, inputs, where):
        result = await luma.execute_action(action, inputs, mock_context)
        assert result.type == ResultType.VALIDATION_ERROR
        assert f"'{where}' is not a finite number" in result.result["message"]
        mock_context.fetch.assert_not_called()


class TestInputsProbe:
    EVENT = {"id": "evt-1", "name": "N", "start_at": "2027-03-01T18:00:00.000Z", "created_at": "2026-01-01T00:00:00Z"}

    @pytest.mark.parametrize("start", ["2027-03-01T18", "2027-03-01t18:00", "2027-03-01 18:00"])
    async def test_iso_forms_with_a_time_of_day_are_accepted(self, mock_context, start):
        mock_context.fetch.side_effect = [ok({"id": "evt-1"}), ok(self.EVENT)]
        result = await luma.execute_action(
            "create_event", {"name": "N", "start_at": start, "timezone": "UTC"}, mock_context
        )
        assert result.type == ResultType.ACTION, result.result
        assert mock_context.fetch.call_args_list[0].kwargs["json"]["start_at"] == "2027-03-01T18:00:00.000Z"

    @pytest.mark.parametrize("start", ["2027-03-01T18:00+15:00", "2027-03-01T18:00-13:00", "2027-03-01X18:00"])
    async def test_impossible_offsets_and_separators_are_refused(self, mock_context, start):
        result = await luma.execute_action(
            "create_event", {"name": "N", "start_at": start, "timezone": "UTC"}, mock_context
        )
        assert result.type == ResultType.ACTION_ERROR and start in result.result.message
        mock_context.fetch.assert_not_called()

    async def test_decomposed_email_is_accepted_as_composed(self, mock_context):
        decomposed = "ju\u0308rgen@example.com"
        mock_context.fetch.return_value = ok({"id": "gst-1", "user_email": "jürgen@example.com"})
        result = await luma.execute_action("get_guests", {"event_api_id": "evt-1", "email": decomposed}, mock_context)
        assert result.type == ResultType.ACTION, result.result
        assert "j%C3%BCrgen%40example.com" in mock_context.fetch.call_args.args[0]

    @pytest.mark.parametrize("email", [".a@b.com", "a..b@c.com", "a.@b.com"])
    async def test_dot_rules(self, mock_context, email):
        result = await luma.execute_action("get_guests", {"event_api_id": "evt-1", "email": email}, mock_context)
        assert result.type == ResultType.ACTION_ERROR and "not a valid email" in result.result.message
        mock_context.fetch.assert_not_called()

    async def test_ids_are_trimmed(self, mock_context):
        mock_context.fetch.return_value = ok(self.EVENT)
        result = await luma.execute_action("get_events", {"event_api_id": "  evt-1 \n"}, mock_context)
        assert result.type == ResultType.ACTION
        assert mock_context.fetch.call_args.args[0].endswith("/v1/events/get?event_id=evt-1")

    @pytest.mark.parametrize(
        "name",
        ["\u200b\u200b", "\u200d \ufeff", "\u2060", "\u3164", "\u115f\u1160", "\uffa0", "\u2800", "\u034f", " \u17b5 "],
    )
    async def test_invisible_names_are_refused(self, mock_context, name):
        result = await luma.execute_action(
            "create_event", {"name": name, "start_at": "2027-03-01T18:00", "timezone": "UTC"}, mock_context
        )
        assert result.type == ResultType.ACTION_ERROR and "invisible" in result.result.message
        mock_context.fetch.assert_not_called()

    @pytest.mark.parametrize("name", ["\u3164", "\u2800\u2800", "\u034f\u17b5"])
    async def test_a_tag_named_with_blank_letters_or_only_marks_is_refused(self, mock_context, name):
        result = await luma.execute_action("create_event_tag", {"name": name}, mock_context)
        assert result.type == ResultType.ACTION_ERROR
        assert result.result.message == "name is empty or has only invisible characters; give visible text."
        mock_context.fetch.assert_not_called()

    @pytest.mark.parametrize("name", ["e\u0301", "\u3164Ana", "\u2801"])
    def test_marks_on_a_letter_and_real_braille_are_visible(self, name):
        assert validation.visible_text(name, "name") == name

    @pytest.mark.parametrize("action", ["create_calendar_coupon", "create_coupon"])
    async def test_a_code_with_a_format_character_inside_is_refused(self, mock_context, action):
        inputs = {"code": "\u200bAB\u200b", "percent_off": 5}
        inputs.update({"event_api_id": "evt-1"} if action == "create_coupon" else {})
        result = await luma.execute_action(action, inputs, mock_context)
        assert result.type == ResultType.ACTION_ERROR
        assert result.result.message == (
            "code holds an invisible character (U+200B, zero width space); give it without: 'AB'."
        )
        mock_context.fetch.assert_not_called()

    async def test_invisible_code_is_refused(self, mock_context):
        result = await luma.execute_action(
            "create_coupon", {"event_api_id": "evt-1", "code": "\u200b", "percent_off": 5}, mock_context
        )
        assert result.type == ResultType.ACTION_ERROR and "invisible" in result.result.message

    async def test_code_length_counts_utf16_units_as_luma_does(self, mock_context):
        code = "PARTY" + "🎉" * 8  # 13 code points, 21 UTF-16 units
        result = await luma.execute_action(
            "create_coupon", {"event_api_id": "evt-1", "code": code, "percent_off": 5}, mock_context
        )
        assert result.type == ResultType.ACTION_ERROR and "21 characters" in result.result.message
        mock_context.fetch.assert_not_called()


class TestValidationMessages:
    BASE = {"name": "N", "start_at": "2027-03-01T18:00", "timezone": "UTC"}

    async def run(self, ctx, action, inputs):
        result = await luma.execute_action(action, inputs, ctx)
        assert result.type == ResultType.VALIDATION_ERROR
        ctx.fetch.assert_not_called()
        message = result.result["message"]
        assert len(message) < 240 and "schema_path" not in message and "[" not in message.split("'")[0]
        return message

    async def test_unknown_input_suggests_the_nearest(self, mock_context):
        message = await self.run(mock_context, "create_event", {**self.BASE, "duration": 60})
        assert message == "unknown input 'duration'; did you mean 'duration_minutes'?"

    async def test_currency_in_another_case_is_accepted(self, mock_context):
        mock_context.fetch.side_effect = [page([]), ok({"id": "ecp-1", "code": "X"})]
        inputs = {"event_api_id": "evt-1", "code": "X", "cents_off": 500, "currency": "EUR"}
        result = await luma.execute_action("create_coupon", inputs, mock_context)
        assert result.type == ResultType.ACTION
        assert mock_context.fetch.call_args.kwargs["json"]["discount"]["currency"] == "eur"

    async def test_unknown_currency_names_the_nearest_without_dumping_the_list(self, mock_context):
        inputs = {"event_api_id": "evt-1", "code": "X", "cents_off": 500, "currency": "eurr"}
        message = await self.run(mock_context, "create_coupon", inputs)
        assert "'currency'" in message and "did you mean 'eur'" in message and "usd" not in message

    async def test_address_without_type_names_the_choices(self, mock_context):
        message = await self.run(mock_context, "create_event", {**self.BASE, "geo_address_json": {"address": "x"}})
        assert "'type'" in message and "geo_address_json" in message and "manual" in message and "google" in message

    @pytest.mark.parametrize(
        ("address", "message"),
        [
            (
                {"type": "manual", "adress": "1 rue"},
                "unknown input 'adress' in 'geo_address_json'; did you mean 'address'?",
            ),
            (
                {"type": "manual"},
                "missing required input 'address' in 'geo_address_json', which type \"manual\" requires.",
            ),
            (
                {"type": "google", "placeid": "abc"},
                "unknown input 'placeid' in 'geo_address_json'; did you mean 'place_id'?",
            ),
            (
                {"type": "mnual", "address": "1 rue"},
                "input 'geo_address_json.type' is \"mnual\", which is not allowed: did you mean 'manual'?",
            ),
        ],
    )
    async def test_the_shape_the_type_picks_is_explained(self, mock_context, address, message):
        assert await self.run(mock_context, "create_event", {**self.BASE, "geo_address_json": address}) == message

    @pytest.mark.parametrize("action", ["add_guests", "send_invites"])
    async def test_a_guest_object_with_a_misspelt_key_names_it(self, mock_context, action):
        inputs = {"event_api_id": "evt-1", "guests": [{"emial": "a@b.com"}]}
        message = await self.run(mock_context, action, inputs)
        assert message == "unknown input 'emial' in 'guests[0]'; did you mean 'email'?"

    @pytest.mark.parametrize(
        ("extra", "message"),
        [
            (
                {"options": ["a"]},
                "input 'registration_questions[0].options' is only allowed when question_type is \"dropdown\" or "
                '"multi-select" (here "text"); leave it out.',
            ),
            (
                {"job_title_label": "Role"},
                "input 'registration_questions[0].job_title_label' is only allowed when question_type is "
                '"company" (here "text"); leave it out.',
            ),
        ],
    )
    async def test_a_field_another_question_type_takes_is_named(self, mock_context, extra, message):
        question = {"id": "q1", "label": "Diet", "required": True, "question_type": "text", **extra}
        inputs = {**self.BASE, "registration_questions": [question]}
        assert await self.run(mock_context, "create_event", inputs) == message

    async def test_missing_required_input(self, mock_context):
        message = await self.run(mock_context, "create_event", {"name": "N", "timezone": "UTC"})
        assert message == "missing required input 'start_at'."

    async def test_wrong_type(self, mock_context):
        message = await self.run(mock_context, "get_events", {"limit": "ten"})
        assert message == "input 'limit' must be a whole number, not \"ten\"."

    async def test_bound(self, mock_context):
        message = await self.run(mock_context, "get_events", {"limit": 5000})
        assert "input 'limit' 5000 is above the maximum" in message

    @pytest.mark.parametrize(
        ("action", "inputs", "hint"),
        [
            ("create_coupon", {"event_api_id": "evt-1", "code": "HALF OFF", "percent_off": 10}, "without spaces"),
            (
                "create_event",
                {"name": "N", "start_at": "2027-03-01T18:00", "timezone": "UTC", "tint_color": "red"},
                "as hex, e.g. #",
            ),
            ("create_webhook", {"url": "example.com/h", "event_types": ["guest.registered"]}, "e.g. https://"),
        ],
    )
    async def test_a_format_error_says_what_the_input_takes(self, mock_context, action, inputs, hint):
        message = await self.run(mock_context, action, inputs)
        assert "is not in the expected format: " in message and hint in message

    async def test_a_key_pasted_into_an_input_is_masked_in_the_message(self, make_context):
        ctx = make_context(production_auth(TEST_API_KEY))
        for inputs in ({"event_api_id": "evt-1", "limit": TEST_API_KEY}, {"event_api_id": "evt-1", TEST_API_KEY: 1}):
            message = await self.run(ctx, "get_guests", inputs)
            assert leaks(message, TEST_API_KEY) == [], message


@pytest.mark.parametrize("key", ["short", "x" * 300])
def test_implausible_keys_are_refused(key):
    with pytest.raises(LumaAuthError, match="characters long"):
        helpers.api_key_from(production_auth(key))


@pytest.mark.parametrize("calendar_id", ["cal-ge\nepcm", "cal ab", "cal-\u00e9t\u00e9"])
async def test_a_calendar_id_no_header_can_carry_is_refused_naming_the_connection(make_context, calendar_id):
    auth = {"auth_type": "Custom", "credentials": {"api_key": TEST_API_KEY, "calendar_id": calendar_id}}
    ctx = make_context(auth)
    failed(await luma.execute_action("get_calendar", {}, ctx), "connection's Calendar ID contains spaces, line breaks")
    ctx.fetch.assert_not_called()


class TestIdsOfAnotherKind:
    @pytest.mark.parametrize(
        ("action", "inputs", "message"),
        [
            (
                "cancel_event",
                {"event_api_id": "gst-1"},
                "input 'event_api_id' is a guest id (gst-…); an event id starts with evt-: get it from get_events.",
            ),
            (
                "tag_events",
                {"tag": "Partners", "event_api_ids": ["evt-1", "tag-2"]},
                "input 'event_api_ids[1]' is a tag id (tag-…); an event id starts with evt-: get it from get_events.",
            ),
            (
                "delete_person_tag",
                {"tag_id": " usr-1 "},
                "input 'tag_id' is a user id (usr-…); a tag id starts with tag-: get it from list_person_tags or "
                "list_event_tags.",
            ),
            # What cannot be an id at all: Luma answers it "not found", which a delete took for already deleted.
            (
                "cancel_event",
                {"event_api_id": "https://luma.com/autohive-builders"},
                "input 'event_api_id' is a link ('https://luma.com/autohive-builders'), not an event id (evt-…): get "
                "the id from get_events, or from lookup_event, whose url input takes a link.",
            ),
            (
                "delete_ticket_type",
                {"event_ticket_type_id": "General Admission"},
                "input 'event_ticket_type_id' is a name ('General Admission'), not a ticket type id (ttype-…): get "
                "the id from list_ticket_types.",
            ),
            (
                "delete_webhook",
                {"webhook_id": "https://hooks.example.com/luma"},
                "input 'webhook_id' is a link ('https://hooks.example.com/luma'), not a webhook id: get the id from "
                "list_webhooks.",
            ),
            (
                "remove_person",
                {"contact_id": "Aroha Anderson"},
                "input 'contact_id' is a name ('Aroha Anderson'), not a person's id (usr-…): get the id from "
                "list_people.",
            ),
            (
                "update_member_status",
                {"user_id": "Aroha Anderson", "status": "approved"},
                "input 'user_id' is a name ('Aroha Anderson'), not a user id (usr-…) or an email: get the id from "
                "list_people.",
            ),
            (
                "tag_events",
                {"tag": "Partners", "event_api_ids": ["evt-1", "lu.ma/abc"]},
                "input 'event_api_ids[1]' is a link ('lu.ma/abc'), not an event id (evt-…): get the id from "
                "get_events, or from lookup_event, whose url input takes a link.",
            ),
            (
                "get_guests",
                {"event_api_id": "evt:1"},
                "input 'event_api_id' is text ('evt:1'), not an event id (evt-…): get the id from get_events.",
            ),
        ],
    )
    async def test_refused_before_anything_is_sent(self, mock_context, action, inputs, message):
        result = await luma.execute_action(action, inputs, mock_context)
        assert result.type == ResultType.VALIDATION_ERROR and result.result["message"] == message
        mock_context.fetch.assert_not_called()

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("user_id", "ana.o'neil+luma@example.com"),
            # An email may hold a "/" (RFC 5321 allows it); normalize_email is the judge of an email.
            ("user_id", "a/b@example.com"),
            ("contact_id", "usr-AbC123"),
            ("webhook_id", "wh_1-x"),
        ],
    )
    def test_an_email_or_an_opaque_id_passes(self, name, value):
        assert validation.not_an_id(name, value) is None

    @pytest.mark.parametrize(
        ("value", "what"),
        [("Q1/Q2", "a name"), ("VIP guests", "a name"), ("example.com/x", "a link"), ("https://x.io", "a link")],
    )
    def test_only_what_looks_like_a_link_is_called_one(self, value, what):
        assert f"is {what} ('{value}')" in validation.not_an_id("tag_id", value)

    async def test_an_input_the_action_does_not_take_is_named_as_unknown(self, mock_context):
        result = await luma.execute_action("add_event_to_calendar", {"event_api_ids": ["tag-2"]}, mock_context)
        assert result.result["message"] == "unknown input 'event_api_ids'; did you mean 'event_api_id'?"

    async def test_a_trigger_refuses_it_too(self, mock_context):
        with pytest.raises(ValidationError, match=r"^input 'event_api_id' is a guest id \(gst-…\); an event id"):
            await luma.execute_polling_trigger("event_updated", {"event_api_id": "gst-1"}, None, mock_context)
        mock_context.fetch.assert_not_called()

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("calendar_event_id", "evt-1"),
            ("calendar_event_id", "calev-1"),
            ("user_id", "usr-1"),
            ("user_id", "gst-team@example.com"),
            ("event_api_id", "AbC123"),
            # An external event on the calendar is known by its calendar entry's id.
            ("event_api_id", "calev-1"),
            ("event_api_ids", ["evt-1", "calev-2"]),
            ("webhook_id", "wh-1"),
            ("membership_tier_id", "cmt-1"),
        ],
    )
    def test_an_id_of_its_kind_or_without_a_known_prefix_passes(self, name, value):
        assert validation.wrong_kind(name, value) is None

    def test_every_id_input_has_its_kind(self):
        def id_inputs(schema):
            for name, spec in (schema.get("properties") or {}).items():
                if luma_integration._is_id_input(name):
                    yield name
                if isinstance(spec, dict):
                    yield from id_inputs(spec)
                    yield from id_inputs(spec.get("items") if isinstance(spec.get("items"), dict) else {})

        handlers = {**luma.config.actions, **luma.config.polling_triggers}
        names = {name for handler in handlers.values() for name in id_inputs(handler.input_schema or {})}
        assert names - set(validation.ID_INPUTS) == set()
