"""Webhook actions end to end: the SDK's real ExecutionContext over HTTP against the local Luma. The signing secret
comes back from create_webhook and nowhere else: not in other results, errors, logs or printed output."""

import json
import logging

import pytest

from operations.webhooks import MASKED_SECRET
from tests.support.fakes import TEST_API_KEY, failed, ok_data, run
from tests.support.live import UNUSABLE_2XX, posts, work_then_answer

pytestmark = pytest.mark.e2e

CREATE = "/v2/webhooks/create"
DELETE = "/v1/webhooks/delete"
GUESTS = {"url": "https://hooks.example.com/luma/guests", "event_types": ["guest.registered", "guest.updated"]}


class TestWebhookLifecycle:
    async def test_the_secret_is_shown_once(self, luma_emulator, live_context, capsys, caplog):
        caplog.set_level(logging.DEBUG)
        created = ok_data(await run("create_webhook", GUESTS, live_context))["webhook"]
        (stored,) = luma_emulator.webhooks()
        assert created == stored and created["secret"].startswith("whsec_") and created["status"] == "active"
        webhook_id, secret = created["id"], created["secret"]
        shown = [
            await run("list_webhooks", {"detail": "full"}, live_context),
            await run("list_webhooks", {}, live_context),
            await run("get_webhook", {"webhook_id": webhook_id}, live_context),
            await run("update_webhook", {"webhook_id": webhook_id, "status": "paused"}, live_context),
            await run("update_webhook", {"webhook_id": webhook_id, "event_types": ["nope"]}, live_context),
        ]
        for result in shown:
            assert secret not in json.dumps(result.result if isinstance(result.result, dict) else vars(result.result))
        assert secret not in capsys.readouterr().out + caplog.text
        assert ok_data(shown[0])["webhooks"] == [dict(stored, secret=MASKED_SECRET)]
        assert ok_data(shown[2])["webhook"]["secret"] == MASKED_SECRET
        assert ok_data(shown[3])["webhook"]["status"] == "paused"

    async def test_update_then_delete_then_delete_again(self, luma_emulator, live_context):
        webhook_id = ok_data(await run("create_webhook", GUESTS, live_context))["webhook"]["id"]
        inputs = {"webhook_id": webhook_id, "event_types": ["*"], "status": "paused"}
        updated = ok_data(await run("update_webhook", inputs, live_context))["webhook"]
        assert (updated["event_types"], updated["status"]) == (["*"], "paused")
        assert luma_emulator.webhooks()[0]["status"] == "paused"
        gone = ok_data(await run("delete_webhook", {"webhook_id": webhook_id}, live_context))
        assert gone == {"webhook_id": webhook_id, "deleted": True, "already_absent": False}
        assert luma_emulator.webhooks() == []
        again = ok_data(await run("delete_webhook", {"webhook_id": webhook_id}, live_context))
        assert again["already_absent"] is True
        failed(await run("get_webhook", {"webhook_id": webhook_id}, live_context), "no webhook with id")

    async def test_nothing_to_update(self, luma_emulator, live_context):
        webhook_id = ok_data(await run("create_webhook", GUESTS, live_context))["webhook"]["id"]
        failed(await run("update_webhook", {"webhook_id": webhook_id}, live_context), "Nothing to update")

    async def test_a_key_pasted_into_the_url_is_never_shown_back(self, luma_emulator, live_context):
        # Luma keeps the URL as sent; the answers that show it must not carry the connection's key.
        leaky = {**GUESTS, "url": f"https://hooks.example.com/luma?token={TEST_API_KEY}"}
        created = ok_data(await run("create_webhook", leaky, live_context))
        listed = ok_data(await run("list_webhooks", {"detail": "full"}, live_context))
        for answer in (created, listed):
            assert TEST_API_KEY[:8] not in json.dumps(answer) and "token=***" in json.dumps(answer)


class TestCreateWebhook:
    async def test_lost_answer_creates_exactly_one_and_still_hands_out_its_secret(self, luma_emulator, live_context):
        for n in range(105):  # the check pages past older webhooks
            body = {"url": f"https://hooks.example.com/{n}", "event_types": ["*"]}
            luma_emulator.call("POST", CREATE, body=body)
        luma_emulator.inject(f"POST {CREATE}", drop_after_work=True)
        created = ok_data(await run("create_webhook", GUESTS, live_context))["webhook"]
        mine = [w for w in luma_emulator.webhooks() if w["url"] == GUESTS["url"]]
        assert mine == [created] and created["secret"].startswith("whsec_")
        assert len(posts(luma_emulator, CREATE)) == 1

    async def test_an_older_webhook_to_the_same_url_is_not_taken_for_this_one(self, luma_emulator, live_context):
        luma_emulator.clock.advance(seconds=-60)  # made a minute before the request
        luma_emulator.call("POST", CREATE, body=GUESTS)
        luma_emulator.inject(f"POST {CREATE}", status=503)
        failed(await run("create_webhook", GUESTS, live_context), "not confirmed", "list_webhooks")
        assert len(luma_emulator.webhooks()) == 1 and len(posts(luma_emulator, CREATE)) == 1

    @pytest.mark.parametrize("answer", UNUSABLE_2XX)
    async def test_accepted_with_unusable_answer_returns_the_one_webhook(
        self, luma_emulator, live_context, monkeypatch, answer
    ):
        work_then_answer(monkeypatch, luma_emulator, live_context, CREATE)
        luma_emulator.inject(f"POST {CREATE}", status=200, **answer)
        created = ok_data(await run("create_webhook", GUESTS, live_context))["webhook"]
        assert luma_emulator.webhooks() == [created]
        assert len(posts(luma_emulator, CREATE)) == 1


class TestDeleteWebhook:
    async def test_lost_answer_is_confirmed_by_its_absence(self, luma_emulator, live_context):
        webhook_id = ok_data(await run("create_webhook", GUESTS, live_context))["webhook"]["id"]
        luma_emulator.inject(f"POST {DELETE}", drop_after_work=True)
        data = ok_data(await run("delete_webhook", {"webhook_id": webhook_id}, live_context))
        assert data == {"webhook_id": webhook_id, "deleted": True, "already_absent": False}
        assert luma_emulator.webhooks() == [] and len(posts(luma_emulator, DELETE)) == 1
