"""The polling triggers end to end: the SDK's real ExecutionContext over HTTP against the local Luma, whose clock
the tests move. Registrations, status changes and check-ins happen between polls and during them; faults make
polls fail; the platform is played by `Platform`, which passes each poll the start of the last successful one."""

import json
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from autohive_integrations_sdk.integration import ValidationError

import helpers
import luma_integration
from luma import luma
from luma_integration import TriggerError
from luma_local import DEFAULT_API_KEY, LumaEmulator
from luma_local.clock import iso
from operations import changes
from tests.support.examples import luma_routes_of

pytestmark = pytest.mark.e2e

NOV_1 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
GUESTS = "/v1/events/guests/list"
EVENTS = "/v1/calendars/events/list"
CONTACTS = "/v1/calendars/contacts/list"
TRIGGERS = sorted(luma.config.polling_triggers)


class Platform:
    """Autohive's side of one trigger: each poll gets the time the last successful poll started (none the first
    time), a failed poll leaves it as it was, and with `dedup` a record id already seen does not fire again."""

    def __init__(self, trigger: str, inputs: dict[str, Any], context: Any, emulator: LumaEmulator, *, dedup: bool):
        self.trigger, self.inputs, self.context, self.clock = trigger, inputs, context, emulator.clock
        self.dedup = dedup
        self.last_poll_ts: str | None = None
        self.seen: set[str] = set()
        self.fired: list[dict[str, Any]] = []

    async def poll(self) -> list[dict[str, Any]]:
        """One poll; what it fires."""
        started = iso(self.clock.now())
        records = await luma.execute_polling_trigger(self.trigger, self.inputs, self.last_poll_ts, self.context)
        self.last_poll_ts = started
        fired = [record for record in records if not (self.dedup and record["id"] in self.seen)]
        self.seen.update(record["id"] for record in records)
        self.fired += fired
        return fired

    def times_fired(self) -> Counter:
        return Counter(record["id"] for record in self.fired)


@pytest.fixture
def clock(luma_emulator, monkeypatch):
    """The local Luma's clock at 2026-11-01 09:00 UTC, frozen, and the integration reading it as now."""
    luma_emulator.clock.set(NOV_1)
    monkeypatch.setattr(helpers, "_utc_now", luma_emulator.clock.now)
    return luma_emulator.clock


@pytest.fixture
def watched(luma_emulator, clock):
    """An event tomorrow evening, with a free ticket type (the default) and a paid one."""
    event = luma_emulator.seed_events(1, max_capacity=1000)[0]
    paid = luma_emulator.call(
        "POST",
        "/v1/events/ticket-types/create",
        body={"event_id": event["id"], "name": "Supporter", "type": "paid", "cents": 2500, "currency": "usd"},
    )
    return {**event, "paid_ticket_type_id": paid["id"]}


def register(emulator, event_id, who: str, **extra) -> dict:
    return emulator.register_guest(event_id, f"{who}@example.com", who.title(), **extra)


def during_the_poll(monkeypatch, context, path: str, after: int, happen: Callable[[], None]) -> list[bool]:
    """`happen` runs once, right after the poll's `after`-th answer from `path`: a change made while a poll runs."""
    send, seen, done = context.fetch, [0], []

    async def fetch(url, *args, **kwargs):
        answer = await send(url, *args, **kwargs)
        if urlsplit(url).path == path:
            seen[0] += 1
            if seen[0] == after and not done:
                done.append(True)
                happen()
        return answer

    monkeypatch.setattr(context, "fetch", fetch)
    return done


async def polled_then_registered(emulator, context, event_id: str, n: int, every: float, prefix: str) -> Platform:
    """A new_guest platform without de-duplication that has polled once; then n people registered, `every` seconds
    apart, the last a minute ago."""
    platform = Platform("new_guest", {"event_api_id": event_id}, context, emulator, dedup=False)
    await platform.poll()
    for k in range(n):
        emulator.clock.advance(seconds=every)
        register(emulator, event_id, f"{prefix}{k:03d}")
    emulator.clock.advance(minutes=1)
    return platform


