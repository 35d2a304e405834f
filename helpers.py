"""The one Luma client: auth header, query building, timeouts, pacing, retries, pagination and error mapping.

Every action talks to Luma through `LumaClient`; handlers never build URLs, headers or query strings.
"""

import asyncio
import functools
import logging
import os
import re
import secrets
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode

import aiohttp
from autohive_integrations_sdk import ActionError, HTTPError, RateLimitError

logger = logging.getLogger(__name__)

LUMA_API_BASE = "https://public-api.luma.com"
LUMA_API_BASE_ENV = "LUMA_API_BASE_URL"
RATE_LIMIT_ENV = "LUMA_RATE_LIMIT_PER_MINUTE"

# Luma documents no maximum page size ("the server will enforce a maximum"); 100 is what clients use safely.
LUMA_MAX_PAGE_SIZE = 100
# Current documented limit per calendar key (organization keys get 500); GET and POST share it.
LUMA_RATE_LIMIT_PER_MINUTE = 200
RATE_WINDOW_SECONDS = 60.0
# Exceeding the limit locks the key out for a minute; a 429 without Retry-After means that minute.
LUMA_LOCKOUT_SECONDS = 60

# Autohive kills an action's Lambda after about 30 s: every action must answer well inside that.
ACTION_BUDGET_SECONDS = 25.0
REQUEST_TIMEOUT_SECONDS = 10.0
# Time kept back for shaping the answer after the last request.
BUDGET_RESERVE_SECONDS = 1.0
GET_ATTEMPTS = 3
BACKOFF_BASE_SECONDS = 0.5

API_KEY_HELP = "Create one in Luma (needs Luma Plus): your calendar → Settings → Developer → API Keys."

_system_random = secrets.SystemRandom()


def _now() -> float:
    return time.monotonic()


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


class LumaServerError(LumaError):
    status = 500


class LumaNetworkError(LumaError):
    pass


class LumaTimeoutError(LumaError):
    pass


class LumaResponseError(LumaError):
    """Luma answered 2xx with a body we cannot use (HTML, not JSON, wrong shape)."""


class LumaUncertainWriteError(LumaError):
    """A write was sent but its answer was lost: Luma may or may not have applied it."""


# Status → (kind, what failed, what to do). n8n-style: one table, one place.
_STATUS_ERRORS: dict[int, tuple[type[LumaError], str, str]] = {
    400: (LumaInvalidRequestError, "Luma rejected the request (400)", "Correct the input Luma names and retry."),
    401: (LumaAuthError, "Luma rejected the API key (401)", f"Check the key. {API_KEY_HELP}"),
    403: (
        LumaPermissionError,
        "Luma refused access (403)",
        "The key's calendar does not manage this resource; use a key of the calendar that owns it.",
    ),
    404: (LumaNotFoundError, "Luma found nothing at that id (404)", "Check the id (events start with evt-)."),
    409: (LumaInvalidRequestError, "Luma reported a conflict (409)", "The resource already exists or changed."),
    422: (LumaInvalidRequestError, "Luma could not process the request (422)", "Correct the input and retry."),
}


def _error_for_status(status: int, luma_message: str | None, what: str) -> LumaError:
    if status in _STATUS_ERRORS:
        kind, failed, todo = _STATUS_ERRORS[status]
    elif status >= 500:
        kind, failed, todo = LumaServerError, f"Luma had a server error ({status})", "Try again in a minute."
    else:
        kind, failed, todo = LumaInvalidRequestError, f"Luma answered {status}", "Check the input and retry."
    said = f" Luma said: {luma_message}." if luma_message else ""
    return kind(f"{what}: {failed}.{said} {todo}", status=status, luma_message=luma_message)


_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")


