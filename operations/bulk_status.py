"""Many guests of one event moved to one status in one call: chosen by id or email, or by a rule over the guest list
(current status, email domain, registration answers, ticket type), changed concurrently within the key's pacing, and
continued where a run stopped without ever changing a guest twice."""

import asyncio
import base64
import binascii
import hashlib
import json
import math
import zlib
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import routes
from helpers import (
    MAX_IN_FLIGHT,
    WRITE_MIN_SECONDS,
    InputError,
    LumaAuthError,
    LumaClient,
    LumaConnectError,
    LumaError,
    LumaInvalidRequestError,
    LumaNotFoundError,
    LumaNotSentError,
    LumaPermissionError,
    LumaRateLimitError,
    LumaTimeoutError,
    LumaUnconfirmedWriteError,
    compact,
)
from operations.event_summary import guest_counts
from operations.events import get_event
from operations.guests import answers_by_label, describe_guest, find_guest, find_guests, send_limit_advice, tickets_of
from operations.ticket_types import require_ticket_type
from emails import domain_key, email_key
from validation import normalize_email
from writes import ReadBack

# Status changes are independent requests: up to this many run at once, within what the key's window has left and
# all through its pacing, so 30 changes take one round trip, and a run that meets the rate limit has used the whole
# window by then (the continuation goes on as soon as it frees).
CHANGE_CONCURRENCY = MAX_IN_FLIGHT
PAGE = 100
CONTINUATION_VERSION = 1
# Without from_status, a rule leaves these out: invited people have not registered, "session" is not a guest.
NOT_SELECTED_BY_RULE = ("invited", "session")
UNCONFIRMED = (
    "Sent, but Luma's answer was lost and reading the guest back (twice) did not show the new status; it was not "
    "sent again, because Luma may still apply it. Check the guest with get_guests before changing them again."
)


