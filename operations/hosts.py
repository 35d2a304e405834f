"""Hosts of an event: add, update, remove, checked against the event's host list.

Luma answers these writes with {} and shows hosts only on the event (events/get `hosts`: id, email, name, avatar),
never their access level or visibility: whether a host is there can be read back, how they were set cannot.
"""

from typing import Any

import routes
from helpers import (
    InputError,
    LumaClient,
    LumaError,
    LumaInvalidRequestError,
    LumaResponseError,
    LumaUnconfirmedWriteError,
    WriteConflict,
    compact,
    has_id,
    luma_said,
    not_found,
)
from operations.events import get_event
from operations.removals import remove
from emails import email_key
from validation import normalize_email, visible_text
from writes import ReadBack


def event_hosts(event: dict[str, Any]) -> list[dict[str, Any]]:
    hosts = event.get("hosts")
    if not isinstance(hosts, list):
        # Without the list, "not a host" could not be told from "Luma did not say": never guess on a write.
        raise LumaResponseError(
            f"GET {routes.EVENTS_GET}: Luma's answer for event {event.get('id')} had no list of hosts. Retry later."
        )
    return [host for host in hosts if isinstance(host, dict)]


def find_host(event: dict[str, Any], email: str) -> dict[str, Any] | None:
    """The event's host with this email; Luma matches emails case-insensitively."""
    wanted = email_key(email)
    return next((host for host in event_hosts(event) if email_key(host.get("email")) == wanted), None)


def _host_check(client: LumaClient, event_id: str, email: str, *, gone: bool) -> ReadBack:
    async def read() -> dict[str, Any] | None:
        return find_host(await get_event(client, event_id), email)

    return ReadBack(
        read=read,
        matches=lambda host: True,
        checked=f"event {event_id}'s hosts for {email}",
        verify=f"Read the event's hosts with get_events (event_api_id {event_id})",
        gone=gone,
    )


async def _host_after(client: LumaClient, event_id: str, email: str, known: dict[str, Any]) -> dict[str, Any]:
    """The host as Luma lists it after a write that succeeded; if only this read fails, what is known already (a
    failure here would invite repeating a write that happened)."""
    try:
        return find_host(await get_event(client, event_id), email) or known
    except LumaError:
        return known


def _refusal(error: LumaInvalidRequestError, event: dict[str, Any], host: dict[str, Any], doing: str) -> LumaError:
    """Luma's 400 for the event's creator, said plainly; any other refusal as Luma gave it."""
    # Assumed: an event's user_id is its creator (Luma does not document the field); Luma's words may say so too.
    creator = (has_id(host) and host["id"] == event.get("user_id")) or "creator" in (error.luma_message or "").lower()
    if not creator:
        return error
    return LumaInvalidRequestError(
        f"Luma refused to {doing}: {host.get('email')} created event {event.get('id')}, and Luma keeps an event's "
        "creator as a manager host: the creator cannot be removed and their access level cannot be changed. "
        f"Nothing was changed.{luma_said(error.luma_message)}",
        status=error.status,
        luma_message=error.luma_message,
    )


async def add_host(
    client: LumaClient,
    event_id: str,
    email: str,
    *,
    name: str | None = None,
    access_level: str | None = None,
    is_visible: bool | None = None,
) -> dict[str, Any]:
    """Adds the host unless the email already is one; {host, already_host, access_level_set?, is_visible_set?}."""
    email = normalize_email(email)
    name = visible_text(name, "name") if name is not None else None
    existing = find_host(await get_event(client, event_id), email)
    if existing is not None:
        # Luma documents nothing for adding a host twice; their settings are update_host's job.
        return {"host": existing, "already_host": True}
    body = compact(
        {"event_id": event_id, "email": email, "name": name, "access_level": access_level, "is_visible": is_visible}
    )
    # Checked absent just before: a host found after an ambiguous failure was added by this request.
    landed = await client.post(routes.HOSTS_ADD, body, confirm=_host_check(client, event_id, email, gone=False))
    host = landed if isinstance(landed, dict) and landed.get("email") else None
    if host is None:
        host = await _host_after(client, event_id, email, compact({"email": email, "name": name}))
    return {"host": host, "already_host": False, **_settings(access_level, is_visible)}


async def update_host(
    client: LumaClient, event_id: str, email: str, *, access_level: str | None = None, is_visible: bool | None = None
) -> dict[str, Any]:
    """Changes a host's access level and/or visibility; {host, access_level_set?, is_visible_set?}."""
    email = normalize_email(email)
    if access_level is None and is_visible is None:
        raise InputError("Nothing to update: give access_level and/or is_visible for the host.")
    event = await get_event(client, event_id)
    host = find_host(event, email)
    if host is None:
        listed = ", ".join(str(h.get("email")) for h in event_hosts(event)) or "none"
        raise not_found(
            f"{email} is not a host of event {event_id} (its hosts: {listed}); nothing was sent",
            "Add them with add_host, or check the email.",
        )
    body = compact({"event_id": event_id, "email": email, "access_level": access_level, "is_visible": is_visible})
    try:
        # No confirmation can exist: Luma shows hosts without access level or visibility.
        await client.post(routes.HOSTS_UPDATE, body)
    except LumaUnconfirmedWriteError as error:
        raise LumaUnconfirmedWriteError(
            f"Updating host {email} of event {event_id} was not confirmed: Luma's answer was lost or unusable, and "
            "Luma shows an event's hosts without their access level or visibility, so the change cannot be read "
            "back. It was not sent again. An update only sets values, so running the same update_host again is "
            "harmless; or check the host in Luma (the event's Manage page).",
            status=error.status,
            luma_message=error.luma_message,
        ) from None
    except WriteConflict:
        raise
    except LumaInvalidRequestError as error:
        raise _refusal(error, event, host, f"change host {email}") from None
    return {"host": await _host_after(client, event_id, email, host), **_settings(access_level, is_visible)}


async def remove_host(client: LumaClient, event_id: str, email: str) -> dict[str, Any]:
    """Removes the host; {email, event_api_id, already_absent}."""
    email = normalize_email(email)
    event = await get_event(client, event_id)
    host = find_host(event, email)
    gone = {"email": email, "event_api_id": event_id, "already_absent": True}
    if host is None:
        return gone
    body = {"event_id": event_id, "email": email}
    try:
        # Already absent when seen a moment ago and unknown now: removed by someone else in between.
        absent = await remove(client, routes.HOSTS_REMOVE, body, _host_check(client, event_id, email, gone=True))
    except WriteConflict:
        raise
    except LumaInvalidRequestError as error:
        raise _refusal(error, event, host, f"remove host {email}") from None
    return {**gone, "already_absent": absent}


def _settings(access_level: str | None, is_visible: bool | None) -> dict[str, Any]:
    return compact({"access_level_set": access_level, "is_visible_set": is_visible})
