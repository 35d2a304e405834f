"""The one Luma client: auth header, query building, timeouts, pacing, retries, pagination and error mapping.

Every action and trigger talks to Luma through `LumaClient`; handlers never build URLs, headers or query strings.
Writes go through `LumaClient.write`, which never re-sends a write unless Luma provably did nothing with it; what
to check after an ambiguous failure is a named strategy from `writes.py`.
"""

import asyncio
import contextvars
import email.utils
import functools
import logging
import os
import re
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, TypedDict
from urllib.parse import urlencode

import aiohttp
from autohive_integrations_sdk import ActionError, HTTPError, RateLimitError

if TYPE_CHECKING:
    from writes import Confirmation, Outcome

logger = logging.getLogger(__name__)

LUMA_API_BASE = "https://public-api.luma.com"
LUMA_API_BASE_ENV = "LUMA_API_BASE_URL"
RATE_LIMIT_ENV = "LUMA_RATE_LIMIT_PER_MINUTE"
API_KEY_HEADER = "x-luma-api-key"
# Organization keys name the calendar of a calendar-scoped call with this header.
CALENDAR_ID_HEADER = "x-luma-calendar-id"
# Routes that act on the organization itself, where a calendar header would be meaningless.
ORGANIZATION_ROUTE_PREFIXES = ("/v1/organizations/", "/v2/organizations/", "/v1/users/")

# Luma documents no maximum page size ("the server will enforce a maximum"); 100 is what clients use safely.
LUMA_MAX_PAGE_SIZE = 100
# Current documented limit per calendar key (organization keys get 500); GET and POST share it.
LUMA_RATE_LIMIT_PER_MINUTE = 200
RATE_WINDOW_SECONDS = 60.0
# Exceeding the limit locks the key out for a minute; a 429 without a readable Retry-After means that minute.
LUMA_LOCKOUT_SECONDS = 60

# Autohive kills an action's Lambda after about 30 s: every run must answer well inside that.
ACTION_BUDGET_SECONDS = 25.0
REQUEST_TIMEOUT_SECONDS = 10.0
# Independent requests of one run in flight together at most (status changes, per-event reads, batches), within
# what the key's window has left: enough for Luma's largest fan-outs (50 watched events) to go in one round trip,
# well under the SDK session's 100 connections.
MAX_IN_FLIGHT = 50
# Time kept back for shaping the answer after the last request.
BUDGET_RESERVE_SECONDS = 1.0
GET_ATTEMPTS = 3
# A connection that never opened carried nothing to Luma, so even a write may be tried again this often.
CONNECT_ATTEMPTS = 3
BACKOFF_BASE_SECONDS = 0.5
# After an ambiguous write failure Luma may still be applying the write: the second look waits this long.
SETTLE_SECONDS = 2.0
# Time kept, besides the write's own request, for the two looks that confirm it after an ambiguous failure.
CHECK_RESERVE_SECONDS = SETTLE_SECONDS + 4.0
# A write is only sent when its full request and its check still fit in the run: one sent with a clipped timeout
# would likely end "not confirmed", which is worse than not sending it.
WRITE_MIN_SECONDS = REQUEST_TIMEOUT_SECONDS + CHECK_RESERVE_SECONDS

# Keys shorter or longer than this are pasting mistakes (a fragment, a whole file), never a Luma key.
API_KEY_MIN_LENGTH, API_KEY_MAX_LENGTH = 8, 256
# Any run of this many characters of the key is masked wherever it appears in text that leaves the integration.
SECRET_FRAGMENT = 8
MASK = "***"

API_KEY_HELP = "Create one in Luma (needs Luma Plus): your calendar → Settings → Developer → API Keys."

_system_random = secrets.SystemRandom()


def _now() -> float:
    return time.monotonic()


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


async def _sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)


def _jitter(upper: float) -> float:
    return _system_random.uniform(0, upper)


# ---- Errors ------------------------------------------------------------------------------------------------


