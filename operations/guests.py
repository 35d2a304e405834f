"""Guests of an event: look up, list, change status, and add or invite many with a truthful report per email."""

import asyncio
import math
import re
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any

import routes
from helpers import (
    LUMA_MAX_PAGE_SIZE,
    REQUEST_TIMEOUT_SECONDS,
    InputError,
    LumaAuthError,
    LumaClient,
    LumaConnectError,
    LumaError,
    LumaInvalidRequestError,
    LumaNotFoundError,
    LumaPermissionError,
    LumaRateLimitError,
    LumaUnconfirmedWriteError,
    compact,
    lean,
)
from validation import luma_instant, normalize_email
from writes import Partial, PerEmail, ReadBack

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
# Parallel guest look-ups: the up-to-10 emails worth looking up one by one go out at once.
LOOKUP_CONCURRENCY = 10
# Up to this many emails missing from the guest list's first page are looked up one by one; more are sought by
# reading the list on when that takes fewer requests (Luma has no lookup by many emails).
LOOKUP_MAX_EMAILS = 10
# A batch is only started when a request plus a check still fit in the run.
MIN_SECONDS_FOR_BATCH = REQUEST_TIMEOUT_SECONDS
# Luma refuses a whole batch (400, nothing applied) for one email it rejects, so a refused batch is halved and the
# halves are sent separately until the refused emails stand alone. A batch of n costs at most 2n - 1 requests
# that way; this run-wide cap on the extra requests keeps a refusal of every email (a bad ticket type) from
# costing 99 requests per batch: 30 isolates about two refused emails per batch of 50 (12 requests each).
MAX_SPLIT_REQUESTS = 30

# Luma's send limits (15 / 500 / 5k invites a week) and event capacity arrive as plain 400 messages.
_SEND_LIMIT = re.compile(r"quota|weekly|per week|this week|(invite|send|sending|email)s? limit", re.IGNORECASE)
_CAPACITY = re.compile(r"capacity|sold out|event is full", re.IGNORECASE)
SEND_LIMIT_ADVICE = (
    "The calendar's weekly invite limit was reached; retry next week or raise the limit in Luma "
    "(verify the calendar, or add sends with Luma Plus)."
)
CAPACITY_ADVICE = (
    "The event is at capacity; raise its capacity (or turn on the waitlist) in Luma, then retry these emails."
)
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


def _tickets(guest: dict[str, Any]) -> list[dict[str, Any]]:
    tickets = guest.get("event_tickets")
    return [ticket for ticket in tickets if isinstance(ticket, dict)] if isinstance(tickets, list) else []


def checked_in_at(guest: dict[str, Any]) -> str | None:
    """When the guest first checked in (Luma keeps it per ticket)."""
    stamps = [ticket["checked_in_at"] for ticket in _tickets(guest) if isinstance(ticket.get("checked_in_at"), str)]
    return min(stamps, key=lambda stamp: luma_instant(stamp) or stamp) if stamps else None


