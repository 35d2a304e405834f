"""Deterministic, realistic-looking sample data for the emulator (no Faker: small word lists)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .routes import tags as tags_routes
from .routes.contacts import contact_out

if TYPE_CHECKING:
    from .server import LumaEmulator

FIRST_NAMES = [
    "Aroha",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farah",
    "George",
    "Hana",
    "Isaac",
    "Jade",
    "Kiri",
    "Liam",
    "Maya",
    "Noah",
    "Olivia",
    "Priya",
    "Quinn",
    "Rangi",
    "Sofia",
    "Tom",
]
LAST_NAMES = [
    "Anderson",
    "Brown",
    "Chen",
    "Davies",
    "Evans",
    "Fernandez",
    "Gupta",
    "Harris",
    "Ito",
    "Jones",
    "Kaur",
    "Lee",
    "Martin",
    "Nguyen",
    "O'Brien",
    "Patel",
    "Robinson",
    "Smith",
    "Tawhiri",
    "Wilson",
]
DOMAINS = ["gmail.com", "outlook.com", "acme.io", "fastmail.com", "university.edu", "startup.dev", "proton.me"]
TOPICS = ["AI", "Design", "Founders", "Python", "Climate Tech", "Product", "Data", "Open Source", "Growth"]
FORMATS = ["Meetup", "Breakfast", "Workshop", "Demo Night", "Hack Night", "Fireside Chat", "Summit"]
VENUES = [
    "GridAKL, 101 Pakenham Street West, Auckland",
    "BizDojo, 95 Customhouse Quay, Wellington",
    "The Terrace Hall, 12 Lambton Quay, Wellington",
    "Fishpond Studios, 44 Ponsonby Road, Auckland",
]


def person(index: int, domain: str | None = None) -> dict[str, str]:
    """The ``index``-th sample person; unique name+email for the first 400, suffixed afterwards."""
    n = len(FIRST_NAMES)
    first = FIRST_NAMES[index % n]
    last = LAST_NAMES[(index % n + index // n) % len(LAST_NAMES)]
    suffix = str(index // (n * len(LAST_NAMES))) if index >= n * len(LAST_NAMES) else ""
    local = f"{first}.{last}".lower().replace("'", "") + suffix
    return {"name": f"{first} {last}", "email": f"{local}@{domain or DOMAINS[index % len(DOMAINS)]}"}


def _next_people(emu: LumaEmulator, n: int, domain: str | None) -> list[dict[str, str]]:
    start = emu.state.seed_counter
    emu.state.seed_counter += n
    return [person(start + i, domain) for i in range(n)]


def _iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def seed_events(emu: LumaEmulator, n: int, **overrides: Any) -> list[dict]:
    """Create ``n`` upcoming events (daily from tomorrow 18:00 UTC) through the real create path.

    ``overrides`` are fields of the ``/v1/events/create`` body (``name``, ``start_at``, ``max_capacity``...).
    """
    base = emu.clock.now().replace(hour=18, minute=0, second=0, microsecond=0) + timedelta(days=1)
    created = []
    for k in range(n):
        count = len(emu.state.events) + k
        start = base + timedelta(days=k)
        body: dict[str, Any] = {
            "name": f"{TOPICS[count % len(TOPICS)]} {FORMATS[count % len(FORMATS)]}",
            "start_at": _iso(start),
            "end_at": _iso(start + timedelta(hours=2)),
            "timezone": "Pacific/Auckland",
            "description_md": "Talks, demos and **good company**. Doors open 15 minutes early.",
            "geo_address_json": {"type": "manual", "address": VENUES[count % len(VENUES)]},
        }
        if "start_at" in overrides and "end_at" not in overrides:
            body.pop("end_at")
        if "meeting_url" in overrides and "geo_address_json" not in overrides:
            body.pop("geo_address_json")  # an online event has no venue
        body.update(overrides)
        event_id = emu.call("POST", "/v1/events/create", body=body)["id"]
        created.append(emu.event(event_id))
    return created


def seed_guests(
    emu: LumaEmulator, event_id: str, n: int, *, approval_status: str = "approved", domain: str | None = None
) -> list[dict]:
    """Add ``n`` new sample guests (any status, including ``invited`` and ``declined``)."""
    people = _next_people(emu, n, domain)
    stored = emu.add_guests(event_id, people, approval_status)
    return [emu.guest(event_id, g["id"]) for g in stored]


def seed_contacts(emu: LumaEmulator, n: int, *, tags: Iterable[str] = (), domain: str | None = None) -> list[dict]:
    """Add ``n`` calendar contacts, each carrying every tag in ``tags`` (created when missing)."""
    tags = list(tags)
    for name in tags:
        if tags_routes.by_id_or_name(emu.state.home.contact_tags, name) is None:
            emu.call("POST", "/v1/calendars/contact-tags/create", body={"name": name})
    stored = emu.import_contacts(_next_people(emu, n, domain), tags)
    return [contact_out(emu.state, emu.state.home, c) for c in stored]


def seed_demo(emu: LumaEmulator) -> dict:
    """A small, realistic calendar: upcoming and past events, varied guests, tickets, coupons, contacts."""
    for name, color in (("VIP", "purple"), ("Speaker", "blue"), ("Sponsor", "yellow"), ("Volunteer", "green")):
        emu.call("POST", "/v1/calendars/contact-tags/create", body={"name": name, "color": color})
    community = emu.call("POST", "/v1/calendars/event-tags/create", body={"name": "Community", "color": "red"})["id"]

    now = emu.clock.now().replace(minute=0, second=0, microsecond=0)
    meetup = seed_events(
        emu,
        1,
        name="Autohive Builders Meetup",
        start_at=_iso(now + timedelta(days=7)),
        max_capacity=80,
        slug="autohive-builders",
    )[0]
    workshop = seed_events(
        emu,
        1,
        name="AI Product Workshop",
        start_at=_iso(now + timedelta(days=14)),
        meeting_url="https://zoom.us/j/5551234567",
    )[0]
    breakfast = seed_events(
        emu, 1, name="Founders Breakfast", start_at=_iso(now + timedelta(days=21)), max_capacity=20
    )[0]
    hack_night = seed_events(emu, 1, name="Summer Hack Night", start_at=_iso(now - timedelta(days=30)))[0]
    fireside = seed_events(emu, 1, name="Design Systems Fireside", start_at=_iso(now - timedelta(days=60)))[0]

    vip = emu.call(
        "POST",
        "/v1/events/ticket-types/create",
        body={
            "event_id": meetup["id"],
            "name": "VIP",
            "type": "paid",
            "cents": 2500,
            "currency": "usd",
            "description": "Front-row seat and dinner with the speakers",
            "max_capacity": 20,
        },
    )
    emu.call(
        "POST",
        "/v1/events/ticket-types/create",
        body={"event_id": meetup["id"], "name": "Speaker Pass", "type": "free", "is_hidden": True},
    )
    supporter = emu.call(
        "POST",
        "/v1/events/ticket-types/create",
        body={"event_id": hack_night["id"], "name": "Supporter", "type": "paid", "cents": 1500, "currency": "usd"},
    )
    emu.call(
        "POST",
        "/v1/events/coupons/create",
        body={
            "event_id": meetup["id"],
            "code": "EARLYBIRD",
            "remaining_count": 50,
            "discount": {"discount_type": "percent", "percent_off": 20},
        },
    )
    emu.call(
        "POST",
        "/v1/calendars/coupons/create",
        body={"code": "COMMUNITY10", "discount": {"discount_type": "amount", "cents_off": 1000, "currency": "usd"}},
    )

    seed_guests(emu, meetup["id"], 12)
    seed_guests(emu, meetup["id"], 3, approval_status="pending_approval")
    seed_guests(emu, meetup["id"], 2, approval_status="invited")
    seed_guests(emu, meetup["id"], 1, approval_status="declined")
    vip_people = _next_people(emu, 4, "acme.io")
    emu.add_guests(meetup["id"], vip_people, ticket_type_ids=[vip["id"]], charge=True)
    seed_guests(emu, workshop["id"], 8)
    seed_guests(emu, workshop["id"], 4, approval_status="pending_approval")
    seed_guests(emu, workshop["id"], 2, approval_status="waitlist")
    seed_guests(emu, breakfast["id"], 18, domain="startup.dev")
    past = seed_guests(emu, hack_night["id"], 15)
    backers = _next_people(emu, 3, None)
    emu.add_guests(hack_night["id"], backers, ticket_type_ids=[supporter["id"]], charge=True)
    for g in past[:11]:  # most people who registered for the past event actually came
        emu.check_in(hack_night["id"], g["id"], at=now - timedelta(days=30) + timedelta(minutes=5))
    seed_guests(emu, fireside["id"], 9)

    emu.call(
        "POST", "/v1/calendars/event-tags/apply", body={"tag": community, "event_ids": [meetup["id"], hack_night["id"]]}
    )
    emu.call(
        "POST",
        "/v1/events/hosts/add",
        body={"event_id": meetup["id"], "email": "kiri.host@acme.io", "name": "Kiri Host", "access_level": "check-in"},
    )
    emu.call(
        "POST", "/v1/calendars/contact-tags/apply", body={"tag": "VIP", "emails": [p["email"] for p in vip_people]}
    )
    seed_contacts(emu, 6, tags=["Volunteer"])
    seed_contacts(emu, 3, tags=["Sponsor"], domain="acme.io")
    seed_contacts(emu, 2, tags=["Speaker", "VIP"])
    seed_contacts(emu, 5)
    emu.call(
        "POST",
        "/v2/webhooks/create",
        body={"url": "https://hooks.example.com/luma", "event_types": ["guest.registered"]},
    )
    return {
        "calendar": emu.call("GET", "/v1/calendars/get"),
        "events": [emu.event(e["id"]) for e in (meetup, workshop, breakfast, hack_night, fireside)],
        "ticket_types": {"vip": vip, "supporter": supporter},
    }
