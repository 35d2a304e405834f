"""Webhook actions (list, get, create, update, delete) with a mocked context.fetch. The signing secret leaves only
through create_webhook."""

import json
import logging

import pytest
from autohive_integrations_sdk.integration import ResultType

from operations.webhooks import MASKED_SECRET
from tests.support.fakes import assert_input_error, assert_schema_error, failed, lost, luma_error, methods, ok, ok_data
from tests.support.fakes import page, requests, run, unavailable
from tests.support.samples import WEBHOOK, WEBHOOK_SECRET

pytestmark = [pytest.mark.unit, pytest.mark.usefixtures("fixed_now")]

LIST = "/v1/webhooks/list"
GET = "/v2/webhooks/get"
CREATE = "/v2/webhooks/create"
UPDATE = "/v2/webhooks/update"
DELETE = "/v1/webhooks/delete"
MASKED = dict(WEBHOOK, secret=MASKED_SECRET)
# Made before the request (samples.NOW is when the client sends it).
OLD = dict(WEBHOOK, id="wh-old", created_at="2026-01-01T00:00:00.000Z")


# ---- list_webhooks -----------------------------------------------------------------------------------------


class TestListWebhooks:
    async def test_summary(self, mock_context):
        mock_context.fetch.return_value = page([WEBHOOK])
        data = ok_data(await run("list_webhooks", {}, mock_context))
        assert data == {
            "webhooks": [
                {
                    "id": "wh-abc123",
                    "url": "https://hooks.example.com/luma",
                    "event_types": ["guest.registered"],
                    "status": "active",
                }
            ],
            "has_more": False,
            "next_cursor": None,
        }
        assert requests(mock_context) == [("GET", LIST, [("pagination_limit", "100")], None)]

    async def test_full_masks_the_secret(self, mock_context):
        mock_context.fetch.return_value = page([WEBHOOK, OLD], "c2")
        data = ok_data(await run("list_webhooks", {"detail": "full", "limit": 2}, mock_context))
        assert data["webhooks"] == [MASKED, dict(OLD, secret=MASKED_SECRET)]
        assert (data["has_more"], data["next_cursor"]) == (True, "c2")
        assert WEBHOOK_SECRET not in json.dumps(data)


# ---- get_webhook -------------------------------------------------------------------------------------------


class TestGetWebhook:
    async def test_masks_the_secret(self, mock_context):
        mock_context.fetch.return_value = ok(WEBHOOK)
        data = ok_data(await run("get_webhook", {"webhook_id": "wh-abc123"}, mock_context))
        assert data == {"webhook": MASKED}
        assert requests(mock_context) == [("GET", GET, [("id", "wh-abc123")], None)]

    async def test_unknown_id_is_said_in_webhook_terms(self, mock_context):
        mock_context.fetch.side_effect = luma_error(404, "Webhook wh-x not found")
        message = failed(await run("get_webhook", {"webhook_id": "wh-x"}, mock_context), "no webhook with id wh-x")
        assert "list_webhooks" in message and "evt-" not in message


# ---- create_webhook ----------------------------------------------------------------------------------------