@dataclass(frozen=True)
class Rule:
    """Which guests a rule selects; every part given must hold."""

    from_status: tuple[str, ...] = ()
    email_domains: tuple[str, ...] = ()
    exclude_email_domains: tuple[str, ...] = ()
    answers: tuple[tuple[str, tuple[str, ...]], ...] = ()
    event_ticket_type_id: str | None = None

    def given(self) -> bool:
        return any((self.from_status, self.email_domains, self.exclude_email_domains, self.answers)) or bool(
            self.event_ticket_type_id
        )

    def as_dict(self) -> dict[str, Any]:
        return compact(
            {
                "from_status": list(self.from_status) or None,
                "email_domains": list(self.email_domains) or None,
                "exclude_email_domains": list(self.exclude_email_domains) or None,
                "answers": {label: list(values) for label, values in self.answers} or None,
                "event_ticket_type_id": self.event_ticket_type_id,
            }
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Rule":
        return cls(
            from_status=tuple(data.get("from_status") or ()),
            email_domains=domains_of(data.get("email_domains"), "email_domains"),
            exclude_email_domains=domains_of(data.get("exclude_email_domains"), "exclude_email_domains"),
            answers=tuple((label, tuple(values)) for label, values in (data.get("answers") or {}).items()),
            event_ticket_type_id=data.get("event_ticket_type_id"),
        )

    def mismatch(self, guest: dict[str, Any]) -> str | None:
        """Why the guest is not selected by this rule, or None when it is."""
        status = guest.get("approval_status")
        if self.from_status and status not in self.from_status:
            return f"their status is {status}, not {' or '.join(self.from_status)} (from_status)"
        shown = str(guest.get("user_email") or "").rsplit("@", 1)[-1].lower()
        # Luma keeps the form it was given (bücher.example or xn--bcher-kva.example): both are one domain.
        domain = domain_key(shown)
        if self.email_domains and not any(_domain_matches(domain, wanted) for wanted in self.email_domains):
            return f"their email domain {shown} is not in email_domains"
        if any(_domain_matches(domain, unwanted) for unwanted in self.exclude_email_domains):
            return f"their email domain {shown} is in exclude_email_domains"
        given = {label.strip().casefold(): value for label, value in answers_by_label(guest).items()}
        for label, allowed in self.answers:
            if not set(_answer_values(given.get(label.strip().casefold()))) & set(allowed):
                return f"their answer to '{label}' is not one of answers['{label}']"
        if self.event_ticket_type_id and not any(
            ticket.get("event_ticket_type_id") == self.event_ticket_type_id for ticket in tickets_of(guest)
        ):
            return f"they hold no ticket of type {self.event_ticket_type_id} (event_ticket_type_id)"
        return None

    def selects(self, guest: dict[str, Any]) -> bool:
        if not self.from_status and guest.get("approval_status") in NOT_SELECTED_BY_RULE:
            return False
        return self.mismatch(guest) is None


@dataclass(frozen=True)
class ChangeOptions:
    status: str
    send_email: bool | None = None
    message: str | None = None
    should_refund: bool | None = None

    def body(self, event_id: str, guest_id: str) -> dict[str, Any]:
        return compact(
            {
                "event_id": event_id,
                "guest_id": guest_id,
                "status": self.status,
                "should_refund": self.should_refund,
                "send_email": self.send_email,
                "message": self.message,
            }
        )


@dataclass
class Outcomes:
    """What happened to each guest, in selection order."""

    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Guests a rule chose that already have the status: counted, not listed, since on a big event they would be most
    # of the answer (1,500 entries to say "nothing to do"); guests the caller named are each listed.
    already_unlisted: set[str] = field(default_factory=set)

    def record(self, guest: dict[str, Any] | None, status: str, *, identifier: str = "", **extra: Any) -> None:
        key = guest["id"] if guest else identifier
        if key in self.results:
            return  # the same guest given twice (by id and by email)
        entry = {
            "id": guest.get("id") if guest else (identifier if "@" not in identifier else None),
            "email": guest.get("user_email") if guest else (identifier if "@" in identifier else None),
            "status": status,
        }
        self.results[key] = {**entry, **compact(extra)}


def _domain_matches(domain: str, pattern: str) -> bool:
    if pattern.startswith("*."):
        return domain.endswith(pattern[1:])
    return domain == pattern


def _answer_values(value: Any) -> list[str]:
    """An answer as the comparable texts it holds: a choice, each option of a multi-select, a company's name."""
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, dict):
        value = value.get("company")
    items = value if isinstance(value, list) else [value]
    return [str(item).strip().casefold() for item in items if isinstance(item, (str, int, float)) and str(item)]


def domains_of(values: list[str] | None, field_name: str) -> tuple[str, ...]:
    out = []
    for value in values or []:
        domain = value.strip().lower().lstrip("@")
        bare = domain.removeprefix("*.")
        if not bare or "@" in bare or "." not in bare or any(char.isspace() for char in bare):
            raise InputError(
                f"'{value}' in {field_name} is not an email domain; give domains such as acme.com (or *.acme.com "
                "for its subdomains)."
            )
        out.append(domain.removesuffix(bare) + domain_key(bare))
    return tuple(sorted(set(out)))


def rule_from(
    *,
    from_status: list[str] | None = None,
    email_domains: list[str] | None = None,
    exclude_email_domains: list[str] | None = None,
    answers: dict[str, list[Any]] | None = None,
    event_ticket_type_id: str | None = None,
) -> Rule:
    wanted_answers = []
    for label, values in (answers or {}).items():
        if not label.strip():
            raise InputError("answers has an empty question label; use the label as the event shows it.")
        if not isinstance(values, list) or not values:
            raise InputError(f"answers['{label}'] must be a list of one or more accepted answers.")
        wanted_answers.append((label.strip(), tuple(sorted({v for value in values for v in _answer_values(value)}))))
    return Rule(
        from_status=tuple(sorted(set(from_status or ()))),
        email_domains=domains_of(email_domains, "email_domains"),
        exclude_email_domains=domains_of(exclude_email_domains, "exclude_email_domains"),
        answers=tuple(sorted(wanted_answers)),
        event_ticket_type_id=event_ticket_type_id,
    )


