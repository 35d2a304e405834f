"""The calendar itself, what a luma.com slug names, and events listed on the calendar (added, approved, rejected)."""

from typing import Any

from autohive_integrations_sdk import ActionHandler, ActionResult

from actions.shape import listing
from helpers import LumaClient
from luma import luma
from operations import calendar


@luma.action("get_calendar")
class GetCalendarAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        return ActionResult(data={"calendar": await calendar.get_calendar(LumaClient(context))})


@luma.action("update_calendar")
class UpdateCalendarAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        changes = {
            "name": inputs.get("name"),
            "slug": inputs.get("slug"),
            "description": inputs.get("description"),
            "avatar_url": inputs.get("avatar_url"),
            "tint_color": inputs.get("tint_color"),
        }
        updated = await calendar.update_calendar(LumaClient(context), changes, inputs.get("calendar_id"))
        return ActionResult(data={"calendar": updated})


@luma.action("list_calendar_admins")
class ListCalendarAdminsAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        found = await calendar.list_admins(LumaClient(context))
        return listing("admins", found, inputs.get("detail"), calendar.admin_summary)


@luma.action("lookup_entity")
class LookupEntityAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        return ActionResult(data=await calendar.lookup_entity(LumaClient(context), inputs["slug"]))


@luma.action("add_event_to_calendar")
class AddEventToCalendarAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        external = {
            "url": inputs.get("url"),
            "name": inputs.get("name"),
            "start_at": inputs.get("start_at"),
            "timezone": inputs.get("timezone"),
            "duration_minutes": inputs.get("duration_minutes"),
            "geo_address_json": inputs.get("geo_address_json"),
            "host": inputs.get("host"),
        }
        entry, already = await calendar.add_event_to_calendar(
            LumaClient(context),
            event_id=inputs.get("event_api_id"),
            external=external,
            submission_mode=inputs.get("submission_mode"),
        )
        return ActionResult(data={"calendar_event": entry, "already_on_calendar": already})


@luma.action("approve_calendar_event")
class ApproveCalendarEventAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        entry, already = await calendar.set_submission_status(
            LumaClient(context), inputs["calendar_event_id"], "approved"
        )
        return ActionResult(data={"calendar_event": entry, "already_approved": already})


@luma.action("reject_calendar_event")
class RejectCalendarEventAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        entry, already = await calendar.set_submission_status(
            LumaClient(context), inputs["calendar_event_id"], "rejected", message=inputs.get("message")
        )
        return ActionResult(data={"calendar_event": entry, "already_rejected": already})
