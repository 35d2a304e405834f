"""Hosts of an event: add, update, remove."""

from typing import Any

from autohive_integrations_sdk import ActionHandler, ActionResult

from helpers import LumaClient
from luma import luma
from operations import hosts


@luma.action("add_host")
class AddHostAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        added = await hosts.add_host(
            LumaClient(context),
            inputs["event_api_id"],
            inputs["email"],
            name=inputs.get("name"),
            access_level=inputs.get("access_level"),
            is_visible=inputs.get("is_visible"),
        )
        return ActionResult(data=added)


@luma.action("update_host")
class UpdateHostAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        updated = await hosts.update_host(
            LumaClient(context),
            inputs["event_api_id"],
            inputs["email"],
            access_level=inputs.get("access_level"),
            is_visible=inputs.get("is_visible"),
        )
        return ActionResult(data=updated)


@luma.action("remove_host")
class RemoveHostAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        removed = await hosts.remove_host(LumaClient(context), inputs["event_api_id"], inputs["email"])
        return ActionResult(data=removed)
