"""One write for many emails (guests added or invited to an event, people imported to the calendar), sent to Luma in
batches with a truthful report per email: what Luma did with each one, and what was never sent.

`EmailBatches` holds what every such write shares: a check before sending (who needs nothing), batches that fit in
the run's time budget (several in flight at once when the subclass allows), a refused batch halved until the emails
Luma refuses stand alone, nothing ever re-sent after a lost answer (each email is looked up instead), and a stop when
Luma's state can no longer be vouched for. A subclass says what differs: the request body, how emails are looked up,
and the words of the report."""

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from helpers import (
    WRITE_MIN_SECONDS,
    LumaAuthError,
    LumaClient,
    LumaConnectError,
    LumaError,
    LumaInvalidRequestError,
    LumaNotFoundError,
    LumaPermissionError,
    LumaNotSentError,
    LumaRateLimitError,
    LumaUnconfirmedWriteError,
)
from emails import email_key
from writes import Partial, PerEmail

Record = dict[str, Any]

# Parallel look-ups by email: the up-to-10 emails worth looking up one by one go out at once.
LOOKUP_CONCURRENCY = 10
# Luma refuses a whole batch (400, nothing applied) for one email it rejects, so a refused batch is halved and the
# halves are sent separately until the refused emails stand alone. A batch of n costs at most 2n - 1 requests
# that way; this run-wide cap on the extra requests keeps a refusal of every email (a bad ticket type) from
# costing 99 requests per batch: 30 isolates about two refused emails per batch of 50 (12 requests each).
MAX_SPLIT_REQUESTS = 30


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


async def look_up_each[T, R](
    items: list[T], one: Callable[[T], Awaitable[R]], *, concurrency: int = LOOKUP_CONCURRENCY
) -> list[R]:
    """`one(item)` for every item (an email, a watched event), `concurrency` at a time, in the order given."""
    limit = asyncio.Semaphore(concurrency)

    async def guarded(item: T) -> R:
        async with limit:
            return await one(item)

    # A TaskGroup cancels the other look-ups when one fails, so none keeps running after the run has answered.
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(guarded(item)) for item in items]
    except BaseExceptionGroup as errors:
        raise first_error(errors) from None
    return [task.result() for task in tasks]