# ---- registrations ------------------------------------------------------------------------------------------


class TestNewGuest:
    async def test_poll_registration_poll_again_poll_once_more(self, luma_emulator, live_context, clock, watched):
        platform = Platform("new_guest", {"event_api_id": watched["id"]}, live_context, luma_emulator, dedup=False)
        assert await platform.poll() == []
        clock.advance(minutes=5)
        ana = register(luma_emulator, watched["id"], "ana", ticket_type_id=watched["paid_ticket_type_id"])
        clock.advance(minutes=5)
        [fired] = await platform.poll()
        assert fired["id"] == f"{ana['id']}:registered:{ana['registered_at']}"
        data = fired["data"]
        assert (data["guest_name"], data["guest_email"], data["approval_status"]) == (
            "Ana",
            "ana@example.com",
            "approved",
        )
        assert (data["ticket_type"], data["amount_cents"], data["amount"], data["currency"]) == (
            "Supporter",
            2500,
            "25.00",
            "usd",
        )
        assert (data["event_api_id"], data["event_name"]) == (watched["id"], watched["name"])
        clock.advance(minutes=5)
        assert await platform.poll() == []

    async def test_registrations_during_a_paged_poll_are_each_reported_once(
        self, luma_emulator, live_context, clock, watched, monkeypatch
    ):
        # 40 registrations since the last poll: more than the first page holds, so the poll reads two pages. Two
        # people register between those reads: they push two guests of page one onto page two (read twice, reported
        # once), and belong to the next poll, which reports them and nothing else. No de-duplication needed.
        platform = await polled_then_registered(luma_emulator, live_context, watched["id"], 40, 7, "early")

        def two_more():
            clock.advance(seconds=3)
            register(luma_emulator, watched["id"], "late1")
            register(luma_emulator, watched["id"], "late2")

        happened = during_the_poll(monkeypatch, live_context, GUESTS, 1, two_more)
        first = await platform.poll()
        assert happened, "the two registrations came while the poll ran"
        clock.advance(minutes=5)
        second = await platform.poll()
        assert [r["data"]["guest_email"] for r in first] == [f"early{n:03d}@example.com" for n in range(40)]
        assert sorted(r["data"]["guest_email"] for r in second) == ["late1@example.com", "late2@example.com"]
        assert set(platform.times_fired().values()) == {1}
        pages = [dict(r.query) for r in luma_emulator.requests_to(GUESTS)]
        assert [page.get("pagination_limit") for page in pages[1:3]] == ["25", "100"]

    async def test_a_first_poll_reports_the_last_hour(self, luma_emulator, live_context, clock, watched):
        register(luma_emulator, watched["id"], "before", at=NOV_1 - timedelta(minutes=61))
        register(luma_emulator, watched["id"], "within", at=NOV_1 - timedelta(minutes=59))
        luma_emulator.add_guests(watched["id"], [{"email": "invited@example.com"}], "invited")
        records = await luma.execute_polling_trigger("new_guest", {"event_api_id": watched["id"]}, None, live_context)
        assert [r["data"]["guest_email"] for r in records] == ["within@example.com"]

    async def test_watching_the_calendar(self, luma_emulator, live_context, clock):
        tomorrow, next_week = luma_emulator.seed_events(2)
        started = luma_emulator.seed_events(1, start_at=iso(NOV_1 - timedelta(hours=12)))[0]
        ended = luma_emulator.seed_events(1, start_at=iso(NOV_1 - timedelta(days=3)))[0]
        platform = Platform("new_guest", {}, live_context, luma_emulator, dedup=False)
        await platform.poll()
        clock.advance(minutes=2)
        for event, who in ((tomorrow, "ana"), (next_week, "ben"), (started, "cy"), (ended, "dee")):
            register(luma_emulator, event["id"], who)
            clock.advance(seconds=30)
        fired = await platform.poll()
        assert [(r["data"]["event_name"], r["data"]["guest_email"]) for r in fired] == [
            (tomorrow["name"], "ana@example.com"),
            (next_week["name"], "ben@example.com"),
            (started["name"], "cy@example.com"),
        ]
        assert not luma_emulator.requests_to("/v1/events/get"), "the calendar's list names the events"

    async def test_every_event_of_a_large_calendar_is_watched_or_the_poll_says_why(
        self, luma_emulator, live_context, clock
    ):
        events = luma_emulator.seed_events(60)
        platform = Platform("new_guest", {}, live_context, luma_emulator, dedup=False)
        await platform.poll()
        clock.advance(minutes=2)
        register(luma_emulator, events[55]["id"], "late")
        clock.advance(minutes=3)
        fired = await platform.poll()
        assert [(r["data"]["event_api_id"], r["data"]["guest_email"]) for r in fired] == [
            (events[55]["id"], "late@example.com")
        ]
        luma_emulator.seed_events(changes.WATCHED_EVENTS - 60 + 1)
        with pytest.raises(TriggerError, match="more than 100 events"):
            await luma.execute_polling_trigger("new_guest", {}, iso(NOV_1), live_context)

    async def test_status_filter(self, luma_emulator, live_context, clock, watched):
        vetted = luma_emulator.call(
            "POST",
            "/v1/events/ticket-types/create",
            body={"event_id": watched["id"], "name": "Vetted", "type": "free", "require_approval": True},
        )
        inputs = {"event_api_id": watched["id"], "approval_status": ["pending_approval"]}
        platform = Platform("new_guest", inputs, live_context, luma_emulator, dedup=False)
        await platform.poll()
        clock.advance(minutes=1)
        register(luma_emulator, watched["id"], "open")
        register(luma_emulator, watched["id"], "vetted", ticket_type_id=vetted["id"])
        clock.advance(minutes=1)
        assert [r["data"]["guest_email"] for r in await platform.poll()] == ["vetted@example.com"]


