"""Ticket types of an event."""

from typing import Any

from autohive_integrations_sdk import ActionHandler, ActionResult

from helpers import LumaClient
from luma import luma
from operations import ticket_types


@luma.action("list_ticket_types")
class ListTicketTypesAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        found = await ticket_types.list_ticket_types(
            LumaClient(context), inputs["event_api_id"], include_hidden=bool(inputs.get("include_hidden"))
        )
        return ActionResult(data={"ticket_types": found})


@luma.action("create_ticket_type")
class CreateTicketTypeAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        fields = {
            "name": inputs["name"],
            "type": inputs["type"],
            "price": inputs.get("price"),
            "cents": inputs.get("cents"),
            "currency": inputs.get("currency"),
            "is_flexible": inputs.get("is_flexible"),
            "min_cents": inputs.get("min_cents"),
            "max_capacity": inputs.get("max_capacity"),
            "description": inputs.get("description"),
            "require_approval": inputs.get("require_approval"),
            "is_hidden": inputs.get("is_hidden"),
            "valid_start_at": inputs.get("valid_start_at"),
            "valid_end_at": inputs.get("valid_end_at"),
        }
        created = await ticket_types.create_ticket_type(LumaClient(context), inputs["event_api_id"], fields)
        return ActionResult(data={"ticket_type": created})
