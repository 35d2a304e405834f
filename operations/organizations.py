"""The organization an organization API key belongs to: its calendars, its events across them, its admins, new
calendars, and moving an event from one of its calendars to another. These routes act for the organization, so the
client sends them no calendar header."""

from typing import Any

import routes
from helpers import LumaClient, compact, lean
from operations.events import event_summary
from validation import start_window, visible_text
from writes import FindNew, ReadBack, not_in


def calendar_summary(calendar: dict[str, Any]) -> dict[str, Any]:
    """What a person scans in a list of calendars; detail "full" gives Luma's whole calendar."""
    return {
        "id": calendar.get("id"),
        "name": calendar.get("name"),
        **lean({key: calendar.get(key) for key in ("slug", "url", "description")}),
    }


def organization_event_summary(event: dict[str, Any]) -> dict[str, Any]:
    """An event's summary plus where it lives: the calendar that owns it and those that manage it."""
    managing = event.get("managing_calendars")
    return {
        **event_summary(event),
        **lean(
            {
                "calendar_id": event.get("calendar_id"),
                "managing_calendars": [
                    lean({key: calendar.get(key) for key in ("id", "name", "status")})
                    for calendar in managing
                    if isinstance(calendar, dict)
                ]
                if isinstance(managing, list)
                else None,
            }
        ),
    }


def admin_out(admin: dict[str, Any]) -> dict[str, Any]:
    # api_id is Luma's deprecated copy of id.
    return {key: value for key, value in admin.items() if key != "api_id"}


async def list_calendars(client: LumaClient, *, limit: int | None = None, cursor: str | None = None) -> dict:
    return await client.collect(routes.ORGANIZATION_CALENDARS_LIST, limit=limit, cursor=cursor)


async def list_events(
    client: LumaClient,
    *,
    after: str | None = None,
    before: str | None = None,
    sort_direction: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> dict[str, Any]:
    params = {**start_window(after, before), "sort_direction": sort_direction}
    return await client.collect(routes.ORGANIZATION_EVENTS_LIST, params, limit=limit, cursor=cursor)


async def list_admins(client: LumaClient) -> dict[str, Any]:
    # Luma answers the whole list at once.
    admins = await client.get_entries(routes.ORGANIZATION_ADMINS_LIST)
    return {"entries": [admin_out(admin) for admin in admins], "has_more": False, "next_cursor": None}


async def _all_calendars(client: LumaClient) -> list[dict[str, Any]]:
    return [calendar async for page in client.pages(routes.ORGANIZATION_CALENDARS_LIST) for calendar in page.entries]


def calendar_shows(calendar: dict[str, Any], body: dict[str, Any]) -> bool:
    """Whether a calendar holds every field sent that Luma shows (tint_color is not shown)."""
    for key in ("name", "description", "avatar_url"):
        if key in body and str(calendar.get(key) or "").strip() != body[key].strip():
            return False
    return "slug" not in body or str(calendar.get("slug") or "").lower() == body["slug"].lower()


async def create_calendar(client: LumaClient, fields: dict[str, Any]) -> dict[str, Any]:
    body = compact({**fields, "name": visible_text(fields["name"], "name")})
    # Calendars carry no creation time: the ones there before the request can never be taken for this one.
    known = {calendar.get("id") for calendar in await _all_calendars(client)}
    confirm = FindNew(
        candidates=lambda: _all_calendars(client),
        is_new=not_in(known),
        matches=lambda calendar: calendar_shows(calendar, body),
        checked=f"the organization's calendars for a new one named '{body['name']}'",
        verify="Look for it with list_organization_calendars",
    )
    return await client.post(routes.ORGANIZATION_CALENDARS_CREATE, body, confirm=confirm, expect_id=True)


async def find_event(client: LumaClient, event_id: str) -> dict[str, Any] | None:
    """The event among the organization's: Luma has no read of one event across calendars."""
    return await client.find(routes.ORGANIZATION_EVENTS_LIST, match=lambda event: event.get("id") == event_id)


def managed_by(event: dict[str, Any], calendar_id: str) -> bool:
    """Whether calendar_id owns the event. Another calendar may share manage access before a transfer, so
    managing_calendars counts only when Luma leaves out the owner."""
    if event.get("calendar_id"):
        return event["calendar_id"] == calendar_id
    managing = event.get("managing_calendars")
    return isinstance(managing, list) and any(
        isinstance(calendar, dict) and calendar.get("id") == calendar_id for calendar in managing
    )


async def transfer_event(client: LumaClient, event_id: str, calendar_id: str) -> dict[str, Any]:
    confirm = ReadBack(
        read=lambda: find_event(client, event_id),
        matches=lambda event: managed_by(event, calendar_id),
        checked=f"the organization's events for event {event_id} managed by calendar {calendar_id}",
        verify="Look for the event with list_organization_events (its calendar_id)",
    )
    await client.post(
        routes.ORGANIZATION_EVENTS_TRANSFER, {"event_id": event_id, "calendar_id": calendar_id}, confirm=confirm
    )
    return {"id": event_id, "calendar_id": calendar_id}
