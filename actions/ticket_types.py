"""Ticket types of an event."""

from typing import Any

from autohive_integrations_sdk import ActionHandler, ActionResult

from actions.shape import listing
from helpers import LumaClient
from luma import luma
from operations import ticket_types


@luma.action("list_ticket_types")
class ListTicketTypesAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        found = await ticket_types.list_ticket_types(
            LumaClient(context), inputs["event_api_id"], include_hidden=bool(inputs.get("include_hidden"))
        )
        # Luma answers every ticket type at once: there is never a next page.
        whole = {"entries": found, "has_more": False, "next_cursor": None}
        return listing("ticket_types", whole, inputs.get("detail"), ticket_types.ticket_type_summary)


@luma.action("get_ticket_type")
class GetTicketTypeAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        found = await ticket_types.get_ticket_type(LumaClient(context), inputs["event_ticket_type_id"])
        return ActionResult(data={"ticket_type": found})


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


@luma.action("update_ticket_type")
class UpdateTicketTypeAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        fields = {
            "name": inputs.get("name"),
            "type": inputs.get("type"),
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
        updated = await ticket_types.update_ticket_type(LumaClient(context), inputs["event_ticket_type_id"], fields)
        return ActionResult(data={"ticket_type": updated})


@luma.action("delete_ticket_type")
class DeleteTicketTypeAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        return ActionResult(
            data=await ticket_types.delete_ticket_type(LumaClient(context), inputs["event_ticket_type_id"])
        )
