"""The organization of an organization API key: its calendars, events and admins."""

from typing import Any

from autohive_integrations_sdk import ActionHandler, ActionResult

from actions.shape import listing
from helpers import LumaClient
from luma import luma
from operations import organizations
from operations.calendar import admin_summary


@luma.action("list_organization_calendars")
class ListOrganizationCalendarsAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        found = await organizations.list_calendars(
            LumaClient(context), limit=inputs.get("limit"), cursor=inputs.get("cursor")
        )
        return listing("calendars", found, inputs.get("detail"), organizations.calendar_summary)


@luma.action("list_organization_events")
class ListOrganizationEventsAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        found = await organizations.list_events(
            LumaClient(context),
            after=inputs.get("after"),
            before=inputs.get("before"),
            sort_direction=inputs.get("sort_direction"),
            limit=inputs.get("limit"),
            cursor=inputs.get("cursor"),
        )
        return listing("events", found, inputs.get("detail"), organizations.organization_event_summary)


@luma.action("list_organization_admins")
class ListOrganizationAdminsAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        found = await organizations.list_admins(LumaClient(context))
        return listing("admins", found, inputs.get("detail"), admin_summary)


@luma.action("create_calendar")
class CreateCalendarAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        fields = {
            "name": inputs["name"],
            "slug": inputs.get("slug"),
            "description": inputs.get("description"),
            "avatar_url": inputs.get("avatar_url"),
            "tint_color": inputs.get("tint_color"),
        }
        return ActionResult(data={"calendar": await organizations.create_calendar(LumaClient(context), fields)})


@luma.action("transfer_event")
class TransferEventAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        event = await organizations.transfer_event(LumaClient(context), inputs["event_api_id"], inputs["calendar_id"])
        return ActionResult(data={"event": event})
