"""``LumaEmulator``: the HTTP server (aiohttp), its request pipeline and the Python API tests drive it with.

What is faithful to Luma and what is assumed is listed in the package docstring (``luma_local/__init__.py``).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from aiohttp import web

from . import seed, simulate
from .routes import table as routes
from . import state as store
from .clock import Clock
from .contract import Contract, RouteSpec
from .errors import ApiError, bad_request, not_found
from .faults import FaultSpec, RecordedRequest, drop, misbehave
from .ratelimit import RateLimiter
from .routes import calendar as calendar_routes
from .routes import contacts as contact_routes
from .routes import event_views
from .routes import guests as guest_routes
from .routes.base import Ctx
from .state import CalendarData, EmulatorState, public

DEFAULT_API_KEY = "luma-local-key"
API_KEY_HEADER = "x-luma-api-key"
CALENDAR_HEADER = "x-luma-calendar-id"
DEFAULT_PAGE_SIZE = 50
# Latency jitter only: nothing secret depends on it.
_random = secrets.SystemRandom()


class LumaEmulator:
    """In-memory Luma API server. See the package docstring for what is faithful and what is assumed."""

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
        clock: Clock | Callable[[], float] | None = None,
        rate_limit_headers: bool = True,
        invite_quota_per_week: int = 500,
        validate_responses: bool = False,
        org_api_key: str | None = None,
        org_rate_limit: int = 500,
        user_email: str = "owner@example.com",
        user_name: str = "Olivia Owner",
        calendar_name: str = "Local Community Calendar",
        state_file: str | os.PathLike[str] | None = None,
        latency: float = 0.0,
        latency_jitter: float = 0.0,
        spots_lag: float = 0.0,
    ):
        """``state_file``: a JSON file that holds the state between processes. Loaded when it exists (the
        owner and calendar options then come from it), written after every successful write request over
        HTTP and at ``stop()``; seeding and ``call()`` are saved at the next of those or by ``save_state()``.

        ``latency``: the round trip, in seconds, of every request over HTTP as a client sees it (Luma answers a
        Lambda in 100-400 ms; 0 is a local call). Half of it passes before the request arrives (so the rate limit
        counts it then, as Luma counts arrivals) and half before the answer reaches the client; the emulator's
        own time on the request is part of the round trip (it comes off the way back, up to half of it), as
        Luma's work is part of the times measured from a Lambda.
        ``latency_jitter``: up to this many seconds more, drawn uniformly per request. Both may be changed on
        a running emulator; faults' own ``latency`` comes on top.
        ``spots_lag``: for this many seconds after an event is created its ``spots_remaining`` shows null, as
        Luma's background job that fills it "can lag a few seconds" (0: always current)."""
        self.api_key = api_key
        self.latency = latency
        self.latency_jitter = latency_jitter
        self.spots_lag = spots_lag
        self.org_api_key = org_api_key
        self.max_page_size = max_page_size
        self.default_page_size = default_page_size
        self.strict = strict
        # A bare callable answering seconds (how tests drove the limiter before the Clock) drives only the
        # rate limiter; a Clock, or the default real-time one, drives everything.
        self.clock = clock if isinstance(clock, Clock) else Clock()
        limiter_clock = self.clock if clock is None or isinstance(clock, Clock) else clock
        self.rate_limit_headers = rate_limit_headers
        self.invite_quota_per_week = invite_quota_per_week
        self.validate_responses = validate_responses
        self.rate_limiter = RateLimiter(rate_limit, rate_window, lockout, limiter_clock)
        # Luma: 500 requests/min per organization for organization keys, 200 per calendar for calendar keys.
        self.org_rate_limiter = RateLimiter(org_rate_limit, rate_window, lockout, limiter_clock)
        self.contract = Contract.load(strict=strict)
        self._handlers = routes.route_table()
        routes.check_complete(self._handlers, set(self.contract.routes))
        self._calendar_free = routes.calendar_free()
        self.requests: list[RecordedRequest] = []
        self.faults: list[FaultSpec] = []
        self.state = EmulatorState()
        self.base_url: str | None = None
        self._runner: web.AppRunner | None = None
        self._stopping: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._thread_loop: asyncio.AbstractEventLoop | None = None
        self.state_file = Path(state_file) if state_file is not None else None
        if self.state_file is not None and self.state_file.exists():
            self.load_state(self.state_file)
        else:
            owner = self.state.user_for(user_email, user_name)
            self.state.user_id = owner["id"]
            self.state.calendar_id = calendar_routes.create_calendar(self.state, calendar_name).id

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
        self._autosave()

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

    # ------------------------------------------------------------------ persistence

    def save_state(self, path: str | os.PathLike[str]) -> None:
        """Write the whole state (not requests, faults, rate-limit counters or the clock) as JSON, atomically."""
        store.save(self.state, path)

    def load_state(self, path: str | os.PathLike[str]) -> None:
        """Replace the state with one written by ``save_state``: same ids, same answers."""
        self.state = store.load(path)

    def _autosave(self) -> None:
        if self.state_file is not None:
            self.save_state(self.state_file)

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
        self.org_rate_limiter.reset()

    def requests_to(self, path: str, method: str | None = None) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path and (method is None or r.method == method.upper())]

    # ------------------------------------------------------------------ accessors (API-shaped copies)

    def events(self) -> list[dict]:
        return [event_views.event_out(self, ev) for ev in self.state.events.values()]

    def event(self, event_id: str) -> dict | None:
        ev = self.state.events.get(event_id)
        return event_views.event_out(self, ev) if ev else None

    def guests(self, event_id: str) -> list[dict]:
        stored = self.state.guests.get(event_id, {}).values()
        return [guest_routes.guest_out(self.state, g, with_orders=True) for g in stored]

    def guest(self, event_id: str, id_or_email: str) -> dict | None:
        g = self.state.find_guest(event_id, id_or_email)
        return guest_routes.guest_out(self.state, g, with_orders=True) if g else None

    def ticket_types(self, event_id: str, *, include_hidden: bool = True) -> list[dict]:
        types = self.state.live_ticket_types(event_id)
        return [public(t) for t in types if include_hidden or not t["is_hidden"]]

    def _calendar(self, calendar_id: str | None) -> CalendarData:
        return self.state.home if calendar_id is None else self.state.calendars[calendar_id]

    def coupons(self, event_id: str | None = None, *, calendar_id: str | None = None) -> list[dict]:
        """Coupons of an event, or a calendar's (the key's by default) when ``event_id`` is None."""
        if event_id is None:
            return [public(c) for c in self._calendar(calendar_id).coupons.values()]
        return [public(c) for c in self.state.event_coupons.get(event_id, {}).values()]

    def contacts(self, *, calendar_id: str | None = None) -> list[dict]:
        """The calendar's contacts as contacts/list shows them (blocked and removed ones are not listed)."""
        data = self._calendar(calendar_id)
        return [contact_routes.contact_out(self.state, data, c) for c in contact_routes.active(data)]

    def contact_tags(self, *, calendar_id: str | None = None) -> list[dict]:
        return [public(t) for t in self._calendar(calendar_id).contact_tags.values()]

    def event_tags(self, *, calendar_id: str | None = None) -> list[dict]:
        return [public(t) for t in self._calendar(calendar_id).event_tags.values()]

    def webhooks(self, *, calendar_id: str | None = None) -> list[dict]:
        return [public(w) for w in self._calendar(calendar_id).webhooks.values()]

    # ------------------------------------------------------------------ seeding (see seed.py)

    def seed_events(self, n: int, **overrides: Any) -> list[dict]:
        return seed.seed_events(self, n, **overrides)

    def seed_guests(
        self, event_id: str, n: int, approval_status: str = "approved", domain: str | None = None
    ) -> list[dict]:
        return seed.seed_guests(self, event_id, n, approval_status=approval_status, domain=domain)

    def seed_contacts(self, n: int, tags: Iterable[str] = (), domain: str | None = None) -> list[dict]:
        return seed.seed_contacts(self, n, tags=tags, domain=domain)

    def seed_demo(self) -> dict:
        return seed.seed_demo(self)

    # guests/add in-process (as seeding uses it), returning the stored guests; charge=True makes paid tickets
    # cost their price: emu.add_guests(event_id, guests, approval_status="approved", *, ticket_type_ids, charge).
    add_guests = guest_routes.add_guests

    def import_contacts(self, contacts: list[dict], tags: Iterable[str] = ()) -> list[dict]:
        """contacts/import in-process on the key's calendar, returning the stored contacts."""
        return contact_routes.import_contacts(self, self.state.calendar_id, contacts, tags)

    # ------------------------------------------------------------------ what happens outside the API (simulate.py)

    # Functions of the emulator, so they serve as its methods: emu.check_in(event_id, guest, at=None, ...).
    check_in = simulate.check_in
    register_guest = simulate.register_guest
    set_guest_status = simulate.set_guest_status
    submit_calendar_event = simulate.submit_calendar_event

    def call(
        self, method: str, path: str, *, query: dict | None = None, body: Any = None, calendar_id: str | None = None
    ) -> Any:
        """Run one API operation in-process (validation + handler, no auth/rate limit/faults/recording).

        ``calendar_id`` acts for another calendar of the organization, as an organization key naming it in
        the ``x-luma-calendar-id`` header does; by default the call acts for the calendar key's calendar.
        """
        spec = self.contract.routes.get((method.upper(), path))
        if spec is None:
            raise not_found(f"Route {method} {path}")
        pairs: list[tuple[str, str]] = []
        for k, v in (query or {}).items():
            for item in v if isinstance(v, list | tuple) else [v]:
                pairs.append((k, str(item).lower() if isinstance(item, bool) else str(item)))
        acting_for = self._acting_for(spec, organization_key=calendar_id is not None, named=calendar_id)
        return self._handle(spec, pairs, body if spec.method == "POST" else None, acting_for)

    # ------------------------------------------------------------------ HTTP plumbing

    def _acting_for(self, spec: RouteSpec, *, organization_key: bool, named: str | None) -> CalendarData | None:
        """The calendar a call acts for: a calendar key's own; the one an organization key names in the header."""
        scoped = (spec.method, spec.path) not in self._calendar_free
        if named is not None:
            if organization_key:
                data = self.state.calendars.get(named)
            else:  # a calendar key may name only its own calendar
                data = self.state.home if named == self.state.calendar_id else None
            if data is None:
                raise ApiError(403, f"This API key cannot act for calendar {named}")
            return data if scoped else None
        if not scoped:
            return None
        if organization_key:
            raise bad_request(f"An organization API key must name the calendar in the {CALENDAR_HEADER} header")
        return self.state.home

    def _handle(self, spec: RouteSpec, pairs: list[tuple[str, str]], body: Any, acting_for: CalendarData | None) -> Any:
        checked = self.contract.check_request(spec, pairs, body)
        route = (spec.method, spec.path)
        ctx = Ctx(self, route, checked.query, checked.body, checked.filter_key, acting_for)
        return self._handlers[route](ctx)

    def _authenticate(self, key: str) -> bool:
        """Whether the key is the organization key (else it is the calendar key); 401 for anything else."""
        if not key:
            raise ApiError(401, f"Missing API key: send it in the {API_KEY_HEADER} header")
        if secrets.compare_digest(key.encode(), self.api_key.encode()):
            return False
        if self.org_api_key is not None and secrets.compare_digest(key.encode(), self.org_api_key.encode()):
            return True
        raise ApiError(401, "Invalid API key")

    def _one_way(self) -> float:
        """Half of this request's round trip."""
        jitter = _random.uniform(0, self.latency_jitter) if self.latency_jitter > 0 else 0.0
        return max(0.0, self.latency + jitter) / 2

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        one_way = self._one_way()
        loop = asyncio.get_running_loop()
        arrives = loop.time() + one_way
        if one_way:
            await asyncio.sleep(one_way)
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
            at=self.rate_limiter.clock(),
        )
        self.requests.append(record)

        fault = next((f for f in self.faults if f.matches(request.method, request.path)), None)
        if fault is not None:
            answer = await misbehave(fault, request, self._stopping)
            if answer is not None:
                if not fault.hang:  # a hang never answers: its socket is closed at stop()
                    record.status = answer.status
                    if one_way:
                        await asyncio.sleep(one_way)
                return answer
            arrives = loop.time()  # a fault's delay is on top of the round trip, not Luma's work within it

        response = self._process(request, raw)
        if fault is not None and fault.drop_after_work:
            return drop(request)
        record.status = response.status
        if one_way:
            # The round trip is what a client sees, Luma's work included: the time spent handling this request here
            # (and waiting for this one thread, which Luma's many servers would not make it do) comes off the way
            # back, as far as the way back goes.
            await asyncio.sleep(max(0.0, one_way - (loop.time() - arrives)))
        return response

    def _process(self, request: web.Request, raw: bytes) -> web.Response:
        headers: dict[str, str] = {}
        try:
            spec = self.contract.route(request.method, request.path)
            key = request.headers.get(API_KEY_HEADER) or ""
            organization_key = self._authenticate(key)
            limiter = self.org_rate_limiter if organization_key else self.rate_limiter
            limits = limiter.hit(key)
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
            acting_for = self._acting_for(
                spec, organization_key=organization_key, named=request.headers.get(CALENDAR_HEADER)
            )
            payload = self._handle(spec, list(request.query.items()), body, acting_for)
            if self.validate_responses:
                self.contract.check_response(spec, payload)
            if spec.method == "POST":  # every write is a POST in Luma's API
                self._autosave()
            return web.json_response(payload, headers=headers)
        except ApiError as exc:
            if exc.status == 429 and not self.rate_limit_headers:
                exc.headers = {"Retry-After": exc.headers["Retry-After"]}
            return web.json_response({"message": exc.message}, status=exc.status, headers={**headers, **exc.headers})
