"""Webhooks of the calendar: where Luma sends which notifications."""

from typing import Any

from autohive_integrations_sdk import ActionHandler, ActionResult

from actions.shape import listing
from helpers import LumaClient
from luma import luma
from operations import webhooks


@luma.action("list_webhooks")
class ListWebhooksAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        found = await webhooks.list_webhooks(
            LumaClient(context), limit=inputs.get("limit"), cursor=inputs.get("cursor")
        )
        return listing("webhooks", found, inputs.get("detail"), webhooks.webhook_summary)


@luma.action("get_webhook")
class GetWebhookAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        return ActionResult(data={"webhook": await webhooks.get_webhook(LumaClient(context), inputs["webhook_id"])})


@luma.action("create_webhook")
class CreateWebhookAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        webhook = await webhooks.create_webhook(LumaClient(context), inputs["url"], inputs["event_types"])
        return ActionResult(data={"webhook": webhook})


@luma.action("update_webhook")
class UpdateWebhookAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        webhook = await webhooks.update_webhook(
            LumaClient(context),
            inputs["webhook_id"],
            event_types=inputs.get("event_types"),
            status=inputs.get("status"),
        )
        return ActionResult(data={"webhook": webhook})


@luma.action("delete_webhook")
class DeleteWebhookAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        return ActionResult(data=await webhooks.delete_webhook(LumaClient(context), inputs["webhook_id"]))
