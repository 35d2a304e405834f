"""The main job: five everyday Luma workflows and a trigger, run through the integration as Autohive runs them.

Against the embedded local Luma by default; against real Luma when LUMA_API_KEY is set (then it creates one
private event named "Autohive demo ..." on the key's calendar, and every address it adds or invites is under
example.com or the reserved .example domain, which are never delivered).
"""

import asyncio
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone
from typing import Any

from operations.changes import VISIBILITY_LAG
from tools.session import Session, luma_session, outcome

VERIFIED_DOMAINS = {"acme.example", "globex.example"}
SALES_MILESTONE = 5
CRM_EXPORT = [
    {"email": "maya.chen@acme.example", "name": "Maya Chen"},
    {"email": "leo.martin@globex.example", "name": "Leo Martin"},
    {"email": "priya.nair@initech.example", "name": "Priya Nair"},
    {"email": "MAYA.CHEN@acme.example", "name": "Maya Chen (duplicate row)"},
    {"email": "sam.okafor@example.com", "name": "Sam Okafor"},
]
REGISTRANTS = [
    {"email": "ana.ruiz@acme.example", "name": "Ana Ruiz"},
    {"email": "tom.becker@globex.example", "name": "Tom Becker"},
    {"email": "kim.lee@gmail.example", "name": "Kim Lee"},
    {"email": "omar.haddad@unknown-startup.example", "name": "Omar Haddad"},
]
BUYERS = [{"email": f"buyer{n}@example.com", "name": f"Ticket Buyer {n}"} for n in range(1, 7)]


class StepFailed(Exception):
    pass