# ---- every trigger: a change between polls, once ------------------------------------------------------------


def _submission(emulator, clock, watched):
    start = iso(NOV_1 + timedelta(days=9))
    emulator.submit_calendar_event(name="Partner Night", start_at=start, url="https://partner.example/night")
    return "calendar_event_id", None


def _update_event(emulator, clock, watched):
    emulator.call("POST", "/v1/events/update", body={"event_id": watched["id"], "name": "Renamed Night"})
    return "event_name", "Renamed Night"


def _decline(emulator, clock, watched):
    emulator.set_guest_status(watched["id"], "regular@example.com", "declined")
    return "approval_status", "declined"


def _check_in(emulator, clock, watched):
    emulator.check_in(watched["id"], "regular@example.com")
    return "guest_email", "regular@example.com"


def _register(emulator, clock, watched):
    register(emulator, watched["id"], "newcomer", ticket_type_id=watched["paid_ticket_type_id"])
    return "guest_email", "newcomer@example.com"


def _ticket(emulator, clock, watched):
    _register(emulator, clock, watched)
    return "amount", "25.00"


def _new_event(emulator, clock, watched):
    emulator.seed_events(1, name="Launch Party")
    return "event_name", "Launch Party"


def _new_person(emulator, clock, watched):
    emulator.import_contacts([{"email": "fresh@example.com", "name": "Fresh Face"}], ["VIP"])
    return "email", "fresh@example.com"


# trigger: (inputs, the change, whether the trigger needs the platform's de-duplication to report it once)
CHANGES: dict[str, tuple[dict[str, Any], Callable, bool]] = {
    "new_guest": ({"event_api_id": "$watched"}, _register, False),
    "new_ticket": ({"event_api_id": "$watched", "paid_only": True}, _ticket, False),
    "guest_status_changed": ({"event_api_id": "$watched"}, _decline, True),
    "guest_checked_in": ({"event_api_id": "$watched"}, _check_in, False),
    "new_event": ({}, _new_event, False),
    "event_updated": ({"event_api_id": "$watched"}, _update_event, True),
    "new_person": ({"tags": ["vip"]}, _new_person, False),
    "calendar_event_submitted": ({}, _submission, False),
}


