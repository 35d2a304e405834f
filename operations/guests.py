"""Guests of an event: look up, list, change status, and add or invite many with a truthful report per email."""

import math
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Unpack

import routes
from helpers import (
    AT_CAPACITY,
    LUMA_MAX_PAGE_SIZE,
    InputError,
    LumaClient,
    LumaError,
    LumaNotFoundError,
    Paging,
    compact,
    lean,
    not_found,
    or_none,
)
from operations.batches import LOOKUP_CONCURRENCY, MAX_SPLIT_REQUESTS, EmailBatches, look_up_each
from operations.batches import first_error  # noqa: F401 - callers and tests read it here, where it began
from emails import email_key, other_domain_form
from validation import luma_instant, normalize_email
from writes import ReadBack

# What one run can send and report on inside the time budget and the Lambda's response size.
MAX_GUESTS_PER_CALL = 1000
# Luma documents no maximum for guests[] in add / send-invites. 100 is the largest page Luma serves and the top of
# what its clients send ("50-100 per call"): a tenth of the requests of one per call, each well inside the timeout,
# and a rejected batch is isolated in at most 14 extra requests.
BATCH_SIZE = 100
# Batches of one call in flight together: all of them (1000 / 100), since each is independent of the others.
# The pacer keeps every request inside the key's window, so this never trips Luma's rate limit; a batch that
# would have to wait past the run's budget is reported not_processed instead.
BATCHES_IN_FLIGHT = MAX_GUESTS_PER_CALL // BATCH_SIZE
# Up to this many emails missing from the guest list's first page are looked up one by one; more are sought by
# reading the list on when that takes fewer requests (Luma has no lookup by many emails).
LOOKUP_MAX_EMAILS = 10

# Luma's send limits (15 / 500 / 5k invites a week) arrive as plain 400 messages (as capacity does: AT_CAPACITY).
_SEND_LIMIT = re.compile(r"quota|weekly|per week|this week|(invite|send|sending|email)s? limit", re.IGNORECASE)
SEND_LIMIT_ADVICE = (
    "The calendar's weekly invite limit was reached; retry next week or raise the limit in Luma "
    "(verify the calendar, or add sends with Luma Plus)."
)
CAPACITY_ADVICE = "The event is at capacity; raise its capacity (or turn on the waitlist) in Luma, then retry."
UNCONFIRMED = (
    "Sent, but Luma's answer was lost or unreadable and a lookup did not show this email; it was not sent again, "
    "because Luma may still have applied it. Check with get_guests (email) before sending it again."
)


def answers_by_label(guest: dict[str, Any]) -> dict[str, Any]:
    """Registration answers as {question label: answer}, the way a person reads a form."""
    answers = guest.get("registration_answers")
    if not isinstance(answers, list):
        return {}
    return {
        str(answer.get("label") or answer.get("question_id")): answer.get("value", answer.get("answer"))
        for answer in answers
        if isinstance(answer, dict) and (answer.get("label") or answer.get("question_id"))
    }


def tickets_of(guest: dict[str, Any]) -> list[dict[str, Any]]:
    tickets = guest.get("event_tickets")
    return [ticket for ticket in tickets if isinstance(ticket, dict)] if isinstance(tickets, list) else []


def ticket_names(guest: dict[str, Any]) -> list[str]:
    """The names of the guest's ticket types, each once."""
    return list(dict.fromkeys(str(ticket.get("name")) for ticket in tickets_of(guest) if ticket.get("name")))


def checked_in_at(guest: dict[str, Any]) -> str | None:
    """When the guest first checked in (Luma keeps it per ticket)."""
    stamps = [ticket["checked_in_at"] for ticket in tickets_of(guest) if isinstance(ticket.get("checked_in_at"), str)]
    return min(stamps, key=lambda stamp: luma_instant(stamp) or stamp) if stamps else None


def guest_summary(guest: dict[str, Any]) -> dict[str, Any]:
    """What a person scans on a guest list; detail "full" gives Luma's whole record."""
    return {
        "id": guest.get("id"),
        "email": guest.get("user_email"),
        "approval_status": guest.get("approval_status"),
        **lean(
            {
                "name": guest.get("user_name"),
                "registered_at": guest.get("registered_at"),
                "checked_in_at": checked_in_at(guest),
                "ticket_types": ticket_names(guest),
                "answers": answers_by_label(guest),
            }
        ),
    }