class LumaError(Exception):
    """Anything that stops an action; `message` is what the user reads."""

    status: int | None = None

    def __init__(self, message: str, *, status: int | None = None, luma_message: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status if status is not None else self.status
        self.luma_message = luma_message


class InputError(LumaError):
    """The caller's input is wrong; nothing was sent to Luma."""


class LumaAuthError(LumaError):
    status = 401


class LumaPermissionError(LumaError):
    status = 403


class LumaNotFoundError(LumaError):
    status = 404


class LumaInvalidRequestError(LumaError):
    status = 400


class LumaRateLimitError(LumaError):
    status = 429

    def __init__(self, message: str, *, retry_after: float, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class WriteConflict(LumaInvalidRequestError):
    """A check after a lost answer proved the write cannot have landed: another object holds what it needed."""


class LumaServerError(LumaError):
    status = 500


class LumaNetworkError(LumaError):
    pass


class LumaConnectError(LumaNetworkError):
    """The connection never opened: nothing reached Luma."""


class LumaTimeoutError(LumaError):
    pass


class LumaResponseError(LumaError):
    """Luma answered 2xx with a body we cannot use (HTML, not JSON, wrong shape)."""


class LumaNotSentError(LumaError):
    """A write was not sent: too little of the run's time was left for it and its check. Safe to send later."""


class LumaUnconfirmedWriteError(LumaError):
    """A write was sent but whether Luma applied it could not be confirmed; it was not sent again."""


# Failures after which a write may or may not have been applied by Luma.
AMBIGUOUS_FAILURES = (LumaServerError, LumaNetworkError, LumaTimeoutError, LumaResponseError)
# Failures a read may simply be repeated after.
TRANSIENT_FAILURES = (LumaServerError, LumaNetworkError, LumaTimeoutError)

# Status → (kind, what failed, what to do). n8n-style: one table, one place.
_STATUS_ERRORS: dict[int, tuple[type[LumaError], str, str]] = {
    400: (LumaInvalidRequestError, "Luma rejected the request (400)", "Correct the input Luma names and retry."),
    401: (LumaAuthError, "Luma rejected the API key (401)", f"Check the key. {API_KEY_HELP}"),
    403: (
        LumaPermissionError,
        "Luma refused access (403)",
        "The key's calendar does not manage this resource; use a key of the calendar that owns it.",
    ),
    404: (LumaNotFoundError, "Luma found nothing at that id (404)", "Check the ids given (list actions show them)."),
    409: (LumaInvalidRequestError, "Luma reported a conflict (409)", "The resource already exists or changed."),
    422: (LumaInvalidRequestError, "Luma could not process the request (422)", "Correct the input and retry."),
}


# Luma says an event or a ticket type is full only in a 400's words ("Invalid max_capacity: ..." is another matter).
AT_CAPACITY = re.compile(r"^(?!invalid).*(?:\bat capacity\b|\bis full\b|\bsold out\b)", re.IGNORECASE | re.DOTALL)


def _error_for_status(status: int, luma_message: str | None, what: str, hint: str = "") -> LumaError:
    if status in _STATUS_ERRORS:
        kind, failed, todo = _STATUS_ERRORS[status]
    elif status >= 500:
        kind, failed, todo = LumaServerError, f"Luma had a server error ({status})", "Try again in a minute."
    else:
        kind, failed, todo = LumaInvalidRequestError, f"Luma answered {status}", "Check the input and retry."
    if status == 400 and luma_message and "cursor" in luma_message.lower():
        # Luma names its own parameter (pagination_cursor); the caller gave it as `cursor`.
        todo = (
            "The cursor input must come from the same action with the same filters: repeat that call's inputs "
            "with it, or leave cursor out to start from the first page."
        )
    elif status == 400 and luma_message and AT_CAPACITY.search(luma_message):
        # Nothing in the input is wrong: the event has no room left.
        todo = (
            "There is no room left: raise the event's max_capacity (update_event), or the ticket type's "
            "(update_ticket_type) when Luma names one, or free a spot, then retry."
        )
    return kind(f"{what}: {failed}.{luma_said(luma_message)} {hint or todo}", status=status, luma_message=luma_message)


def key_scope_hint(path: str, status: int, luma_message: str | None, calendar_id: str | None) -> str:
    """What to change in the connection when a refusal is about which calendar or organization the key acts for:
    a 403 on an organization route, a missing or foreign calendar header on a calendar route. Empty otherwise."""
    if path.startswith(ORGANIZATION_ROUTE_PREFIXES) and not path.startswith("/v1/users/"):
        return (
            "Organization actions need an organization API key; a calendar key cannot use them."
            if status == 403
            else ""
        )
    if calendar_id is None and status in (400, 403) and CALENDAR_ID_HEADER in (luma_message or "").lower():
        return (
            "The connection uses an organization API key, which must name the calendar to act on: set the "
            "connection's Calendar ID to one of its calendars (cal-...; list_organization_calendars shows them)."
        )
    if calendar_id is not None and status == 403:
        return (
            f"Check the connection's Calendar ID ({calendar_id}): with an organization key it must be one of the "
            "organization's calendars (list_organization_calendars); with a calendar key leave it empty. If it is "
            "right, the resource belongs to another calendar."
        )
    return ""


def luma_said(luma_message: str | None) -> str:
    """Luma's own words as a sentence to append to a message; empty when Luma gave none."""
    return f" Luma said: {luma_message}." if luma_message else ""


def not_found(found_nothing: str, todo: str, error: LumaError | None = None) -> LumaNotFoundError:
    """Nothing found, told in the terms of the action that met it ("The calendar has no webhook with id X (404)"),
    then what to do; with Luma's own words kept when Luma's 404 (`error`) is behind it."""
    luma_message = error.luma_message if error is not None else None
    return LumaNotFoundError(f"{found_nothing}.{luma_said(luma_message)} {todo}", luma_message=luma_message)


async def or_none[T](read: Awaitable[T]) -> T | None:
    """What `read` answers, or None where Luma answers 404: nothing there (any more)."""
    try:
        return await read
    except LumaNotFoundError:
        return None


_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")


def mask_secret(text: str, secret: str | None) -> str:
    """Replaces the secret and every run of SECRET_FRAGMENT or more of its characters in text with ***."""
    if not secret or not text:
        return text
    if len(secret) < SECRET_FRAGMENT:
        return text.replace(secret, MASK)
    # Most text holds no piece of the key: one search says so without a walk over every position.
    if not _piece_finder(secret).search(text):
        return text
    grams = _fragments(secret)
    covered = [False] * len(text)
    for start in range(len(text) - SECRET_FRAGMENT + 1):
        if text[start : start + SECRET_FRAGMENT] in grams:
            covered[start : start + SECRET_FRAGMENT] = [True] * SECRET_FRAGMENT
    if not any(covered):
        return text
    out: list[str] = []
    for position, char in enumerate(text):
        if not covered[position]:
            out.append(char)
        elif position == 0 or not covered[position - 1]:
            out.append(MASK)
    return "".join(out)


def luma_message_from(body: Any, secret: str | None = None) -> str | None:
    """Luma's own words from an error body: `message`, then `error`, then the text (HTML stripped). The secret is
    masked before the text is shortened, so no part of it survives the cut."""
    text: str | None = None
    if isinstance(body, dict):
        for key in ("message", "error"):
            value = body.get(key)
            if isinstance(value, dict):
                value = value.get("message")
            if isinstance(value, str) and value.strip():
                text = value.strip()
                break
        limit = 500
    elif isinstance(body, str):
        text = _SPACES.sub(" ", _TAGS.sub(" ", body)).strip()
        limit = 300
    if not text:
        return None
    return mask_secret(text, secret)[:limit]


# The API key of the run in progress: whatever text leaves the integration is masked with it.
_run_secret: contextvars.ContextVar[str | None] = contextvars.ContextVar("luma_run_secret", default=None)
# The deadline of the run in progress: every client (and so every step) of one run shares it.
_run_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("luma_run_deadline", default=None)


@contextmanager
def run_scope(auth: Any, budget_seconds: float = ACTION_BUDGET_SECONDS) -> Iterator[None]:
    """One action or trigger run: one time budget for all its requests, and its key masked in every message."""
    try:
        secret = api_key_from(auth)
    except LumaAuthError:
        secret = None
    tokens = (_run_secret.set(secret), _run_deadline.set(_now() + budget_seconds))
    try:
        yield
    finally:
        _run_secret.reset(tokens[0])
        _run_deadline.reset(tokens[1])


def safe_message(text: str) -> str:
    """Text that may leave the integration: the run's key masked, wherever it came from."""
    return mask_secret(text, _run_secret.get())


def safe_data(value: Any) -> Any:
    """An answer that may leave the integration: the run's key masked in every string, keys of objects included
    (a webhook URL with the key pasted into it is shown back by Luma as it was sent). Strings without a piece of
    the key, nearly all of them, are kept as they are, so a large answer is neither copied nor serialised."""
    secret = _run_secret.get()
    if not secret or len(secret) < SECRET_FRAGMENT or not _holds_a_piece(value, _piece_finder(secret)):
        return mask_secret(value, secret) if isinstance(value, str) else value
    return _masked(value, secret)


def _holds_a_piece(value: Any, finder: re.Pattern[str]) -> bool:
    if isinstance(value, str):
        return finder.search(value) is not None
    if isinstance(value, dict):
        return any(_holds_a_piece(key, finder) or _holds_a_piece(item, finder) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_a_piece(item, finder) for item in value)
    return False


def _masked(value: Any, secret: str) -> Any:
    if isinstance(value, str):
        return mask_secret(value, secret)
    if isinstance(value, dict):
        return {_masked(key, secret): _masked(item, secret) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item, secret) for item in value]
    return value


@functools.lru_cache(maxsize=8)
def _piece_finder(secret: str) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(gram) for gram in sorted(_fragments(secret))))


