"""Events of the calendar: list or get, look up, create, update, cancel."""

from typing import Any

from autohive_integrations_sdk import ActionHandler, ActionResult

from actions.shape import listed, pick
from helpers import InputError, LumaClient
from luma import luma
from operations import events


@luma.action("get_events")
class GetEventsAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        event_api_id = inputs.get("event_api_id")
        filters = {
            "after": inputs.get("after"),
            "before": inputs.get("before"),
            "sort_direction": inputs.get("sort_direction"),
            "status": inputs.get("status"),
            "platforms": inputs.get("platforms"),
            "cursor": inputs.get("cursor"),
            "limit": inputs.get("limit"),
        }
        client = LumaClient(context)
        if event_api_id is not None:
            defaults = luma.input_defaults("get_events")
            given = [name for name, value in filters.items() if value is not None and value != defaults.get(name)]
            if given:
                raise InputError(
                    "event_api_id fetches one event, so list filters cannot be used with it "
                    f"(got: {', '.join(given)}). Remove event_api_id to list the calendar's events, "
                    "or remove the filters."
                )
            return ActionResult(data={"event": await events.get_event(client, event_api_id)})
        found = await events.list_events(client, **filters, shape=pick(inputs.get("detail"), events.event_summary))
        return listed("events", found)


@luma.action("lookup_event")
class LookupEventAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        found = await events.lookup_event(
            LumaClient(context), url=inputs.get("url"), event_id=inputs.get("event_api_id")
        )
        return ActionResult(data={"event": found})


@luma.action("create_event")
class CreateEventAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        fields = {
            "name": inputs["name"],
            "start_at": inputs["start_at"],
            "timezone": inputs["timezone"],
            "end_at": inputs.get("end_at"),
            "duration_minutes": inputs.get("duration_minutes"),
            "description_md": inputs.get("description_md"),
            "geo_address_json": inputs.get("geo_address_json"),
            "coordinate": inputs.get("coordinate"),
            "meeting_url": inputs.get("meeting_url"),
            "visibility": inputs.get("visibility"),
            "max_capacity": inputs.get("max_capacity"),
            "cover_url": inputs.get("cover_url"),
            "slug": inputs.get("slug"),
            "tint_color": inputs.get("tint_color"),
            "can_register_for_multiple_tickets": inputs.get("can_register_for_multiple_tickets"),
            "show_guest_list": inputs.get("show_guest_list"),
            "reminders_disabled": inputs.get("reminders_disabled"),
            "name_requirement": inputs.get("name_requirement"),
            "phone_number_requirement": inputs.get("phone_number_requirement"),
            "feedback_email": inputs.get("feedback_email"),
            "registration_questions": inputs.get("registration_questions"),
            "registration_open": inputs.get("registration_open"),
            "waitlist_status": inputs.get("waitlist_status"),
            "location_visibility": inputs.get("location_visibility"),
        }
        event = await events.create_event(LumaClient(context), fields)
        # Luma's event object has no max_capacity: the capacity sent is the only record of it.
        return ActionResult(data={"event": event, "max_capacity_set": fields["max_capacity"]})


@luma.action("update_event")
class UpdateEventAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        # Autohive's config check reads each input literally here, so this list mirrors create_event's.
        changes = {
            "name": inputs.get("name"),
            "start_at": inputs.get("start_at"),
            "timezone": inputs.get("timezone"),
            "end_at": inputs.get("end_at"),
            "duration_minutes": inputs.get("duration_minutes"),
            "description_md": inputs.get("description_md"),
            "geo_address_json": inputs.get("geo_address_json"),
            "coordinate": inputs.get("coordinate"),
            "meeting_url": inputs.get("meeting_url"),
            "visibility": inputs.get("visibility"),
            "max_capacity": inputs.get("max_capacity"),
            "cover_url": inputs.get("cover_url"),
            "slug": inputs.get("slug"),
            "tint_color": inputs.get("tint_color"),
            "can_register_for_multiple_tickets": inputs.get("can_register_for_multiple_tickets"),
            "show_guest_list": inputs.get("show_guest_list"),
            "reminders_disabled": inputs.get("reminders_disabled"),
            "name_requirement": inputs.get("name_requirement"),
            "phone_number_requirement": inputs.get("phone_number_requirement"),
            "feedback_email": inputs.get("feedback_email"),
            "registration_questions": inputs.get("registration_questions"),
            "registration_open": inputs.get("registration_open"),
            "waitlist_status": inputs.get("waitlist_status"),
            "location_visibility": inputs.get("location_visibility"),
        }
        event = await events.update_event(
            LumaClient(context),
            inputs["event_api_id"],
            changes,
            suppress_notifications=inputs.get("suppress_notifications"),
        )
        capacity = {} if changes["max_capacity"] is None else {"max_capacity_set": changes["max_capacity"]}
        return ActionResult(data={"event": event, **capacity})


@luma.action("cancel_event")
class CancelEventAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        cancelled = await events.cancel_event(
            LumaClient(context), inputs["event_api_id"], should_refund=inputs.get("should_refund")
        )
        return ActionResult(data=cancelled)