def guest_full(guest: dict[str, Any]) -> dict[str, Any]:
    """Luma's whole guest record, with the registration answers also given flat by label."""
    return {**guest, "answers": answers_by_label(guest)}


def one_guest_identifier(guest_api_id: str | None, email: str | None) -> str | None:
    """Luma's guest `id` takes a gst- id or an email; the caller may give one, not both."""
    if guest_api_id is not None and email is not None:
        raise InputError("Give either guest_api_id or email, not both: each identifies the guest on its own.")
    if email is not None:
        return normalize_email(email)
    if guest_api_id is not None:
        if not guest_api_id.strip():
            raise InputError("guest_api_id is empty; give the guest's id (starts with gst-) or use email instead.")
        return guest_api_id.strip()
    return None


def describe_guest(identifier: str) -> str:
    return f"email {identifier}" if "@" in identifier else f"id {identifier}"


def guest_not_found(identifier: str, event_id: str, error: LumaNotFoundError | None = None) -> LumaNotFoundError:
    return not_found(
        f"No guest with {describe_guest(identifier)} is on event {event_id} (Luma answered 404)",
        "Check the email or guest id and the event id (evt-...); call get_guests without email/guest_api_id to list "
        "the event's guests.",
        error,
    )


async def get_guest(client: LumaClient, event_id: str, identifier: str) -> dict[str, Any]:
    """The guest by id or email; an email with an internationalised domain is also looked up in its other form."""
    try:
        return await client.get_object(routes.GUESTS_GET, {"event_id": event_id, "id": identifier})
    except LumaNotFoundError as error:
        missing = error
    found = await _in_other_form(client, event_id, identifier, client.get_object)
    if found is None:
        raise guest_not_found(identifier, event_id, missing)
    return found


async def find_guest(client: LumaClient, event_id: str, identifier: str) -> dict[str, Any] | None:
    """The guest, or None when Luma has no such guest on the event. Luma matches an email as the text it stored, so
    an address with an internationalised domain is also looked up with the domain in its other form."""
    found = await or_none(client.get(routes.GUESTS_GET, {"event_id": event_id, "id": identifier}))
    return found if found is not None else await _in_other_form(client, event_id, identifier, client.get)


async def _in_other_form(
    client: LumaClient, event_id: str, identifier: str, read: Callable[..., Awaitable[dict[str, Any]]]
) -> dict[str, Any] | None:
    other = other_domain_form(identifier) if "@" in identifier else None
    if other is None:
        return None
    found = await or_none(read(routes.GUESTS_GET, {"event_id": event_id, "id": other}))
    # Only the same mailbox counts: what Luma answers for the second form is not ours to trust.
    return found if found is not None and email_key(found.get("user_email")) == email_key(identifier) else None


async def guest_id_for(client: LumaClient, event_id: str, identifier: str) -> str:
    """What to send Luma as guest_id: the identifier as given, except an email with an internationalised domain,
    which Luma matches only in the form it stored: that guest's id (found in either form)."""
    if "@" not in identifier or other_domain_form(identifier) is None:
        return identifier
    guest = await find_guest(client, event_id, identifier)
    if guest is None:
        raise guest_not_found(identifier, event_id)
    return guest["id"] if isinstance(guest.get("id"), str) and guest["id"] else identifier


async def find_guests(client: LumaClient, event_id: str, emails: list[str]) -> list[dict[str, Any] | None]:
    return await look_up_each(
        emails, lambda email: find_guest(client, event_id, email), concurrency=client.concurrency(LOOKUP_CONCURRENCY)
    )


async def list_guests(
    client: LumaClient,
    event_id: str,
    *,
    approval_status: str | None = None,
    sort_column: str | None = None,
    sort_direction: str | None = None,
    **paging: Unpack[Paging],
) -> dict[str, Any]:
    params = {
        "event_id": event_id,
        "approval_status": approval_status,
        "sort_column": sort_column,
        "sort_direction": sort_direction,
    }
    return await client.collect(routes.GUESTS_LIST, params, **paging)


