"""The calendar's people: someone added (subscribed, imported, or joined through an event)."""

from typing import Any

from autohive_integrations_sdk import PollingTriggerHandler

from helpers import LumaClient
from luma import luma
from operations import calendar_changes


@luma.polling_trigger("new_person")
class NewPersonTrigger(PollingTriggerHandler):
    async def poll(self, inputs: dict[str, Any], last_poll_ts: str | None, context: Any) -> list[dict[str, Any]]:
        return await calendar_changes.new_people(LumaClient(context), last_poll_ts, tags=inputs.get("tags"))
