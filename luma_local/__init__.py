"""luma_local: a contract-faithful, stateful local stand-in for Luma's public API (like stripe-mock).

Usage::

    async with LumaEmulator(api_key="luma-local-key") as emu:   # or: url = await emu.start()
        emu.seed_demo()                                           # or seed_events / seed_guests / seed_contacts
        emu.inject("POST /v1/events/guests/add", status=503, times=2)
        ...  # point the client at emu.base_url, header x-luma-api-key
        emu.requests, emu.events(), emu.guests(event_id), emu.state

What Luma does outside its API, simulated (timestamps from ``emu.clock`` or ``at=``)::

    emu.clock.set(datetime(2026, 11, 1, tzinfo=UTC)); emu.clock.advance(seconds=90)
    emu.register_guest(event_id, "ana@example.com", "Ana", ticket_type_id=paid)   # through the event page
    emu.check_in(event_id, "ana@example.com")                                    # at the door
    emu.set_guest_status(event_id, "ana@example.com", "declined")                # a host's click
    emu.submit_calendar_event(name="Partner Night", start_at=..., url=...)       # pending approval

From sync code: ``url = emu.start_in_thread()`` ... ``emu.stop_thread()``.
From a shell: ``python -m luma_local --port 0 --seed demo [--state FILE]``.

Between processes: ``emu.save_state(path)`` / ``emu.load_state(path)``, or ``LumaEmulator(state_file=path)``
which loads the file when it exists and writes it after every successful write request and at ``stop()``.

Faithful to Luma (taken from its published OpenAPI document of 2026-08-07, 66 operations, distilled into
``contract.json`` by ``python -m tools.make_contract``):

* the route list and methods, every query parameter and request body schema, the response shapes
  (flat objects; lists as ``{"entries", "has_more", "next_cursor"?}``; many writes answer ``{}``);
* auth via the ``x-luma-api-key`` header; array query parameters as repeated keys (``?tags=a&tags=b``);
* ``include_hidden`` on ticket types being a *string*; coupon codes 1-20 chars, case-insensitive;
  the two-step cancel flow; ticket types that cannot be deleted once sold or when last visible;
  guest lookup by ``gst-`` id, guest key or email; guests becoming contacts of the calendar;
* the event's ``guest_counts`` (per status, guests and tickets; invited guests hold no ticket, pending and
  waitlisted ones at least one), ``spots_remaining`` (null without ``max_capacity``; tickets count when
  guests may hold several), ``display_price`` (the cheapest ticket on sale, null when registration can be
  free), ``require_approval`` (a ticket on sale needs approval), ``registration_open``, ``access``;
* ``calendars/events/list?access=view`` adding events listed on the calendar but managed elsewhere, with
  the location blurred and host-only fields left out, never private ones; ``submitted_by`` on entries;
* ``guests/update-tickets``: added tickets are free, removed ones are not refunded, capacity does not apply,
  at least one ticket must remain; ticket ids start ``tkt-`` and contact ids are the ``usr-`` ids;
* the documented rate limit (200 requests/min per calendar key, 500 per organization key, shared by GET
  and POST, then a 1 minute block, ``Retry-After`` on 429 and ``X-RateLimit-*`` headers);
* a network round trip when asked (``latency=0.15``, ``latency_jitter=``; ``--latency`` on the command line):
  half before the request arrives, half before its answer leaves, for every request over HTTP;
* organization keys (``org_api_key=``) naming the calendar of a calendar-scoped call in the
  ``x-luma-calendar-id`` header; ``/v2/organizations/calendars/create`` adds calendars and
  ``/v1/organizations/events/transfer-calendar`` moves events between them.

Assumptions (Luma does not document these; change them where noted if the real API disagrees):

* strict mode (the default) rejects unknown query parameters, unknown body properties and repeated
  non-array query parameters with 400. Real Luma may silently ignore them; we are stricter on
  purpose so that a client sending a misspelt field fails in tests instead of in production;
* errors are ``{"message": "..."}`` with 400 (validation / rule), 401 (key), 403 (a calendar the key
  cannot act for), 404 (unknown id or route), 405 (wrong method), 429 (rate limit);
* every calendar owns its events, contacts, tags, coupons, membership tiers, webhooks, submissions and
  invite quota; a call sees only those of the calendar it acts for, and an event of another calendar is a
  404 like a missing one. Calendar-scoped means every route except ``/v1/users/get-self``,
  ``/v1/images/create-upload-url``, ``/v1/entities/lookup`` and the organization routes;
* an organization key must send ``x-luma-calendar-id`` on calendar-scoped calls (400 without it, 403 for a
  calendar outside the organization); a calendar key may send it naming its own calendar only (403
  otherwise). Organization routes also answer a calendar key, for its calendar's organization; the
  organization's admins are the key's user; ``calendars/create`` without a slug gets a random one;
* the rate limit's minute is a sliding window (Luma does not say how it counts "per minute"; sliding is the
  strictest reading, so a bursty client is caught); after a lockout the window starts empty;
* the maximum page size (100) and the default page size (50) are not documented by Luma;
* cursors are opaque, bound to the filters they were issued for, and a garbled one is a 400;
* default list order is oldest first (``created_at``/``start_at`` ascending);
* ``guests/add`` with an email already on the guest list does not create a second guest; an
  ``invited`` guest is moved to the requested status, any other guest is left unchanged;
* when an event with ``max_capacity`` is full, adding or approving guests fails with 400
  "Event is at capacity" (no automatic wait-listing); the whole request fails, nothing is added;
* lowering an event's ``max_capacity`` below its approved guest count is a 400;
* faulted requests (``inject``) skip auth and the rate limit: the fault answers first;
* a saved state holds what Luma would hold (calendars, users, events, guests, ...) and the seeding counter;
  not the recorded requests, faults, rate-limit counters or the clock. One process at a time per file: the
  last one to write wins;
* ``send-invites`` draws on a weekly send quota (``invite_quota_per_week``); ``guests/add`` does not;
* guests added through the API do not pay: their tickets have ``amount`` 0 (Luma "bypasses payment"),
  and ``registration_open: false`` does not stop them; a registration through the page
  (``register_guest``) pays the ticket type's price (the suggested one for pay-what-you-want), waits as
  ``pending_approval`` when the type requires approval (its payment captured only on approval), joins the
  waitlist of a full event that has one and is refused (400) by a full event without one or by closed
  registration; an invited or declined guest registers again under the same guest id;
* ``check_in`` stamps every ticket of an approved guest not yet scanned (or one ``ticket_id``);
* ``spots_remaining`` and ``display_price`` are computed on every read (Luma refreshes them in the
  background, "can lag a few seconds"); ticket validity dates are compared with the clock's UTC date;
* a blocked or removed contact leaves contacts/list (the contact object has no status field) and tag
  apply/unapply skips it; a removed one comes back when it joins again (added as a guest, imported, made a
  member), a blocked one only through restore, and meanwhile cannot be added to the calendar's events (400)
  and is skipped by send-invites; restore of an active contact does nothing;
* ``submitted_by`` of the calendar's own events is their creator; external events and Luma events added
  through the API were submitted by the key's user; adding a Luma event the calendar manages is a 400;
* a view-access entry shows the city only, and no address at all when the city is unknown (we do not
  geocode); its coordinate is rounded to two decimals;
* ``guests/update-tickets`` with nothing to add or remove is a 400, as is changing an invited guest's tickets;
* one ``Clock`` (``emu.clock``) stamps every timestamp (``created_at``, ``registered_at``, ``invited_at``,
  ``checked_in_at``...) and drives the rate limit, lockouts, cancellation-token expiry and the invite quota
  week. It reads wall time, not a monotonic clock, so that all of these move together when a test freezes
  it (``set``) or moves it (``advance``). A bare callable given as ``clock=`` (seconds, as tests passed
  before) drives only the rate limiter; ``joined_at`` stays null (its meaning is not documented).
"""

from .errors import ApiError
from .faults import FaultSpec, RecordedRequest
from .seed import person, seed_contacts, seed_demo, seed_events, seed_guests
from .server import DEFAULT_API_KEY, LumaEmulator
from .state import EmulatorState

__all__ = [
    "DEFAULT_API_KEY",
    "ApiError",
    "EmulatorState",
    "FaultSpec",
    "LumaEmulator",
    "RecordedRequest",
    "person",
    "seed_contacts",
    "seed_demo",
    "seed_events",
    "seed_guests",
]