@functools.lru_cache(maxsize=8)
def _fragments(secret: str) -> frozenset[str]:
    return frozenset(secret[start : start + SECRET_FRAGMENT] for start in range(len(secret) - SECRET_FRAGMENT + 1))


def action_error(error: Exception) -> ActionError:
    """The one place an exception becomes what the user sees."""
    return ActionError(message=error_message(error))


def error_message(error: Exception) -> str:
    if isinstance(error, LumaError):
        return safe_message(error.message)
    logger.exception("Unexpected error in a Luma action")
    return (
        f"The Luma integration hit an unexpected error ({type(error).__name__}). "
        "Nothing more was sent to Luma; retry, and report this if it repeats."
    )


def compact(values: dict[str, Any]) -> dict[str, Any]:
    """Only what the caller gave: Luma applies its own defaults to absent fields."""
    return {key: value for key, value in values.items() if value is not None}


def lean(values: dict[str, Any]) -> dict[str, Any]:
    """Only fields with something in them: an agent pays for every empty key it reads."""
    return {key: value for key, value in values.items() if value not in (None, "", [], {})}


def has_id(found: Any) -> bool:
    return isinstance(found, dict) and isinstance(found.get("id"), str) and bool(found["id"])


# ---- Auth, URLs and pacing ---------------------------------------------------------------------------------


