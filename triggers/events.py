"""Events of the calendar: created, changed, submitted for approval."""

from typing import Any

from autohive_integrations_sdk import PollingTriggerHandler

from helpers import LumaClient
from luma import luma
from operations import calendar_changes


@luma.polling_trigger("new_event")
class NewEventTrigger(PollingTriggerHandler):
    async def poll(self, inputs: dict[str, Any], last_poll_ts: str | None, context: Any) -> list[dict[str, Any]]:
        return await calendar_changes.new_events(LumaClient(context), last_poll_ts)


@luma.polling_trigger("event_updated")
class EventUpdatedTrigger(PollingTriggerHandler):
    async def poll(self, inputs: dict[str, Any], last_poll_ts: str | None, context: Any) -> list[dict[str, Any]]:
        return await calendar_changes.event_updates(
            LumaClient(context), last_poll_ts, event_id=inputs.get("event_api_id")
        )


@luma.polling_trigger("calendar_event_submitted")
class CalendarEventSubmittedTrigger(PollingTriggerHandler):
    async def poll(self, inputs: dict[str, Any], last_poll_ts: str | None, context: Any) -> list[dict[str, Any]]:
        return await calendar_changes.submissions(LumaClient(context), last_poll_ts)
