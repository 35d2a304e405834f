"""Sample Luma objects as Luma's API returns them, for unit tests to answer with."""

from datetime import datetime, timezone
from typing import Any

# The time the client thinks it is in unit tests that pin it (the `fixed_now` fixture).
NOW = datetime(2026, 2, 1, 12, 0, 0, tzinfo=timezone.utc)

USER = {
    "id": "usr-abc123",
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "avatar_url": "https://images.lumacdn.com/avatars/ada.png",
}
EVENT = {
    "platform": "luma",
    "id": "evt-abc123",
    "user_id": "usr-owner",
    "calendar_id": "cal-main",
    "name": "Python Meetup",
    "start_at": "2026-03-01T23:00:00.000Z",
    "end_at": "2026-03-02T01:00:00.000Z",
    "duration_interval": "PT2H",
    "created_at": "2026-02-01T12:00:01.000Z",
    "timezone": "America/New_York",
    "description": "",
    "description_md": "",
    "geo_address_json": None,
    "coordinate": None,
    "meeting_url": None,
    "url": "https://luma.com/python-meetup",
    "visibility": "public",
    "hosts": [{"id": "usr-owner", "email": "owner@example.com", "name": "Owner"}],
    "location_type": "missing",
    "location_visibility": "public",
    "cover_url": "https://images.lumacdn.com/gallery-images/default-cover.png",
    "registration_questions": [],
    "waitlist_status": "disabled",
    "registration_open": True,
    "require_approval": False,
    "spots_remaining": 38,
    "display_price": {"amount": 2500, "currency": "usd", "is_flexible": False},
    "feedback_email": {"enabled": False, "delay": "PT0M"},
    "access": "manage",
    "guest_counts": {
        "approved": {"guests": 2, "tickets": 2},
        "pending_approval": {"guests": 1, "tickets": 1},
        "waitlist": {"guests": 0, "tickets": 0},
        "invited": {"guests": 3, "tickets": 0},
        "declined": {"guests": 0, "tickets": 0},
        "checked_in": {"guests": 1, "tickets": 1},
    },
}
TICKET_TYPE = {
    "id": "ttype-vip",
    "name": "VIP",
    "type": "paid",
    "cents": 2500,
    "currency": "usd",
    "is_flexible": False,
    "min_cents": None,
    "max_capacity": None,
    "require_approval": False,
    "is_hidden": False,
    "description": None,
    "valid_start_at": None,
    "valid_end_at": None,
}
COUPON = {
    "id": "ecp-half",
    "code": "HALF",
    "remaining_count": 1000000,
    "valid_start_at": None,
    "valid_end_at": None,
    "percent_off": 50,
    "cents_off": None,
    "currency": None,
    "event_ticket_type_id": None,
}


def guest_record(email: str, status: str = "approved", gid: str | None = None, at: str = "2026-03-01T18:00:00.000Z"):
    """A guest as guests/get returns it: registered at `at`, or invited then when `status` is invited."""
    local = email.split("@")[0]
    return {
        "id": gid or f"gst-{local}",
        "user_id": f"usr-{local}",
        "user_email": email,
        "user_name": local.title(),
        "user_first_name": None,
        "user_last_name": None,
        "approval_status": status,
        "check_in_qr_code": "https://luma.com/check-in/x",
        "registered_at": None if status == "invited" else at,
        "invited_at": at if status == "invited" else None,
        "event_tickets": [],
    }


def emails(n: int, prefix: str = "person") -> list[str]:
    """n distinct addresses, in order: person000@example.com, person001@example.com, ..."""
    return [f"{prefix}{i:03d}@example.com" for i in range(n)]


def contact(n: int) -> dict:
    """The n-th person of the calendar, as contacts/list returns them."""
    return {
        "id": f"cnt-{n}",
        "user_id": f"usr-{n}",
        "email": f"p{n}@example.com",
        "name": f"Person {n}",
        "first_name": "Person",
        "last_name": str(n),
        "avatar_url": "https://images.lumacdn.com/avatars/x.png",
        "created_at": "2026-01-01T00:00:00.000Z",
        "event_approved_count": 2,
        "event_checked_in_count": 1,
        "revenue_usd_cents": 0,
        "tags": [{"id": "tag-vip", "name": "vip"}],
        "membership": None,
    }


# ---- memberships, webhooks, organizations ------------------------------------------------------------------

FREE_TIER = {
    "id": "cmt-free",
    "name": "Community",
    "description": None,
    "tint_color": "#6d28d9",
    "access_info": {"type": "free", "require_approval": False},
}
PAID_TIER = {
    "id": "cmt-supporter",
    "name": "Supporter",
    "description": "Backs the community every month",
    "tint_color": "#bb2dc7",
    "access_info": {
        "type": "payment-recurring",
        "currency": "usd",
        "stripe_account_id": "acct_123",
        "stripe_product_id": "prod_123",
        "stripe_monthly_price_id": "price_m",
        "amount_monthly": 1000,
        "stripe_yearly_price_id": None,
        "amount_yearly": None,
        "require_approval": False,
    },
}


def member(n: int, tier_id: str, status: str = "approved") -> dict:
    """The n-th person of the calendar holding a membership of tier_id."""
    return dict(contact(n), membership={"status": status, "calendar_membership_tier_id": tier_id})


# A fake signing secret for tests.
WEBHOOK_SECRET = "whsec_test9f8e7d6c5b4a3z2y1x0w"  # nosec B105
WEBHOOK = {
    "id": "wh-abc123",
    "url": "https://hooks.example.com/luma",
    "event_types": ["guest.registered"],
    "status": "active",
    "secret": WEBHOOK_SECRET,
    "created_at": "2026-02-01T12:00:01.000Z",
}


def calendar_sample(calendar_id: str, name: str, slug: str, **fields: Any) -> dict[str, Any]:
    """A calendar as Luma's /v1/calendars/get shows it: the optional profile fields empty unless given."""
    return {
        "id": calendar_id,
        "name": name,
        "slug": slug,
        "avatar_url": "https://images.lumacdn.com/avatars-default/avatar_1.png",
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
    } | fields


# A second calendar of the organization (organization keys).
ORGANIZATION_CALENDAR = calendar_sample("cal-second", "Second City", "second-city")
CALENDAR = calendar_sample(
    "cal-main",
    "Autohive Builders",
    "autohive-builders",
    avatar_url="https://images.lumacdn.com/avatars/cal.png",
    description="Monthly meetups.",
)


def submission(status: str = "pending", sid: str = "calev-partner") -> dict:
    """An event's entry on the calendar, as calendars/events/lookup returns it."""
    return {"id": sid, "status": status, "submitted_by": dict(USER)}