def guest_summary(guest: dict[str, Any]) -> dict[str, Any]:
    """What a person scans on a guest list; detail "full" gives Luma's whole record."""
    names = list(dict.fromkeys(str(ticket.get("name")) for ticket in _tickets(guest) if ticket.get("name")))
    return {
        "id": guest.get("id"),
        "email": guest.get("user_email"),
        "approval_status": guest.get("approval_status"),
        **lean(
            {
                "name": guest.get("user_name"),
                "registered_at": guest.get("registered_at"),
                "checked_in_at": checked_in_at(guest),
                "ticket_types": names,
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


def guest_not_found(identifier: str, event_id: str, error: LumaNotFoundError) -> LumaNotFoundError:
    said = f" Luma said: {error.luma_message}." if error.luma_message else ""
    return LumaNotFoundError(
        f"No guest with {describe_guest(identifier)} is on event {event_id} (Luma answered 404).{said} Check the "
        "email or guest id and the event id (evt-...); call get_guests without email/guest_api_id to list the "
        "event's guests.",
        status=404,
        luma_message=error.luma_message,
    )


async def get_guest(client: LumaClient, event_id: str, identifier: str) -> dict[str, Any]:
    try:
        return await client.get_object(routes.GUESTS_GET, {"event_id": event_id, "id": identifier})
    except LumaNotFoundError as error:
        raise guest_not_found(identifier, event_id, error) from None


async def find_guest(client: LumaClient, event_id: str, identifier: str) -> dict[str, Any] | None:
    """The guest, or None when Luma has no such guest on the event."""
    try:
        return await client.get(routes.GUESTS_GET, {"event_id": event_id, "id": identifier})
    except LumaNotFoundError:
        return None


def first_error(group: BaseExceptionGroup) -> BaseException:
    """The error to report from a TaskGroup: the first LumaError if any (callers expect one)."""
    leaves: list[BaseException] = []
    pending: list[BaseException] = [group]
    while pending:
        error = pending.pop(0)
        if isinstance(error, BaseExceptionGroup):
            pending[:0] = error.exceptions
        else:
            leaves.append(error)
    return next((error for error in leaves if isinstance(error, LumaError)), leaves[0])


async def find_guests(client: LumaClient, event_id: str, emails: list[str]) -> list[dict[str, Any] | None]:
    limit = asyncio.Semaphore(client.concurrency(LOOKUP_CONCURRENCY))

    async def one(email: str) -> dict[str, Any] | None:
        async with limit:
            return await find_guest(client, event_id, email)

    # A TaskGroup cancels the other look-ups when one fails, so none keeps running after the action answered.
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(email)) for email in emails]
    except BaseExceptionGroup as errors:
        raise first_error(errors) from None
    return [task.result() for task in tasks]


async def list_guests(
    client: LumaClient,
    event_id: str,
    *,
    approval_status: str | None = None,
    sort_column: str | None = None,
    sort_direction: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
    shape: Callable[[dict[str, Any]], Any] | None = None,
) -> dict[str, Any]:
    params = {
        "event_id": event_id,
        "approval_status": approval_status,
        "sort_column": sort_column,
        "sort_direction": sort_direction,
    }
    return await client.collect(routes.GUESTS_LIST, params, limit=limit, cursor=cursor, shape=shape)


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
        email = str(guest.get("user_email") or "").lower()
        if email in wanted:
            found[email] = guest


async def existing_guests(client: LumaClient, event_id: str, emails: list[str]) -> dict[str, dict[str, Any]]:
    """The guest records of those emails already on the event (by lowercased email), in the fewest requests. Luma
    has no lookup by many emails. One email is looked up. More are sought on the guest list's first page, which is
    the whole list for most events (one request, however many emails); when the list goes on, the emails not on
    that page are looked up one by one, or the list is read on when its size (the event's guest_counts) makes
    that cheaper."""
    if len(emails) <= 1:
        records = await find_guests(client, event_id, emails)
        return {email.lower(): record for email, record in zip(emails, records) if record is not None}
    wanted = {email.lower() for email in emails}
    found: dict[str, dict[str, Any]] = {}
    pages = client.pages(routes.GUESTS_LIST, {"event_id": event_id})
    try:
        first = await anext(pages)
        _keep(found, first.entries, wanted)
        missing = [email for email in emails if email.lower() not in found]
        if not first.has_more or not missing:
            return found
        if len(missing) > LOOKUP_MAX_EMAILS:
            size = await guest_list_size(client, event_id)
            pages_left = math.ceil(max(0, (size or 0) - len(first.entries)) / LUMA_MAX_PAGE_SIZE)
            if size is None or pages_left < len(missing):
                async for page in pages:
                    _keep(found, page.entries, wanted)
                return found
    finally:
        await pages.aclose()
    records = await find_guests(client, event_id, missing)
    found.update((email.lower(), record) for email, record in zip(missing, records) if record is not None)
    return found


async def lookup_guests(client: LumaClient, event_id: str, emails: list[str]) -> list[dict[str, Any] | None]:
    """Each email's guest record on the event, or None, in the fewest requests (see existing_guests)."""
    found = await existing_guests(client, event_id, emails)
    return [found.get(email.lower()) for email in emails]


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
    body = compact(
        {
            "event_id": event_id,
            "guest_id": identifier,
            "status": status,
            "should_refund": should_refund,
            "send_email": send_email,
            "message": message,
        }
    )
    confirm = ReadBack(
        read=lambda: find_guest(client, event_id, identifier),
        matches=lambda guest: guest.get("approval_status") == status,
        checked=f"the guest's approval_status on event {event_id}",
        verify=f"Read the guest with get_guests ({describe_guest(identifier)})",
    )
    try:
        await client.post(routes.GUESTS_UPDATE_STATUS, body, confirm=confirm)
    except LumaNotFoundError as error:
        raise guest_not_found(identifier, event_id, error) from None
    try:
        return await client.get_object(routes.GUESTS_GET, {"event_id": event_id, "id": identifier})
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
    if _CAPACITY.search(luma_message):
        return CAPACITY_ADVICE
    return None


class GuestBatches:
    """Sends guests to Luma in batches, up to BATCHES_IN_FLIGHT at once, and records, per email, what happened.

    Outcomes: `done` (added / invited), already_guest, failed (Luma refused it: nothing applied), unconfirmed (sent,
    but whether it landed could not be shown: never re-sent, never reported as failed, so a caller retrying
    failures cannot add or invite anyone twice) and not_processed (never sent).

    A batch's outcome may stop the run (a full event, a send limit, a refusal, a lost answer): batches not yet
    started are then not sent, and batches already on their way finish, since a write cancelled in flight would
    leave its outcome unknown."""

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
        self.client = client
        self.path = path
        self.event_id = event_id
        self.extra = extra
        self.done = done
        self.shows = shows
        self.since = since
        self.outcomes: dict[str, dict[str, Any]] = {}
        # Emails the pre-check found not on the list: finding them there later means this run put them there.
        self.absent_before: set[str] = set()
        self.sent_any = False
        self.split_requests_left = MAX_SPLIT_REQUESTS
        # Why no further batch may start, once one has said so.
        self.stopped: str | None = None
        # The first refusal that came before Luma applied anything (a key, access, event or lockout problem).
        self.refusal: LumaError | None = None

    def _mark(self, guests: list[dict[str, str]], status: str, message: str | None = None) -> None:
        for guest in guests:
            outcome = {"email": guest["email"], "status": status}
            if message:
                outcome["message"] = message
            self.outcomes[guest["email"].lower()] = outcome

    def _mark_already(self, guest: dict[str, str], record: dict[str, Any], note: str) -> None:
        self._mark(
            [guest],
            "already_guest",
            f"Already on the guest list (approval_status: {record.get('approval_status')}){note}. Use "
            "update_guest_status to change their status.",
        )

    async def precheck(self, guests: list[dict[str, str]]) -> None:
        found = await existing_guests(self.client, self.event_id, [guest["email"] for guest in guests])
        for guest in guests:
            record = found.get(guest["email"].lower())
            if record is not None and self.shows(record):
                self._mark_already(guest, record, "; nothing was sent")
            else:
                self.absent_before.add(guest["email"].lower())

    def _confirmation(self, batch: list[dict[str, str]]) -> PerEmail:
        return PerEmail(
            lookup=lambda emails: lookup_guests(self.client, self.event_id, emails),
            emails=[guest["email"] for guest in batch],
            shows=self.shows,
            since=self.since,
            known_absent=frozenset(self.absent_before),
            checked=f"each email of the batch on event {self.event_id}'s guest list",
            verify="Check each email with get_guests",
        )

    async def send(self, guests: list[dict[str, str]]) -> None:
        reported_before = bool(self.outcomes)
        pending = [guest for guest in guests if guest["email"].lower() not in self.outcomes]
        batches = deque(pending[start : start + BATCH_SIZE] for start in range(0, len(pending), BATCH_SIZE))

        async def worker() -> None:
            # Batches start in order, so "later batches" (not started when one stops the run) are the last ones.
            while batches:
                batch = batches.popleft()
                if self.stopped is not None:
                    self._mark(batch, "not_processed", self.stopped)
                    continue
                stopped = await self._send_batch(batch)
                if stopped is not None and self.stopped is None:
                    self.stopped = stopped

        # gather, not a TaskGroup: a failing worker must not cancel another's POST in flight.
        workers = self.client.concurrency(min(BATCHES_IN_FLIGHT, len(batches)))
        done = await asyncio.gather(*(worker() for _ in range(workers)), return_exceptions=True)
        errors = [error for error in done if isinstance(error, BaseException)]
        if errors:
            raise errors[0]
        if self.refusal is not None and not self.sent_any and not reported_before:
            # Nothing reached Luma and nothing else is to report: the refusal is the answer.
            raise self.refusal

    async def _send_batch(self, batch: list[dict[str, str]]) -> str | None:
        """Sends one batch (halving it when Luma refuses it); returns why nothing more may be sent, or None."""
        if self.client.time_left() < MIN_SECONDS_FOR_BATCH:
            stopped = "Not sent: this run's time budget ran out before these emails. Call the action again with them."
            self._mark(batch, "not_processed", stopped)
            return stopped
        body = {"event_id": self.event_id, "guests": batch, **self.extra}
        try:
            outcome = await self.client.write(self.path, body, confirm=self._confirmation(batch))
        except LumaInvalidRequestError as error:
            self.sent_any = True
            return await self._refused(batch, error)
        except (LumaAuthError, LumaPermissionError, LumaNotFoundError, LumaRateLimitError, LumaConnectError) as error:
            # Refused (or never delivered) before doing anything: this batch was not applied, and the next one
            # would fare the same. With nothing else to report, send() raises it.
            self.refusal = self.refusal or error
            wait = " Retry after the wait." if isinstance(error, LumaRateLimitError) else ""
            self._mark(batch, "not_processed", f"Not sent: {error.message}{wait}")
            return f"Not sent: an earlier batch was refused ({error.message})"
        except LumaUnconfirmedWriteError:
            self.sent_any = True
            self._mark(batch, "unconfirmed", UNCONFIRMED)
            return self._stop_after_unconfirmed()
        self.sent_any = True
        if isinstance(outcome, Partial):
            self._record_partial(batch, outcome)
            return self._stop_after_unconfirmed()
        # Landed: Luma's answer, or a lookup that showed every email (the pre-check had seen them absent).
        self._mark(batch, self.done)
        return None

    def _record_partial(self, batch: list[dict[str, str]], outcome: Partial) -> None:
        by_email = {guest["email"]: guest for guest in batch}
        for email, _record in outcome.landed:
            self._mark([by_email[email]], self.done)
        for email, record in outcome.missing:
            since = self.since(record) if record is not None and self.shows(record) else None
            if since is not None:
                # Evidence older than the request: they were on the list before it, so nothing was added for them.
                self._mark_already(by_email[email], record, f" since {since.isoformat()}, before this call")
            else:
                self._mark([by_email[email]], "unconfirmed", UNCONFIRMED)

    @staticmethod
    def _stop_after_unconfirmed() -> str:
        return (
            "Not sent: Luma's answer to an earlier batch was lost or unreadable and could not be fully confirmed, so "
            "sending stopped. Check the guest list, then call the action again with these emails."
        )

    async def _refused(self, batch: list[dict[str, str]], error: LumaInvalidRequestError) -> str | None:
        advice = send_limit_advice(error.luma_message)
        said = error.luma_message or error.message
        if advice:
            # A send limit or a full event refuses every later batch too: stop instead of sending them.
            self._mark(batch, "failed", f"Luma refused this batch: {said} {advice}")
            return f"Not sent: an earlier batch hit Luma's limit ({said}). {advice}"
        if error.status == 400 and len(batch) > 1 and self.split_requests_left >= 2:
            # A 400 means Luma applied nothing, so the halves can be sent without adding anyone twice.
            self.split_requests_left -= 2
            half = len(batch) // 2
            stopped = await self._send_batch(batch[:half])
            if stopped is not None:
                self._mark(batch[half:], "not_processed", stopped)
                return stopped
            return await self._send_batch(batch[half:])
        if len(batch) == 1:
            self._mark(batch, "failed", f"Luma rejected this email: {said}")
        else:
            unsplit = (
                f" It was not split further to find the email(s) Luma refuses (at most {MAX_SPLIT_REQUESTS} "
                "extra requests per run); send these emails again in smaller groups."
                if error.status == 400
                else ""
            )
            self._mark(batch, "failed", f"Luma rejected this batch of {len(batch)} emails: {said}{unsplit}")
        return None

    def results(self, guests: list[dict[str, str]]) -> dict[str, Any]:
        results = []
        first_with: dict[str, str] = {}
        for guest in guests:
            outcome = self.outcomes[guest["email"].lower()]
            message = outcome.get("message")
            if message is not None:
                # A stop or a batch failure gives many emails the same long message: spell it out once only.
                first = first_with.setdefault(message, outcome["email"])
                if first != outcome["email"]:
                    outcome = {**outcome, "message": f"Same as for {first}."}
            results.append(outcome)
        statuses = [self.done, "already_guest", "failed", "unconfirmed", "not_processed"]
        counts = {f"{status}_count": sum(1 for r in results if r["status"] == status) for status in statuses}
        return {"results": results, **counts}


async def _run_batches(
    client: LumaClient,
    *,
    path: str,
    event_id: str,
    guests: list[dict[str, str]],
    extra: dict[str, Any],
    done: str,
    shows: Callable[[dict[str, Any]], bool],
    since: Callable[[dict[str, Any]], datetime | None],
) -> dict[str, Any]:
    batches = GuestBatches(client, path=path, event_id=event_id, extra=extra, done=done, shows=shows, since=since)
    await batches.precheck(guests)
    await batches.send(guests)
    return batches.results(guests)


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
    return await _run_batches(
        client,
        path=routes.GUESTS_ADD,
        event_id=event_id,
        guests=guests,
        extra=extra,
        done="added",
        shows=is_registered,
        since=registered_since,
    )


async def send_invites(
    client: LumaClient, event_id: str, guests: list[dict[str, str]], *, message: str | None = None
) -> dict[str, Any]:
    """Invites normalized guests; anyone already on the guest list, in any status, is reported already_guest."""
    return await _run_batches(
        client,
        path=routes.GUESTS_SEND_INVITES,
        event_id=event_id,
        guests=guests,
        extra=compact({"message": message}),
        done="invited",
        shows=is_on_list,
        since=on_list_since,
    )
