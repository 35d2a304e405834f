"""The store: everything the emulator knows, as plain JSON-able dicts, grouped the way Luma scopes it.

Stored dicts hold the public fields of Luma's objects plus ``_``-prefixed internals that ``public`` drops.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import json
import os
import secrets
import string
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import not_found

CDN = "https://images.lumacdn.com"
DEFAULT_AVATAR = f"{CDN}/avatars-default/avatar_1.png"
# A contact's standing on its calendar (see routes/contacts.py).
ACTIVE, REMOVED, BLOCKED = "active", "removed", "blocked"


def new_id(prefix: str, length: int = 14) -> str:
    # Letters and digits from one read of the OS's randomness (base64 without its two symbols), not a read per
    # character: adding 1,000 guests makes 5,000 ids, and the emulator serves all requests from one thread.
    text = ""
    while len(text) < length:
        text += secrets.token_urlsafe(length).replace("-", "").replace("_", "")
    return f"{prefix}-" + text[:length]


def new_slug(length: int = 8) -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def public(obj: dict) -> dict:
    """Drop emulator-internal keys (those starting with ``_``)."""
    return {k: copy.deepcopy(v) for k, v in obj.items() if not k.startswith("_")}


def split_name(name: str | None) -> tuple[str | None, str | None]:
    if not name or not name.strip():
        return None, None
    parts = name.strip().split(None, 1)
    return parts[0], (parts[1] if len(parts) > 1 else None)


def person(user: dict) -> dict:
    """A user as Luma shows hosts, admins and submitters."""
    return {k: user[k] for k in ("id", "email", "name", "first_name", "last_name", "avatar_url")}


@dataclass
class CalendarData:
    """What one calendar owns. A call acts for one calendar and sees only that calendar's things."""

    calendar: dict
    coupons: dict[str, dict] = field(default_factory=dict)  # lower code -> coupon
    contacts: dict[str, dict] = field(default_factory=dict)  # user id -> contact
    contact_tags: dict[str, dict] = field(default_factory=dict)
    event_tags: dict[str, dict] = field(default_factory=dict)
    membership_tiers: dict[str, dict] = field(default_factory=dict)
    webhooks: dict[str, dict] = field(default_factory=dict)
    submissions: dict[str, dict] = field(default_factory=dict)  # calev- id -> an event listed on this calendar
    external_events: dict[str, dict] = field(default_factory=dict)  # calev- id -> external event
    invites_sent: list[float] = field(default_factory=list)  # clock reading of each invite (weekly quota)

    @property
    def id(self) -> str:
        return self.calendar["id"]

    def lists(self, ev: dict) -> bool:
        """True for the calendar's own events and the events it approved onto it."""
        return ev["calendar_id"] == self.id or any(
            s["event_id"] == ev["id"] and s["status"] == "approved" for s in self.submissions.values()
        )


@dataclass
class EmulatorState:
    """Everything the emulator knows about one organization: its calendars, users and events."""

    user_id: str = ""  # the owner of the API keys
    calendar_id: str = ""  # the calendar of the calendar API key
    calendars: dict[str, CalendarData] = field(default_factory=dict)
    users: dict[str, dict] = field(default_factory=dict)  # user id -> user
    user_ids_by_email: dict[str, str] = field(default_factory=dict)  # lower email -> user id
    events: dict[str, dict] = field(default_factory=dict)
    slugs: dict[str, str] = field(default_factory=dict)  # lower slug -> event id
    guests: dict[str, dict[str, dict]] = field(default_factory=dict)  # event id -> guest id -> guest
    guest_ids_by_email: dict[str, dict[str, str]] = field(default_factory=dict)  # event id -> email -> guest id
    guest_keys: dict[str, list[str]] = field(default_factory=dict)  # g- key -> [event id, guest id]
    ticket_types: dict[str, dict] = field(default_factory=dict)
    event_coupons: dict[str, dict[str, dict]] = field(default_factory=dict)  # event id -> lower code -> coupon
    seed_counter: int = 0  # how many sample people seeding has used

    @property
    def user(self) -> dict:
        return self.users[self.user_id]

    @property
    def home(self) -> CalendarData:
        return self.calendars[self.calendar_id]

    @property
    def calendar(self) -> dict:
        return self.home.calendar

    def user_for(self, email: str, name: str | None = None) -> dict:
        """The user with this email, created when new; Luma never overwrites a name that is already set."""
        email = email.strip()
        uid = self.user_ids_by_email.get(email.lower())
        if uid is not None:
            user = self.users[uid]
            if name and not user["name"]:
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
        self.users[user["id"]] = user
        self.user_ids_by_email[email.lower()] = user["id"]
        return user

    def user_by_id_or_email(self, value: str) -> dict | None:
        if value in self.users:
            return self.users[value]
        uid = self.user_ids_by_email.get(value.strip().lower())
        return self.users.get(uid) if uid else None

    def event_or_404(self, event_id: str) -> dict:
        ev = self.events.get(event_id)
        if ev is None:
            raise not_found(f"Event {event_id}")
        return ev

    def live_ticket_types(self, event_id: str) -> list[dict]:
        return [t for t in self.ticket_types.values() if t["_event_id"] == event_id and not t["_deleted"]]

    def find_guest(self, event_id: str, ident: str) -> dict | None:
        """A guest by ``gst-`` id, ``g-`` guest key or email (case-insensitive), as Luma accepts all three."""
        guests = self.guests.get(event_id)
        if guests is None:
            return None
        if ident in guests:
            return guests[ident]
        if ident in self.guest_keys:
            ev_id, gid = self.guest_keys[ident]
            return guests.get(gid) if ev_id == event_id else None
        gid = self.guest_ids_by_email[event_id].get(ident.strip().lower())
        return guests.get(gid) if gid else None


# --------------------------------------------------------------------------- persistence

STATE_FORMAT = "luma_local state"
STATE_VERSION = 1


def to_json(state: EmulatorState) -> dict:
    return {"format": STATE_FORMAT, "version": STATE_VERSION, "state": dataclasses.asdict(state)}


def from_json(document: dict) -> EmulatorState:
    if document.get("format") != STATE_FORMAT or document.get("version") != STATE_VERSION:
        found = f"{document.get('format')!r} version {document.get('version')!r}"
        raise ValueError(f"not a {STATE_FORMAT} file of version {STATE_VERSION} (found {found})")
    data = dict(document["state"])
    data["calendars"] = {cid: CalendarData(**c) for cid, c in data["calendars"].items()}
    return EmulatorState(**data)


def save(state: EmulatorState, path: str | os.PathLike[str]) -> None:
    """Write the state as JSON, atomically: a reader sees the old file or the new one, never half of one."""
    target = Path(path)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(to_json(state), handle, separators=(",", ":"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def load(path: str | os.PathLike[str]) -> EmulatorState:
    return from_json(json.loads(Path(path).read_text(encoding="utf-8")))
