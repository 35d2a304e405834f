"""A local, stateful, contract-checked stand-in for Luma's public API (the 2026 "F3" routes).

Faithful to Luma (taken from the published OpenAPI document, distilled into ``contract.json``):

* the route list and methods, every query parameter and request body schema, the response shapes
  (flat objects; lists as ``{"entries", "has_more", "next_cursor"?}``; many writes answer ``{}``);
* auth via the ``x-luma-api-key`` header; array query parameters as repeated keys (``?tags=a&tags=b``);
* ``include_hidden`` on ticket types being a *string*; coupon codes 1-20 chars, case-insensitive;
  the two-step cancel flow; ticket types that cannot be deleted once sold or when last visible;
  guest lookup by ``gst-`` id, guest key or email; guests becoming contacts of the calendar;
* the documented rate limit (200 requests/min per key shared by GET and POST, then a 1 minute block,
  ``Retry-After`` on 429 and ``X-RateLimit-*`` headers).

Assumptions (Luma does not document these; change them here if the real API disagrees):

* strict mode (the default) rejects unknown query parameters, unknown body properties and repeated
  non-array query parameters with 400. Real Luma may silently ignore them; we are stricter on
  purpose so that a client sending a misspelt field fails in tests instead of in production;
* errors are ``{"message": "..."}`` with 400 (validation / rule), 401 (key), 404 (unknown id or
  route), 405 (wrong method), 429 (rate limit);
* the maximum page size (100) and the default page size (50) are not documented by Luma;
* cursors are opaque, bound to the filters they were issued for, and a garbled one is a 400;
* default list order is oldest first (``created_at``/``start_at`` ascending);
* ``guests/add`` with an email already on the guest list does not create a second guest; an
  ``invited`` guest is moved to the requested status, any other guest is left unchanged;
* when an event with ``max_capacity`` is full, adding or approving guests fails with 400
  "Event is at capacity" (no automatic wait-listing); the whole request fails, nothing is added;
* lowering an event's ``max_capacity`` below its approved guest count is a 400;
* faulted requests (``inject``) skip auth and the rate limit: the fault answers first;
* ``send-invites`` draws on a weekly send quota (``invite_quota_per_week``); ``guests/add`` does not;
* guests added through the API do not pay: their tickets have ``amount`` 0 (Luma "bypasses payment");
* timestamps in responses use the wall clock; the injectable ``clock`` drives only the rate limit,
  lockouts, cancellation-token expiry and the invite quota week.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import copy
import functools
import hashlib
import json
import math
import re
import secrets
import string
import threading
import time
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import relevance

CONTRACT_PATH = Path(__file__).with_name("contract.json")
DEFAULT_API_KEY = "luma-local-key"
API_KEY_HEADER = "x-luma-api-key"
DEFAULT_PAGE_SIZE = 50
WEEK_SECONDS = 7 * 24 * 3600
CANCEL_TOKEN_TTL = 15 * 60
CDN = "https://images.lumacdn.com"
DEFAULT_COVER = f"{CDN}/gallery-images/default-cover.png"
DEFAULT_AVATAR = f"{CDN}/avatars-default/avatar_1.png"
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ID_ALPHABET = string.ascii_letters + string.digits
TAG_COLORS = ["cranberry", "barney", "red", "green", "blue", "purple", "yellow", "orange"]


# --------------------------------------------------------------------------- helpers


def new_id(prefix: str, length: int = 14) -> str:
    return f"{prefix}-" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def new_slug(length: int = 8) -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def iso(dt: datetime) -> str:
    dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def now_iso() -> str:
    return iso(datetime.now(UTC))


def parse_dt(value: str) -> datetime:
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def iso_duration(seconds: float) -> str:
    days, rem = divmod(int(seconds), 86400)
    hours, rem = divmod(rem, 3600)
    minutes, secs = divmod(rem, 60)
    out = "P" + (f"{days}D" if days else "")
    clock = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + (f"{secs}S" if secs else "")
    if clock:
        out += "T" + clock
    return out if out != "P" else "PT0S"


def public(obj: dict) -> dict:
    """Drop emulator-internal keys (those starting with ``_``)."""
    return {k: copy.deepcopy(v) for k, v in obj.items() if not k.startswith("_")}


def split_name(name: str | None) -> tuple[str | None, str | None]:
    if not name or not name.strip():
        return None, None
    parts = name.strip().split(None, 1)
    return parts[0], (parts[1] if len(parts) > 1 else None)


def markdown_to_text(md: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", md)
    return re.sub(r"[#*_`>]", "", text).strip()


class ApiError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def not_found(what: str) -> ApiError:
    return ApiError(404, f"{what} not found")


# --------------------------------------------------------------------------- contract


def _strictify(schema: Any) -> Any:
    """Close every object schema of a request body so that unknown properties are rejected."""
    if isinstance(schema, list):
        return [_strictify(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    s = dict(schema)
    parts = s.get("allOf")
    if parts and all(isinstance(p, dict) and p.get("type") == "object" and "properties" in p for p in parts):
        # allOf of plain objects (ticket-types create/update): merge, otherwise each closed part
        # would reject the other part's properties.
        merged: dict[str, Any] = {}
        required: list[str] = []
        for p in parts:
            merged.update(p["properties"])
            required += [r for r in p.get("required", []) if r not in required]
        del s["allOf"]
        s.update({"type": "object", "properties": merged, "required": required})
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        if key in s:
            s[key] = _strictify(s[key])
    if isinstance(s.get("items"), dict):
        s["items"] = _strictify(s["items"])
    if isinstance(s.get("properties"), dict):
        s["properties"] = {k: _strictify(v) for k, v in s["properties"].items()}
        s.setdefault("additionalProperties", False)
    return s


def _schema_types(schema: dict) -> set[str]:
    types: set[str] = set()
    t = schema.get("type")
    if isinstance(t, str):
        types.add(t)
    elif isinstance(t, list):
        types.update(t)
    for key in ("anyOf", "oneOf"):
        for sub in schema.get(key, []):
            types |= _schema_types(sub)
    return types


def _array_items(schema: dict) -> dict | None:
    if schema.get("type") == "array":
        return schema.get("items", {})
    for key in ("anyOf", "oneOf"):
        for sub in schema.get(key, []):
            items = _array_items(sub)
            if items is not None:
                return items
    return None


def _explain(error: Any) -> Any:
    """Descend into anyOf/oneOf failures, following the branch the instance was evidently meant for."""
    while error.context:
        branches: dict[Any, list[Any]] = {}
        for e in error.context:
            branches.setdefault(e.relative_schema_path[0], []).append(e)

        def plausible(errs: list[Any]) -> bool:
            # a branch whose discriminator (const) or top-level type failed is not the one meant
            return not any(e.validator == "const" or (e.validator == "type" and not e.relative_path) for e in errs)

        candidates = [errs for errs in branches.values() if plausible(errs)]
        if not candidates:
            break
        error = max(min(candidates, key=len), key=relevance)
    return error


def _first_error(validator: Draft202012Validator, instance: Any) -> Any:
    errors = list(validator.iter_errors(instance))
    # Not jsonschema's best_match: it descends into anyOf/oneOf on its own and often picks the wrong branch.
    return max(errors, key=relevance) if errors else None


def _format_error(error: Any, root: str) -> str:
    error = _explain(error)
    where = root
    for part in error.absolute_path:
        where += f"[{part}]" if isinstance(part, int) else f".{part}"
    fmt = error.schema.get("format") if isinstance(error.schema, dict) else None
    if error.validator == "pattern" and fmt:
        message = f"{error.instance!r} is not a valid {fmt} (ISO 8601, e.g. 2026-03-01T18:00:00.000Z)"
    else:
        message = error.message
    if len(message) > 240:
        message = message[:237] + "..."
    return f"Invalid {where}: {message}"


@dataclass
class QueryParam:
    name: str
    required: bool
    schema: dict
    items: dict | None  # item schema when the parameter is an array (sent as repeated keys)
    validator: Draft202012Validator


@dataclass
class RouteSpec:
    method: str
    path: str
    params: dict[str, QueryParam]
    body_validator: Draft202012Validator | None
    response_validator: Draft202012Validator


class Contract:
    def __init__(self, data: dict, *, strict: bool):
        self.routes: dict[tuple[str, str], RouteSpec] = {}
        checker = FormatChecker()
        for key, spec in data["routes"].items():
            method, path = key.split(" ", 1)
            params = {}
            for p in spec.get("query", []):
                params[p["name"]] = QueryParam(
                    name=p["name"],
                    required=p["required"],
                    schema=p["schema"],
                    items=_array_items(p["schema"]),
                    validator=Draft202012Validator(p["schema"], format_checker=checker),
                )
            body_validator = None
            if "body" in spec:
                body_schema = _strictify(spec["body"]) if strict else spec["body"]
                body_validator = Draft202012Validator(body_schema, format_checker=checker)
            self.routes[(method, path)] = RouteSpec(
                method=method,
                path=path,
                params=params,
                body_validator=body_validator,
                response_validator=Draft202012Validator(spec["response"]),
            )

    @classmethod
    def load(cls, *, strict: bool) -> Contract:
        # Compiling ~60 validators is the slow part of construction; they are read-only, so share them.
        return _load_contract(strict)


@functools.cache
def _load_contract(strict: bool) -> Contract:
    return Contract(json.loads(CONTRACT_PATH.read_text(encoding="utf-8")), strict=strict)


def _coerce(value: str, schema: dict, name: str) -> Any:
    types = _schema_types(schema)
    if "string" in types or not types:
        return value
    if types & {"number", "integer"}:
        try:
            number = float(value)
        except ValueError:
            raise bad_request(f"Invalid query parameter '{name}': expected a number, got {value!r}") from None
        if not math.isfinite(number):
            raise bad_request(f"Invalid query parameter '{name}': expected a finite number")
        return int(number) if number.is_integer() else number
    if "boolean" in types:
        if value in ("true", "false"):
            return value == "true"
        raise bad_request(f"Invalid query parameter '{name}': expected true or false, got {value!r}")
    return value


# --------------------------------------------------------------------------- request records, faults


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: list[tuple[str, str]]
    json: Any
    headers: dict[str, str]
    body: bytes = b""
    status: int | None = None  # None when no response was sent (hang / drop_after_work)

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for k, v in self.headers.items():
            if k.lower() == lowered:
                return v
        return None

    def query_values(self, name: str) -> list[str]:
        return [v for k, v in self.query if k == name]


@dataclass
class FaultSpec:
    """A programmed misbehaviour for matching requests.

    ``route`` is ``"/v1/events/get"`` (any method), ``"POST /v1/events/create"`` or ``"*"``.
    ``times=None`` applies it forever; ``hits`` counts how often it fired.
    """

    route: str
    status: int | None = None
    times: int | None = 1
    body: Any = None
    content_type: str | None = None
    latency: float = 0.0
    hang: bool = False
    drop_after_work: bool = False
    retry_after: float | None = None
    headers: dict[str, str] | None = None
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.route == "*":
            return True
        if " " in self.route:
            m, p = self.route.split(" ", 1)
            return m.upper() == method and p == path
        return self.route == path


class RateLimiter:
    """Fixed window per key; the request that goes over the limit starts a lockout."""

    def __init__(self, limit: int, window: float, lockout: float, clock: Callable[[], float]):
        self.limit, self.window, self.lockout, self.clock = limit, window, lockout, clock
        self._buckets: dict[str, list[float]] = {}  # key -> [window_start, count, locked_until]

    def reset(self) -> None:
        self._buckets.clear()

    def hit(self, key: str) -> dict[str, str]:
        now = self.clock()
        bucket = self._buckets.setdefault(key, [now, 0, 0.0])
        if bucket[2] > now:
            wait = max(1, math.ceil(bucket[2] - now))
            raise ApiError(
                429,
                "Too many requests: rate limit exceeded, try again later",
                {
                    "Retry-After": str(wait),
                    "X-RateLimit-Limit": str(self.limit),
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": str(wait),
                },
            )
        if bucket[2] or now - bucket[0] >= self.window:
            bucket[:] = [now, 0, 0.0]
        bucket[1] += 1
        if bucket[1] > self.limit:
            bucket[2] = now + self.lockout
            wait = max(1, math.ceil(self.lockout))
            raise ApiError(
                429,
                f"Too many requests: more than {self.limit} requests in {self.window:g} seconds",
                {
                    "Retry-After": str(wait),
                    "X-RateLimit-Limit": str(self.limit),
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": str(wait),
                },
            )
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(0, self.limit - int(bucket[1]))),
            "X-RateLimit-Reset": str(max(0, math.ceil(bucket[0] + self.window - now))),
        }


# --------------------------------------------------------------------------- state


@dataclass
class EmulatorState:
    """Everything the emulator knows. Stored dicts hold the public fields plus ``_``-prefixed internals."""

    user: dict = field(default_factory=dict)
    calendar: dict = field(default_factory=dict)
    users: dict[str, dict] = field(default_factory=dict)  # user id -> user
    user_ids_by_email: dict[str, str] = field(default_factory=dict)  # lower email -> user id
    events: dict[str, dict] = field(default_factory=dict)
    slugs: dict[str, str] = field(default_factory=dict)  # lower slug -> event id
    guests: dict[str, dict[str, dict]] = field(default_factory=dict)  # event id -> guest id -> guest
    guest_ids_by_email: dict[str, dict[str, str]] = field(default_factory=dict)  # event id -> email -> guest id
    guest_keys: dict[str, tuple[str, str]] = field(default_factory=dict)  # g- key -> (event id, guest id)
    ticket_types: dict[str, dict] = field(default_factory=dict)
    event_coupons: dict[str, dict[str, dict]] = field(default_factory=dict)  # event id -> lower code -> coupon
    calendar_coupons: dict[str, dict] = field(default_factory=dict)  # lower code -> coupon
    contacts: dict[str, dict] = field(default_factory=dict)  # user id -> contact
    contact_tags: dict[str, dict] = field(default_factory=dict)
    event_tags: dict[str, dict] = field(default_factory=dict)
    external_events: dict[str, dict] = field(default_factory=dict)  # calev- id -> external event
    calendar_events: dict[str, dict] = field(default_factory=dict)  # calev- id -> {event_id, status, ...}
    webhooks: dict[str, dict] = field(default_factory=dict)
    membership_tiers: dict[str, dict] = field(default_factory=dict)
    org_calendars: dict[str, dict] = field(default_factory=dict)
    invites_sent: list[float] = field(default_factory=list)  # clock() of each invite sent


@dataclass
class Ctx:
    route: RouteSpec
    query: dict[str, Any]
    body: dict[str, Any]
    filter_key: str


# --------------------------------------------------------------------------- the emulator


class LumaEmulator:
    """In-memory Luma API server. See the module docstring for what is faithful and what is assumed."""

    def __init__(
        self,
        api_key: str = DEFAULT_API_KEY,
        *,
        rate_limit: int = 200,
        rate_window: float = 60.0,
        lockout: float = 60.0,
        max_page_size: int = 100,
        default_page_size: int = DEFAULT_PAGE_SIZE,
        strict: bool = True,
        clock: Callable[[], float] = time.monotonic,
        rate_limit_headers: bool = True,
        invite_quota_per_week: int = 500,
        validate_responses: bool = False,
        user_email: str = "owner@example.com",
        user_name: str = "Olivia Owner",
        calendar_name: str = "Local Community Calendar",
    ):
        self.api_key = api_key
        self.max_page_size = max_page_size
        self.default_page_size = default_page_size
        self.strict = strict
        self.clock = clock
        self.rate_limit_headers = rate_limit_headers
        self.invite_quota_per_week = invite_quota_per_week
        self.validate_responses = validate_responses
        self.rate_limiter = RateLimiter(rate_limit, rate_window, lockout, clock)
        self.contract = Contract.load(strict=strict)
        self.requests: list[RecordedRequest] = []
        self.faults: list[FaultSpec] = []
        self.state = EmulatorState()
        self.base_url: str | None = None
        self._handlers = self._route_table()
        missing = {f"{m} {p}" for (m, p) in self.contract.routes} - {f"{m} {p}" for (m, p) in self._handlers}
        if missing:
            raise RuntimeError(f"routes without handler: {sorted(missing)}")
        self._paths = {p for (_, p) in self.contract.routes}
        self._runner: web.AppRunner | None = None
        self._stopping: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._thread_loop: asyncio.AbstractEventLoop | None = None
        self._seed_counter = 0
        self._init_owner(user_email, user_name, calendar_name)

    # ------------------------------------------------------------------ lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._stopping = asyncio.Event()
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self.base_url = f"http://{bound_host}:{bound_port}"
        return self.base_url

    async def stop(self) -> None:
        if self._stopping is not None:
            self._stopping.set()  # releases hanging requests
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> LumaEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def start_in_thread(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve from a background thread with its own event loop (for sync code and the CLI)."""
        ready = threading.Event()
        box: dict[str, Any] = {}

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._thread_loop = loop
            asyncio.set_event_loop(loop)
            try:
                box["url"] = loop.run_until_complete(self.start(host, port))
            except BaseException as exc:  # handed to the caller below
                box["error"] = exc
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.stop())
            loop.close()

        self._thread = threading.Thread(target=run, name="luma-emulator", daemon=True)
        self._thread.start()
        ready.wait()
        if "error" in box:
            raise box["error"]
        return box["url"]

    def stop_thread(self, timeout: float = 5.0) -> None:
        loop, thread = self._thread_loop, self._thread
        if loop is None or thread is None:
            return
        if self._stopping is not None:
            loop.call_soon_threadsafe(self._stopping.set)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)
        self._thread = self._thread_loop = None

    # ------------------------------------------------------------------ test controls

    def inject(
        self,
        route: str,
        *,
        status: int | None = None,
        times: int | None = 1,
        body: Any = None,
        content_type: str | None = None,
        latency: float = 0.0,
        hang: bool = False,
        drop_after_work: bool = False,
        retry_after: float | None = None,
        headers: dict[str, str] | None = None,
    ) -> FaultSpec:
        """Program a fault for the next ``times`` matching requests (``times=None``: until cleared).

        ``status``/``body``/``content_type``/``retry_after``/``headers`` replace the answer (``body`` alone
        answers 200 with it, e.g. malformed JSON); ``latency`` delays (then the normal or faulted answer);
        ``hang`` never answers until ``stop()``; ``drop_after_work`` does the real work, then closes the
        connection without a response. Faults are matched in the order they were added.
        """
        fault = FaultSpec(
            route, status, times, body, content_type, latency, hang, drop_after_work, retry_after, headers
        )
        self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        self.faults.clear()

    def reset_rate_limit(self) -> None:
        self.rate_limiter.reset()

    def requests_to(self, path: str, method: str | None = None) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path and (method is None or r.method == method.upper())]

    # ------------------------------------------------------------------ accessors (API-shaped copies)

    def events(self) -> list[dict]:
        return [self._event_out(ev) for ev in self.state.events.values()]

    def event(self, event_id: str) -> dict | None:
        ev = self.state.events.get(event_id)
        return self._event_out(ev) if ev else None

    def guests(self, event_id: str) -> list[dict]:
        return [self._guest_out(g, with_orders=True) for g in self.state.guests.get(event_id, {}).values()]

    def guest(self, event_id: str, id_or_email: str) -> dict | None:
        g = self._find_guest(event_id, id_or_email)
        return self._guest_out(g, with_orders=True) if g else None

    def ticket_types(self, event_id: str, *, include_hidden: bool = True) -> list[dict]:
        return [public(t) for t in self._event_ticket_types(event_id) if include_hidden or not t["is_hidden"]]

    def coupons(self, event_id: str | None = None) -> list[dict]:
        """Coupons of an event, or the calendar's coupons when ``event_id`` is None."""
        source = self.state.calendar_coupons if event_id is None else self.state.event_coupons.get(event_id, {})
        return [public(c) for c in source.values()]

    def contacts(self) -> list[dict]:
        return [self._contact_out(c) for c in self.state.contacts.values()]

    def contact_tags(self) -> list[dict]:
        return [public(t) for t in self.state.contact_tags.values()]

    def webhooks(self) -> list[dict]:
        return [public(w) for w in self.state.webhooks.values()]

    # ------------------------------------------------------------------ seeding (see seed.py)

    def seed_events(self, n: int, **overrides: Any) -> list[dict]:
        from . import seed

        return seed.seed_events(self, n, **overrides)

    def seed_guests(
        self, event_id: str, n: int, approval_status: str = "approved", domain: str | None = None
    ) -> list[dict]:
        from . import seed

        return seed.seed_guests(self, event_id, n, approval_status=approval_status, domain=domain)

    def seed_contacts(self, n: int, tags: Iterable[str] = (), domain: str | None = None) -> list[dict]:
        from . import seed

        return seed.seed_contacts(self, n, tags=tags, domain=domain)

    def seed_demo(self) -> dict:
        from . import seed

        return seed.seed_demo(self)

    def call(self, method: str, path: str, *, query: dict | None = None, body: Any = None) -> Any:
        """Run one API operation in-process (validation + handler, no auth/rate limit/faults/recording)."""
        spec = self.contract.routes.get((method.upper(), path))
        if spec is None:
            raise not_found(f"Route {method} {path}")
        pairs: list[tuple[str, str]] = []
        for k, v in (query or {}).items():
            for item in v if isinstance(v, list | tuple) else [v]:
                pairs.append((k, str(item).lower() if isinstance(item, bool) else str(item)))
        ctx = self._build_ctx(spec, pairs, body if spec.method == "POST" else None)
        return self._handlers[(spec.method, spec.path)](ctx)

    # ------------------------------------------------------------------ HTTP plumbing

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        parsed: Any = None
        if raw:
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = None
        record = RecordedRequest(
            method=request.method,
            path=request.path,
            query=list(request.query.items()),
            json=parsed,
            headers=dict(request.headers),
            body=raw,
        )
        self.requests.append(record)

        fault = next((f for f in self.faults if f.matches(request.method, request.path)), None)
        if fault is not None:
            fault.hits += 1
            if fault.latency:
                await asyncio.sleep(fault.latency)
            if fault.hang:
                if self._stopping is not None:
                    await self._stopping.wait()
                return self._drop(request)
            if not fault.drop_after_work and (fault.status is not None or fault.body is not None):
                response = self._fault_response(fault)
                record.status = response.status
                return response

        response = self._process(request, raw)
        if fault is not None and fault.drop_after_work:
            return self._drop(request)
        record.status = response.status
        return response

    @staticmethod
    def _drop(request: web.Request) -> web.Response:
        # Closing the socket before writing anything: the client sees a disconnect, i.e. a lost
        # response, while any state change already happened.
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=499)

    @staticmethod
    def _fault_response(fault: FaultSpec) -> web.Response:
        status = fault.status or 200
        headers = dict(fault.headers or {})
        if fault.retry_after is not None:
            headers["Retry-After"] = str(math.ceil(fault.retry_after))
        if fault.body is None:
            payload = json.dumps({"message": f"Injected fault: HTTP {status}"}).encode()
            content_type = fault.content_type or "application/json"
        elif isinstance(fault.body, bytes):
            payload, content_type = fault.body, fault.content_type or "application/octet-stream"
        elif isinstance(fault.body, str):
            payload, content_type = fault.body.encode(), fault.content_type or "application/json"
        else:
            payload, content_type = json.dumps(fault.body).encode(), fault.content_type or "application/json"
        headers["Content-Type"] = content_type
        return web.Response(status=status, body=payload, headers=headers)

    def _process(self, request: web.Request, raw: bytes) -> web.Response:
        headers: dict[str, str] = {}
        try:
            spec = self.contract.routes.get((request.method, request.path))
            if spec is None:
                if request.path in self._paths:
                    allowed = sorted(m for (m, p) in self.contract.routes if p == request.path)
                    raise ApiError(
                        405, f"Method {request.method} is not allowed for {request.path}", {"Allow": ", ".join(allowed)}
                    )
                raise ApiError(404, f"Route not found: {request.method} {request.path}")
            key = request.headers.get(API_KEY_HEADER)
            if not key:
                raise ApiError(401, f"Missing API key: send it in the {API_KEY_HEADER} header")
            if not secrets.compare_digest(key.encode(), self.api_key.encode()):
                raise ApiError(401, "Invalid API key")
            limits = self.rate_limiter.hit(key)
            if self.rate_limit_headers:
                headers.update(limits)
            body: Any = None
            if spec.method == "POST":
                if not raw.strip():
                    raise bad_request("Request body must be a JSON object")
                try:
                    body = json.loads(raw)
                except ValueError:
                    raise bad_request("Request body is not valid JSON") from None
            ctx = self._build_ctx(spec, list(request.query.items()), body)
            payload = self._handlers[(spec.method, spec.path)](ctx)
            if self.validate_responses:
                error = _first_error(spec.response_validator, payload)
                if error is not None:
                    message = _format_error(error, "response")
                    raise ApiError(500, f"Emulator bug, response violates the contract: {message}")
            return web.json_response(payload, headers=headers)
        except ApiError as exc:
            if exc.status == 429 and not self.rate_limit_headers:
                exc.headers = {"Retry-After": exc.headers["Retry-After"]}
            return web.json_response({"message": exc.message}, status=exc.status, headers={**headers, **exc.headers})

    def _build_ctx(self, spec: RouteSpec, pairs: list[tuple[str, str]], body: Any) -> Ctx:
        grouped: dict[str, list[str]] = {}
        for k, v in pairs:
            grouped.setdefault(k, []).append(v)
        query: dict[str, Any] = {}
        for name, values in grouped.items():
            param = spec.params.get(name)
            if param is None:
                if self.strict:
                    known = ", ".join(sorted(spec.params)) or "none"
                    raise bad_request(f"Unknown query parameter '{name}' (allowed: {known})")
                continue
            if param.items is not None:
                value: Any = [_coerce(v, param.items, name) for v in values]
            else:
                if len(values) > 1:
                    raise bad_request(f"Query parameter '{name}' must be given once, got {len(values)} values")
                value = _coerce(values[0], param.schema, name)
            error = _first_error(param.validator, value)
            if error is not None:
                raise bad_request(_format_error(error, f"query parameter '{name}'"))
            query[name] = value
        for name, param in spec.params.items():
            if param.required and name not in query:
                raise bad_request(f"Missing required query parameter '{name}'")
        if spec.method == "POST":
            if not isinstance(body, dict):
                raise bad_request("Request body must be a JSON object")
            if spec.body_validator is not None:
                error = _first_error(spec.body_validator, body)
                if error is not None:
                    raise bad_request(_format_error(error, "body"))
        else:
            body = {}
        filters = sorted((k, json.dumps(v)) for k, v in query.items() if not k.startswith("pagination_"))
        return Ctx(route=spec, query=query, body=body, filter_key=f"{spec.method} {spec.path} {filters}")

    # ------------------------------------------------------------------ pagination

    def _paginate(self, ctx: Ctx, items: list[Any], render: Callable[[Any], dict]) -> dict:
        digest = hashlib.sha256(ctx.filter_key.encode()).hexdigest()[:16]
        offset = 0
        cursor = ctx.query.get("pagination_cursor")
        if cursor is not None:
            try:
                decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
                offset, bound_to = decoded["o"], decoded["f"]
                if not isinstance(offset, int) or offset < 0:
                    raise ValueError
            except (ValueError, KeyError, TypeError, binascii.Error):
                raise bad_request("Invalid pagination_cursor") from None
            if bound_to != digest:
                raise bad_request("pagination_cursor does not match the filters of this request")
        limit = ctx.query.get("pagination_limit", self.default_page_size)
        # Luma only says "the server will enforce a maximum"; we clamp rather than reject.
        limit = max(1, min(int(limit), self.max_page_size))
        page = items[offset : offset + limit]
        result: dict[str, Any] = {"entries": [render(i) for i in page], "has_more": offset + limit < len(items)}
        if result["has_more"]:
            token = json.dumps({"o": offset + limit, "f": digest}, separators=(",", ":")).encode()
            result["next_cursor"] = base64.urlsafe_b64encode(token).decode().rstrip("=")
        return result

    @staticmethod
    def _sorted(items: list, key: Callable[[Any], Any], direction: str | None) -> list:
        direction = direction or "asc"
        desc = direction.startswith("desc")
        # Postgres semantics: NULLs sort as larger than everything unless "nulls last" is explicit.
        nulls_last = direction.endswith("nulls last") or not desc
        present = [i for i in items if key(i) is not None]
        missing = [i for i in items if key(i) is None]
        present.sort(key=key, reverse=desc)
        return present + missing if nulls_last else missing + present

    # ------------------------------------------------------------------ users, owner, calendar

    def _init_owner(self, email: str, name: str, calendar_name: str) -> None:
        owner = self._user_for(email, name)
        self.state.user = owner
        slug = re.sub(r"[^a-z0-9]+", "-", calendar_name.lower()).strip("-") or new_slug()
        self.state.calendar = {
            "id": new_id("cal"),
            "name": calendar_name,
            "slug": slug,
            "avatar_url": DEFAULT_AVATAR,
            "url": f"https://luma.com/{slug}",
            "description": None,
            "social_image_url": None,
            "cover_image_url": None,
            "is_personal": False,
            "location": None,
            "coordinate": None,
            "instagram_handle": None,
            "twitter_handle": None,
            "youtube_handle": None,
            "website": None,
            "_tint_color": "#6d28d9",
        }
        tier_id = new_id("cmt")
        self.state.membership_tiers[tier_id] = {
            "id": tier_id,
            "name": "Community Member",
            "description": None,
            "tint_color": "#6d28d9",
            "access_info": {"type": "free", "require_approval": False},
        }

    def _user_for(self, email: str, name: str | None = None) -> dict:
        email = email.strip()
        uid = self.state.user_ids_by_email.get(email.lower())
        if uid is not None:
            user = self.state.users[uid]
            if name and not user["name"]:  # Luma never overwrites a name that is already set
                user["name"] = name
                user["first_name"], user["last_name"] = split_name(name)
            return user
        first, last = split_name(name)
        user = {
            "id": new_id("usr"),
            "name": name or None,
            "avatar_url": DEFAULT_AVATAR,
            "email": email,
            "first_name": first,
            "last_name": last,
        }
        self.state.users[user["id"]] = user
        self.state.user_ids_by_email[email.lower()] = user["id"]
        return user

    def _user_by_id_or_email(self, value: str) -> dict | None:
        if value in self.state.users:
            return self.state.users[value]
        uid = self.state.user_ids_by_email.get(value.strip().lower())
        return self.state.users.get(uid) if uid else None

    @staticmethod
    def _check_email(email: str, where: str) -> None:
        if not EMAIL_RE.match(email.strip()):
            raise bad_request(f"Invalid {where}: {email!r} is not a valid email address")

    # ------------------------------------------------------------------ events

    def _event_or_404(self, event_id: str) -> dict:
        ev = self.state.events.get(event_id)
        if ev is None:
            raise not_found(f"Event {event_id}")
        return ev

    def _event_out(self, ev: dict, *, with_hosts: bool = True) -> dict:
        out = public(ev)
        if with_hosts:
            out["hosts"] = [
                {
                    k: self.state.users[h["user_id"]][k]
                    for k in ("id", "email", "name", "first_name", "last_name", "avatar_url")
                }
                for h in ev["_hosts"]
            ]
        return out

    def _event_list_entry(self, ev: dict) -> dict:
        out = self._event_out(ev, with_hosts=False)
        out["tags"] = [
            {"id": t, "name": self.state.event_tags[t]["name"]} for t in ev["_tags"] if t in self.state.event_tags
        ]
        return out

    @staticmethod
    def _set_location_type(ev: dict) -> None:
        geo = ev.get("geo_address_json")
        meeting = ev.get("meeting_url") or ""
        if meeting:
            lowered = meeting.lower()
            kinds = {
                "zoom.": "zoom",
                "meet.google": "meet",
                "youtube.": "youtube",
                "twitch.": "twitch",
                "discord.": "discord",
                "twitter.": "twitter",
                "x.com": "twitter",
            }
            ev["location_type"] = next((v for k, v in kinds.items() if k in lowered), "unknown")
        elif geo:
            ev["location_type"] = "offline"
        else:
            ev["location_type"] = "missing"

    @staticmethod
    def _geo_out(geo: dict | None) -> dict | None:
        if geo is None:
            return None
        if geo["type"] == "manual":
            address, place, desc = geo["address"], None, None
        else:
            desc = geo.get("description")
            address, place = desc or geo["place_id"], geo["place_id"]
        return {
            "address": address,
            "city": None,
            "region": None,
            "country": None,
            "city_state": None,
            "full_address": address,
            "google_maps_place_id": place,
            "apple_maps_place_id": None,
            "description": desc,
        }

    def _check_slug(self, slug: str, event_id: str | None = None) -> None:
        lowered = slug.lower()
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", lowered):
            raise bad_request("Invalid slug: use letters, digits and dashes")
        owner = self.state.slugs.get(lowered)
        if (owner is not None and owner != event_id) or lowered == (self.state.calendar.get("slug") or "").lower():
            raise bad_request(f"Slug '{slug}' is already taken")

    def _apply_event_fields(self, ev: dict, b: dict) -> None:
        if "start_at" in b or "end_at" in b:
            start = parse_dt(b["start_at"]) if "start_at" in b else parse_dt(ev["start_at"])
            if "end_at" in b:
                end = parse_dt(b["end_at"])
            elif ev.get("start_at"):  # moving an existing event keeps its duration
                end = start + (parse_dt(ev["end_at"]) - parse_dt(ev["start_at"]))
            else:
                end = start + timedelta(hours=1)  # Luma's default length for a new event
            if end <= start:
                raise bad_request("Invalid end_at: must be after start_at")
            ev.update(
                start_at=iso(start), end_at=iso(end), duration_interval=iso_duration((end - start).total_seconds())
            )
        if "timezone" in b and not _known_timezone(b["timezone"]):
            raise bad_request(f"Invalid timezone: {b['timezone']!r} is not an IANA time zone name")
        for key in ("name", "timezone", "cover_url", "visibility", "registration_questions"):
            if key in b:
                ev[key] = copy.deepcopy(b[key])
        if "name" in b and not b["name"].strip():
            raise bad_request("Invalid name: must not be empty")
        if "description_md" in b:
            ev["description_md"] = b["description_md"]
            ev["description"] = markdown_to_text(b["description_md"])
        if "meeting_url" in b:
            ev["meeting_url"] = b["meeting_url"] or None
        if "geo_address_json" in b:
            ev["geo_address_json"] = self._geo_out(b["geo_address_json"])
        if "coordinate" in b:
            ev["coordinate"] = dict(b["coordinate"])
        if "feedback_email" in b:
            fe = b["feedback_email"]
            ev["feedback_email"] = {"enabled": fe["enabled"], "delay": fe.get("delay") or "PT0M"}
        if "max_capacity" in b:
            cap = b["max_capacity"]
            if cap is not None and cap < 1:
                raise bad_request("Invalid max_capacity: must be at least 1 or null")
            ev["_max_capacity"] = cap
        for key in (
            "tint_color",
            "can_register_for_multiple_tickets",
            "show_guest_list",
            "reminders_disabled",
            "name_requirement",
            "phone_number_requirement",
        ):
            if key in b:
                ev["_" + key] = b[key]
        self._set_location_type(ev)

    def _create_event(self, b: dict) -> dict:
        event_id = new_id("evt")
        slug = b.get("slug") or new_slug()
        self._check_slug(slug)
        owner = self.state.user
        ev: dict[str, Any] = {
            "platform": "luma",
            "id": event_id,
            "user_id": owner["id"],
            "calendar_id": self.state.calendar["id"],
            "start_at": None,
            "duration_interval": None,
            "end_at": None,
            "created_at": now_iso(),
            "timezone": b["timezone"],
            "name": b["name"],
            "description": "",
            "description_md": "",
            "geo_address_json": None,
            "coordinate": None,
            "meeting_url": None,
            "location_type": "missing",
            "location_visibility": "public",
            "cover_url": DEFAULT_COVER,
            "registration_questions": [],
            "url": f"https://luma.com/{slug}",
            "visibility": "public",
            "waitlist_status": "disabled",
            "feedback_email": {"enabled": False, "delay": "PT0M"},
            "_slug": slug,
            "_status": "approved",
            "_max_capacity": None,
            "_tags": [],
            "_hosts": [{"user_id": owner["id"], "access_level": "manager", "is_visible": True, "creator": True}],
        }
        self._apply_event_fields(ev, b)
        self.state.events[event_id] = ev
        self.state.slugs[slug.lower()] = event_id
        self.state.guests[event_id] = {}
        self.state.guest_ids_by_email[event_id] = {}
        self.state.event_coupons[event_id] = {}
        self._create_ticket_type({"event_id": event_id, "name": "General Admission", "type": "free"})
        return ev

    def _h_events_get(self, ctx: Ctx) -> dict:
        return self._event_out(self._event_or_404(ctx.query["event_id"]))

    def _h_events_create(self, ctx: Ctx) -> dict:
        return {"id": self._create_event(ctx.body)["id"]}

    def _h_events_update(self, ctx: Ctx) -> dict:
        b = ctx.body
        ev = self._event_or_404(b["event_id"])
        staged = copy.deepcopy(ev)
        if "slug" in b:
            self._check_slug(b["slug"], ev["id"])
            staged["_slug"] = b["slug"]
            staged["url"] = f"https://luma.com/{b['slug']}"
        self._apply_event_fields(staged, b)
        cap = staged.get("_max_capacity")
        if cap is not None and cap < self._approved_count(ev["id"]):
            raise bad_request("Invalid max_capacity: lower than the number of approved guests")
        self.state.slugs.pop(ev["_slug"].lower(), None)
        self.state.slugs[staged["_slug"].lower()] = ev["id"]
        ev.clear()
        ev.update(staged)
        return {}

    def _h_events_cancel_request(self, ctx: Ctx) -> dict:
        ev = self._event_or_404(ctx.body["event_id"])
        guests = self.state.guests[ev["id"]].values()
        is_paid = any(t["amount"] > 0 for g in guests for t in g["event_tickets"])
        token = secrets.token_urlsafe(24)
        ev["_cancel"] = {"token": token, "expires": self.clock() + CANCEL_TOKEN_TTL, "is_paid": is_paid}
        active = [g for g in guests if g["approval_status"] in ("approved", "pending_approval", "waitlist")]
        return {"cancellation_token": token, "is_paid": is_paid, "guest_count": len(active)}

    def _h_events_cancel(self, ctx: Ctx) -> dict:
        b = ctx.body
        ev = self._event_or_404(b["event_id"])
        pending = ev.get("_cancel")
        if not pending or not secrets.compare_digest(pending["token"], b["cancellation_token"]):
            raise bad_request("Invalid cancellation_token: request one with /v1/events/cancel/request")
        if self.clock() > pending["expires"]:
            raise bad_request("cancellation_token has expired, request a new one")
        if pending["is_paid"] and "should_refund" not in b:
            raise bad_request("should_refund is required for an event with paid guests")
        self._delete_event(ev["id"])
        return {}

    def _delete_event(self, event_id: str) -> None:
        ev = self.state.events.pop(event_id)
        self.state.slugs.pop(ev["_slug"].lower(), None)
        for g in self.state.guests.pop(event_id, {}).values():
            self.state.guest_keys.pop(g["_key"], None)
        self.state.guest_ids_by_email.pop(event_id, None)
        self.state.event_coupons.pop(event_id, None)
        for tid in [t for t, tt in self.state.ticket_types.items() if tt["_event_id"] == event_id]:
            del self.state.ticket_types[tid]
        for cid in [c for c, ce in self.state.calendar_events.items() if ce["event_id"] == event_id]:
            del self.state.calendar_events[cid]

    def _h_calendar_events_list(self, ctx: Ctx) -> dict:
        q = ctx.query
        platforms = set(q.get("platforms") or ["luma"])
        status = q.get("status") or "approved"
        after = parse_dt(q["after"]) if "after" in q else None
        before = parse_dt(q["before"]) if "before" in q else None
        items: list[dict] = []
        if "luma" in platforms:
            items += [ev for ev in self.state.events.values() if ev["_status"] == status]
        if "external" in platforms:
            items += [ev for ev in self.state.external_events.values() if ev["_status"] == status]

        def in_range(ev: dict) -> bool:
            start = parse_dt(ev["start_at"])
            return (after is None or start >= after) and (before is None or start < before)

        items = self._sorted([ev for ev in items if in_range(ev)], lambda ev: ev["start_at"], q.get("sort_direction"))

        def render(ev: dict) -> dict:
            if ev["platform"] == "external":
                out = public(ev)
                out["tags"] = []
                return out
            return self._event_list_entry(ev)

        return self._paginate(ctx, items, render)

    # ------------------------------------------------------------------ hosts

    def _host(self, ev: dict, email: str) -> dict | None:
        user = self._user_by_id_or_email(email)
        if user is None:
            return None
        return next((h for h in ev["_hosts"] if h["user_id"] == user["id"]), None)

    def _h_hosts_add(self, ctx: Ctx) -> dict:
        b = ctx.body
        ev = self._event_or_404(b["event_id"])
        self._check_email(b["email"], "email")
        if self._host(ev, b["email"]) is not None:
            raise bad_request(f"{b['email']} is already a host of this event")
        user = self._user_for(b["email"], b.get("name"))
        ev["_hosts"].append(
            {
                "user_id": user["id"],
                "access_level": b.get("access_level") or "manager",
                "is_visible": b.get("is_visible", True),
                "creator": False,
            }
        )
        return {}

    def _h_hosts_update(self, ctx: Ctx) -> dict:
        b = ctx.body
        ev = self._event_or_404(b["event_id"])
        host = self._host(ev, b["email"])
        if host is None:
            raise not_found(f"Host {b['email']}")
        if host["creator"] and "access_level" in b and b["access_level"] != host["access_level"]:
            raise bad_request("The access level of the event creator cannot be changed")
        for key in ("access_level", "is_visible"):
            if key in b:
                host[key] = b[key]
        return {}

    def _h_hosts_remove(self, ctx: Ctx) -> dict:
        b = ctx.body
        ev = self._event_or_404(b["event_id"])
        host = self._host(ev, b["email"])
        if host is None:
            raise not_found(f"Host {b['email']}")
        if host["creator"]:
            raise bad_request("The event creator cannot be removed as a host")
        ev["_hosts"].remove(host)
        return {}

    # ------------------------------------------------------------------ guests

    def _find_guest(self, event_id: str, ident: str) -> dict | None:
        guests = self.state.guests.get(event_id)
        if guests is None:
            return None
        if ident in guests:
            return guests[ident]
        if ident in self.state.guest_keys:
            ev_id, gid = self.state.guest_keys[ident]
            return guests.get(gid) if ev_id == event_id else None
        gid = self.state.guest_ids_by_email[event_id].get(ident.strip().lower())
        return guests.get(gid) if gid else None

    def _guest_out(self, g: dict, *, with_orders: bool) -> dict:
        user = self.state.users[g["user_id"]]
        out = public(g)
        out.update(
            user_email=user["email"],
            user_name=user["name"],
            user_first_name=user["first_name"],
            user_last_name=user["last_name"],
        )
        if not with_orders:
            out.pop("event_ticket_orders", None)
        return out

    def _approved_count(self, event_id: str) -> int:
        return sum(1 for g in self.state.guests[event_id].values() if g["approval_status"] == "approved")

    def _check_capacity(self, ev: dict, extra: int) -> None:
        cap = ev.get("_max_capacity")
        if cap is not None and extra > 0 and self._approved_count(ev["id"]) + extra > cap:
            raise bad_request(f"Event is at capacity ({cap} approved guests)")

    def _event_ticket_types(self, event_id: str) -> list[dict]:
        return [t for t in self.state.ticket_types.values() if t["_event_id"] == event_id and not t["_deleted"]]

    def _make_tickets(self, type_ids: list[str], *, charge: bool) -> tuple[list[dict], list[dict]]:
        tickets = []
        for tid in type_ids:
            tt = self.state.ticket_types[tid]
            amount = (tt["cents"] or 0) if charge else 0
            tickets.append(
                {
                    "id": new_id("etk"),
                    "amount": amount,
                    "amount_discount": 0,
                    "amount_tax": 0,
                    "currency": tt["currency"],
                    "checked_in_at": None,
                    "event_ticket_type_id": tid,
                    "is_captured": True,
                    "name": tt["name"],
                }
            )
        currency = next((t["currency"] for t in tickets if t["currency"]), None)
        order = {
            "id": new_id("ord"),
            "amount": sum(t["amount"] for t in tickets),
            "amount_discount": 0,
            "amount_tax": 0,
            "currency": currency,
            "coupon_info": None,
            "is_captured": True,
        }
        return tickets, [order]

    def _new_guest(self, ev: dict, user: dict, status: str, type_ids: list[str], *, charge: bool) -> dict:
        now = now_iso()
        gid, key = new_id("gst"), new_id("g", 10)
        tickets, orders = self._make_tickets(type_ids, charge=charge) if status != "invited" else ([], [])
        guest = {
            "id": gid,
            "user_id": user["id"],
            "user_email": user["email"],
            "user_name": user["name"],
            "user_first_name": user["first_name"],
            "user_last_name": user["last_name"],
            "approval_status": status,
            "check_in_qr_code": f"https://luma.com/check-in/{ev['id']}?pk={key}",
            "eth_address": None,
            "invited_at": now if status == "invited" else None,
            "joined_at": None,
            "phone_number": None,
            "registered_at": None if status == "invited" else now,
            "registration_answers": None,
            "solana_address": None,
            "utm_source": None,
            "event_tickets": tickets,
            "event_ticket_orders": orders,
            "_key": key,
            "_created_at": now,
        }
        self.state.guests[ev["id"]][gid] = guest
        self.state.guest_ids_by_email[ev["id"]][user["email"].lower()] = gid
        self.state.guest_keys[key] = (ev["id"], gid)
        return guest

    def _resolve_ticket_types(self, ev: dict, b: dict) -> list[str]:
        if b.get("ticket") is not None and b.get("tickets") is not None:
            raise bad_request("Use either ticket or tickets, not both")
        if b.get("ticket") is not None:
            wanted = [b["ticket"]["event_ticket_type_id"]]
        elif b.get("tickets"):
            wanted = [t["event_ticket_type_id"] for t in b["tickets"]]
        else:
            visible = [t for t in self._event_ticket_types(ev["id"]) if not t["is_hidden"]]
            return [visible[0]["id"]] if visible else []
        for tid in wanted:
            tt = self.state.ticket_types.get(tid)
            if tt is None or tt["_deleted"] or tt["_event_id"] != ev["id"]:
                raise bad_request(f"Invalid event_ticket_type_id: {tid} is not a ticket type of this event")
        return wanted

    def add_guests(
        self,
        event_id: str,
        guests: list[dict],
        approval_status: str = "approved",
        *,
        ticket_type_ids: list[str] | None = None,
        charge: bool = False,
    ) -> list[dict]:
        """Internal form of guests/add (also used by seeding); returns the stored guests touched."""
        ev = self._event_or_404(event_id)
        type_ids = ticket_type_ids if ticket_type_ids is not None else self._resolve_ticket_types(ev, {})
        plan: list[tuple[dict, dict | None]] = []
        seen: set[str] = set()
        for i, g in enumerate(guests):
            email = g["email"].strip()
            self._check_email(email, f"guests[{i}].email")
            if email.lower() in seen:
                continue
            seen.add(email.lower())
            plan.append((g, self._find_guest(event_id, email)))
        upgrades = [
            existing for _, existing in plan if existing is not None and existing["approval_status"] == "invited"
        ]
        new = [g for g, existing in plan if existing is None]
        if approval_status == "approved":
            self._check_capacity(ev, len(new) + len(upgrades))
        touched = []
        for g, existing in plan:
            user = self._user_for(g["email"], g.get("name"))
            if existing is None:
                guest = self._new_guest(ev, user, approval_status, type_ids, charge=charge)
            else:
                guest = existing
                if existing["approval_status"] == "invited":
                    tickets, orders = self._make_tickets(type_ids, charge=charge)
                    existing.update(
                        approval_status=approval_status,
                        registered_at=now_iso(),
                        event_tickets=tickets,
                        event_ticket_orders=orders,
                    )
            if approval_status != "invited":
                self._ensure_contact(user)
            touched.append(guest)
        return touched

    def _h_guests_add(self, ctx: Ctx) -> dict:
        b = ctx.body
        ev = self._event_or_404(b["event_id"])
        type_ids = self._resolve_ticket_types(ev, b)
        self.add_guests(ev["id"], b["guests"], b.get("approval_status") or "approved", ticket_type_ids=type_ids)
        return {}

    def _h_guests_get(self, ctx: Ctx) -> dict:
        self._event_or_404(ctx.query["event_id"])
        guest = self._find_guest(ctx.query["event_id"], ctx.query["id"])
        if guest is None:
            raise not_found(f"Guest {ctx.query['id']}")
        return self._guest_out(guest, with_orders=True)

    def _h_guests_list(self, ctx: Ctx) -> dict:
        q = ctx.query
        self._event_or_404(q["event_id"])
        items = list(self.state.guests[q["event_id"]].values())
        if "approval_status" in q:
            items = [g for g in items if g["approval_status"] == q["approval_status"]]
        users = self.state.users
        keys: dict[str, Callable[[dict], Any]] = {
            "name": lambda g: (users[g["user_id"]]["name"] or "").lower() or None,
            "email": lambda g: users[g["user_id"]]["email"].lower(),
            "created_at": lambda g: g["_created_at"],
            "registered_at": lambda g: g["registered_at"],
            "checked_in_at": lambda g: min(
                (t["checked_in_at"] for t in g["event_tickets"] if t["checked_in_at"]), default=None
            ),
        }
        items = self._sorted(items, keys[q.get("sort_column", "created_at")], q.get("sort_direction"))
        return self._paginate(ctx, items, lambda g: self._guest_out(g, with_orders=False))

    def _h_guests_update_status(self, ctx: Ctx) -> dict:
        b = ctx.body
        ev = self._event_or_404(b["event_id"])
        if b.get("message") is not None and b.get("send_email") is False:
            raise bad_request("message cannot be used when send_email is false")
        guest = self._find_guest(ev["id"], b["guest_id"])
        if guest is None:
            raise not_found(f"Guest {b['guest_id']}")
        if b["status"] == "approved" and guest["approval_status"] != "approved":
            self._check_capacity(ev, 1)
        if guest["approval_status"] == "invited" and b["status"] != "declined":
            tickets, orders = self._make_tickets(self._resolve_ticket_types(ev, {}), charge=False)
            guest.update(registered_at=now_iso(), event_tickets=tickets, event_ticket_orders=orders)
        guest["approval_status"] = b["status"]
        if b["status"] != "declined":
            self._ensure_contact(self.state.users[guest["user_id"]])
        return {}

    def _h_guests_send_invites(self, ctx: Ctx) -> dict:
        b = ctx.body
        ev = self._event_or_404(b["event_id"])
        to_invite: dict[str, dict] = {}
        for i, g in enumerate(b["guests"]):
            self._check_email(g["email"], f"guests[{i}].email")
            if self._find_guest(ev["id"], g["email"]) is None:
                to_invite.setdefault(g["email"].strip().lower(), g)
        now = self.clock()
        sent = self.state.invites_sent
        sent[:] = [t for t in sent if now - t < WEEK_SECONDS]
        if len(sent) + len(to_invite) > self.invite_quota_per_week:
            left = max(0, self.invite_quota_per_week - len(sent))
            raise bad_request(
                f"Weekly invite limit reached: {self.invite_quota_per_week} invites per week, {left} left this week"
            )
        for g in to_invite.values():
            self._new_guest(ev, self._user_for(g["email"], g.get("name")), "invited", [], charge=False)
            sent.append(now)
        # Someone already on the list is neither re-invited nor downgraded; only the timestamp is set.
        for g in b["guests"]:
            guest = self._find_guest(ev["id"], g["email"])
            if guest is not None and guest["invited_at"] is None:
                guest["invited_at"] = now_iso()
        return {}

    # ------------------------------------------------------------------ ticket types

    def _ticket_type_or_404(self, tid: str) -> dict:
        tt = self.state.ticket_types.get(tid)
        if tt is None or tt["_deleted"]:
            raise not_found(f"Ticket type {tid}")
        return tt

    @staticmethod
    def _check_ticket_type(tt: dict) -> None:
        if tt["type"] == "paid":
            if not tt["is_flexible"] and not tt["cents"]:
                raise bad_request("Invalid cents: a paid ticket type needs a price above 0")
            if tt["cents"] is not None and tt["cents"] < 0:
                raise bad_request("Invalid cents: must not be negative")
            if (
                tt["is_flexible"]
                and tt["min_cents"] is not None
                and tt["cents"] is not None
                and tt["min_cents"] > tt["cents"]
            ):
                raise bad_request("Invalid min_cents: must not exceed cents")
        if tt["max_capacity"] is not None and tt["max_capacity"] < 0:
            raise bad_request("Invalid max_capacity: must not be negative")
        for key in ("valid_start_at", "valid_end_at"):
            if tt[key] is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", tt[key]):
                raise bad_request(f"Invalid {key}: expected an ISO 8601 date such as 2025-09-01")
        if tt["valid_start_at"] and tt["valid_end_at"] and tt["valid_end_at"] < tt["valid_start_at"]:
            raise bad_request("Invalid valid_end_at: before valid_start_at")

    _TT_FIELDS = (
        "name",
        "require_approval",
        "is_hidden",
        "description",
        "valid_start_at",
        "valid_end_at",
        "max_capacity",
        "type",
        "cents",
        "currency",
        "is_flexible",
        "min_cents",
    )

    def _create_ticket_type(self, b: dict) -> dict:
        ev = self._event_or_404(b["event_id"])
        tt: dict[str, Any] = {
            "id": new_id("ttype"),
            "name": b["name"],
            "require_approval": False,
            "is_hidden": False,
            "description": None,
            "valid_start_at": None,
            "valid_end_at": None,
            "max_capacity": None,
            "type": b["type"],
            "cents": None,
            "currency": None,
            "is_flexible": False,
            "min_cents": None,
            "_event_id": ev["id"],
            "_deleted": False,
        }
        tt.update({k: b[k] for k in self._TT_FIELDS if k in b})
        if tt["type"] == "paid" and not tt["currency"]:
            tt["currency"] = "usd"
        if tt["type"] == "free":
            tt.update(cents=None, currency=None, is_flexible=False, min_cents=None)
        self._check_ticket_type(tt)
        self.state.ticket_types[tt["id"]] = tt
        return tt

    def _h_ticket_types_list(self, ctx: Ctx) -> dict:
        self._event_or_404(ctx.query["event_id"])
        flag = ctx.query.get("include_hidden", "false")
        if flag not in ("true", "false"):
            raise bad_request("Invalid query parameter 'include_hidden': expected 'true' or 'false'")
        types = self._event_ticket_types(ctx.query["event_id"])
        return {"entries": [public(t) for t in types if flag == "true" or not t["is_hidden"]]}

    def _h_ticket_types_get(self, ctx: Ctx) -> dict:
        return public(self._ticket_type_or_404(ctx.query["event_ticket_type_id"]))

    def _h_ticket_types_create(self, ctx: Ctx) -> dict:
        return public(self._create_ticket_type(ctx.body))

    def _h_ticket_types_update(self, ctx: Ctx) -> dict:
        b = ctx.body
        tt = self._ticket_type_or_404(b["event_ticket_type_id"])
        staged = dict(tt)
        staged.update({k: b[k] for k in self._TT_FIELDS if k in b})
        if staged["type"] == "free":
            staged.update(cents=None, currency=None, is_flexible=False, min_cents=None)
        elif not staged["currency"]:
            staged["currency"] = "usd"
        self._check_ticket_type(staged)
        if staged["is_hidden"] and not tt["is_hidden"]:
            self._ensure_other_visible(tt, "hide")
        tt.update(staged)
        return public(tt)

    def _tickets_sold(self, tid: str) -> int:
        event_id = self.state.ticket_types[tid]["_event_id"]
        return sum(
            1
            for g in self.state.guests.get(event_id, {}).values()
            for t in g["event_tickets"]
            if t["event_ticket_type_id"] == tid
        )

    def _ensure_other_visible(self, tt: dict, verb: str) -> None:
        others = [t for t in self._event_ticket_types(tt["_event_id"]) if t["id"] != tt["id"] and not t["is_hidden"]]
        if not tt["is_hidden"] and not others:
            raise bad_request(f"Cannot {verb} the last visible ticket type of an event")

    def _h_ticket_types_delete(self, ctx: Ctx) -> dict:
        tt = self._ticket_type_or_404(ctx.body["event_ticket_type_id"])
        sold = self._tickets_sold(tt["id"])
        if sold:
            raise bad_request(f"Cannot delete a ticket type with tickets sold ({sold})")
        self._ensure_other_visible(tt, "delete")
        tt["_deleted"] = True  # Luma soft-deletes
        return {}

    # ------------------------------------------------------------------ coupons

    def _coupon_store(self, event_id: str | None) -> dict[str, dict]:
        if event_id is None:
            return self.state.calendar_coupons
        self._event_or_404(event_id)
        return self.state.event_coupons[event_id]

    def _create_coupon(self, event_id: str | None, b: dict) -> dict:
        store = self._coupon_store(event_id)
        code = b["code"].strip()
        if not code:
            raise bad_request("Invalid code: must not be blank")
        if code.lower() in store:
            raise bad_request(f"Coupon code '{code}' already exists (codes are case-insensitive)")
        self._check_validity(b.get("valid_start_at"), b.get("valid_end_at"))
        discount = b["discount"]
        coupon: dict[str, Any] = {
            "id": new_id("ecp" if event_id else "ccp"),
            "code": code,
            "remaining_count": b.get("remaining_count", 1_000_000),  # 1,000,000 means unlimited
            "valid_start_at": b.get("valid_start_at"),
            "valid_end_at": b.get("valid_end_at"),
            "percent_off": discount.get("percent_off") if discount["discount_type"] == "percent" else None,
            "cents_off": discount.get("cents_off") if discount["discount_type"] == "amount" else None,
            "currency": discount.get("currency") if discount["discount_type"] == "amount" else None,
        }
        if event_id is not None:
            tid = b.get("event_ticket_type_id")
            if tid is not None:
                tt = self.state.ticket_types.get(tid)
                if tt is None or tt["_deleted"] or tt["_event_id"] != event_id:
                    raise bad_request(f"Invalid event_ticket_type_id: {tid} is not a ticket type of this event")
            coupon["event_ticket_type_id"] = tid
        store[code.lower()] = coupon
        return coupon

    @staticmethod
    def _check_validity(start: str | None, end: str | None) -> None:
        if start and end and parse_dt(end) <= parse_dt(start):
            raise bad_request("Invalid valid_end_at: must be after valid_start_at")

    def _update_coupon(self, event_id: str | None, b: dict) -> dict:
        store = self._coupon_store(event_id)
        coupon = store.get(b["code"].strip().lower())
        if coupon is None:
            raise not_found(f"Coupon {b['code']}")
        if "remaining_count" in b and not 0 <= b["remaining_count"] <= 1_000_000:
            raise bad_request("Invalid remaining_count: must be between 0 and 1000000")
        start = b.get("valid_start_at", coupon["valid_start_at"])
        end = b.get("valid_end_at", coupon["valid_end_at"])
        self._check_validity(start, end)
        for key in ("remaining_count", "valid_start_at", "valid_end_at"):
            if key in b:
                coupon[key] = b[key]
        return {}

    def _h_event_coupons_list(self, ctx: Ctx) -> dict:
        return self._paginate(ctx, list(self._coupon_store(ctx.query["event_id"]).values()), public)

    def _h_event_coupons_create(self, ctx: Ctx) -> dict:
        return public(self._create_coupon(ctx.body["event_id"], ctx.body))

    def _h_event_coupons_update(self, ctx: Ctx) -> dict:
        return self._update_coupon(ctx.body["event_id"], ctx.body)

    def _h_calendar_coupons_list(self, ctx: Ctx) -> dict:
        return self._paginate(ctx, list(self.state.calendar_coupons.values()), public)

    def _h_calendar_coupons_create(self, ctx: Ctx) -> dict:
        return public(self._create_coupon(None, ctx.body))

    def _h_calendar_coupons_update(self, ctx: Ctx) -> dict:
        return self._update_coupon(None, ctx.body)

    # ------------------------------------------------------------------ contacts and tags

    def _ensure_contact(self, user: dict) -> dict:
        contact = self.state.contacts.get(user["id"])
        if contact is None:
            contact = {
                "id": new_id("cnt"),
                "user_id": user["id"],
                "created_at": now_iso(),
                "membership": None,
                "_tags": [],
            }
            self.state.contacts[user["id"]] = contact
        return contact

    def _contact_stats(self, user_id: str) -> tuple[int, int, int]:
        approved = checked_in = revenue = 0
        for event_id, by_email in self.state.guest_ids_by_email.items():
            email = self.state.users[user_id]["email"].lower()
            gid = by_email.get(email)
            if gid is None:
                continue
            g = self.state.guests[event_id][gid]
            if g["approval_status"] == "approved":
                approved += 1
                revenue += sum(t["amount"] for t in g["event_tickets"] if t["currency"] == "usd")
            if any(t["checked_in_at"] for t in g["event_tickets"]):
                checked_in += 1
        return approved, checked_in, revenue

    def _contact_out(self, c: dict) -> dict:
        user = self.state.users[c["user_id"]]
        approved, checked_in, revenue = self._contact_stats(c["user_id"])
        return {
            "id": c["id"],
            "user_id": user["id"],
            "created_at": c["created_at"],
            "event_approved_count": approved,
            "event_checked_in_count": checked_in,
            "revenue_usd_cents": revenue,
            "tags": [
                {"id": t, "name": self.state.contact_tags[t]["name"]}
                for t in c["_tags"]
                if t in self.state.contact_tags
            ],
            "membership": copy.deepcopy(c["membership"]),
            "name": user["name"],
            "avatar_url": user["avatar_url"],
            "email": user["email"],
            "first_name": user["first_name"],
            "last_name": user["last_name"],
        }

    def _tag_by_id_or_name(self, store: dict[str, dict], value: str) -> dict | None:
        if value in store:
            return store[value]
        lowered = value.strip().lower()
        return next((t for t in store.values() if t["name"].lower() == lowered), None)

    def _h_contacts_list(self, ctx: Ctx) -> dict:
        q = ctx.query
        items = list(self.state.contacts.values())
        users = self.state.users
        if q.get("query"):
            needle = q["query"].lower()
            items = [
                c
                for c in items
                if needle in (users[c["user_id"]]["name"] or "").lower()
                or needle in users[c["user_id"]]["email"].lower()
            ]
        if q.get("tags"):
            wanted = {t["id"] for t in (self._tag_by_id_or_name(self.state.contact_tags, v) for v in q["tags"]) if t}
            items = [c for c in items if wanted.intersection(c["_tags"])]
        if q.get("membership_status"):
            items = [c for c in items if c["membership"] and c["membership"]["status"] == q["membership_status"]]
        if q.get("calendar_membership_tier_id"):
            tier = q["calendar_membership_tier_id"]
            items = [c for c in items if c["membership"] and c["membership"]["calendar_membership_tier_id"] == tier]
        column = q.get("sort_column", "created_at")
        if column in ("created_at", "name"):
            keys: dict[str, Callable[[dict], Any]] = {
                "created_at": lambda c: c["created_at"],
                "name": lambda c: (users[c["user_id"]]["name"] or "").lower() or None,
            }
            items = self._sorted(items, keys[column], q.get("sort_direction"))
            return self._paginate(ctx, items, self._contact_out)
        rendered = [self._contact_out(c) for c in items]
        rendered = self._sorted(rendered, lambda c: c[column], q.get("sort_direction"))
        return self._paginate(ctx, rendered, lambda c: c)

    def _resolve_tags(self, store: dict[str, dict], values: Iterable[str]) -> list[dict]:
        tags = []
        for v in values:
            tag = self._tag_by_id_or_name(store, v)
            if tag is None:
                raise bad_request(f"Unknown tag '{v}': create it first")
            tags.append(tag)
        return tags

    def import_contacts(self, contacts: list[dict], tags: Iterable[str] = ()) -> list[dict]:
        resolved = self._resolve_tags(self.state.contact_tags, tags)
        for i, c in enumerate(contacts):
            self._check_email(c["email"], f"contacts[{i}].email")
        out = []
        for c in contacts:
            contact = self._ensure_contact(self._user_for(c["email"], c.get("name")))
            for tag in resolved:
                if tag["id"] not in contact["_tags"]:
                    contact["_tags"].append(tag["id"])
            out.append(contact)
        return out

    def _h_contacts_import(self, ctx: Ctx) -> dict:
        self.import_contacts(ctx.body["contacts"], ctx.body.get("tags") or [])
        return {}

    def _create_tag(self, store: dict[str, dict], b: dict) -> dict:
        name = b["name"].strip()
        if not name:
            raise bad_request("Invalid name: must not be blank")
        if self._tag_by_id_or_name(store, name) is not None:
            raise bad_request(f"A tag named '{name}' already exists")
        tag = {"id": new_id("tag"), "name": name, "color": b.get("color") or TAG_COLORS[len(store) % len(TAG_COLORS)]}
        store[tag["id"]] = tag
        return tag

    def _update_tag(self, store: dict[str, dict], b: dict) -> dict:
        tag = store.get(b["tag_id"])
        if tag is None:
            raise not_found(f"Tag {b['tag_id']}")
        if b.get("name") is not None:
            other = self._tag_by_id_or_name(store, b["name"])
            if other is not None and other["id"] != tag["id"]:
                raise bad_request(f"A tag named '{b['name']}' already exists")
            tag["name"] = b["name"].strip()
        if b.get("color") is not None:
            tag["color"] = b["color"]
        return {}

    def _delete_tag(self, store: dict[str, dict], holders: Iterable[dict], b: dict) -> dict:
        if store.pop(b["tag_id"], None) is None:
            raise not_found(f"Tag {b['tag_id']}")
        for holder in holders:
            if b["tag_id"] in holder["_tags"]:
                holder["_tags"].remove(b["tag_id"])
        return {}

    def _h_contact_tags_list(self, ctx: Ctx) -> dict:
        return {"entries": [public(t) for t in self.state.contact_tags.values()], "has_more": False}

    def _h_contact_tags_create(self, ctx: Ctx) -> dict:
        return {"id": self._create_tag(self.state.contact_tags, ctx.body)["id"]}

    def _h_contact_tags_update(self, ctx: Ctx) -> dict:
        return self._update_tag(self.state.contact_tags, ctx.body)

    def _h_contact_tags_delete(self, ctx: Ctx) -> dict:
        return self._delete_tag(self.state.contact_tags, self.state.contacts.values(), ctx.body)

    def _contact_tag_targets(self, b: dict) -> list[dict | None]:
        targets: list[dict | None] = []
        for ident in list(b.get("user_ids") or []) + list(b.get("emails") or []):
            user = self._user_by_id_or_email(ident)
            targets.append(self.state.contacts.get(user["id"]) if user else None)
        return targets

    def _h_contact_tags_apply(self, ctx: Ctx) -> dict:
        tag = self._tag_by_id_or_name(self.state.contact_tags, ctx.body["tag"])
        if tag is None:
            raise not_found(f"Tag {ctx.body['tag']}")
        applied = skipped = 0
        for contact in self._contact_tag_targets(ctx.body):
            if contact is None or tag["id"] in contact["_tags"]:
                skipped += 1
            else:
                contact["_tags"].append(tag["id"])
                applied += 1
        return {"applied_count": applied, "skipped_count": skipped}

    def _h_contact_tags_unapply(self, ctx: Ctx) -> dict:
        tag = self._tag_by_id_or_name(self.state.contact_tags, ctx.body["tag"])
        if tag is None:
            raise not_found(f"Tag {ctx.body['tag']}")
        removed = skipped = 0
        for contact in self._contact_tag_targets(ctx.body):
            if contact is None or tag["id"] not in contact["_tags"]:
                skipped += 1
            else:
                contact["_tags"].remove(tag["id"])
                removed += 1
        return {"removed_count": removed, "skipped_count": skipped}

    def _h_event_tags_list(self, ctx: Ctx) -> dict:
        return {"entries": [public(t) for t in self.state.event_tags.values()], "has_more": False}

    def _h_event_tags_create(self, ctx: Ctx) -> dict:
        return {"id": self._create_tag(self.state.event_tags, ctx.body)["id"]}

    def _h_event_tags_update(self, ctx: Ctx) -> dict:
        return self._update_tag(self.state.event_tags, ctx.body)

    def _h_event_tags_delete(self, ctx: Ctx) -> dict:
        return self._delete_tag(self.state.event_tags, self.state.events.values(), ctx.body)

    def _h_event_tags_apply(self, ctx: Ctx) -> dict:
        tag = self._tag_by_id_or_name(self.state.event_tags, ctx.body["tag"])
        if tag is None:
            raise not_found(f"Tag {ctx.body['tag']}")
        applied = skipped = 0
        for event_id in ctx.body["event_ids"]:
            ev = self.state.events.get(event_id)
            if ev is None or tag["id"] in ev["_tags"]:
                skipped += 1
            else:
                ev["_tags"].append(tag["id"])
                applied += 1
        return {"applied_count": applied, "skipped_count": skipped}

    def _h_event_tags_unapply(self, ctx: Ctx) -> dict:
        tag = self._tag_by_id_or_name(self.state.event_tags, ctx.body["tag"])
        if tag is None:
            raise not_found(f"Tag {ctx.body['tag']}")
        removed = skipped = 0
        for event_id in ctx.body["event_ids"]:
            ev = self.state.events.get(event_id)
            if ev is None or tag["id"] not in ev["_tags"]:
                skipped += 1
            else:
                ev["_tags"].remove(tag["id"])
                removed += 1
        return {"removed_count": removed, "skipped_count": skipped}

    # ------------------------------------------------------------------ calendar, users, lookup

    def _h_get_self(self, ctx: Ctx) -> dict:
        return dict(self.state.user)

    def _h_calendars_get(self, ctx: Ctx) -> dict:
        return public(self.state.calendar)

    def _h_calendars_update(self, ctx: Ctx) -> dict:
        b = ctx.body
        cal = self.state.calendar
        if b["calendar_id"] != cal["id"]:
            raise not_found(f"Calendar {b['calendar_id']}")
        if "slug" in b and b["slug"].lower() != (cal["slug"] or "").lower():
            if b["slug"].lower() in self.state.slugs or not re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9-]*", b["slug"]):
                raise bad_request(f"Slug '{b['slug']}' is invalid or already taken")
            cal["slug"], cal["url"] = b["slug"], f"https://luma.com/{b['slug']}"
        for key in ("name", "description", "avatar_url"):
            if key in b:
                cal[key] = b[key]
        if "tint_color" in b:
            cal["_tint_color"] = b["tint_color"]
        return public(cal)

    def _h_admins_list(self, ctx: Ctx) -> dict:
        return {"entries": [{**self.state.user, "api_id": self.state.user["id"]}]}

    def _h_entity_lookup(self, ctx: Ctx) -> dict:
        slug = ctx.query["slug"].strip().lower()
        cal = self.state.calendar
        if slug and slug == (cal["slug"] or "").lower():
            return {
                "entity": {
                    "type": "calendar",
                    "calendar": {
                        "id": cal["id"],
                        "api_id": cal["id"],
                        "name": cal["name"],
                        "slug": cal["slug"],
                        "avatar_url": cal["avatar_url"],
                    },
                }
            }
        event_id = self.state.slugs.get(slug)
        if event_id is None:
            return {"entity": None}
        ev = self.state.events[event_id]
        return {
            "entity": {
                "type": "event",
                "event": {
                    "id": ev["id"],
                    "api_id": ev["id"],
                    "name": ev["name"],
                    "slug": ev["_slug"],
                    "cover_url": ev["cover_url"],
                    "start_at": ev["start_at"],
                    "end_at": ev["end_at"],
                },
            }
        }

    def _h_lookup_event(self, ctx: Ctx) -> dict:
        q = ctx.query
        event_id, url = q.get("event_id") or q.get("event_api_id"), q.get("url")
        for calev_id, ce in self.state.calendar_events.items():
            if (event_id and ce["event_id"] == event_id) or (url and ce.get("url") == url):
                return {"event": {"id": calev_id, "api_id": calev_id, "status": ce["status"]}}
        for ev in self.state.events.values():
            if ev["id"] == event_id or (url and ev["url"] == url):
                return {"event": {"id": ev["id"], "api_id": ev["id"], "status": ev["_status"]}}
        return {"event": None}

    def _h_add_event(self, ctx: Ctx) -> dict:
        b = ctx.body
        pending = b.get("submission_mode") == "pending"
        status = "pending" if pending else "approved"
        calev_id = new_id("calev")
        if b.get("platform") == "luma":
            event_id = b.get("event_id") or b.get("event_api_id")
            if event_id not in self.state.events:
                raise not_found(f"Event {event_id}")
            if any(ce["event_id"] == event_id for ce in self.state.calendar_events.values()):
                raise bad_request("This event is already on the calendar")
            self.state.calendar_events[calev_id] = {"event_id": event_id, "status": status}
        else:
            start = parse_dt(b["start_at"])
            ev = {
                "platform": "external",
                "id": calev_id,
                "calendar_id": self.state.calendar["id"],
                "start_at": iso(start),
                "duration_interval": b["duration_interval"],
                "end_at": iso(start + _parse_duration(b["duration_interval"])),
                "created_at": now_iso(),
                "timezone": b["timezone"],
                "name": b["name"],
                "geo_address_json": self._geo_out(b.get("geo_address_json")),
                "coordinate": b.get("coordinate"),
                "url": b["url"],
                "host": b.get("host"),
                "_status": status,
            }
            self.state.external_events[calev_id] = ev
            self.state.calendar_events[calev_id] = {"event_id": calev_id, "status": status, "url": b["url"]}
        return {"id": calev_id, "api_id": calev_id, "status": status}

    def _calendar_event(self, ident: str) -> dict:
        ce = self.state.calendar_events.get(ident)
        if ce is None:
            ce = next((c for c in self.state.calendar_events.values() if c["event_id"] == ident), None)
        if ce is None:
            raise not_found(f"Calendar event {ident}")
        return ce

    def _set_calendar_event_status(self, ident: str, status: str) -> dict:
        ce = self._calendar_event(ident)
        ce["status"] = status
        external = self.state.external_events.get(ce["event_id"])
        if external is not None:
            external["_status"] = status
        return {}

    def _h_approve_event(self, ctx: Ctx) -> dict:
        return self._set_calendar_event_status(ctx.body["calendar_event_id"], "approved")

    def _h_reject_event(self, ctx: Ctx) -> dict:
        return self._set_calendar_event_status(ctx.body["calendar_event_id"], "rejected")

    def _h_upload_url(self, ctx: Ctx) -> dict:
        ext = "png" if ctx.body.get("content_type") == "image/png" else "jpg"
        name = secrets.token_hex(12)
        return {
            "upload_url": f"https://upload.lumacdn.com/uploads/{name}.{ext}?signature={secrets.token_hex(16)}",
            "file_url": f"{CDN}/uploads/{name}.{ext}",
        }

    # ------------------------------------------------------------------ memberships

    def _h_tiers_list(self, ctx: Ctx) -> dict:
        return self._paginate(ctx, list(self.state.membership_tiers.values()), public)

    def _h_members_add(self, ctx: Ctx) -> dict:
        b = ctx.body
        tier = self.state.membership_tiers.get(b["membership_tier_id"])
        if tier is None:
            raise not_found(f"Membership tier {b['membership_tier_id']}")
        access = tier["access_info"]
        if access["type"] != "free" and not b.get("skip_payment"):
            raise bad_request("skip_payment is required for a paid membership tier")
        status = "pending" if access["require_approval"] else "approved"
        contact = self._ensure_contact(self._user_for(b["email"]))
        contact["membership"] = {"status": status, "calendar_membership_tier_id": tier["id"]}
        contact["_membership_id"] = contact.get("_membership_id") or new_id("mem")
        return {"membership_id": contact["_membership_id"], "status": status}

    def _h_members_update_status(self, ctx: Ctx) -> dict:
        user = self._user_by_id_or_email(ctx.body["user_id"])
        contact = self.state.contacts.get(user["id"]) if user else None
        if contact is None or contact["membership"] is None:
            raise not_found(f"Member {ctx.body['user_id']}")
        contact["membership"]["status"] = ctx.body["status"]
        return {}

    # ------------------------------------------------------------------ webhooks

    def _webhook_or_404(self, wid: str) -> dict:
        wh = self.state.webhooks.get(wid)
        if wh is None:
            raise not_found(f"Webhook {wid}")
        return wh

    def _h_webhooks_list(self, ctx: Ctx) -> dict:
        return self._paginate(ctx, list(self.state.webhooks.values()), public)

    def _h_webhooks_get(self, ctx: Ctx) -> dict:
        return public(self._webhook_or_404(ctx.query["id"]))

    def _h_webhooks_create(self, ctx: Ctx) -> dict:
        b = ctx.body
        if not re.match(r"^https?://[^\s/]+", b["url"]):
            raise bad_request("Invalid url: must be an absolute http(s) URL")
        wh = {
            "id": new_id("wh"),
            "url": b["url"],
            "event_types": list(dict.fromkeys(b["event_types"])),
            "status": "active",
            "secret": "whsec_" + secrets.token_urlsafe(24),
            "created_at": now_iso(),
        }
        self.state.webhooks[wh["id"]] = wh
        return public(wh)

    def _h_webhooks_update(self, ctx: Ctx) -> dict:
        b = ctx.body
        wh = self._webhook_or_404(b["id"])
        if "event_types" in b:
            wh["event_types"] = list(dict.fromkeys(b["event_types"]))
        if "status" in b:
            wh["status"] = b["status"]
        return public(wh)

    def _h_webhooks_delete(self, ctx: Ctx) -> dict:
        self._webhook_or_404(ctx.body["id"])
        del self.state.webhooks[ctx.body["id"]]
        return {}

    # ------------------------------------------------------------------ organizations (plausible stubs)

    def _h_org_admins_list(self, ctx: Ctx) -> dict:
        return self._h_admins_list(ctx)

    def _h_org_calendars_list(self, ctx: Ctx) -> dict:
        calendars = [self.state.calendar, *self.state.org_calendars.values()]
        return self._paginate(ctx, calendars, public)

    def _h_org_events_list(self, ctx: Ctx) -> dict:
        q = ctx.query
        after = parse_dt(q["after"]) if "after" in q else None
        before = parse_dt(q["before"]) if "before" in q else None
        items = [
            ev
            for ev in self.state.events.values()
            if (after is None or parse_dt(ev["start_at"]) >= after)
            and (before is None or parse_dt(ev["start_at"]) < before)
        ]
        items = self._sorted(items, lambda ev: ev["start_at"], q.get("sort_direction"))

        def render(ev: dict) -> dict:
            out = self._event_out(ev, with_hosts=False)
            coord = ev["coordinate"]
            out.update(
                api_id=ev["id"],
                user_api_id=ev["user_id"],
                calendar_api_id=ev["calendar_id"],
                zoom_meeting_url=ev["meeting_url"] if ev["location_type"] == "zoom" else None,
                geo_latitude=str(coord["latitude"]) if coord else None,
                geo_longitude=str(coord["longitude"]) if coord else None,
                managing_calendars=[{**public(self.state.calendar), "status": "approved"}],
            )
            return out

        return self._paginate(ctx, items, render)

    def _h_org_transfer(self, ctx: Ctx) -> dict:
        ev = self._event_or_404(ctx.body["event_id"])
        target = ctx.body["calendar_id"]
        if target != self.state.calendar["id"] and target not in self.state.org_calendars:
            raise not_found(f"Calendar {target}")
        ev["calendar_id"] = target
        return {}

    def _h_org_calendars_create(self, ctx: Ctx) -> dict:
        b = ctx.body
        slug = b.get("slug") or new_slug()
        cal = {
            **public(self.state.calendar),
            "id": new_id("cal"),
            "name": b["name"],
            "slug": slug,
            "url": f"https://luma.com/{slug}",
            "description": b.get("description"),
            "avatar_url": b.get("avatar_url", DEFAULT_AVATAR),
        }
        self.state.org_calendars[cal["id"]] = cal
        return dict(cal)

    # ------------------------------------------------------------------ route table

    def _route_table(self) -> dict[tuple[str, str], Callable[[Ctx], Any]]:
        get, post = "GET", "POST"
        return {
            (get, "/v1/users/get-self"): self._h_get_self,
            (get, "/v1/calendars/get"): self._h_calendars_get,
            (post, "/v1/calendars/update"): self._h_calendars_update,
            (get, "/v1/entity/lookup"): self._h_entity_lookup,
            (get, "/v1/events/get"): self._h_events_get,
            (post, "/v1/events/create"): self._h_events_create,
            (post, "/v1/events/update"): self._h_events_update,
            (post, "/v1/events/cancel/request"): self._h_events_cancel_request,
            (post, "/v1/events/cancel"): self._h_events_cancel,
            (get, "/v1/calendars/events/list"): self._h_calendar_events_list,
            (get, "/v1/events/guests/list"): self._h_guests_list,
            (get, "/v1/events/guests/get"): self._h_guests_get,
            (post, "/v1/events/guests/add"): self._h_guests_add,
            (post, "/v1/events/guests/update-status"): self._h_guests_update_status,
            (post, "/v1/events/guests/send-invites"): self._h_guests_send_invites,
            (post, "/v1/events/hosts/add"): self._h_hosts_add,
            (post, "/v1/events/hosts/update"): self._h_hosts_update,
            (post, "/v1/events/hosts/remove"): self._h_hosts_remove,
            (get, "/v1/events/ticket-types/list"): self._h_ticket_types_list,
            (get, "/v1/events/ticket-types/get"): self._h_ticket_types_get,
            (post, "/v1/events/ticket-types/create"): self._h_ticket_types_create,
            (post, "/v1/events/ticket-types/update"): self._h_ticket_types_update,
            (post, "/v1/events/ticket-types/delete"): self._h_ticket_types_delete,
            (get, "/v1/events/coupons/list"): self._h_event_coupons_list,
            (post, "/v1/events/coupons/create"): self._h_event_coupons_create,
            (post, "/v1/events/coupons/update"): self._h_event_coupons_update,
            (get, "/v1/calendars/coupons/list"): self._h_calendar_coupons_list,
            (post, "/v1/calendars/coupons/create"): self._h_calendar_coupons_create,
            (post, "/v1/calendars/coupons/update"): self._h_calendar_coupons_update,
            (get, "/v1/calendars/contacts/list"): self._h_contacts_list,
            (post, "/v1/calendars/contacts/import"): self._h_contacts_import,
            (get, "/v1/calendars/contact-tags/list"): self._h_contact_tags_list,
            (post, "/v1/calendars/contact-tags/create"): self._h_contact_tags_create,
            (post, "/v1/calendars/contact-tags/update"): self._h_contact_tags_update,
            (post, "/v1/calendars/contact-tags/delete"): self._h_contact_tags_delete,
            (post, "/v1/calendars/contact-tags/apply"): self._h_contact_tags_apply,
            (post, "/v1/calendars/contact-tags/unapply"): self._h_contact_tags_unapply,
            (get, "/v1/calendars/event-tags/list"): self._h_event_tags_list,
            (post, "/v1/calendars/event-tags/create"): self._h_event_tags_create,
            (post, "/v1/calendars/event-tags/update"): self._h_event_tags_update,
            (post, "/v1/calendars/event-tags/delete"): self._h_event_tags_delete,
            (post, "/v1/calendars/event-tags/apply"): self._h_event_tags_apply,
            (post, "/v1/calendars/event-tags/unapply"): self._h_event_tags_unapply,
            (get, "/v1/calendar/admins/list"): self._h_admins_list,
            (get, "/v1/calendar/lookup-event"): self._h_lookup_event,
            (post, "/v1/calendar/add-event"): self._h_add_event,
            (post, "/v1/calendar/approve-event"): self._h_approve_event,
            (post, "/v1/calendar/reject-event"): self._h_reject_event,
            (post, "/v1/images/create-upload-url"): self._h_upload_url,
            (get, "/v1/memberships/tiers/list"): self._h_tiers_list,
            (post, "/v1/memberships/members/add"): self._h_members_add,
            (post, "/v1/memberships/members/update-status"): self._h_members_update_status,
            (get, "/v1/webhooks/list"): self._h_webhooks_list,
            (get, "/v2/webhooks/get"): self._h_webhooks_get,
            (post, "/v2/webhooks/create"): self._h_webhooks_create,
            (post, "/v2/webhooks/update"): self._h_webhooks_update,
            (post, "/v1/webhooks/delete"): self._h_webhooks_delete,
            (get, "/v1/organizations/admins/list"): self._h_org_admins_list,
            (get, "/v1/organizations/calendars/list"): self._h_org_calendars_list,
            (get, "/v1/organizations/events/list"): self._h_org_events_list,
            (post, "/v1/organizations/events/transfer-calendar"): self._h_org_transfer,
            (post, "/v2/organizations/calendars/create"): self._h_org_calendars_create,
        }


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _known_timezone(name: str) -> bool:
    # Without a tz database on the host we cannot tell; accept any non-blank name then.
    zones = _zone_names()
    return name in zones or name == "UTC" if zones else bool(name.strip())


def _parse_duration(value: str) -> timedelta:
    m = re.fullmatch(r"P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?", value)
    if not m or value in ("P", "PT"):
        raise bad_request(f"Invalid duration_interval: {value!r} is not an ISO 8601 duration such as PT2H")
    weeks, days, hours, minutes, seconds = (float(g) if g else 0.0 for g in m.groups())
    return timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