def test_every_trigger_has_a_change_to_test():
    assert sorted(CHANGES) == TRIGGERS


def inputs_for(trigger: str, watched: dict[str, Any]) -> dict[str, Any]:
    inputs, _, _ = CHANGES[trigger]
    return {key: watched["id"] if value == "$watched" else value for key, value in inputs.items()}


@pytest.fixture
def regular(luma_emulator, watched, clock):
    """An approved guest who registered a day ago, and the VIP tag."""
    register(luma_emulator, watched["id"], "regular", at=NOV_1 - timedelta(days=1))
    luma_emulator.call("POST", "/v1/calendars/contact-tags/create", body={"name": "VIP"})
    clock.advance(hours=2)  # all of this is older than a first poll's window
    return watched


async def test_a_ticket_type_id_and_a_name_of_another_type_never_fire_and_are_refused(
    luma_emulator, live_context, clock
):
    event = luma_emulator.seed_events(1)[0]
    (general,) = luma_emulator.ticket_types(event["id"])
    vip = {"event_id": event["id"], "name": "VIP", "type": "paid", "cents": 2500, "currency": "usd"}
    luma_emulator.call("POST", "/v1/events/ticket-types/create", body=vip)
    both = {"event_api_id": event["id"], "event_ticket_type_id": general["id"], "ticket_type_name": "VIP"}
    with pytest.raises(TriggerError, match="event_ticket_type_id .* with ticket_type_name 'VIP' is not a ticket type"):
        await luma.execute_polling_trigger("new_ticket", both, iso(NOV_1), live_context)
    both["ticket_type_name"] = general["name"].upper()
    assert await luma.execute_polling_trigger("new_ticket", both, iso(NOV_1), live_context) == []


async def test_the_name_check_never_costs_a_full_calendar_its_first_poll(luma_emulator, live_context, clock):
    # 100 events: the poll's own 101 requests and a check of 100 more would not fit the key's 200 a minute.
    luma_emulator.seed_events(changes.WATCHED_EVENTS)
    inputs = {"ticket_type_name": "General Admission"}
    assert await luma.execute_polling_trigger("new_ticket", inputs, None, live_context) == []
    assert len(luma_emulator.requests_to("/v1/events/ticket-types/list")) == 0


async def test_a_ticket_type_name_no_watched_event_has_is_refused_on_the_first_poll(luma_emulator, live_context, clock):
    first, second = luma_emulator.seed_events(2)
    vip = {"event_id": second["id"], "name": "VIP", "type": "paid", "cents": 2500, "currency": "usd"}
    luma_emulator.call("POST", "/v1/events/ticket-types/create", body=vip)
    with pytest.raises(TriggerError, match="'VIPP' is not the name of a ticket type .* never fire: did you mean 'VIP'"):
        await luma.execute_polling_trigger("new_ticket", {"ticket_type_name": "VIPP"}, None, live_context)
    assert await luma.execute_polling_trigger("new_ticket", {"ticket_type_name": "vip"}, None, live_context) == []
    # Near in any case, as the filter matches in any case.
    with pytest.raises(TriggerError, match="'vipp' is not the name .* did you mean 'VIP'"):
        await luma.execute_polling_trigger("new_ticket", {"ticket_type_name": "vipp"}, None, live_context)
    # A name no event has, nor nearly has, may belong to an event made later; later polls do not check at all.
    for since in (None, iso(NOV_1)):
        assert (
            await luma.execute_polling_trigger("new_ticket", {"ticket_type_name": "Backstage"}, since, live_context)
            == []
        )
    assert (
        await luma.execute_polling_trigger("new_ticket", {"ticket_type_name": "VIPP"}, iso(NOV_1), live_context) == []
    )