class Demo:
    def __init__(self, session: Session):
        self.session = session
        self.real_luma = session.emulator is None

    async def call(self, action: str, inputs: dict[str, Any]) -> dict[str, Any]:
        succeeded, payload = outcome(await self.session.run(action, inputs))
        if not succeeded:
            raise StepFailed(f"{action} failed: {payload}")
        return payload

    @staticmethod
    def say(text: str = "") -> None:
        print(text, flush=True)

    def heading(self, number: int, title: str) -> None:
        self.say(f"\n{number}. {title}\n" + "-" * (len(title) + 3))

    async def run(self) -> None:
        me = (await self.call("get_self", {}))["user"]
        self.say(f"Connected as {me.get('name') or me.get('email')} ({me['id']}) on {self.session.target}.")
        event, paid_ticket = await self.create_event()
        await self.sync_guest_list(event)
        await self.bulk_invite(event)
        await self.approve_registrations(event)
        await self.track_sales(event, paid_ticket)
        await self.registration_trigger(event, paid_ticket)
        self.say(
            "\nAll five workflows and the trigger ran through the integration's actions and triggers. Event: "
            + str(event.get("url"))
        )

    async def create_event(self) -> tuple[dict[str, Any], dict[str, Any]]:
        self.heading(1, "Automated event creation")
        start = (datetime.now(timezone.utc) + timedelta(days=10)).strftime("%Y-%m-%dT18:00:00")
        event = (
            await self.call(
                "create_event",
                {
                    "name": "Autohive demo: Product Launch Night",
                    "start_at": start,
                    "timezone": "America/New_York",
                    "duration_minutes": 150,
                    "description_md": "Created by the **Autohive Luma integration** demo.",
                    "geo_address_json": {"type": "manual", "address": "350 5th Ave, New York, NY 10118"},
                    "visibility": "private",
                    "max_capacity": 120,
                },
            )
        )["event"]
        self.say(f"Created {event['name']!r} ({event['id']}) starting {event.get('start_at')} UTC")
        self.say(f"  page: {event.get('url')}")
        paid = (
            await self.call(
                "create_ticket_type",
                {
                    "event_api_id": event["id"],
                    "name": "Early Bird",
                    "type": "paid",
                    "price": "15.00",
                    "currency": "usd",
                },
            )
        )["ticket_type"]
        self.say(f"Added ticket type {paid['name']!r}: {paid.get('cents')} cents {str(paid.get('currency')).upper()}")
        return event, paid

    async def sync_guest_list(self, event: dict[str, Any]) -> None:
        self.heading(2, "Guest list sync from a CRM export")
        self.say(f"CRM export has {len(CRM_EXPORT)} rows (one duplicate by case).")
        for attempt in ("first sync", "second sync (nothing new)"):
            result = await self.call(
                "add_guests", {"event_api_id": event["id"], "guests": CRM_EXPORT, "send_email": False}
            )
            per_status = Counter(r["status"] for r in result["results"])
            self.say(f"  {attempt}: " + ", ".join(f"{n} {status}" for status, n in sorted(per_status.items())))
        guests = await self.call("get_guests", {"event_api_id": event["id"], "approval_status": "approved"})
        self.say(f"Luma now lists {len(guests['guests'])} approved guests for the event.")

    async def bulk_invite(self, event: dict[str, Any]) -> None:
        self.heading(3, "Bulk invitations to a tagged audience")
        if self.real_luma:
            # Never email a real calendar's people from a demo: example.com addresses are never delivered.
            audience = [{"email": f"invitee{n}@example.com"} for n in range(1, 4)]
            self.say("Real Luma: inviting 3 example.com addresses (never delivered) instead of real people.")
        else:
            people = await self.call("list_people", {"tags": ["VIP", "Speaker"], "limit": 25})
            audience = [{"email": p["email"], "name": p.get("name")} for p in people["people"] if p.get("email")]
            audience = [{k: v for k, v in person.items() if v} for person in audience]
            self.say(f"list_people found {len(audience)} people tagged VIP or Speaker.")
        if not audience:
            self.say("Nobody to invite.")
            return
        result = await self.call(
            "send_invites",
            {"event_api_id": event["id"], "guests": audience, "message": "You're on our VIP list - join us!"},
        )
        self.say(
            f"Invites: {result['invited_count']} sent, {result['already_guest_count']} already on the list, "
            f"{result['failed_count']} failed, {result['not_processed_count']} not processed."
        )
        for row in result["results"]:
            if row["status"] not in ("invited", "already_guest"):
                self.say(f"  {row['email']}: {row['status']} - {row.get('message', '')}")

    async def approve_registrations(self, event: dict[str, Any]) -> None:
        self.heading(4, "Registration approval by verified email domain")
        await self.call(
            "add_guests",
            {
                "event_api_id": event["id"],
                "guests": REGISTRANTS,
                "approval_status": "pending_approval",
                "send_email": False,
            },
        )
        pending = (await self.call("get_guests", {"event_api_id": event["id"], "approval_status": "pending_approval"}))[
            "guests"
        ]
        self.say(
            f"{len(pending)} registrations wait for approval; verified domains: {', '.join(sorted(VERIFIED_DOMAINS))}"
        )
        result = await self.call(
            "update_guests_status",
            {
                "event_api_id": event["id"],
                "status": "approved",
                "from_status": ["pending_approval"],
                "email_domains": sorted(VERIFIED_DOMAINS),
                "send_email": False,
            },
        )
        self.say(
            f"update_guests_status (one call): {result['changed_count']} approved, {result['failed_count']} failed, "
            f"{result['unconfirmed_count']} unconfirmed."
        )
        approved = {row["email"] for row in result["results"] if row["status"] == "changed"}
        for row in result["results"]:
            if row["status"] == "changed":
                self.say(f"  approved {row['email']} -> approved")
            else:
                self.say(f"  {row['email']}: {row['status']} - {row.get('message', '')}")
        for guest in pending:
            if guest.get("email") not in approved:
                self.say(f"  left for manual review: {guest.get('email')}")

    async def track_sales(self, event: dict[str, Any], paid_ticket: dict[str, Any]) -> None:
        self.heading(5, f"Ticket sales tracking, discount code at {SALES_MILESTONE} tickets")
        await self.call(
            "add_guests",
            {
                "event_api_id": event["id"],
                "guests": BUYERS,
                "event_ticket_type_id": paid_ticket["id"],
                "send_email": False,
            },
        )
        summary = (await self.call("get_event_summary", {"event_api_id": event["id"]}))["summary"]
        sales = next(entry for entry in summary["ticket_types"] if entry["id"] == paid_ticket["id"])
        # Guests added through the API skip payment, so Luma records their paid tickets as complimentary.
        issued = sales["sold"] + sales.get("complimentary", 0)
        revenue = ", ".join(f"{entry['amount']} {entry['currency'].upper()}" for entry in summary["revenue"]) or "none"
        self.say(
            f"{issued} {paid_ticket['name']!r} tickets issued ({sales['sold']} paid, "
            f"{sales.get('complimentary', 0)} complimentary); {summary['tickets_sold'] + summary['complimentary']} "
            f"tickets in all; revenue: {revenue}."
        )
        if issued < SALES_MILESTONE:
            self.say("Milestone not reached yet: no discount code.")
            return
        coupon = (
            await self.call(
                "create_coupon",
                {
                    "event_api_id": event["id"],
                    "code": f"THANKS{SALES_MILESTONE}",
                    "percent_off": 15,
                    "remaining_count": 25,
                },
            )
        )["coupon"]
        self.say(f"Milestone reached: created code {coupon['code']} ({coupon.get('percent_off')}% off, 25 uses).")
        coupons = await self.call("list_coupons", {"event_api_id": event["id"]})
        self.say("Codes on the event: " + ", ".join(c["code"] for c in coupons["coupons"]))

    async def registration_trigger(self, event: dict[str, Any], paid_ticket: dict[str, Any]) -> None:
        self.heading(6, "Trigger: a new registration, reported once")
        if self.real_luma:
            self.say("Real Luma: skipped (a registration through the event page cannot be made through the API).")
            return
        inputs = {"event_api_id": event["id"]}

        async def poll(since: datetime | None) -> list[dict[str, Any]]:
            try:
                return await self.session.poll("new_guest", inputs, since.isoformat() if since else None)
            except Exception as error:  # noqa: BLE001 - a failed poll stops the demo with its message
                raise StepFailed(f"new_guest failed: {error}") from None

        first_poll = datetime.now(timezone.utc)
        recent = await poll(None)
        self.say(
            f"First poll (no earlier poll: a baseline of the last hour): {len(recent)} registrations "
            "(the guests added above are only seconds old: the next poll has them)."
        )
        self.session.emulator.register_guest(
            event["id"], "nina.patel@acme.example", "Nina Patel", ticket_type_id=paid_ticket["id"]
        )
        self.say(f"Nina Patel registers on the event page and buys a ticket: {paid_ticket['name']}.")
        # A poll reports changes up to a moment (VISIBILITY_LAG) before it starts; wait that long, as the platform's
        # 5-minute interval would.
        await asyncio.sleep(VISIBILITY_LAG.total_seconds() + 0.5)
        second_poll = datetime.now(timezone.utc)
        found = await poll(first_poll)
        nina = [record for record in found if record["data"]["guest_email"] == "nina.patel@acme.example"]
        for record in nina:
            data = record["data"]
            paid = f"{data['amount']} {str(data['currency']).upper()}" if data["amount_cents"] else "free"
            self.say(f"  new_guest: {data['guest_name']} <{data['guest_email']}>, {data['ticket_type']}, {paid}")
        self.say(f"Second poll, since the first: {len(found)} records, Nina's among them once.")
        await asyncio.sleep(VISIBILITY_LAG.total_seconds() + 0.5)
        again = await poll(second_poll)
        self.say(f"Polled again since then: {len(again)} records: each registration is reported once.")


async def main() -> int:
    async with luma_session() as session:
        print(f"Luma integration demo against {session.target}", flush=True)
        try:
            await Demo(session).run()
        except StepFailed as failure:
            print(f"\nStopped: {failure}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
