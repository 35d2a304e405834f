"""Guests of an event: list or get, add, change status, invite."""

from typing import Any

from autohive_integrations_sdk import ActionHandler, ActionResult

from actions.shape import listed, pick
from helpers import InputError, LumaClient
from luma import luma
from operations import guest_tickets, guests
from validation import normalize_guests


@luma.action("get_guests")
class GetGuestsAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        event_id = inputs["event_api_id"]
        identifier = guests.one_guest_identifier(inputs.get("guest_api_id"), inputs.get("email"))
        client = LumaClient(context)
        if identifier is not None:
            return ActionResult(data={"guest": guests.guest_full(await guests.get_guest(client, event_id, identifier))})
        found = await guests.list_guests(
            client,
            event_id,
            approval_status=inputs.get("approval_status"),
            sort_column=inputs.get("sort_column"),
            sort_direction=inputs.get("sort_direction"),
            limit=inputs.get("limit"),
            cursor=inputs.get("cursor"),
            shape=pick(inputs.get("detail"), guests.guest_summary, guests.guest_full),
        )
        return listed("guests", found)


@luma.action("add_guests")
class AddGuestsAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        report = await guests.add_guests(
            LumaClient(context),
            inputs["event_api_id"],
            normalize_guests(inputs["guests"], max_count=guests.MAX_GUESTS_PER_CALL),
            approval_status=inputs.get("approval_status"),
            send_email=inputs.get("send_email"),
            event_ticket_type_id=inputs.get("event_ticket_type_id"),
        )
        return ActionResult(data=report)


@luma.action("update_guest_status")
class UpdateGuestStatusAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        identifier = guests.one_guest_identifier(inputs.get("guest_api_id"), inputs.get("email"))
        if identifier is None:
            raise InputError("Give the guest: either guest_api_id (starts with gst-) or email.")
        guest = await guests.update_guest_status(
            LumaClient(context),
            inputs["event_api_id"],
            identifier,
            inputs["status"],
            should_refund=inputs.get("should_refund"),
            send_email=inputs.get("send_email"),
            message=inputs.get("message"),
        )
        return ActionResult(data={"guest": guest})


@luma.action("send_invites")
class SendInvitesAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        report = await guests.send_invites(
            LumaClient(context),
            inputs["event_api_id"],
            normalize_guests(inputs["guests"], max_count=guests.MAX_GUESTS_PER_CALL),
            message=inputs.get("message"),
        )
        return ActionResult(data=report)


@luma.action("update_guest_tickets")
class UpdateGuestTicketsAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        identifier = guests.one_guest_identifier(inputs.get("guest_api_id"), inputs.get("email"))
        if identifier is None:
            raise InputError("Give the guest: either guest_api_id (starts with gst-) or email.")
        report = await guest_tickets.update_guest_tickets(
            LumaClient(context),
            inputs["event_api_id"],
            identifier,
            add_ticket_type_ids=inputs.get("add_ticket_type_ids"),
            remove_ticket_ids=inputs.get("remove_ticket_ids"),
            send_email=inputs.get("send_email"),
        )
        return ActionResult(data=report)
