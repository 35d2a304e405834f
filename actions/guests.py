"""Guests of an event: list, add, change status, invite."""

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from autohive_integrations_sdk import ActionHandler, ActionResult

from helpers import (
    REQUEST_TIMEOUT_SECONDS,
    InputError,
    LumaAuthError,
    LumaClient,
    LumaError,
    LumaInvalidRequestError,
    LumaNotFoundError,
    LumaPermissionError,
    LumaRateLimitError,
    compact,
    luma_action,
)
from luma import luma
from validation import luma_instant, normalize_email, normalize_guests

GUEST_GET = "/v1/events/guests/get"
GUEST_LIST = "/v1/events/guests/list"
GUESTS_ADD = "/v1/events/guests/add"
GUEST_UPDATE_STATUS = "/v1/events/guests/update-status"
GUESTS_SEND_INVITES = "/v1/events/guests/send-invites"

DEFAULT_LIMIT = 100
# About 20 batches: what one run can send and report on inside the time budget and the Lambda's response size.
MAX_GUESTS_PER_CALL = 1000
# Luma documents no maximum for guests[] in add / send-invites; 50 keeps each request well inside the timeout,
# and a rejected or uncertain batch touches few emails.
BATCH_SIZE = 50
# Checking who is already a guest costs one GET per email (Luma has no lookup by many emails); worth it only for
# small lists, where re-adding an existing guest could send them a second email or change their ticket.
PRECHECK_MAX_EMAILS = 10
# Parallel guest look-ups (pre-check, reconcile); keeps a 50-email reconcile within a few seconds.
LOOKUP_CONCURRENCY = 5
# A batch is only started when a request plus a reconcile still fit in the run.
MIN_SECONDS_FOR_BATCH = REQUEST_TIMEOUT_SECONDS
# Luma refuses a whole batch (400, nothing applied) for one email it rejects, so a refused batch is halved and the
# halves are sent separately until the refused emails stand alone. A batch of n costs at most 2n - 1 requests
# that way; this run-wide cap on the extra requests keeps a refusal of every email (a bad ticket type) from
# costing 99 requests per batch: 30 isolates about two refused emails per batch of 50 (12 requests each).
MAX_SPLIT_REQUESTS = 30
# After a lost answer, a guest whose registered_at / invited_at is older than the request by more than this
# allowance for Luma's clock running behind ours was on the list before it; one stamped after the request was sent
# was put there by it; in between, the two cannot be told apart.
CLOCK_SKEW = timedelta(seconds=60)

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


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


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


async def find_guest(client: LumaClient, event_id: str, identifier: str) -> dict[str, Any] | None:
    """The guest, or None when Luma has no such guest on the event."""
    try:
        return await client.get(GUEST_GET, {"event_id": event_id, "id": identifier})
    except LumaNotFoundError:
        return None


def first_error(group: BaseExceptionGroup) -> BaseException:
    """The error to report from a TaskGroup: the first LumaError if any (callers and luma_action expect one)."""
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
    limit = asyncio.Semaphore(LOOKUP_CONCURRENCY)

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


def send_limit_advice(luma_message: str | None) -> str | None:
    if not luma_message:
        return None
    if _SEND_LIMIT.search(luma_message):
        return SEND_LIMIT_ADVICE
    if _CAPACITY.search(luma_message):
        return CAPACITY_ADVICE
    return None


UNCONFIRMED_AFTER_ACCEPT = (
    "Luma accepted the batch but its answer was unreadable, and a lookup did not show this email yet; it was not "
    "sent again. Check with get_guests before sending it again."
)


@dataclass
class Reconciled:
    """What a batch's reconcile found: part of it is on the list (recorded), `missing` still has to be sent."""

    missing: list[dict[str, str]]