class TestCreateWebhook:
    INPUTS = {"url": "https://hooks.example.com/luma", "event_types": ["guest.registered"]}

    async def test_returns_the_secret_once(self, mock_context, caplog):
        caplog.set_level(logging.DEBUG)
        mock_context.fetch.return_value = ok(WEBHOOK)
        data = ok_data(await run("create_webhook", self.INPUTS, mock_context))
        assert data == {"webhook": WEBHOOK}
        assert requests(mock_context) == [("POST", CREATE, [], self.INPUTS)]
        assert WEBHOOK_SECRET not in caplog.text

    async def test_every_type(self, mock_context):
        mock_context.fetch.return_value = ok(dict(WEBHOOK, event_types=["*"]))
        await run("create_webhook", dict(self.INPUTS, event_types=["*"]), mock_context)
        assert requests(mock_context)[0][3]["event_types"] == ["*"]

    async def test_lost_answer_finds_the_new_webhook_with_its_secret(self, mock_context, no_sleep):
        made = dict(WEBHOOK, id="wh-new", created_at="2026-02-01T12:00:00.500Z")
        other_types = dict(made, id="wh-other", event_types=["event.created"])
        mock_context.fetch.side_effect = [lost(), page([OLD, other_types], "c1"), page([made])]
        data = ok_data(await run("create_webhook", self.INPUTS, mock_context))
        assert data == {"webhook": made}
        assert methods(mock_context) == ["POST", "GET", "GET"]

    async def test_event_types_match_in_any_order(self, mock_context, no_sleep):
        inputs = dict(self.INPUTS, event_types=["guest.updated", "guest.registered"])
        made = dict(WEBHOOK, id="wh-new", event_types=["guest.registered", "guest.updated"])
        mock_context.fetch.side_effect = [lost(), page([made])]
        assert ok_data(await run("create_webhook", inputs, mock_context))["webhook"]["id"] == "wh-new"

    async def test_a_webhook_made_before_the_request_is_not_this_one(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [unavailable(), page([OLD]), page([OLD])]
        message = failed(await run("create_webhook", self.INPUTS, mock_context), "not confirmed", "list_webhooks")
        assert WEBHOOK_SECRET not in message
        assert methods(mock_context).count("POST") == 1

    async def test_two_new_candidates_are_never_guessed_between(self, mock_context, no_sleep):
        twins = [dict(WEBHOOK, id=f"wh-{n}", created_at="2026-02-01T12:00:01.000Z") for n in range(2)]
        mock_context.fetch.side_effect = [lost(), page(twins)]
        failed(await run("create_webhook", self.INPUTS, mock_context), "not confirmed", "2 matching candidates")
        assert methods(mock_context).count("POST") == 1

    @pytest.mark.parametrize(
        "inputs",
        [
            {"url": "http://hooks.example.com/luma", "event_types": ["*"]},
            {"url": "hooks.example.com/luma", "event_types": ["*"]},
            {"url": "https://hooks.example.com", "event_types": []},
            {"url": "https://hooks.example.com", "event_types": ["guest.created"]},
            {"url": "https://hooks.example.com", "event_types": ["*", "*"]},
            {"url": "https://hooks.example.com"},
        ],
    )
    async def test_schema_rejects(self, mock_context, inputs):
        assert_schema_error(await run("create_webhook", inputs, mock_context), mock_context)


# ---- update_webhook ----------------------------------------------------------------------------------------


class TestUpdateWebhook:
    async def test_pause_masks_the_secret(self, mock_context):
        mock_context.fetch.return_value = ok(dict(WEBHOOK, status="paused"))
        data = ok_data(await run("update_webhook", {"webhook_id": "wh-abc123", "status": "paused"}, mock_context))
        assert data == {"webhook": dict(MASKED, status="paused")}
        assert requests(mock_context) == [("POST", UPDATE, [], {"id": "wh-abc123", "status": "paused"})]

    async def test_event_types_and_status_together(self, mock_context):
        mock_context.fetch.return_value = ok(WEBHOOK)
        inputs = {"webhook_id": "wh-abc123", "event_types": ["event.created", "event.canceled"], "status": "active"}
        await run("update_webhook", inputs, mock_context)
        assert requests(mock_context)[0][3] == {
            "id": "wh-abc123",
            "event_types": ["event.created", "event.canceled"],
            "status": "active",
        }

    async def test_nothing_to_update_is_refused(self, mock_context):
        result = await run("update_webhook", {"webhook_id": "wh-abc123"}, mock_context)
        assert_input_error(result, mock_context, "Nothing to update", "event_types", "status")

    async def test_lost_answer_read_back(self, mock_context, no_sleep):
        paused = dict(WEBHOOK, status="paused")
        mock_context.fetch.side_effect = [lost(), ok(paused)]
        data = ok_data(await run("update_webhook", {"webhook_id": "wh-abc123", "status": "paused"}, mock_context))
        assert data == {"webhook": dict(MASKED, status="paused")}
        assert requests(mock_context)[1] == ("GET", GET, [("id", "wh-abc123")], None)

    async def test_lost_answer_unchanged_is_not_confirmed(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [lost(), ok(WEBHOOK), ok(WEBHOOK)]
        inputs = {"webhook_id": "wh-abc123", "event_types": ["event.created"]}
        message = failed(await run("update_webhook", inputs, mock_context), "not confirmed", "get_webhook")
        assert WEBHOOK_SECRET not in message
        assert methods(mock_context) == ["POST", "GET", "GET"]

    async def test_unknown_id(self, mock_context):
        mock_context.fetch.side_effect = luma_error(404, "Webhook wh-x not found")
        failed(await run("update_webhook", {"webhook_id": "wh-x", "status": "paused"}, mock_context), "no webhook")

    async def test_answer_without_the_webhook_is_read(self, mock_context):
        mock_context.fetch.side_effect = [ok({}), ok(dict(WEBHOOK, status="paused"))]
        data = ok_data(await run("update_webhook", {"webhook_id": "wh-abc123", "status": "paused"}, mock_context))
        assert data["webhook"]["secret"] == MASKED_SECRET
        assert methods(mock_context) == ["POST", "GET"]


# ---- delete_webhook ----------------------------------------------------------------------------------------


class TestDeleteWebhook:
    async def test_deletes(self, mock_context):
        mock_context.fetch.return_value = ok({})
        data = ok_data(await run("delete_webhook", {"webhook_id": "wh-abc123"}, mock_context))
        assert data == {"webhook_id": "wh-abc123", "deleted": True, "already_absent": False}
        assert requests(mock_context) == [("POST", DELETE, [], {"id": "wh-abc123"})]

    async def test_already_gone_is_success(self, mock_context):
        mock_context.fetch.side_effect = luma_error(404, "Webhook wh-abc123 not found")
        data = ok_data(await run("delete_webhook", {"webhook_id": "wh-abc123"}, mock_context))
        assert data == {"webhook_id": "wh-abc123", "deleted": True, "already_absent": True}
        assert methods(mock_context) == ["POST"]

    async def test_a_link_is_refused_before_anything_is_sent(self, mock_context):
        result = await run("delete_webhook", {"webhook_id": "https://hooks.example.com/luma"}, mock_context)
        assert result.type == ResultType.VALIDATION_ERROR and "is a link" in result.result["message"]
        mock_context.fetch.assert_not_called()

    async def test_lost_answer_and_gone_is_confirmed(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [lost(), luma_error(404, "Webhook wh-abc123 not found")]
        data = ok_data(await run("delete_webhook", {"webhook_id": "wh-abc123"}, mock_context))
        assert data == {"webhook_id": "wh-abc123", "deleted": True, "already_absent": False}
        assert methods(mock_context) == ["POST", "GET"]

    async def test_lost_answer_still_there_is_not_confirmed(self, mock_context, no_sleep):
        mock_context.fetch.side_effect = [unavailable(), ok(WEBHOOK), ok(WEBHOOK)]
        failed(await run("delete_webhook", {"webhook_id": "wh-abc123"}, mock_context), "not confirmed", "get_webhook")
        assert methods(mock_context) == ["POST", "GET", "GET"]