@pytest.mark.parametrize("trigger", TRIGGERS)
async def test_a_change_between_polls_fires_once(trigger, luma_emulator, live_context, clock, regular):
    _, change, needs_dedup = CHANGES[trigger]
    platform = Platform(trigger, inputs_for(trigger, regular), live_context, luma_emulator, dedup=needs_dedup)
    baseline = await platform.poll()
    clock.advance(minutes=5)
    quiet = await platform.poll()
    assert quiet == [], f"{trigger}: nothing changed, yet it fired {quiet}"
    clock.advance(minutes=1)
    field, value = change(luma_emulator, clock, regular)
    clock.advance(minutes=4)
    [fired] = await platform.poll()
    if value is not None:
        assert fired["data"][field] == value, fired
    clock.advance(minutes=5)
    assert await platform.poll() == [], f"{trigger} fired the same change again"
    if not needs_dedup:
        assert baseline == [], f"{trigger}: the first poll reported what happened more than an hour before"
    sent = {f"{r.method} {r.path}" for r in luma_emulator.requests}
    assert sent <= luma_routes_of(trigger), f"{trigger} calls routes its source does not declare"


async def test_status_changes_during_a_poll_are_reported_by_the_next(
    luma_emulator, live_context, clock, watched, monkeypatch
):
    for who in ("ana", "ben", "cy"):
        register(luma_emulator, watched["id"], who, at=NOV_1 - timedelta(days=1))
    inputs = {"event_api_id": watched["id"]}
    platform = Platform("guest_status_changed", inputs, live_context, luma_emulator, dedup=True)
    assert len(await platform.poll()) == 3  # the baseline: each guest's current status
    clock.advance(minutes=5)
    luma_emulator.set_guest_status(watched["id"], "ana@example.com", "declined")
    during_the_poll(
        monkeypatch,
        live_context,
        GUESTS,
        1,
        lambda: luma_emulator.set_guest_status(watched["id"], "ben@example.com", "waitlist"),
    )
    assert [r["id"].split(":")[1] for r in await platform.poll()] == ["declined"]
    clock.advance(minutes=5)
    assert [r["data"]["guest_email"] for r in await platform.poll()] == ["ben@example.com"]
    clock.advance(minutes=5)
    assert await platform.poll() == []
    assert set(platform.times_fired().values()) == {1}


async def test_check_ins_at_the_door_while_polls_run(luma_emulator, live_context, clock, monkeypatch):
    # Eight events in progress, read five at a time (a key whose window has few requests left reads so): the last
    # event's guests are read after the first answer, so a check-in there at that moment is visible to this poll.
    # It happened after the poll started: the next poll reports it, and this one does not, so it fires once without
    # any de-duplication.
    monkeypatch.setattr(changes, "EVENT_CONCURRENCY", 5)
    events = luma_emulator.seed_events(changes.EVENT_CONCURRENCY + 3, start_at=iso(NOV_1 - timedelta(hours=1)))
    for event in events:
        for who in ("ana", "ben"):
            register(luma_emulator, event["id"], who, at=NOV_1 - timedelta(days=2))
    platform = Platform("guest_checked_in", {}, live_context, luma_emulator, dedup=False)
    await platform.poll()
    clock.advance(minutes=2)
    luma_emulator.check_in(events[0]["id"], "ana@example.com")

    def at_the_door():
        clock.advance(seconds=1)
        luma_emulator.check_in(events[-1]["id"], "ben@example.com")

    happened = during_the_poll(monkeypatch, live_context, GUESTS, 1, at_the_door)
    clock.advance(minutes=3)
    first = await platform.poll()
    assert happened
    clock.advance(minutes=5)
    second = await platform.poll()
    assert [(r["data"]["event_api_id"], r["data"]["guest_email"]) for r in first] == [
        (events[0]["id"], "ana@example.com")
    ]
    assert [(r["data"]["event_api_id"], r["data"]["guest_email"]) for r in second] == [
        (events[-1]["id"], "ben@example.com")
    ]