def _credentials(auth: Any) -> dict[str, Any]:
    """Production's `{"credentials": {...}}` or the flat shape local tools pass."""
    if not isinstance(auth, dict):
        return {}
    credentials = auth.get("credentials")
    return credentials if isinstance(credentials, dict) else auth


def _fits_a_header(value: str) -> bool:
    """The key and the Calendar ID travel as headers: a character no header may hold (a space, a line break, a
    non-ASCII letter) would stop every call before it reaches Luma."""
    return value.isprintable() and value.isascii() and not any(char.isspace() for char in value)


def api_key_from(auth: Any) -> str:
    key = _credentials(auth).get("api_key")
    if key is None and isinstance(auth, dict):
        key = auth.get("api_key")
    if not isinstance(key, str) or not key.strip():
        raise LumaAuthError(f"No Luma API key is connected. {API_KEY_HELP}")
    key = key.strip()
    if not _fits_a_header(key):
        raise LumaAuthError(
            "The connected Luma API key contains spaces, line breaks or other characters a key never has; "
            f"paste it again exactly as Luma shows it. {API_KEY_HELP}"
        )
    if not API_KEY_MIN_LENGTH <= len(key) <= API_KEY_MAX_LENGTH:
        raise LumaAuthError(
            f"The connected Luma API key is {len(key)} characters long, which no Luma key is; paste the whole key "
            f"and nothing else. {API_KEY_HELP}"
        )
    return key


def calendar_id_from(auth: Any) -> str | None:
    """The optional calendar an organization key acts on."""
    value = _credentials(auth).get("calendar_id")
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    if not _fits_a_header(value):
        raise LumaAuthError(
            "The connection's Calendar ID contains spaces, line breaks or other characters an id never has; set it "
            "again exactly as Luma shows it (cal-...; list_organization_calendars shows them), or leave it empty for "
            "a calendar key."
        )
    return value


def base_url() -> str:
    return (os.environ.get(LUMA_API_BASE_ENV) or LUMA_API_BASE).rstrip("/")


def build_query(params: dict[str, Any] | None) -> str:
    """URL-encodes params: drops None, booleans as true/false, lists as repeated keys (`?tags=a&tags=b`)."""
    pairs: list[tuple[str, str]] = []
    for name, value in (params or {}).items():
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            if item is None:
                continue
            pairs.append((name, "true" if item is True else "false" if item is False else str(item)))
    return urlencode(pairs)


def _configured_rate_limit() -> int:
    try:
        value = int(os.environ.get(RATE_LIMIT_ENV, ""))
    except ValueError:
        return LUMA_RATE_LIMIT_PER_MINUTE
    return value if value > 0 else LUMA_RATE_LIMIT_PER_MINUTE


def _reset_seconds(value: str | None) -> float | None:
    """X-RateLimit-Reset's format is undocumented: accept seconds-from-now, epoch s/ms, or an ISO time."""
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return max(0.0, moment.timestamp() - time.time())
    if number > 1e12:
        return max(0.0, number / 1000 - time.time())
    if number > 1e9:
        return max(0.0, number - time.time())
    return max(0.0, number)


_LEADING_INTEGER = re.compile(r"\s*(\d+)")
_SDK_INT_ERROR = re.compile(r"invalid literal for int\(\) with base 10: '(.*)'$", re.DOTALL)