class GuestBatches:
    """Sends guests to Luma in batches and records, per email, what happened.

    Luma has no idempotency keys and does not document what a repeated add or invite does, so a batch whose
    answer was lost is reconciled by looking each email up (guests/get) before anything is sent again.
    """

    def __init__(
        self,
        client: LumaClient,
        *,
        path: str,
        event_id: str,
        extra: dict[str, Any],
        done: str,
        landed: Callable[[dict[str, Any]], bool],
    ):
        self.client = client
        self.path = path
        self.event_id = event_id
        self.extra = extra
        self.done = done
        self.landed = landed
        self.outcomes: dict[str, dict[str, Any]] = {}
        self.sent_any = False
        self.split_requests_left = MAX_SPLIT_REQUESTS
        # Emails the pre-check found not (yet) on the list: finding them later means this run put them there.
        self.absent_before: set[str] = set()

    def _body(self, batch: list[dict[str, str]]) -> dict[str, Any]:
        return {"event_id": self.event_id, "guests": batch, **self.extra}

    def _mark(self, guests: list[dict[str, str]], status: str, message: str | None = None) -> None:
        for guest in guests:
            outcome = {"email": guest["email"], "status": status}
            if message:
                outcome["message"] = message
            self.outcomes[guest["email"].lower()] = outcome

    async def precheck(self, guests: list[dict[str, str]], existing: Callable[[dict[str, Any]], bool]) -> None:
        found = await find_guests(self.client, self.event_id, [guest["email"] for guest in guests])
        for guest, record in zip(guests, found):
            if record is None or not existing(record):
                self.absent_before.add(guest["email"].lower())
            else:
                status = record.get("approval_status")
                self._mark(
                    [guest],
                    "already_guest",
                    f"Already on the guest list (approval_status: {status}); nothing was sent. Use "
                    "update_guest_status to change their status.",
                )

    def _found_after_lost_answer(self, guest: dict[str, str], record: dict[str, Any], sent_at: datetime) -> None:
        """Records a guest found on the list after a batch's answer was lost: put there by it, or there before."""
        stamps = [
            moment for moment in map(luma_instant, (record.get("registered_at"), record.get("invited_at"))) if moment
        ]
        if guest["email"].lower() in self.absent_before or (stamps and max(stamps) >= sent_at):
            self._mark([guest], self.done)
        elif stamps and max(stamps) < sent_at - CLOCK_SKEW:
            self._mark(
                [guest],
                "already_guest",
                f"Was already on the guest list before this call (approval_status: {record.get('approval_status')}, "
                f"since {max(stamps).isoformat()}); Luma's answer to their batch was lost and it was not sent again "
                "for them. Use get_guests with this email to see their record.",
            )
        else:
            # Luma has no "created by this request" marker: without a timestamp, or with one too close to the
            # request for the two clocks to tell, "added now" and "there before" cannot be told apart.
            self._mark(
                [guest],
                self.done,
                "On the guest list (Luma's answer was lost; confirmed by lookup). Whether they were already on it "
                "before this call could not be told.",
            )

    def _reconciler(self, batch: list[dict[str, str]], sent_at: datetime) -> Callable[[], Any]:
        async def reconcile(accepted: bool) -> Reconciled | None:
            found = await find_guests(self.client, self.event_id, [guest["email"] for guest in batch])
            present = [
                (guest, record) for guest, record in zip(batch, found) if record is not None and self.landed(record)
            ]
            if not present:
                # Nothing is on the list: after a lost request the client sends the same batch exactly once more;
                # after a 2xx it could not read, it sends nothing more.
                return None
            for guest, record in present:
                self._found_after_lost_answer(guest, record, sent_at)
            missing = [guest for guest in batch if guest["email"].lower() not in self.outcomes]
            if accepted:
                # Luma took the whole batch (2xx): the rest are not visible yet, and sending them again could
                # email them twice.
                self._mark(missing, self.done, UNCONFIRMED_AFTER_ACCEPT)
                return Reconciled(missing=[])
            # The rest goes through _send_batch, so it gets its own reconcile, halving on 400 and capacity stop.
            return Reconciled(missing=missing)

        return reconcile

    async def send(self, guests: list[dict[str, str]]) -> None:
        pending = [guest for guest in guests if guest["email"].lower() not in self.outcomes]
        batches = [pending[start : start + BATCH_SIZE] for start in range(0, len(pending), BATCH_SIZE)]
        stopped: str | None = None
        for batch in batches:
            if stopped is not None:
                self._mark(batch, "not_processed", stopped)
                continue
            stopped = await self._send_batch(batch)

    async def _send_batch(self, batch: list[dict[str, str]]) -> str | None:
        """Sends one batch (halving it when Luma refuses it); returns why nothing more may be sent, or None."""
        if self.client.time_left() < MIN_SECONDS_FOR_BATCH:
            stopped = "Not sent: this run's time budget ran out before these emails. Call the action again with them."
            self._mark(batch, "not_processed", stopped)
            return stopped
        try:
            answer = await self.client.post(self.path, self._body(batch), reconcile=self._reconciler(batch, _utc_now()))
        except LumaInvalidRequestError as error:
            self.sent_any = True
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
        except (LumaAuthError, LumaPermissionError, LumaNotFoundError, LumaRateLimitError) as error:
            # Refused before doing anything: this batch was not applied, and the next one would be refused too.
            if not self.sent_any and not self.outcomes:
                raise
            wait = " Retry after the wait." if isinstance(error, LumaRateLimitError) else ""
            self._mark(batch, "not_processed", f"Not sent: {error.message}{wait}")
            return f"Not sent: an earlier batch was refused ({error.message})"
        except LumaError as error:
            # Lost answer, server error or unreadable answer, even after the reconcile: it may have landed.
            self.sent_any = True
            unconfirmed = [guest for guest in batch if guest["email"].lower() not in self.outcomes]
            self._mark(
                unconfirmed,
                "failed",
                f"{error.message} Use get_guests with this email to see whether it landed.",
            )
            return (
                "Not sent: Luma's answer to an earlier batch was lost or unreadable and could not be confirmed, "
                "so sending stopped. Check the guest list, then call the action again with these emails."
            )
        self.sent_any = True
        if isinstance(answer, Reconciled):
            # Part of the batch is on the list: send only the rest, so nobody is added or invited twice.
            return await self._send_batch(answer.missing) if answer.missing else None
        self._mark([guest for guest in batch if guest["email"].lower() not in self.outcomes], self.done)
        return None

    def results(self, guests: list[dict[str, str]], statuses: list[str]) -> dict[str, Any]:
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
        counts = {f"{status}_count": sum(1 for r in results if r["status"] == status) for status in statuses}
        return {"results": results, **counts}