async def test_an_event_created_while_a_poll_pages_is_reported_once(luma_emulator, live_context, clock, monkeypatch):
    # 101 upcoming events: two pages. An event created after the first page, starting last, is on the second page
    # this poll reads; it was created after the poll started, so only the next poll reports it.
    luma_emulator.seed_events(101)
    platform = Platform("new_event", {}, live_context, luma_emulator, dedup=False)
    clock.advance(hours=2)
    await platform.poll()
    clock.advance(minutes=5)

    def create_one():
        clock.advance(seconds=1)
        luma_emulator.seed_events(1, name="Late Addition", start_at=iso(NOV_1 + timedelta(days=400)))

    happened = during_the_poll(monkeypatch, live_context, EVENTS, 1, create_one)
    assert await platform.poll() == []
    assert happened and len(luma_emulator.requests_to(EVENTS)) == 4
    clock.advance(minutes=5)
    assert [r["data"]["event_name"] for r in await platform.poll()] == ["Late Addition"]


async def test_event_updates_and_a_cancellation(luma_emulator, live_context, clock, watched):
    platform = Platform("event_updated", {"event_api_id": watched["id"]}, live_context, luma_emulator, dedup=True)
    [baseline] = await platform.poll()
    assert baseline["data"]["status"] == "scheduled"
    changes_made = [
        {"description_md": "Only the text changes"},  # not watched: nothing fires
        {"max_capacity": 1000},  # the same capacity again: nothing fires
        {"start_at": iso(NOV_1 + timedelta(days=2)), "end_at": iso(NOV_1 + timedelta(days=2, hours=2))},
        {"registration_open": False},
    ]
    fired = []
    for body in changes_made:
        clock.advance(minutes=5)
        luma_emulator.call("POST", "/v1/events/update", body={"event_id": watched["id"], **body})
        fired.append(await platform.poll())
    assert [len(batch) for batch in fired] == [0, 0, 1, 1]
    assert fired[3][0]["data"]["registration_open"] is False
    clock.advance(minutes=5)
    token = luma_emulator.call("POST", "/v1/events/cancel/request", body={"event_id": watched["id"]})
    luma_emulator.call(
        "POST",
        "/v1/events/cancel",
        body={"event_id": watched["id"], "cancellation_token": token["cancellation_token"]},
    )
    [cancelled] = await platform.poll()
    # Luma deletes a cancelled event; from this calendar that looks like an event moved away, so it is "gone".
    assert (cancelled["data"]["status"], cancelled["data"]["event_api_id"]) == ("gone", watched["id"])
    clock.advance(minutes=5)
    assert await platform.poll() == []


# ---- cost -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("trigger", ["new_guest", "new_ticket", "guest_checked_in"])
async def test_fifty_upcoming_events_cost_fifty_one_requests_a_poll(trigger, luma_emulator, live_context, clock):
    events = luma_emulator.seed_events(50)
    for event in events:
        luma_emulator.seed_guests(event["id"], 3)
    # The seeded registrations show in Luma's lists a moment after their time: the baseline poll comes after that.
    clock.advance(seconds=10)
    platform = Platform(trigger, {}, live_context, luma_emulator, dedup=False)
    await platform.poll()
    luma_emulator.requests.clear()
    clock.advance(minutes=5)
    for event in events[::5]:
        register(luma_emulator, event["id"], f"steady-{event['id'][-6:].lower()}")
        luma_emulator.check_in(event["id"], f"steady-{event['id'][-6:].lower()}@example.com")
    clock.advance(minutes=1)
    started = time.monotonic()
    fired = await platform.poll()
    elapsed = time.monotonic() - started
    assert len(fired) == 10
    counted = Counter(r.path for r in luma_emulator.requests)
    assert counted == {EVENTS: 1, GUESTS: 50}, counted
    assert all(r.status == 200 for r in luma_emulator.requests), "no 429 and no error"
    # At one poll every 5 minutes that is 51 / 5 = 10.2 requests a minute, against Luma's 200.
    assert 51 / 5 < helpers.LUMA_RATE_LIMIT_PER_MINUTE / 10
    assert elapsed < 10, f"a poll of 50 events took {elapsed:.1f} s"


# ---- faults: a clear error, nothing fired twice, nothing lost -------------------------------------------------