def retry_after_seconds(value: Any) -> float:
    """Retry-After as seconds: a number (0 and fractions included) or an HTTP date; only a missing or unreadable
    header means Luma's one-minute lockout."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return max(0.0, float(value))
    if not isinstance(value, str) or not value.strip():
        return float(LUMA_LOCKOUT_SECONDS)
    try:
        seconds = float(value.strip())
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(value.strip())
        except (TypeError, ValueError):
            return float(LUMA_LOCKOUT_SECONDS)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return max(0.0, moment.timestamp() - time.time())
    return max(0.0, seconds) if seconds == seconds and seconds != float("inf") else float(LUMA_LOCKOUT_SECONDS)


class RateLimiter:
    """Keeps one process under Luma's per-key limit: a sliding 60 s window plus Luma's own headers.

    A slot is reserved before a request is sent (atomically: no await between the check and the reservation, so
    waiters woken together cannot all send) and re-stamped when its answer arrives. Luma counts a request when it
    arrives, which is somewhere in between, so counting until answer + 60 s never undercounts Luma's window."""

    def __init__(self, limit_per_minute: int):
        self.limit = limit_per_minute
        self.slots: list[list[float]] = []
        self.blocked_until = 0.0

    def wait_needed(self, now: float) -> float:
        self.slots = [slot for slot in self.slots if now - slot[0] < RATE_WINDOW_SECONDS]
        wait = max(0.0, self.blocked_until - now)
        if len(self.slots) >= self.limit:
            oldest = sorted(slot[0] for slot in self.slots)[len(self.slots) - self.limit]
            wait = max(wait, oldest + RATE_WINDOW_SECONDS - now)
        return wait

    def free(self, now: float, within: float = 0.0) -> int:
        """Requests the window lets through from now to `within` seconds later (none while Luma's lockout or reset
        lasts beyond that)."""
        self.wait_needed(now)  # drops the slots that have left the window
        if self.blocked_until > now + within:
            return 0
        held = sum(1 for slot in self.slots if slot[0] + RATE_WINDOW_SECONDS > now + within)
        return max(0, self.limit - held)

    def reserve(self, now: float) -> list[float]:
        slot = [now]
        self.slots.append(slot)
        return slot

    @staticmethod
    def answered(slot: list[float], now: float) -> None:
        slot[0] = max(slot[0], now)

    def release(self, slot: list[float]) -> None:
        """A reserved slot whose request was never sent."""
        self.slots = [held for held in self.slots if held is not slot]

    def observe(self, headers: dict[str, str] | None, now: float) -> None:
        if not headers:
            return
        lowered = {str(k).lower(): v for k, v in headers.items()}
        # Luma's number of requests a minute, 500 for an organization key: the window follows it. A value with
        # parameters ("500;w=60", as in the IETF draft) counts by its number.
        announced = _LEADING_INTEGER.match(str(lowered.get("x-ratelimit-limit", "")))
        if announced and int(announced.group(1)) > 0:
            self.limit = int(announced.group(1))
        try:
            remaining = int(float(lowered.get("x-ratelimit-remaining", "")))
        except ValueError:
            return
        if remaining <= 0:
            reset = _reset_seconds(lowered.get("x-ratelimit-reset"))
            self.blocked_until = max(self.blocked_until, now + (reset if reset is not None else RATE_WINDOW_SECONDS))

    def block(self, seconds: float, now: float) -> None:
        self.blocked_until = max(self.blocked_until, now + seconds)


# One limiter per key for the life of the process: a warm Lambda runs many actions on the same key.
_limiters: dict[str, RateLimiter] = {}


def limiter_for(api_key: str) -> RateLimiter:
    if api_key not in _limiters:
        _limiters[api_key] = RateLimiter(_configured_rate_limit())
    return _limiters[api_key]


def reset_rate_limiters() -> None:
    _limiters.clear()


# ---- The client --------------------------------------------------------------------------------------------


@dataclass
class Page:
    entries: list[dict[str, Any]]
    has_more: bool
    next_cursor: str | None


class Paging(TypedDict, total=False):
    """What a list operation takes besides its filters and hands on to `LumaClient.collect` as it is
    (`**paging: Unpack[Paging]`)."""

    limit: int | None
    cursor: str | None
    shape: Callable[[dict[str, Any]], Any] | None


