"""One person on one event's guest list in a given status, whatever the list held before: added when absent,
moved when in another status, left alone when already right. Running it twice leaves the same state."""

from typing import Any

from helpers import LumaClient, LumaError, LumaInvalidRequestError, LumaUnconfirmedWriteError
from operations.bulk_status import ChangeOptions, change_status
from operations.guests import add_guests, find_guest, guest_summary, is_registered
from validation import normalize_email, normalize_guests


async def upsert_guest(
    client: LumaClient,
    event_id: str,
    email: str,
    *,
    name: str | None = None,
    approval_status: str,
    event_ticket_type_id: str | None = None,
    send_email: bool | None = None,
) -> dict[str, Any]:
    """{guest, outcome: added | status_changed | unchanged, previous_status}."""
    (person,) = normalize_guests([{"email": normalize_email(email), "name": name}])
    found = await find_guest(client, event_id, person["email"])
    before = found.get("approval_status") if found is not None else None
    # An invited person is on the list but not registered: adding them is what registers them.
    if found is None or not is_registered(found):
        report = await add_guests(
            client,
            event_id,
            [person],
            approval_status=approval_status,
            send_email=send_email,
            event_ticket_type_id=event_ticket_type_id,
        )
        (result,) = report["results"]
        if result["status"] == "added":
            added = await _read_back(client, event_id, person["email"], approval_status)
            return _answer(added, "added", before)
        if result["status"] != "already_guest":
            raise _not_added(result, person["email"], event_id)
        # Registered by someone else between the look-up and the add: treat them as present.
        found = await find_guest(client, event_id, person["email"])
        if found is None:
            raise _not_added(result, person["email"], event_id)
        before = found.get("approval_status")
    if before == approval_status:
        return _answer(found, "unchanged", before)
    options = ChangeOptions(approval_status, send_email=send_email)
    await change_status(client, event_id, str(found.get("id") or person["email"]), options)
    return _answer({**found, "approval_status": approval_status}, "status_changed", before)


async def _read_back(client: LumaClient, event_id: str, email: str, status: str) -> dict[str, Any]:
    """The guest just added; if only this read fails, the add still happened: answer with what is known rather
    than an error that would invite a second add."""
    try:
        found = await find_guest(client, event_id, email)
    except LumaError:
        found = None
    return found or {"user_email": email, "approval_status": status}


def _answer(guest: dict[str, Any], outcome: str, before: str | None) -> dict[str, Any]:
    shown = guest_summary(guest)
    if shown.get("id") is None:
        shown.pop("id")
    return {"guest": shown, "outcome": outcome, "previous_status": before}


def _not_added(result: dict[str, Any], email: str, event_id: str) -> LumaError:
    message = result.get("message") or ""
    if result["status"] == "unconfirmed":
        return LumaUnconfirmedWriteError(
            f"Luma's answer to adding {email} to event {event_id} was lost and a look-up did not show the guest, so "
            "the add was not confirmed. It was not sent again, because Luma may still apply it: check with "
            "get_guests (email) before running this again."
        )
    if result["status"] == "failed":
        return LumaInvalidRequestError(f"Luma did not add {email} to event {event_id}. {message}".strip())
    return LumaError(f"{email} was not added to event {event_id}. {message}".strip())
