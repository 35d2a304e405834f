"""Workflow actions: the everyday jobs that would otherwise take many calls (an event's numbers, a status change
for many guests, a guest made to match, an event copied), each in one call."""

from typing import Any

from autohive_integrations_sdk import ActionHandler, ActionResult

from helpers import LumaClient
from luma import luma
from operations import event_summary


@luma.action("get_event_summary")
class GetEventSummaryAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        summary = await event_summary.event_summary(LumaClient(context), inputs["event_api_id"])
        return ActionResult(data={"summary": summary})
