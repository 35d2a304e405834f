"""The baseline of bin/bench: the straightforward script a user would write with `requests` instead of this
integration. One request per item, one after another, lists in pages of the server's default size (no
pagination_limit), and on a 429 it sleeps for Retry-After (60 s when absent) and sends the request again. It reads
Luma's answers at face value: no pre-check, no read-back, no confirmation after a lost answer.

Each job is a plain blocking function of (NaiveLuma, target, sizes); bin/bench runs it in a thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import requests

API_KEY_HEADER = "x-luma-api-key"


class NaiveLuma:
    """requests.Session with the key header; counts requests and lockouts for the bench's progress line."""

    def __init__(self, base_url: str, api_key: str, outside: Any = None):
        self.base_url = base_url.rstrip("/")
        # What happens outside the API (a registration through the event page), for the demo's sixth part.
        self.outside = outside
        self.session = requests.Session()
        self.session.headers[API_KEY_HEADER] = api_key
        self.requests = 0
        self.lockouts = 0
        self.items = 0  # progress: items of the job done
        self.stop = threading.Event()

    def call(self, method: str, path: str, params: dict[str, Any] | None = None, body: Any = None) -> Any:
        while True:
            response = self.session.request(method, self.base_url + path, params=params, json=body, timeout=60)
            self.requests += 1
            if response.status_code == 429:
                self.lockouts += 1
                if self.stop.wait(float(response.headers.get("Retry-After", 60))):
                    raise RuntimeError("stopped")
                continue
            response.raise_for_status()
            return response.json()

    def get(self, path: str, **params: Any) -> Any:
        return self.call("GET", path, params=params)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.call("POST", path, body=body)

    def entries(self, path: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Every entry of a list, page after page, in the server's default page size."""
        cursor = None
        while True:
            page = self.get(path, **params, **({"pagination_cursor": cursor} if cursor else {}))
            yield from page["entries"]
            if not page.get("has_more"):
                return
            cursor = page["next_cursor"]

    def close(self) -> None:
        self.session.close()


def list_all(luma: NaiveLuma, path: str, **params: Any) -> int:
    seen = 0
    for _ in luma.entries(path, **params):
        seen += 1
        luma.items = seen
    return seen


def list_events(luma: NaiveLuma, target: dict[str, Any]) -> int:
    return list_all(luma, "/v1/calendars/events/list")


def list_guests(luma: NaiveLuma, target: dict[str, Any]) -> int:
    return list_all(luma, "/v1/events/guests/list", event_id=target["event_id"])


def list_people(luma: NaiveLuma, target: dict[str, Any]) -> int:
    return list_all(luma, "/v1/calendars/contacts/list")


def add_guests(luma: NaiveLuma, target: dict[str, Any]) -> int:
    for n, email in enumerate(target["emails"], 1):
        luma.post(
            "/v1/events/guests/add",
            {"event_id": target["event_id"], "guests": [{"email": email}], "send_email": False},
        )
        luma.items = n
    return len(target["emails"])


def send_invites(luma: NaiveLuma, target: dict[str, Any]) -> int:
    for n, email in enumerate(target["emails"], 1):
        luma.post("/v1/events/guests/send-invites", {"event_id": target["event_id"], "guests": [{"email": email}]})
        luma.items = n
    return len(target["emails"])


def approve(luma: NaiveLuma, target: dict[str, Any]) -> int:
    """Approves each pending guest of the verified domain, one request per guest."""
    pending = list(
        luma.entries("/v1/events/guests/list", event_id=target["event_id"], approval_status="pending_approval")
    )
    changed = 0
    for guest in pending:
        if guest["user_email"].rsplit("@", 1)[-1].lower() == "acme.example":
            luma.post(
                "/v1/events/guests/update-status",
                {"event_id": target["event_id"], "guest_id": guest["id"], "status": "approved", "send_email": False},
            )
            changed += 1
            luma.items = changed
    return changed


def summary(luma: NaiveLuma, target: dict[str, Any]) -> int:
    """The event, its ticket types and every guest, one read after another; counted by the script."""
    event_id = target["event_id"]
    luma.get("/v1/events/get", event_id=event_id)
    luma.get("/v1/events/ticket-types/list", event_id=event_id)
    sold: dict[str, int] = {}
    for guest in luma.entries("/v1/events/guests/list", event_id=event_id):
        for ticket in guest.get("event_tickets") or []:
            sold[ticket["event_ticket_type_id"]] = sold.get(ticket["event_ticket_type_id"], 0) + 1
        luma.items += 1
    return sum(sold.values())


def poll(luma: NaiveLuma, target: dict[str, Any]) -> int:
    """New registrations since the last poll: every upcoming event, then every guest of each, one after another."""
    since = target["last_poll"]
    new = 0
    upcoming = list(luma.entries("/v1/calendars/events/list", after=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())))
    for event in upcoming:
        for guest in luma.entries("/v1/events/guests/list", event_id=event["id"]):
            if (guest.get("registered_at") or "") > since:
                new += 1
        luma.items += 1
    return new


