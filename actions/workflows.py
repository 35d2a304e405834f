"""Workflow actions: the everyday jobs that would otherwise take many calls (an event's numbers, a status change
for many guests, a guest made to match, an event copied), each in one call."""

from typing import Any

from autohive_integrations_sdk import ActionHandler, ActionResult

from helpers import LumaClient
from luma import luma
from operations import bulk_status, clone_event, event_summary, upsert_guest


@luma.action("get_event_summary")
class GetEventSummaryAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        summary = await event_summary.event_summary(LumaClient(context), inputs["event_api_id"])
        return ActionResult(data={"summary": summary})


@luma.action("update_guests_status")
class UpdateGuestsStatusAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        report = await bulk_status.update_guests_status(
            LumaClient(context),
            inputs["event_api_id"],
            bulk_status.ChangeOptions(
                inputs["status"],
                send_email=inputs.get("send_email"),
                message=inputs.get("message"),
                should_refund=inputs.get("should_refund"),
            ),
            identifiers=bulk_status.identifiers_from(inputs.get("guest_api_ids"), inputs.get("emails")),
            rule=bulk_status.rule_from(
                from_status=inputs.get("from_status"),
                email_domains=inputs.get("email_domains"),
                exclude_email_domains=inputs.get("exclude_email_domains"),
                answers=inputs.get("answers"),
                event_ticket_type_id=inputs.get("event_ticket_type_id"),
            ),
            dry_run=inputs.get("dry_run"),
            continuation=inputs.get("continuation"),
        )
        return ActionResult(data=report)


@luma.action("upsert_guest")
class UpsertGuestAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        result = await upsert_guest.upsert_guest(
            LumaClient(context),
            inputs["event_api_id"],
            inputs["email"],
            name=inputs.get("name"),
            approval_status=inputs.get("approval_status"),
            event_ticket_type_id=inputs.get("event_ticket_type_id"),
            send_email=inputs.get("send_email"),
        )
        return ActionResult(data=result)


@luma.action("clone_event")
class CloneEventAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        clone = await clone_event.clone_event(
            LumaClient(context),
            inputs["event_api_id"],
            inputs["start_at"],
            timezone=inputs.get("timezone"),
            name=inputs.get("name"),
            include_ticket_types=inputs.get("include_ticket_types"),
            include_coupons=inputs.get("include_coupons"),
            target_id=inputs.get("target_event_api_id"),
        )
        return ActionResult(data=clone)