def identifiers_from(guest_api_ids: list[str] | None, emails: list[str] | None) -> list[str]:
    found = [value.strip() for value in guest_api_ids or [] if value.strip()]
    found += [normalize_email(email, "emails") for email in emails or []]
    distinct: dict[str, str] = {}
    for value in found:
        distinct.setdefault(email_key(value) if "@" in value else value, value)
    return list(distinct.values())


# ---- the continuation: the rule, the options and the guests still to do --------------------------------------


def _fingerprint(identifiers: list[str]) -> str:
    text = "\n".join(sorted(email_key(value) if "@" in value else value.lower() for value in identifiers))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode_continuation(
    event_id: str, options: ChangeOptions, rule: Rule, chosen: str, todo: list[str] | None, exclude: list[str] = ()
) -> str:
    """`chosen` fingerprints the guests the first call named, so that call's inputs can be given again. Guests
    chosen by name carry the ids still to do (as many as the caller named); guests chosen by rule carry only the
    ids to leave out (unconfirmed or failed: never tried twice), since the rule chooses the rest again, so the
    token stays small however many guests remain."""
    payload = {
        "v": CONTINUATION_VERSION,
        "event": event_id,
        "options": compact(vars(options)),
        "rule": rule.as_dict(),
        "chosen": chosen,
        **({"todo": todo} if todo is not None else {"exclude": list(exclude)}),
    }
    packed = zlib.compress(json.dumps(payload, separators=(",", ":")).encode())
    return base64.urlsafe_b64encode(packed).decode().rstrip("=")


def decode_continuation(token: str) -> dict[str, Any]:
    try:
        payload = json.loads(zlib.decompress(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))))
    except (binascii.Error, zlib.error, ValueError):
        payload = None
    if (
        not isinstance(payload, dict)
        or payload.get("v") != CONTINUATION_VERSION
        or not isinstance(payload.get("todo", payload.get("exclude")), list)
    ):
        raise InputError(
            "continuation is not one this action returned (it may be cut short); pass the continuation of the "
            "previous answer exactly as it was."
        )
    return payload


@dataclass(frozen=True)
class Resumed:
    options: ChangeOptions
    rule: Rule
    chosen: str
    todo: list[str] | None  # guests chosen by name still to do; None when the rule chooses them again
    exclude: frozenset[str]


def resume(token: str, event_id: str, options: ChangeOptions, rule: Rule, identifiers: list[str]) -> Resumed:
    """The options, rule and guests still to do of a continuation, checked against the inputs given with it: the
    inputs of the first call again, or only event_api_id and status (and continuation)."""
    state = decode_continuation(token)
    if state["event"] != event_id:
        raise InputError(f"continuation belongs to event {state['event']}, not {event_id}; pass that event_api_id.")
    saved = ChangeOptions(**state["options"])
    if saved.status != options.status:
        raise InputError(f"continuation changes guests to {saved.status}; pass status {saved.status} with it.")
    saved_rule = Rule.from_dict(state["rule"])
    if (
        (options != ChangeOptions(options.status) and options != saved)
        or (rule.given() and rule != saved_rule)
        or (identifiers and _fingerprint(identifiers) != state.get("chosen"))
    ):
        raise InputError(
            "continuation was made with other inputs: repeat the first call's inputs exactly, or give only "
            "event_api_id, status and continuation."
        )
    todo = [str(guest_id) for guest_id in state["todo"]] if "todo" in state else None
    exclude = frozenset(str(guest_id) for guest_id in state.get("exclude") or [])
    return Resumed(saved, saved_rule, str(state.get("chosen")), todo, exclude)


# ---- reading the guests ---------------------------------------------------------------------------------------


def list_size(event: dict[str, Any], status: str | None = None) -> int:
    """How many guests the event's list holds (in one status), from Luma's guest_counts."""
    counts = guest_counts(event)
    if status is not None:
        return counts.get(status, {}).get("guests", 0)
    # checked_in guests are also counted under their approval status.
    return sum(entry["guests"] for name, entry in counts.items() if name != "checked_in")