def demo(luma: NaiveLuma, target: dict[str, Any]) -> int:
    """bin/demo's five workflows (see tools/demo.py), the way a script does them."""
    from tools.demo import BUYERS, CRM_EXPORT, REGISTRANTS, SALES_MILESTONE, VERIFIED_DOMAINS

    luma.get("/v1/users/get-self")
    start = time.strftime("%Y-%m-%dT18:00:00.000Z", time.gmtime(time.time() + 10 * 86400))
    created = luma.post(
        "/v1/events/create",
        {
            "name": "Autohive demo: Product Launch Night",
            "start_at": start,
            "timezone": "America/New_York",
            "end_at": time.strftime("%Y-%m-%dT20:30:00.000Z", time.gmtime(time.time() + 10 * 86400)),
            "description_md": "Created by a script.",
            "geo_address_json": {"type": "manual", "address": "350 5th Ave, New York, NY 10118"},
            "visibility": "private",
            "max_capacity": 120,
        },
    )
    event_id = created["id"]
    luma.get("/v1/events/get", event_id=event_id)  # the page URL to print
    paid = luma.post(
        "/v1/events/ticket-types/create",
        {"event_id": event_id, "name": "Early Bird", "type": "paid", "cents": 1500, "currency": "usd"},
    )
    for _ in range(2):  # the CRM sync, run twice, one request per row
        for row in CRM_EXPORT:
            luma.post("/v1/events/guests/add", {"event_id": event_id, "guests": [row], "send_email": False})
    list(luma.entries("/v1/events/guests/list", event_id=event_id, approval_status="approved"))
    people = [p for p in luma.entries("/v1/calendars/contacts/list", tags=["VIP", "Speaker"])][:25]
    for person in people:
        invite = {"email": person["email"], **({"name": person["name"]} if person.get("name") else {})}
        luma.post(
            "/v1/events/guests/send-invites",
            {"event_id": event_id, "guests": [invite], "message": "You're on our VIP list - join us!"},
        )
    for row in REGISTRANTS:
        luma.post(
            "/v1/events/guests/add",
            {"event_id": event_id, "guests": [row], "approval_status": "pending_approval", "send_email": False},
        )
    for guest in list(luma.entries("/v1/events/guests/list", event_id=event_id, approval_status="pending_approval")):
        if guest["user_email"].rsplit("@", 1)[-1].lower() in VERIFIED_DOMAINS:
            luma.post(
                "/v1/events/guests/update-status",
                {"event_id": event_id, "guest_id": guest["id"], "status": "approved", "send_email": False},
            )
    for row in BUYERS:
        luma.post(
            "/v1/events/guests/add",
            {
                "event_id": event_id,
                "guests": [row],
                "ticket": {"event_ticket_type_id": paid["id"]},
                "send_email": False,
            },
        )
    sold = sum(
        1
        for guest in luma.entries("/v1/events/guests/list", event_id=event_id)
        for ticket in guest.get("event_tickets") or []
        if ticket.get("event_ticket_type_id") == paid["id"]
    )
    if sold >= SALES_MILESTONE:
        luma.post(
            "/v1/events/coupons/create",
            {
                "event_id": event_id,
                "code": f"THANKS{SALES_MILESTONE}",
                "discount": {"discount_type": "percent", "percent_off": 15},
                "remaining_count": 25,
            },
        )
        list(luma.entries("/v1/events/coupons/list", event_id=event_id))
    # The sixth part: registrations since the last look, by reading the whole guest list each time, at the moments
    # the demo polls (it pauses as a poll interval would).
    from operations.changes import VISIBILITY_LAG

    seen = {guest["id"] for guest in luma.entries("/v1/events/guests/list", event_id=event_id)}
    luma.outside.register_guest(event_id, "nina.patel@acme.example", "Nina Patel", ticket_type_id=paid["id"])
    for _ in range(2):
        time.sleep(VISIBILITY_LAG.total_seconds() + 0.5)
        seen |= {guest["id"] for guest in luma.entries("/v1/events/guests/list", event_id=event_id)}
    return 1