async def guest_list_size(client: LumaClient, event_id: str) -> int | None:
    """How many guests the event has, from Luma's guest_counts; None when Luma does not say."""
    event = await client.get_object(routes.EVENTS_GET, {"event_id": event_id})
    counts = event.get("guest_counts")
    if not isinstance(counts, dict):
        return None
    # checked_in guests are also counted under their approval status.
    return sum(
        entry.get("guests", 0)
        for status, entry in counts.items()
        if status != "checked_in" and isinstance(entry, dict) and isinstance(entry.get("guests"), int)
    )


def _keep(found: dict[str, dict[str, Any]], guests: list[dict[str, Any]], wanted: set[str]) -> None:
    for guest in guests:
        email = email_key(guest.get("user_email"))
        if email in wanted:
            found[email] = guest


async def existing_guests(
    client: LumaClient, event_id: str, emails: list[str], max_requests: int | None = None
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The guest records of those emails already on the event (by email_key), in the fewest requests, and the
    emails left unchecked when that would take more than `max_requests`. Luma has no lookup by many emails. One email
    is looked up. More are sought on the guest list's first page, which is the whole list for most events (one
    request, however many emails); when the list goes on, the emails not on that page are looked up one by one, or
    the list is read on when its size (the event's guest_counts) makes that cheaper. Past the budget, the first
    emails are looked up and the rest left for a later call."""
    if len(emails) <= 1:
        records = await find_guests(client, event_id, emails)
        return {email_key(email): record for email, record in zip(emails, records) if record is not None}, []
    wanted = {email_key(email) for email in emails}
    found: dict[str, dict[str, Any]] = {}
    budget = max_requests if max_requests is not None else math.inf
    pages = client.pages(routes.GUESTS_LIST, {"event_id": event_id})
    try:
        first = await anext(pages)
        _keep(found, first.entries, wanted)
        missing = [email for email in emails if email_key(email) not in found]
        if not first.has_more or not missing:
            return found, []
        budget -= 1
        if len(missing) > LOOKUP_MAX_EMAILS:
            size = await guest_list_size(client, event_id)
            budget -= 1
            pages_left = math.ceil(max(0, (size or 0) - len(first.entries)) / LUMA_MAX_PAGE_SIZE)
            if (size is None or pages_left < len(missing)) and pages_left <= budget:
                async for page in pages:
                    _keep(found, page.entries, wanted)
                return found, []
    finally:
        await pages.aclose()
    checked, unchecked = (missing, []) if len(missing) <= budget else (missing[: int(budget)], missing[int(budget) :])
    records = await find_guests(client, event_id, checked)
    found.update((email_key(email), record) for email, record in zip(checked, records) if record is not None)
    return found, unchecked


async def lookup_guests(client: LumaClient, event_id: str, emails: list[str]) -> list[dict[str, Any] | None]:
    """Each email's guest record on the event, or None, in the fewest requests (see existing_guests)."""
    found, _ = await existing_guests(client, event_id, emails)
    return [found.get(email_key(email)) for email in emails]


def _earliest(record: dict[str, Any], fields: tuple[str, ...]) -> datetime | None:
    stamps = [moment for moment in (luma_instant(record.get(field)) for field in fields) if moment is not None]
    return min(stamps) if stamps else None


def is_registered(record: dict[str, Any]) -> bool:
    # An invited person appears on the guest list as `invited` until they accept; adding them is still an add.
    return record.get("approval_status") != "invited"


def is_on_list(record: dict[str, Any]) -> bool:
    return True


def registered_since(record: dict[str, Any]) -> datetime | None:
    """When the person became a registered guest."""
    return _earliest(record, ("registered_at", "joined_at"))


def on_list_since(record: dict[str, Any]) -> datetime | None:
    """The earliest evidence of the person on the guest list in any status. Luma stamps invited_at on people who
    were already registered, so the newest stamp would take a long-registered guest for a new invite."""
    return _earliest(record, ("invited_at", "registered_at", "joined_at"))


async def update_guest_status(
    client: LumaClient,
    event_id: str,
    identifier: str,
    status: str,
    *,
    should_refund: bool | None = None,
    send_email: bool | None = None,
    message: str | None = None,
) -> dict[str, Any]:
    if message is not None and send_email is False:
        raise InputError(
            "message is sent in Luma's email to the guest, so it cannot be used with send_email false. "
            "Remove message, or set send_email to true."
        )
    guest_id = await guest_id_for(client, event_id, identifier)
    body = compact(
        {
            "event_id": event_id,
            "guest_id": guest_id,
            "status": status,
            "should_refund": should_refund,
            "send_email": send_email,
            "message": message,
        }
    )
    confirm = ReadBack(
        read=lambda: find_guest(client, event_id, guest_id),
        matches=lambda guest: guest.get("approval_status") == status,
        checked=f"the guest's approval_status on event {event_id}",
        verify=f"Read the guest with get_guests ({describe_guest(identifier)})",
    )
    try:
        await client.post(routes.GUESTS_UPDATE_STATUS, body, confirm=confirm)
    except LumaNotFoundError as error:
        raise guest_not_found(identifier, event_id, error) from None
    try:
        return await client.get_object(routes.GUESTS_GET, {"event_id": event_id, "id": guest_id})
    except LumaError:
        # The change landed. An error here would invite a retry that emails the guest again, so answer with
        # what is known instead: a success an agent cannot misread as "nothing happened".
        key = "user_email" if "@" in identifier else "id"
        return {key: identifier, "approval_status": status}


def send_limit_advice(luma_message: str | None) -> str | None:
    if not luma_message:
        return None
    if _SEND_LIMIT.search(luma_message):
        return SEND_LIMIT_ADVICE
    if AT_CAPACITY.search(luma_message):
        return CAPACITY_ADVICE
    return None


class GuestBatches(EmailBatches):
    """Guests added to or invited to one event (`done`: added or invited), every batch of a call at once."""

    already = "already_guest"
    batch_size = BATCH_SIZE
    in_flight = BATCHES_IN_FLIGHT
    split_budget = MAX_SPLIT_REQUESTS
    unconfirmed = UNCONFIRMED
    verify = "Check each email with get_guests"
    listing = "the guest list"

    def __init__(
        self,
        client: LumaClient,
        *,
        path: str,
        event_id: str,
        extra: dict[str, Any],
        done: str,
        shows: Callable[[dict[str, Any]], bool],
        since: Callable[[dict[str, Any]], datetime | None],
    ):
        super().__init__(client, path=path, shows=shows, since=since)
        self.event_id = event_id
        self.extra = extra
        self.done = done
        self.checked = f"each email of the batch on event {event_id}'s guest list"

    def body(self, batch: list[dict[str, str]]) -> dict[str, Any]:
        return {"event_id": self.event_id, "guests": batch, **self.extra}

    async def existing(self, emails: list[str], max_requests: int) -> tuple[dict[str, dict[str, Any]], list[str]]:
        return await existing_guests(self.client, self.event_id, emails, max_requests)

    async def lookup(self, emails: list[str]) -> list[dict[str, Any] | None]:
        return await lookup_guests(self.client, self.event_id, emails)

    def already_message(self, record: dict[str, Any], note: str) -> str:
        return (
            f"Already on the guest list (approval_status: {record.get('approval_status')}){note}. Use "
            "update_guest_status to change their status."
        )

    def advice(self, luma_message: str | None) -> str | None:
        return send_limit_advice(luma_message)


async def add_guests(
    client: LumaClient,
    event_id: str,
    guests: list[dict[str, str]],
    *,
    approval_status: str | None = None,
    send_email: bool | None = None,
    event_ticket_type_id: str | None = None,
) -> dict[str, Any]:
    """Adds normalized guests ({email, name?}); reports each as added, already_guest, failed, unconfirmed or
    not_processed. An invited person who is not registered yet is added (their invite becomes a registration)."""
    extra = compact(
        {
            "approval_status": approval_status,
            "send_email": send_email,
            "ticket": {"event_ticket_type_id": event_ticket_type_id} if event_ticket_type_id is not None else None,
        }
    )
    batches = GuestBatches(
        client,
        path=routes.GUESTS_ADD,
        event_id=event_id,
        extra=extra,
        done="added",
        shows=is_registered,
        since=registered_since,
    )
    return await batches.run(guests)


async def send_invites(
    client: LumaClient, event_id: str, guests: list[dict[str, str]], *, message: str | None = None
) -> dict[str, Any]:
    """Invites normalized guests; anyone already on the guest list, in any status, is reported already_guest."""
    batches = GuestBatches(
        client,
        path=routes.GUESTS_SEND_INVITES,
        event_id=event_id,
        extra=compact({"message": message}),
        done="invited",
        shows=is_on_list,
        since=on_list_since,
    )
    return await batches.run(guests)