async def read_guest_list(client: LumaClient, event_id: str, status: str | None, expected: int | None) -> list[dict]:
    found = await client.collect(routes.GUESTS_LIST, {"event_id": event_id, "approval_status": status})
    if found["has_more"]:
        of = f" of about {expected}" if expected is not None else ""
        raise LumaTimeoutError(
            f"Read {len(found['entries'])}{of} guests of event {event_id} before the run's time ran out, so the "
            "selection is incomplete and nothing was changed. Narrow it: a single from_status reads only those "
            "guests, or give guest_api_ids / emails."
        )
    return found["entries"]


async def guests_again(
    client: LumaClient, event_id: str, status: str, guest_ids: list[str]
) -> list[tuple[str, dict[str, Any] | None]]:
    """A continuation's named guests as they are now, all chosen from one status: sought on that status's list page
    by page until every one is found, and one look-up each for any not found (they left it since: the look-up says
    where they went). The read stops once it has cost as many pages as look-ups of the guests still missing would,
    so it never costs more than twice the cheaper way, and usually one or two pages for a hundred guests."""
    wanted, index = set(guest_ids), {}
    pages = client.pages(routes.GUESTS_LIST, {"event_id": event_id, "approval_status": status})
    try:
        read = 0
        async for page in pages:
            read += 1
            index.update((str(guest.get("id")), guest) for guest in page.entries if str(guest.get("id")) in wanted)
            missing = len(wanted) - len(index)
            if not missing or not page.has_more or read >= missing:
                break
    finally:
        await pages.aclose()
    moved = [guest_id for guest_id in guest_ids if guest_id not in index]
    if moved:
        index.update(zip(moved, await find_guests(client, event_id, moved)))
    return [(guest_id, index.get(guest_id)) for guest_id in guest_ids]


async def guests_by_identifier(
    client: LumaClient, event: dict[str, Any], identifiers: list[str]
) -> list[tuple[str, dict[str, Any] | None]]:
    """Each identifier's guest record (None when not on the list), by one look-up each or by one read of the
    whole guest list, whichever takes fewer requests."""
    size = list_size(event)
    if len(identifiers) <= math.ceil(max(size, 1) / PAGE):
        return list(zip(identifiers, await find_guests(client, event["id"], identifiers)))
    index: dict[str, dict[str, Any]] = {}
    for guest in await read_guest_list(client, event["id"], None, size):
        index[str(guest.get("id"))] = guest
        index[email_key(guest.get("user_email"))] = guest
    return [(key, index.get(email_key(key) if "@" in key else key)) for key in identifiers]


def check_labels(event: dict[str, Any], rule: Rule) -> None:
    questions = event.get("registration_questions")
    if not rule.answers or not isinstance(questions, list):
        return
    labels = {str(q.get("label")).strip().casefold(): q.get("label") for q in questions if isinstance(q, dict)}
    for label, _ in rule.answers:
        if label.casefold() not in labels:
            known = ", ".join(f"'{name}'" for name in labels.values()) or "none"
            raise InputError(
                f"answers names the question '{label}', which event {event['id']} does not ask; its questions "
                f"are: {known}."
            )


# ---- changing one guest ---------------------------------------------------------------------------------------


async def change_status(client: LumaClient, event_id: str, guest_id: str, options: ChangeOptions) -> None:
    """update_guest_status's write (never re-sent; read back after a lost answer) without reading the guest again
    afterwards: one request per guest, so Luma's rate limit allows about 200 changes a minute."""
    confirm = ReadBack(
        read=lambda: find_guest(client, event_id, guest_id),
        matches=lambda guest: guest.get("approval_status") == options.status,
        checked=f"the guest's approval_status on event {event_id}",
        verify=f"Read the guest with get_guests ({describe_guest(guest_id)})",
    )
    await client.post(routes.GUESTS_UPDATE_STATUS, options.body(event_id, guest_id), confirm=confirm)