async def run_guest_batches(
    client: LumaClient,
    *,
    path: str,
    event_id: str,
    guests: list[dict[str, str]],
    extra: dict[str, Any],
    done: str,
    landed: Callable[[dict[str, Any]], bool],
    existing: Callable[[dict[str, Any]], bool],
) -> dict[str, Any]:
    batches = GuestBatches(client, path=path, event_id=event_id, extra=extra, done=done, landed=landed)
    if len(guests) <= PRECHECK_MAX_EMAILS:
        await batches.precheck(guests, existing)
    await batches.send(guests)
    return batches.results(guests, [done, "already_guest", "failed", "not_processed"])


def _registered(guest: dict[str, Any]) -> bool:
    # An invited person appears on the guest list as `invited` until they accept; adding them is still an add.
    return guest.get("approval_status") != "invited"


def _on_list(guest: dict[str, Any]) -> bool:
    return True


@luma.action("get_guests")
class GetGuestsAction(ActionHandler):
    @luma_action
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        event_id = inputs["event_api_id"]
        identifier = one_guest_identifier(inputs.get("guest_api_id"), inputs.get("email"))
        client = LumaClient(context)
        if identifier is not None:
            try:
                guest = await client.get_object(GUEST_GET, {"event_id": event_id, "id": identifier})
            except LumaNotFoundError as error:
                raise guest_not_found(identifier, event_id, error) from None
            return ActionResult(data={"guest": guest})
        params = {
            "event_id": event_id,
            "approval_status": inputs.get("approval_status"),
            "sort_column": inputs.get("sort_column"),
            "sort_direction": inputs.get("sort_direction"),
        }
        page = await client.collect(
            GUEST_LIST, params, limit=inputs.get("limit") or DEFAULT_LIMIT, cursor=inputs.get("cursor")
        )
        return ActionResult(
            data={"guests": page["entries"], "has_more": page["has_more"], "next_cursor": page["next_cursor"]}
        )


@luma.action("add_guests")
class AddGuestsAction(ActionHandler):
    @luma_action
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        guests = normalize_guests(inputs["guests"], max_count=MAX_GUESTS_PER_CALL)
        ticket_type = inputs.get("event_ticket_type_id")
        extra = compact(
            {
                "approval_status": inputs.get("approval_status"),
                "send_email": inputs.get("send_email"),
                "ticket": {"event_ticket_type_id": ticket_type} if ticket_type is not None else None,
            }
        )
        result = await run_guest_batches(
            LumaClient(context),
            path=GUESTS_ADD,
            event_id=inputs["event_api_id"],
            guests=guests,
            extra=extra,
            done="added",
            landed=_registered,
            existing=_registered,
        )
        return ActionResult(data=result)


@luma.action("update_guest_status")
class UpdateGuestStatusAction(ActionHandler):
    @luma_action
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        event_id = inputs["event_api_id"]
        status = inputs["status"]
        guest_api_id = inputs.get("guest_api_id")
        identifier = one_guest_identifier(guest_api_id, inputs.get("email"))
        if identifier is None:
            raise InputError("Give the guest: either guest_api_id (starts with gst-) or email.")
        send_email = inputs.get("send_email")
        message = inputs.get("message")
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
                "should_refund": inputs.get("should_refund"),
                "send_email": send_email,
                "message": message,
            }
        )
        client = LumaClient(context)

        async def reconcile(accepted: bool) -> dict[str, Any] | None:
            # Setting a status is idempotent: if the guest already has it, the write landed.
            guest = await find_guest(client, event_id, identifier)
            return guest if guest is not None and guest.get("approval_status") == status else None

        try:
            await client.post(GUEST_UPDATE_STATUS, body, reconcile=reconcile)
        except LumaNotFoundError as error:
            raise guest_not_found(identifier, event_id, error) from None
        try:
            guest = await client.get_object(GUEST_GET, {"event_id": event_id, "id": identifier})
        except LumaError:
            # The change landed. An error here would invite a retry that emails the guest again, so answer with
            # what is known instead: a success an agent cannot misread as "nothing happened".
            guest = {"id" if guest_api_id is not None else "user_email": identifier, "approval_status": status}
        return ActionResult(data={"guest": guest})


@luma.action("send_invites")
class SendInvitesAction(ActionHandler):
    @luma_action
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        guests = normalize_guests(inputs["guests"], max_count=MAX_GUESTS_PER_CALL)
        result = await run_guest_batches(
            LumaClient(context),
            path=GUESTS_SEND_INVITES,
            event_id=inputs["event_api_id"],
            guests=guests,
            extra=compact({"message": inputs.get("message")}),
            done="invited",
            # Any guest record means the invite landed (or the person was already on the list).
            landed=_on_list,
            existing=_on_list,
        )
        return ActionResult(data=result)