MAIN_ROUTE = {
    "new_guest": GUESTS,
    "new_ticket": GUESTS,
    "guest_status_changed": GUESTS,
    "guest_checked_in": GUESTS,
    "new_event": EVENTS,
    "event_updated": "/v1/events/get",
    "new_person": CONTACTS,
    "calendar_event_submitted": EVENTS,
}
FAULTS = {
    "server_error": {"status": 503},
    "rate_limited": {"status": 429, "retry_after": 120},
    "hang": {"hang": True},
    "malformed_body": {"status": 200, "body": '{"entries": [', "content_type": "application/json"},
    "html_body": {"status": 200, "body": "<html>Maintenance</html>", "content_type": "text/html"},
    "no_entries": {"status": 200, "body": {"has_more": False}},
}
SAID = {
    "server_error": "server error (503)",
    "rate_limited": "Retry in 120 seconds",
    "hang": "did not answer",
    "malformed_body": "something other than JSON",
    "html_body": "something other than JSON",
    "no_entries": "",
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("trigger", TRIGGERS)
async def test_a_failed_poll_loses_nothing_and_fires_nothing_twice(
    trigger, fault, luma_emulator, live_context, clock, regular, monkeypatch
):
    monkeypatch.setattr(helpers, "REQUEST_TIMEOUT_SECONDS", 0.3)
    monkeypatch.setattr(helpers, "BACKOFF_BASE_SECONDS", 0.01)
    _, change, needs_dedup = CHANGES[trigger]
    platform = Platform(trigger, inputs_for(trigger, regular), live_context, luma_emulator, dedup=needs_dedup)
    await platform.poll()
    clock.advance(minutes=1)
    field, value = change(luma_emulator, clock, regular)
    clock.advance(minutes=4)
    before = platform.last_poll_ts
    injected = luma_emulator.inject(MAIN_ROUTE[trigger], times=None, **FAULTS[fault])
    with pytest.raises(TriggerError) as raised:
        await platform.poll()
    message = str(raised.value)
    assert injected.hits >= 1
    assert SAID[fault] in message and "unexpected error" not in message, message
    assert "It reported nothing" in message and "none is lost" in message, message
    assert platform.last_poll_ts == before, "a failed poll does not move the platform on"
    luma_emulator.clear_faults()
    helpers.reset_rate_limiters()  # five minutes later, a lockout Luma announced is over
    clock.advance(minutes=5)
    [fired] = await platform.poll()
    if value is not None:
        assert fired["data"][field] == value
    clock.advance(minutes=5)
    assert await platform.poll() == []
    assert set(platform.times_fired().values()) <= {1}


async def test_a_later_page_that_fails_fails_the_poll_and_the_next_reports_every_change(
    luma_emulator, live_context, clock, watched, monkeypatch
):
    monkeypatch.setattr(helpers, "BACKOFF_BASE_SECONDS", 0.01)
    platform = await polled_then_registered(luma_emulator, live_context, watched["id"], 30, 5, "g")
    luma_emulator.inject(f"GET {GUESTS}", times=1)  # the first page passes...
    luma_emulator.inject(f"GET {GUESTS}", status=502, times=None)  # ...every later one fails
    with pytest.raises(TriggerError, match="server error \\(502\\)"):
        await platform.poll()
    assert platform.fired == []
    luma_emulator.clear_faults()
    clock.advance(minutes=5)
    assert len(await platform.poll()) == 30
    assert set(platform.times_fired().values()) == {1}


async def test_a_poll_that_cannot_finish_in_time_reports_nothing(
    luma_emulator, live_context, clock, watched, monkeypatch
):
    # A 4 s budget instead of 25 s, and Luma answering each page in 1.2 s: the third page does not fit.
    monkeypatch.setattr(luma_integration, "run_scope", lambda auth: helpers.run_scope(auth, 4.0))
    platform = await polled_then_registered(luma_emulator, live_context, watched["id"], 130, 1, "g")
    luma_emulator.inject(f"GET {GUESTS}", latency=1.2, times=None)
    with pytest.raises(TriggerError, match="its time budget \\(25 s\\) ran out"):
        await platform.poll()
    luma_emulator.clear_faults()
    monkeypatch.setattr(luma_integration, "run_scope", helpers.run_scope)
    assert len(await platform.poll()) == 130


# ---- bin/invoke and the demo -----------------------------------------------------------------------------------


@pytest.fixture
def local_state(monkeypatch, tmp_path):
    monkeypatch.delenv("LUMA_API_KEY", raising=False)
    monkeypatch.delenv("LUMA_API_BASE_URL", raising=False)
    monkeypatch.setenv("LUMA_LOCAL_STATE", str(tmp_path / "state.json"))


def test_invoke_runs_a_trigger_with_and_without_since(local_state, capsys, tmp_path):
    from tools import invoke

    # The local Luma's demo data, registered a few minutes ago (a poll reports changes up to a moment before it).
    seeded = LumaEmulator(api_key=DEFAULT_API_KEY, state_file=tmp_path / "state.json")
    seeded.clock.set(datetime.now(UTC) - timedelta(minutes=3))
    seeded.seed_demo()
    seeded.save_state(tmp_path / "state.json")
    assert invoke.main(["--trigger", "new_guest", "{}"]) == 0
    out, err = capsys.readouterr()
    assert "# trigger new_guest against the embedded local Luma" in err
    records = json.loads(out)
    assert records and all(set(r) == {"id", "data"} for r in records), "the demo data registered its guests just now"
    later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    assert invoke.main(["--trigger", "new_guest", "{}", "--since", later]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert invoke.main(["--trigger", "new_guest", '{"event_api_id": "evt-nope"}']) == 1
    assert "Luma found nothing at that id (404)" in json.loads(capsys.readouterr().out)["error"]
    assert invoke.main(["--trigger", "new_guest", "{}", "--since", "yesterday"]) == 1
    assert "not an ISO 8601 date-time" in json.loads(capsys.readouterr().out)["error"]


def test_invoke_lists_and_explains_triggers(local_state, capsys):
    from tools import invoke

    assert invoke.main(["--list"]) == 0
    out = capsys.readouterr().out
    assert "Triggers (bin/invoke --trigger NAME):" in out
    assert all(name in out for name in TRIGGERS)
    assert invoke.main(["--trigger", "new_ticket", "--help"]) == 0
    assert "ticket_type_name" in capsys.readouterr().out
    assert invoke.main(["new_guest", "{}"]) == 2, "without --trigger new_guest is an unknown action"
    assert invoke.main(["--trigger", "get_self"]) == 2
    assert invoke.main(["get_self", "--since", "2026-11-01T00:00:00Z"]) == 2
    assert "--since goes with --trigger" in capsys.readouterr().err


async def test_the_demo_reports_a_registration_once(local_state, capsys):
    from tools import demo

    assert await demo.main() == 0
    out = capsys.readouterr().out
    assert "6. Trigger: a new registration, reported once" in out
    assert "new_guest: Nina Patel <nina.patel@acme.example>, Early Bird, 15.00 USD" in out
    assert "Nina's among them once" in out
    assert "Polled again since then: 0 records: each registration is reported once." in out


def test_the_poll_window_constants_are_what_the_descriptions_say():
    described = " ".join(luma.config.polling_triggers[name].description for name in TRIGGERS)
    assert changes.FIRST_POLL_WINDOW == timedelta(hours=1) and "the last hour" in described
    assert changes.WATCHED_EVENTS == 100 and "up to 100 events" in described
    assert changes.STARTED_WITHIN == timedelta(hours=24) and "in the last 24 hours" in described


async def test_event_updated_refuses_a_guest_id_instead_of_firing_gone(luma_emulator, live_context, clock, watched):
    guest = register(luma_emulator, watched["id"], "ana")
    sent = len(luma_emulator.requests)
    with pytest.raises(ValidationError, match=r"input 'event_api_id' is a guest id \(gst-…\); an event id starts"):
        await luma.execute_polling_trigger("event_updated", {"event_api_id": guest["id"]}, None, live_context)
    assert len(luma_emulator.requests) == sent