class Changes:
    """Runs the status changes concurrently; stops starting new ones when Luma or the run says so."""

    def __init__(self, client: LumaClient, event_id: str, options: ChangeOptions, outcomes: Outcomes):
        self.client, self.event_id, self.options, self.outcomes = client, event_id, options, outcomes
        self.queue: deque[dict[str, Any]] = deque()
        self.stopped: str | None = None
        self.fatal: LumaError | None = None
        self.sent = 0  # changes that reached Luma, whatever came of them

    async def run(self, guests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Changes the guests; returns those not started (for the continuation)."""
        self.queue.extend(guests)
        workers = self.client.concurrency(min(CHANGE_CONCURRENCY, len(guests)))
        # gather, not a TaskGroup: a worker failing unexpectedly must not cancel another's change in flight (its
        # outcome would be lost); the others finish, then the failure is raised.
        done = await asyncio.gather(*(self._worker() for _ in range(workers)), return_exceptions=True)
        errors = [error for error in done if isinstance(error, BaseException)]
        if errors:
            raise next((error for error in errors if isinstance(error, LumaError)), errors[0])
        if self.fatal is not None and not self.sent:
            raise self.fatal  # refused before anything was changed: the key or the event is wrong
        return list(self.queue)

    def _stop(self, guest: dict[str, Any], why: str) -> None:
        self.queue.appendleft(guest)  # never sent (or refused before Luma did anything): still to do
        self.stopped = self.stopped or why

    async def _worker(self) -> None:
        while self.queue and self.stopped is None:
            if self.client.time_left() < WRITE_MIN_SECONDS:
                self.stopped = "This run's time budget ran out before these guests."
                return
            guest = self.queue.popleft()
            previous = guest.get("approval_status")
            try:
                await change_status(self.client, self.event_id, guest["id"], self.options)
                self.sent += 1
            except LumaUnconfirmedWriteError:
                self.sent += 1
                self.outcomes.record(guest, "unconfirmed", previous_status=previous, message=UNCONFIRMED)
                # Luma is not answering reliably (hanging, 5xx): sending more would only add to the unconfirmed.
                self.stopped = self.stopped or (
                    "Luma's answer to a change was lost and could not be confirmed, so no more were started; the "
                    "continuation holds the rest."
                )
            except (LumaRateLimitError, LumaConnectError, LumaNotSentError) as error:
                self._stop(guest, error.message)
            except (LumaAuthError, LumaPermissionError) as error:
                self.fatal = self.fatal or error
                self._stop(guest, error.message)
            except LumaNotFoundError as error:
                self.sent += 1
                said = error.luma_message or error.message
                self.outcomes.record(guest, "failed", message=f"Luma no longer finds this guest: {said}")
            except LumaInvalidRequestError as error:
                self.sent += 1
                said = error.luma_message or error.message
                advice = send_limit_advice(error.luma_message)
                self.outcomes.record(guest, "failed", message=f"Luma refused the change: {said}")
                if advice:
                    self.stopped = self.stopped or f"Luma refused a change ({said}). {advice}"
            else:
                self.outcomes.record(guest, "changed", previous_status=previous)


# ---- the whole run ---------------------------------------------------------------------------------------------


def report(outcomes: Outcomes, left: list[str], token: str | None, stopped: str | None) -> dict[str, Any]:
    results = list(outcomes.results.values())
    statuses = ("changed", "already", "skipped", "failed", "unconfirmed", "would_change")
    counts = {f"{status}_count": sum(1 for r in results if r["status"] == status) for status in statuses}
    counts["already_count"] += len(outcomes.already_unlisted)
    return {
        "results": results,
        **counts,
        "remaining_count": len(left),
        "continuation": token,
        "stopped_because": stopped if token else None,
    }


def sort_as_chosen(outcomes: Outcomes, pairs: list[tuple[str, dict[str, Any] | None]]) -> None:
    """Results in the order the guests were chosen; they were recorded as the concurrent changes finished."""
    order = {str(guest["id"]) if guest else identifier: n for n, (identifier, guest) in enumerate(pairs)}
    outcomes.results = dict(sorted(outcomes.results.items(), key=lambda item: order.get(item[0], len(order))))


async def update_guests_status(
    client: LumaClient,
    event_id: str,
    options: ChangeOptions,
    *,
    identifiers: list[str],
    rule: Rule,
    dry_run: bool,
    continuation: str | None = None,
) -> dict[str, Any]:
    if options.message is not None and options.send_email is False:
        raise InputError(
            "message is sent in Luma's email to the guests, so it cannot be used with send_email false. "
            "Remove message, or set send_email to true."
        )
    chosen = _fingerprint(identifiers)
    named = bool(identifiers)
    exclude: frozenset[str] = frozenset()
    if continuation is not None:
        resumed = resume(continuation, event_id, options, rule, identifiers)
        options, rule, chosen, exclude = resumed.options, resumed.rule, resumed.chosen, resumed.exclude
        named = resumed.todo is not None
        identifiers = resumed.todo or []
    elif not identifiers and not rule.given():
        raise InputError(
            "Say which guests to change: guest_api_ids or emails, and/or a rule (from_status, email_domains, "
            "exclude_email_domains, answers, event_ticket_type_id). To change every pending guest, give "
            'from_status ["pending_approval"].'
        )
    # Luma filters its list by one status: a single from_status reads only those guests.
    only = rule.from_status[0] if len(rule.from_status) == 1 else None
    again = continuation is not None and named and only is not None
    # The event is read only for what needs it: the questions an answers rule names, and the size of the guest
    # list when named guests are found by look-ups or by one read of the list, whichever takes fewer requests.
    event = await get_event(client, event_id) if rule.answers or (named and not again) else None
    if event is not None:
        check_labels(event, rule)
    await require_ticket_type(client, event_id, type_id=rule.event_ticket_type_id)
    deferred: list[str] = []
    if again:
        pairs = await guests_again(client, event_id, only, identifiers)  # type: ignore[arg-type]
    elif named:
        # Each named guest costs a look-up (or a share of one read of the list) and a change. On a huge list more
        # than the key's rate window allows would fail every call: the guests past what this call can afford wait in
        # the continuation instead.
        pages = math.ceil(max(list_size(event), 1) / PAGE)  # type: ignore[arg-type]
        affordable = client.affordable(WRITE_MIN_SECONDS)
        if len(identifiers) <= pages and 2 * len(identifiers) > affordable:
            keep = max(1, affordable // 2)
            identifiers, deferred = identifiers[:keep], identifiers[keep:]
        pairs = await guests_by_identifier(client, event, identifiers)  # type: ignore[arg-type]
    else:
        listed = await read_guest_list(client, event_id, only, list_size(event, only) if event else None)
        pairs = [(str(guest.get("id")), guest) for guest in listed]
    outcomes = Outcomes()
    to_change: dict[str, dict[str, Any]] = {}
    for identifier, guest in pairs:
        if guest is None:
            where = "on this event any more" if continuation else "on this event"
            message = f"No guest with {describe_guest(identifier)} is {where}."
            outcomes.record(None, "failed", identifier=identifier, message=message)
        elif not named and (not rule.selects(guest) or str(guest.get("id")) in exclude):
            continue
        elif guest.get("approval_status") == options.status:
            # Resumed by rule, a guest in the status already was reported by an earlier call (changed, or already).
            if named:
                outcomes.record(guest, "already")
            elif continuation is None:
                outcomes.already_unlisted.add(str(guest.get("id")))
        elif named and (why := rule.mismatch(guest)) is not None:
            outcomes.record(guest, "skipped", message=f"Not changed: {why}.")
        else:
            to_change.setdefault(str(guest["id"]), guest)  # a guest named by id and by email is changed once
    if dry_run:
        for guest in to_change.values():
            outcomes.record(guest, "would_change", previous_status=guest.get("approval_status"))
        sort_as_chosen(outcomes, pairs)
        return report(outcomes, [], None, None)
    changes = Changes(client, event_id, options, outcomes)
    left = [str(guest["id"]) for guest in await changes.run(list(to_change.values()))] + deferred
    if deferred and changes.stopped is None:
        changes.stopped = (
            f"Looking up and changing {len(deferred) + len(pairs)} named guests one by one takes more requests than "
            "Luma's rate limit leaves this call; the rest waits in the continuation."
        )
    sort_as_chosen(outcomes, pairs)
    token = None
    if left:
        problems = [key for key, result in outcomes.results.items() if result["status"] in ("unconfirmed", "failed")]
        todo = left if named else None
        token = encode_continuation(event_id, options, rule, chosen, todo, sorted(exclude | set(problems)))
    return report(outcomes, left, token, changes.stopped)
