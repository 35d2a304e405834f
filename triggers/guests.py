"""Guests of watched events: new registrations, new tickets, approval status changes, check-ins."""

from typing import Any

from autohive_integrations_sdk import PollingTriggerHandler

from helpers import LumaClient
from luma import luma
from operations import guest_changes


@luma.polling_trigger("new_guest")
class NewGuestTrigger(PollingTriggerHandler):
    async def poll(self, inputs: dict[str, Any], last_poll_ts: str | None, context: Any) -> list[dict[str, Any]]:
        return await guest_changes.new_guests(
            LumaClient(context),
            last_poll_ts,
            event_id=inputs.get("event_api_id"),
            statuses=inputs.get("approval_status"),
        )


@luma.polling_trigger("new_ticket")
class NewTicketTrigger(PollingTriggerHandler):
    async def poll(self, inputs: dict[str, Any], last_poll_ts: str | None, context: Any) -> list[dict[str, Any]]:
        return await guest_changes.new_tickets(
            LumaClient(context),
            last_poll_ts,
            event_id=inputs.get("event_api_id"),
            ticket_type_id=inputs.get("event_ticket_type_id"),
            ticket_type_name=inputs.get("ticket_type_name"),
            paid_only=inputs.get("paid_only"),
        )


@luma.polling_trigger("guest_status_changed")
class GuestStatusChangedTrigger(PollingTriggerHandler):
    async def poll(self, inputs: dict[str, Any], last_poll_ts: str | None, context: Any) -> list[dict[str, Any]]:
        return await guest_changes.status_changes(
            LumaClient(context),
            last_poll_ts,
            event_id=inputs.get("event_api_id"),
            statuses=inputs.get("approval_status"),
        )


@luma.polling_trigger("guest_checked_in")
class GuestCheckedInTrigger(PollingTriggerHandler):
    async def poll(self, inputs: dict[str, Any], last_poll_ts: str | None, context: Any) -> list[dict[str, Any]]:
        return await guest_changes.check_ins(LumaClient(context), last_poll_ts, event_id=inputs.get("event_api_id"))