class LumaClient:
    """One run's view of Luma: every request shares the run's time budget and the key's pacing."""

    def __init__(self, context: Any, *, budget_seconds: float | None = None):
        self.context = context
        auth = getattr(context, "auth", None)
        self.api_key = api_key_from(auth)
        self.calendar_id = calendar_id_from(auth)
        self.base_url = base_url()
        self.limiter = limiter_for(self.api_key)
        shared = _run_deadline.get()
        if budget_seconds is None and shared is not None:
            self.deadline = shared
        else:
            self.deadline = _now() + (budget_seconds if budget_seconds is not None else ACTION_BUDGET_SECONDS)

    # -- budget

    def time_left(self) -> float:
        return self.deadline - _now() - BUDGET_RESERVE_SECONDS

    def can_wait(self, seconds: float) -> bool:
        return seconds < self.time_left() - 1.0

    def affordable(self, reserve: float = 0.0) -> int:
        """How many requests this run can still make: the key's window slots that are free, or free up, while the
        run can wait and still keep `reserve` seconds for what must follow."""
        return self.limiter.free(_now(), within=max(0.0, self.time_left() - reserve))

    def concurrency(self, wanted: int) -> int:
        """How many independent requests to have in flight together: `wanted`, but at most MAX_IN_FLIGHT and no more
        than the key's window lets through while this run can still wait (and at least one, which waits its turn in
        the pacer). The pacer alone keeps every request inside the window; this keeps work from being committed to
        a wait the run cannot make, while a run that starts just before its slots free (a continuation called when
        the wait it was told is over) still goes at full width."""
        return max(1, min(wanted, MAX_IN_FLIGHT, self.affordable(reserve=1.0)))

    # -- reads

    async def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET with retries on 5xx, network errors and timeouts (reads are safe to repeat)."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._send("GET", path, params=params)
            except LumaConnectError:
                raise  # _send has already tried again as often as a connection that never opens deserves
            except TRANSIENT_FAILURES as error:
                backoff = BACKOFF_BASE_SECONDS * 2 ** (attempt - 1) + _jitter(BACKOFF_BASE_SECONDS)
                if attempt >= GET_ATTEMPTS or not self.can_wait(backoff + 1.0):
                    raise error
                logger.info("Retrying GET %s after %s (attempt %d)", path, type(error).__name__, attempt)
                await _sleep(backoff)

    async def get_object(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """A GET that must answer one Luma object: anything without an `id` is Luma misbehaving, said plainly."""
        found = await self.get(path, params)
        if not has_id(found):
            raise LumaResponseError(
                f"GET {path}: Luma's answer had no id, so it is not the object asked for. Retry later."
            )
        return found

    async def find(
        self, path: str, params: dict[str, Any] | None = None, *, match: Callable[[dict[str, Any]], bool]
    ) -> dict[str, Any] | None:
        """The first entry of a paginated list that `match` holds for, reading no more pages than it takes; None
        when no entry does."""
        async for page in self.pages(path, params):
            for entry in page.entries:
                if match(entry):
                    return entry
        return None

    async def get_entries(self, path: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """The entries of an unpaginated list (ticket types, admins)."""
        data = await self.get(path, params)
        entries = data.get("entries")
        if not isinstance(entries, list):
            raise LumaResponseError(f"GET {path}: Luma's answer had no list of entries; retry later.")
        return [entry for entry in entries if isinstance(entry, dict)]

    # -- writes

    async def write(
        self, path: str, body: dict[str, Any], *, confirm: "Confirmation | None" = None, expect_id: bool = False
    ) -> "Outcome":
        """POST once, and never again unless Luma provably did nothing (a 429, a connection that never opened:
        `_send` handles those). After an ambiguous failure (timeout, dropped connection, 5xx, an unreadable 2xx, or
        a 2xx without the id a create must return) `confirm` looks at Luma's state, and once more after a short
        settle delay; what it cannot confirm is reported as unconfirmed, never re-sent."""
        from writes import Absent, Ambiguous, Landed, Partial

        sent_at = _utc_now()
        try:
            answer = await self._send("POST", path, json=body, min_left=WRITE_MIN_SECONDS if confirm else 0.0)
            if not expect_id or has_id(answer):
                return Landed(answer)
            failure: LumaError = LumaResponseError(
                f"POST {path}: Luma accepted the request (2xx) but its answer had no id."
            )
        except LumaConnectError:
            raise  # nothing reached Luma: a plain failure, safe to retry
        except AMBIGUOUS_FAILURES as error:
            failure = error
        if confirm is None:
            raise self._unconfirmed(failure, None, None)
        outcome: Outcome = Absent()
        check_error: LumaError | None = None
        for look in range(2):
            if look:
                if not self.can_wait(SETTLE_SECONDS + 2.0):
                    break
                await _sleep(SETTLE_SECONDS)
            try:
                outcome = await confirm.check(self, sent_at)
            except WriteConflict:
                raise
            except LumaError as error:
                # Luma may be briefly unavailable: the second look, after the settle delay, may still see it.
                check_error, outcome = error, Absent()
                continue
            check_error = None
            if isinstance(outcome, Ambiguous):
                raise self._unconfirmed(failure, confirm, None, ambiguous=len(outcome.candidates))
            if isinstance(outcome, Landed) or (isinstance(outcome, Partial) and not outcome.missing):
                return outcome
        if isinstance(outcome, Partial):
            return outcome
        raise self._unconfirmed(failure, confirm, check_error)

    async def post(
        self, path: str, body: dict[str, Any], *, confirm: "Confirmation | None" = None, expect_id: bool = False
    ) -> Any:
        """A single write: Luma's answer, or the object the confirmation found."""
        return (await self.write(path, body, confirm=confirm, expect_id=expect_id)).value

    @staticmethod
    def _unconfirmed(
        failure: LumaError, confirm: "Confirmation | None", check_error: LumaError | None, ambiguous: int = 0
    ) -> LumaUnconfirmedWriteError:
        if ambiguous:
            found = (
                f" Checking {confirm.checked} found {ambiguous} matching candidates, so which one this request "
                "made cannot be told."
            )
        elif check_error is not None:
            found = f" Checking {confirm.checked} failed too ({check_error.message})."
        elif confirm is not None:
            found = f" Checking {confirm.checked} (twice) did not show it."
        else:
            found = ""
        verify = confirm.verify if confirm is not None else "Check the current state with the matching get/list action"
        said = failure.message
        if isinstance(failure, LumaResponseError) and "accepted the request" not in said:
            said = f"Luma accepted the request (2xx) but its answer could not be used. {said}"
        return LumaUnconfirmedWriteError(
            f"{said} The write was not confirmed.{found} It was not sent again, because Luma may still "
            f"have applied it. {verify} before retrying.",
            status=failure.status,
            luma_message=failure.luma_message,
        )

    # -- lists

    async def pages(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[Page]:
        """Follows `next_cursor` while `has_more`, asking for as much as is still wanted (never more than
        Luma's largest page) so the last cursor is an exact place to continue from."""
        seen: set[str] = set()
        fetched = 0
        while True:
            wanted = LUMA_MAX_PAGE_SIZE if limit is None else min(LUMA_MAX_PAGE_SIZE, limit - fetched)
            query = dict(params or {}, pagination_limit=wanted, pagination_cursor=cursor)
            data = await self.get(path, query)
            entries = data.get("entries")
            if not isinstance(entries, list):
                raise LumaResponseError(f"Luma's answer to {path} had no list of entries; retry later.")
            next_cursor = data.get("next_cursor") or None
            has_more = bool(data.get("has_more")) and next_cursor is not None
            page = Page([e for e in entries if isinstance(e, dict)], has_more, next_cursor if has_more else None)
            fetched += len(page.entries)
            # Nothing of this page stays referenced here while the next one is read: a caller that keeps only
            # what it needs of each page holds one raw page at a time.
            data = entries = None
            yield page
            page = None
            if not has_more:
                return
            if next_cursor in seen or next_cursor == cursor:
                raise LumaResponseError(
                    f"Luma returned the same page cursor twice while listing {path}; stopped to avoid a loop."
                )
            seen.add(next_cursor)
            cursor = next_cursor

    async def collect(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        shape: Callable[[dict[str, Any]], Any] | None = None,
    ) -> dict[str, Any]:
        """All entries up to `limit`. When the time budget runs low, or a later page fails, it returns what it
        has with `has_more` and the cursor to continue from, rather than losing the pages already read.
        `shape`, when given, is applied to each entry as its page arrives and only its result is kept, so the raw
        page is dropped before the next one is read: the memory of a long list follows its page, not its length."""
        entries: list[Any] = []
        has_more, next_cursor = False, cursor
        pages = self.pages(path, params, cursor=cursor, limit=limit)
        while True:
            try:
                page = await anext(pages)
            except StopAsyncIteration:
                break
            except (*TRANSIENT_FAILURES, LumaRateLimitError):
                if not entries:
                    raise
                return {"entries": entries, "has_more": True, "next_cursor": next_cursor}
            entries.extend(page.entries if shape is None else map(shape, page.entries))
            has_more, next_cursor = page.has_more, page.next_cursor
            page = None
            if not has_more:
                break
            if (limit is not None and len(entries) >= limit) or self.time_left() < REQUEST_TIMEOUT_SECONDS / 2:
                break
        await pages.aclose()
        return {"entries": entries, "has_more": has_more, "next_cursor": next_cursor if has_more else None}

    # -- the one request path

    def _url(self, path: str, params: dict[str, Any] | None) -> str:
        query = build_query(params)
        return f"{self.base_url}{path}?{query}" if query else f"{self.base_url}{path}"

    def _headers(self, path: str) -> dict[str, str]:
        headers = {API_KEY_HEADER: self.api_key, "accept": "application/json"}
        if self.calendar_id and not path.startswith(ORGANIZATION_ROUTE_PREFIXES):
            headers[CALENDAR_ID_HEADER] = self.calendar_id
        return headers

    def _sdk_retries_off(self) -> int:
        # The SDK re-sends every method (POST too) on network errors and re-appends params on retry;
        # starting its counter at its maximum leaves retries to this client.
        config = getattr(self.context, "config", None)
        return config.get("max_retries", 3) if isinstance(config, dict) else 3

    async def _pace(self, what: str, min_left: float = 0.0) -> list[float]:
        """Waits for a free slot in the key's window and reserves it. The check and the reservation happen with
        no await between them, and a waiter checks again after every sleep. `min_left`: time the request needs
        after the wait (a write and its check)."""
        while True:
            wait = self.limiter.wait_needed(_now())
            if wait <= 0:
                return self.limiter.reserve(_now())
            if not self.can_wait(wait + min_left):
                raise LumaRateLimitError(
                    f"{what}: paused to stay under Luma's rate limit for this API key, and the wait ({wait:.0f} s) "
                    f"does not fit in this run. Retry in {max(1, round(wait))} seconds.",
                    retry_after=wait,
                )
            await _sleep(wait)

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        min_left: float = 0.0,
    ) -> Any:
        what = f"{method} {path}"
        connect_attempts = 0
        while True:
            slot = await self._pace(what, min_left)
            left = self.time_left()
            if min_left and left < min_left:
                self.limiter.release(slot)
                raise LumaNotSentError(
                    f"{what}: not sent: this run's time budget has {max(0.0, left):.0f} s left, less than a write and "
                    "its check need. Nothing was changed; call again to send it."
                )
            # A write keeps time for its check; a read may use all that is left.
            timeout = min(REQUEST_TIMEOUT_SECONDS, left - (CHECK_RESERVE_SECONDS if min_left else 0.0))
            if left < 1.0:
                raise LumaTimeoutError(
                    f"{what}: the run's time budget ({ACTION_BUDGET_SECONDS:.0f} s) ran out before Luma answered. "
                    "Retry; for long lists pass the returned cursor to continue."
                )
            try:
                response = await asyncio.wait_for(
                    self.context.fetch(
                        self._url(path, params),
                        method=method,
                        json=json,
                        headers=self._headers(path),
                        timeout=timeout,
                        retry_count=self._sdk_retries_off(),
                    ),
                    timeout=timeout + 1.0,
                )
            except RateLimitError as error:
                self.limiter.answered(slot, _now())
                retry_after = retry_after_seconds(error.retry_after)
                self.limiter.block(retry_after, _now())
                if self.can_wait(retry_after):
                    # A 429 means Luma did nothing, so even a write is safe to send again.
                    continue
                raise self._rate_limited(what, retry_after, luma_message_from(error.response_data, self.api_key))
            except HTTPError as error:
                self.limiter.answered(slot, _now())
                luma_message = luma_message_from(error.response_data, self.api_key)
                hint = key_scope_hint(path, error.status, luma_message, self.calendar_id)
                raise _error_for_status(error.status, luma_message, what, hint) from None
            except ValueError as error:
                self.limiter.answered(slot, _now())
                header = _SDK_INT_ERROR.search(str(error))
                if header is None:
                    raise LumaResponseError(f"{what}: Luma's answer could not be read. Retry later.") from None
                # The SDK parses Retry-After with int(); a fractional or date-valued header lands here.
                retry_after = retry_after_seconds(header.group(1))
                self.limiter.block(retry_after, _now())
                if self.can_wait(retry_after):
                    continue
                raise self._rate_limited(what, retry_after, None)
            except TimeoutError:
                # Luma may have counted it at any moment until now.
                self.limiter.answered(slot, _now())
                raise LumaTimeoutError(
                    f"{what}: Luma did not answer within {timeout:.0f} s. Try again shortly."
                ) from None
            except aiohttp.ClientConnectorError as error:
                connect_attempts += 1
                backoff = BACKOFF_BASE_SECONDS * 2 ** (connect_attempts - 1) + _jitter(BACKOFF_BASE_SECONDS)
                if connect_attempts < CONNECT_ATTEMPTS and self.can_wait(backoff + 1.0):
                    # Nothing reached Luma: any request, a write too, may be sent again.
                    await _sleep(backoff)
                    continue
                raise LumaConnectError(
                    f"{what}: could not connect to Luma ({type(error).__name__}); nothing was sent. Check the "
                    "connection and retry."
                ) from None
            except (aiohttp.ClientError, OSError) as error:
                self.limiter.answered(slot, _now())
                raise LumaNetworkError(
                    f"{what}: the connection to Luma failed ({type(error).__name__}). Check the connection and retry."
                ) from None
            self.limiter.answered(slot, _now())
            self.limiter.observe(getattr(response, "headers", None), _now())
            return self._body(what, method, getattr(response, "data", None))

    @staticmethod
    def _rate_limited(what: str, retry_after: float, luma_message: str | None) -> LumaRateLimitError:
        return LumaRateLimitError(
            f"{what}: Luma's rate limit for this API key was exceeded (429) and the key is locked out. "
            f"Retry in {max(1, round(retry_after))} seconds.",
            status=429,
            retry_after=retry_after,
            luma_message=luma_message,
        )

    def _body(self, what: str, method: str, data: Any) -> Any:
        if data is None and method == "POST":
            return {}
        if not isinstance(data, dict):
            text = luma_message_from(data, self.api_key) if isinstance(data, str) else None
            raise LumaResponseError(
                f"{what}: Luma answered with something other than JSON{': ' + text if text else ''}. "
                "Luma may be having trouble; retry later.",
            )
        return data