def luma_message_from(body: Any) -> str | None:
    """Luma's own words from an error body: `message`, then `error`, then the text (HTML stripped)."""
    if isinstance(body, dict):
        for key in ("message", "error"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()[:500]
            if isinstance(value, dict) and isinstance(value.get("message"), str):
                return value["message"].strip()[:500]
        return None
    if isinstance(body, str):
        text = _SPACES.sub(" ", _TAGS.sub(" ", body)).strip()
        return text[:300] or None
    return None


def action_error(error: Exception) -> ActionError:
    """The one place an exception becomes what the user sees."""
    if isinstance(error, LumaError):
        return ActionError(message=error.message)
    logger.exception("Unexpected error in a Luma action")
    return ActionError(
        message=f"The Luma integration hit an unexpected error ({type(error).__name__}). "
        "Nothing more was sent to Luma; retry, and report this if it repeats."
    )


def luma_action(execute: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Wraps an action's `execute` so that no exception ever escapes it."""

    @functools.wraps(execute)
    async def wrapper(self: Any, inputs: dict[str, Any], context: Any) -> Any:
        try:
            return await execute(self, inputs, context)
        except Exception as error:  # noqa: BLE001 - the platform crashes on anything that escapes
            return action_error(error)

    return wrapper


def compact(values: dict[str, Any]) -> dict[str, Any]:
    """Only what the caller gave: Luma applies its own defaults to absent fields."""
    return {key: value for key, value in values.items() if value is not None}


# ---- Auth, URLs and pacing ---------------------------------------------------------------------------------


def api_key_from(auth: Any) -> str:
    """The key from production's `{"credentials": {"api_key"}}` or the flat `{"api_key"}` local tools pass."""
    key = None
    if isinstance(auth, dict):
        credentials = auth.get("credentials")
        if isinstance(credentials, dict):
            key = credentials.get("api_key")
        if key is None:
            key = auth.get("api_key")
    if not isinstance(key, str) or not key.strip():
        raise LumaAuthError(f"No Luma API key is connected. {API_KEY_HELP}")
    key = key.strip()
    if not key.isprintable() or not key.isascii() or any(char.isspace() for char in key):
        raise LumaAuthError(
            "The connected Luma API key contains spaces, line breaks or other characters a key never has; "
            f"paste it again exactly as Luma shows it. {API_KEY_HELP}"
        )
    return key


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


class RateLimiter:
    """Keeps one process under Luma's per-key limit: a sliding 60 s window plus Luma's own headers."""

    def __init__(self, limit_per_minute: int):
        self.limit = limit_per_minute
        self.sent: deque[float] = deque()
        self.blocked_until = 0.0

    def wait_needed(self, now: float) -> float:
        while self.sent and now - self.sent[0] >= RATE_WINDOW_SECONDS:
            self.sent.popleft()
        wait = max(0.0, self.blocked_until - now)
        if len(self.sent) >= self.limit:
            wait = max(wait, self.sent[0] + RATE_WINDOW_SECONDS - now)
        return wait

    def record(self, now: float) -> None:
        self.sent.append(now)

    def observe(self, headers: dict[str, str] | None, now: float) -> None:
        if not headers:
            return
        lowered = {str(k).lower(): v for k, v in headers.items()}
        try:
            limit = int(lowered.get("x-ratelimit-limit", ""))
            if limit > 0:
                self.limit = limit
        except ValueError:
            pass
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


# Called with `accepted`: True when Luma answered 2xx but unreadably (it applied the write, so nothing may be
# sent again), False when the answer was lost (the write may or may not have landed).
Reconcile = Callable[[bool], Awaitable[Any]]


class LumaClient:
    """One action's view of Luma: every request shares the action's time budget and the key's pacing."""

    def __init__(self, context: Any, *, budget_seconds: float = ACTION_BUDGET_SECONDS):
        self.context = context
        self.api_key = api_key_from(getattr(context, "auth", None))
        self.base_url = base_url()
        self.limiter = limiter_for(self.api_key)
        self.deadline = _now() + budget_seconds

    # -- budget

    def time_left(self) -> float:
        return self.deadline - _now() - BUDGET_RESERVE_SECONDS

    def can_wait(self, seconds: float) -> bool:
        return seconds < self.time_left() - 1.0

    # -- public calls

    async def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET with retries on 5xx, network errors and timeouts (reads are safe to repeat)."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._send("GET", path, params=params)
            except (LumaServerError, LumaNetworkError, LumaTimeoutError) as error:
                backoff = BACKOFF_BASE_SECONDS * 2 ** (attempt - 1) + _jitter(BACKOFF_BASE_SECONDS)
                if attempt >= GET_ATTEMPTS or not self.can_wait(backoff + 1.0):
                    raise error
                logger.info("Retrying GET %s after %s (attempt %d)", path, type(error).__name__, attempt)
                await _sleep(backoff)

    async def get_object(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """A GET that must answer one Luma object: anything without an `id` is Luma misbehaving, said plainly."""
        found = await self.get(path, params)
        if not isinstance(found.get("id"), str) or not found["id"]:
            raise LumaResponseError(
                f"GET {path}: Luma's answer had no id, so it is not the object asked for. Retry later."
            )
        return found

    async def post(self, path: str, body: dict[str, Any], *, reconcile: Reconcile | None = None) -> Any:
        """POST once. Luma has no idempotency keys, so a write whose answer was lost is never re-sent blindly:
        `reconcile` looks at Luma's state and returns the result if the write landed, or None if it did not
        (then a lost write is sent exactly once more; an accepted one never). Without `reconcile` the caller
        gets an uncertain-write error."""
        try:
            return await self._send("POST", path, json=body)
        except (LumaServerError, LumaNetworkError, LumaTimeoutError) as error:
            failure, accepted = error, False
        except LumaResponseError as error:
            # A 2xx whose body cannot be read: Luma applied the write, so it is never sent again.
            failure, accepted = error, True
        if reconcile is not None and self.time_left() > 2.0:
            try:
                landed = await reconcile(accepted)
            except LumaError:
                landed, recheck_failed = None, True
            else:
                recheck_failed = False
            if landed is not None:
                return landed
            if not accepted and not recheck_failed and self.time_left() > 2.0:
                try:
                    return await self._send("POST", path, json=body)
                except (LumaServerError, LumaNetworkError, LumaTimeoutError, LumaResponseError) as error:
                    # The one re-send lost its answer too: it may have landed, so never invite a blind retry.
                    failure, accepted = error, isinstance(error, LumaResponseError)
        outcome = (
            "Luma accepted the request (2xx) but its answer could not be read, so it was not sent again"
            if accepted
            else "The request may or may not have been applied by Luma, so it was not re-sent automatically"
        )
        raise LumaUncertainWriteError(
            f"{failure.message} {outcome}. Check the current state (for example with the matching get/list "
            "action) before retrying.",
            status=failure.status,
            luma_message=failure.luma_message,
        )

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
            yield page
            if not page.has_more:
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
    ) -> dict[str, Any]:
        """All entries up to `limit`. When the time budget runs low, or a later page times out, it returns what it
        has with `has_more` and the cursor to continue from, rather than losing the pages already read."""
        entries: list[dict[str, Any]] = []
        has_more, next_cursor = False, cursor
        pages = self.pages(path, params, cursor=cursor, limit=limit)
        while True:
            try:
                page = await anext(pages)
            except StopAsyncIteration:
                break
            except (LumaTimeoutError, LumaServerError, LumaNetworkError, LumaRateLimitError):
                if not entries:
                    raise
                return {"entries": entries, "has_more": True, "next_cursor": next_cursor}
            entries.extend(page.entries)
            has_more, next_cursor = page.has_more, page.next_cursor
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

    def _sdk_retries_off(self) -> int:
        # The SDK re-sends every method (POST too) on network errors and re-appends params on retry;
        # starting its counter at its maximum leaves retries to this client.
        config = getattr(self.context, "config", None)
        return config.get("max_retries", 3) if isinstance(config, dict) else 3

    async def _pace(self, what: str) -> None:
        wait = self.limiter.wait_needed(_now())
        if wait <= 0:
            return
        if not self.can_wait(wait):
            raise LumaRateLimitError(
                f"{what}: paused to stay under Luma's rate limit for this API key, and the wait ({wait:.0f} s) "
                f"does not fit in this run. Retry in {max(1, round(wait))} seconds.",
                retry_after=wait,
            )
        await _sleep(wait)

    async def _send(self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None) -> Any:
        what = f"{method} {path}"
        while True:
            await self._pace(what)
            left = self.time_left()
            timeout = min(REQUEST_TIMEOUT_SECONDS, left)
            if left < 1.0:
                raise LumaTimeoutError(
                    f"{what}: the run's time budget ({ACTION_BUDGET_SECONDS:.0f} s) ran out before Luma answered. "
                    "Retry; for long lists pass the returned cursor to continue."
                )
            self.limiter.record(_now())
            try:
                response = await asyncio.wait_for(
                    self.context.fetch(
                        self._url(path, params),
                        method=method,
                        json=json,
                        headers={"x-luma-api-key": self.api_key, "accept": "application/json"},
                        timeout=timeout,
                        retry_count=self._sdk_retries_off(),
                    ),
                    timeout=timeout + 1.0,
                )
            except RateLimitError as error:
                retry_after = float(error.retry_after or LUMA_LOCKOUT_SECONDS)
                self.limiter.block(retry_after, _now())
                if self.can_wait(retry_after):
                    # A 429 means Luma did nothing, so even a write is safe to send again.
                    continue
                raise LumaRateLimitError(
                    f"{what}: Luma's rate limit for this API key was exceeded (429) and the key is locked out. "
                    f"Retry in {max(1, round(retry_after))} seconds.",
                    status=429,
                    retry_after=retry_after,
                    luma_message=luma_message_from(error.response_data),
                ) from None
            except HTTPError as error:
                raise self._scrub(
                    _error_for_status(error.status, luma_message_from(error.response_data), what)
                ) from None
            except ValueError as error:
                if "Retry-After" in str(error) or "int()" in str(error):
                    # The SDK parses Retry-After with int(); a date-valued header lands here. Assume the lockout.
                    self.limiter.block(LUMA_LOCKOUT_SECONDS, _now())
                    raise LumaRateLimitError(
                        f"{what}: Luma's rate limit was exceeded (429). Retry in {LUMA_LOCKOUT_SECONDS} seconds.",
                        status=429,
                        retry_after=LUMA_LOCKOUT_SECONDS,
                    ) from None
                raise LumaResponseError(f"{what}: Luma's answer could not be read ({error}). Retry later.") from None
            except TimeoutError:
                raise LumaTimeoutError(
                    f"{what}: Luma did not answer within {timeout:.0f} s. Try again shortly."
                ) from None
            except (aiohttp.ClientError, OSError) as error:
                raise LumaNetworkError(
                    f"{what}: the connection to Luma failed ({type(error).__name__}). Check the connection and retry."
                ) from None
            self.limiter.observe(getattr(response, "headers", None), _now())
            return self._body(what, method, getattr(response, "data", None))

    def _body(self, what: str, method: str, data: Any) -> Any:
        if data is None and method == "POST":
            return {}
        if not isinstance(data, dict):
            raise LumaResponseError(
                f"{what}: Luma answered with something other than JSON"
                f"{': ' + luma_message_from(data) if isinstance(data, str) and data else ''}. "
                "Luma may be having trouble; retry later.",
            )
        return data

    def _scrub(self, error: LumaError) -> LumaError:
        if self.api_key and self.api_key in error.message:
            error.message = error.message.replace(self.api_key, "***")
            error.args = (error.message,)
        return error