class EmailBatches:
    """Sends entries ({email, name?}) to Luma in batches and records, per email, what happened.

    Outcomes: `done` (the write applied), `already` (nothing was needed: the pre-check found the email already as
    the write would leave it), failed (Luma refused it: nothing applied), unconfirmed (sent, but whether it landed
    could not be shown: never re-sent, never reported as failed, so a caller retrying failures cannot apply anything
    twice) and not_processed (never sent).

    Up to `in_flight` batches are sent together (as far as the key's rate window allows). A batch's outcome may stop
    the run (a limit, a refusal, a lost answer): batches not yet started are then not sent, and batches already on
    their way finish, since a write cancelled in flight would leave its outcome unknown."""

    done: str
    already: str
    batch_size: int
    in_flight: int = 1
    split_budget: int = MAX_SPLIT_REQUESTS
    # The message of an unconfirmed email: what happened and how to check it.
    unconfirmed: str
    # For the check after a lost answer: what it looks at, and how a person verifies by hand.
    checked: str
    verify: str
    # Where a person looks to see what landed, e.g. "the guest list".
    listing: str

    def __init__(
        self,
        client: LumaClient,
        *,
        path: str,
        shows: Callable[[Record], bool],
        since: Callable[[Record], datetime | None],
    ):
        self.client = client
        self.path = path
        self.shows = shows
        self.since = since
        self.outcomes: dict[str, dict[str, Any]] = {}
        # Emails the pre-check found not as the write leaves them: finding them so later means this run did it.
        self.absent_before: set[str] = set()
        self.sent_any = False
        self.split_requests_left = self.split_budget
        # Why no further batch may start, once one has said so.
        self.stopped: str | None = None
        # The first refusal that came before Luma applied anything (a key, access, lockout or connection problem).
        self.refusal: LumaError | None = None

    # -- what a subclass says

    def body(self, batch: list[dict[str, str]]) -> dict[str, Any]:
        raise NotImplementedError

    async def existing(self, emails: list[str], max_requests: int) -> tuple[dict[str, Record], list[str]]:
        """The records of those emails Luma already has (by lowercased email), for the pre-check, in at most
        `max_requests` requests; and the emails that budget left unchecked (a huge guest list)."""
        raise NotImplementedError

    async def lookup(self, emails: list[str]) -> list[Record | None]:
        """Each email's record or None, in order, for the check after a lost answer."""
        raise NotImplementedError

    def already_message(self, record: Record, note: str) -> str:
        raise NotImplementedError

    def advice(self, luma_message: str | None) -> str | None:
        """For a refusal that every later batch would get too (a send limit, a full event): what to do."""
        return None

    # -- the run

    async def run(self, entries: list[dict[str, str]]) -> dict[str, Any]:
        await self.precheck(entries)
        await self.send(entries)
        return self.results(entries)

    def _mark(self, entries: list[dict[str, str]], status: str, message: str | None = None) -> None:
        for entry in entries:
            outcome = {"email": entry["email"], "status": status}
            if message:
                outcome["message"] = message
            self.outcomes[email_key(entry["email"])] = outcome

    def _mark_already(self, entry: dict[str, str], record: Record, note: str) -> None:
        self._mark([entry], self.already, self.already_message(record, note))

    def _mark_done(self, entries: list[dict[str, str]]) -> None:
        self._mark(entries, self.done)

    async def precheck(self, entries: list[dict[str, str]]) -> None:
        # What the pre-check may spend: what the run can still afford, less a request per batch to send. On a huge
        # list, checking every email one by one would take more requests than Luma's rate limit allows in a minute,
        # and no call would ever add anyone: the emails left unchecked wait for the next call instead.
        batches = -(-len(entries) // self.batch_size)
        budget = max(1, self.client.affordable(WRITE_MIN_SECONDS) - batches)
        found, unchecked = await self.existing([entry["email"] for entry in entries], budget)
        later = {email_key(email) for email in unchecked}
        for entry in entries:
            record = found.get(email_key(entry["email"]))
            if email_key(entry["email"]) in later:
                self._mark(
                    [entry],
                    "not_processed",
                    f"Not sent: checking it against {self.listing} would take more requests than Luma's rate limit "
                    "leaves this call. Call the action again with these emails.",
                )
            elif record is not None and self.shows(record):
                self._mark_already(entry, record, "; nothing was sent")
            else:
                self.absent_before.add(email_key(entry["email"]))

    def _confirmation(self, batch: list[dict[str, str]]) -> PerEmail:
        return PerEmail(
            lookup=self.lookup,
            emails=[entry["email"] for entry in batch],
            shows=self.shows,
            since=self.since,
            known_absent=frozenset(self.absent_before),
            checked=self.checked,
            verify=self.verify,
        )

    async def send(self, entries: list[dict[str, str]]) -> None:
        reported_before = bool(self.outcomes)
        pending = [entry for entry in entries if email_key(entry["email"]) not in self.outcomes]
        size = self.batch_size
        batches = deque(pending[start : start + size] for start in range(0, len(pending), size))

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
        workers = self.client.concurrency(min(self.in_flight, len(batches)))
        done = await asyncio.gather(*(worker() for _ in range(workers)), return_exceptions=True)
        errors = [error for error in done if isinstance(error, BaseException)]
        if errors:
            raise errors[0]
        if self.refusal is not None and not self.sent_any and not reported_before:
            # Nothing reached Luma and nothing else is to report: the refusal is the answer.
            raise self.refusal

    async def _send_batch(self, batch: list[dict[str, str]]) -> str | None:
        """Sends one batch (halving it when Luma refuses it); returns why nothing more may be sent, or None."""
        if self.client.time_left() < WRITE_MIN_SECONDS:
            stopped = "Not sent: this run's time budget ran out before these emails. Call the action again with them."
            self._mark(batch, "not_processed", stopped)
            return stopped
        try:
            outcome = await self.client.write(self.path, self.body(batch), confirm=self._confirmation(batch))
        except LumaInvalidRequestError as error:
            self.sent_any = True
            return await self._refused(batch, error)
        except (
            LumaAuthError,
            LumaPermissionError,
            LumaNotFoundError,
            LumaRateLimitError,
            LumaConnectError,
            LumaNotSentError,
        ) as error:
            # Not applied (refused before doing anything, never reached Luma, or not sent for lack of time): the next
            # batch would fare the same, so the rest is not_processed. With nothing else to report, send() raises it.
            self.refusal = self.refusal or error
            wait = " Retry after the wait." if isinstance(error, LumaRateLimitError) else ""
            self._mark(batch, "not_processed", f"Not sent: {error.message}{wait}")
            return f"Not sent: an earlier batch was refused ({error.message})"
        except LumaUnconfirmedWriteError:
            self.sent_any = True
            self._mark(batch, "unconfirmed", self.unconfirmed)
            return self._stop_after_unconfirmed()
        self.sent_any = True
        if isinstance(outcome, Partial):
            self._record_partial(batch, outcome)
            return self._stop_after_unconfirmed()
        # Landed: Luma's answer, or a lookup that showed every email (the pre-check had seen them absent).
        self._mark_done(batch)
        return None

    def _record_partial(self, batch: list[dict[str, str]], outcome: Partial) -> None:
        by_email = {entry["email"]: entry for entry in batch}
        for email, _record in outcome.landed:
            self._mark_done([by_email[email]])
        for email, record in outcome.missing:
            since = self.since(record) if record is not None and self.shows(record) else None
            if since is not None:
                # Evidence older than the request: it was so before the request, so nothing was applied for it.
                self._mark_already(by_email[email], record, f" since {since.isoformat()}, before this call")
            else:
                self._mark([by_email[email]], "unconfirmed", self.unconfirmed)

    def _stop_after_unconfirmed(self) -> str:
        return (
            "Not sent: Luma's answer to an earlier batch was lost or unreadable and could not be fully confirmed, so "
            f"sending stopped. Check {self.listing}, then call the action again with these emails."
        )

    async def _refused(self, batch: list[dict[str, str]], error: LumaInvalidRequestError) -> str | None:
        advice = self.advice(error.luma_message)
        said = error.luma_message or error.message
        if advice:
            # A limit refuses every later batch too: stop instead of sending them.
            self._mark(batch, "failed", f"Luma refused this batch: {said.rstrip('.')}. {advice}")
            return f"Not sent: an earlier batch hit Luma's limit ({said}). {advice}"
        if error.status == 400 and len(batch) > 1 and self.split_requests_left >= 2:
            # A 400 means Luma applied nothing, so the halves can be sent without applying anything twice.
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
                f" It was not split further to find the email(s) Luma refuses (at most {self.split_budget} "
                "extra requests per run); send these emails again in smaller groups."
                if error.status == 400
                else ""
            )
            self._mark(batch, "failed", f"Luma rejected this batch of {len(batch)} emails: {said}{unsplit}")
        return None

    def results(self, entries: list[dict[str, str]]) -> dict[str, Any]:
        results = []
        first_with: dict[str, str] = {}
        for entry in entries:
            outcome = self.outcomes[email_key(entry["email"])]
            message = outcome.get("message")
            if message is not None:
                # A stop or a batch failure gives many emails the same long message: spell it out once only.
                first = first_with.setdefault(message, outcome["email"])
                if first != outcome["email"]:
                    outcome = {**outcome, "message": f"Same as for {first}."}
            results.append(outcome)
        statuses = [self.done, self.already, "failed", "unconfirmed", "not_processed"]
        counts = {f"{status}_count": sum(1 for r in results if r["status"] == status) for status in statuses}
        return {"results": results, **counts}
