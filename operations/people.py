"""The calendar's people (Luma calls them contacts)."""

from collections.abc import Callable
from typing import Any

import routes
from helpers import LumaClient, lean


def person_summary(person: dict[str, Any]) -> dict[str, Any]:
    """What a person scans in the calendar's people; detail "full" gives Luma's whole contact."""
    tags = person.get("tags")
    membership = person.get("membership")
    return {
        "id": person.get("id"),
        "email": person.get("email"),
        **lean(
            {
                "name": person.get("name"),
                "created_at": person.get("created_at"),
                "tags": [tag.get("name") for tag in tags if isinstance(tag, dict)] if isinstance(tags, list) else None,
                "membership_status": membership.get("status") if isinstance(membership, dict) else None,
                "event_approved_count": person.get("event_approved_count") or None,
                "event_checked_in_count": person.get("event_checked_in_count") or None,
                "revenue_usd_cents": person.get("revenue_usd_cents") or None,
            }
        ),
    }


async def list_people(
    client: LumaClient,
    *,
    query: str | None = None,
    tags: list[str] | None = None,
    membership_status: str | None = None,
    calendar_membership_tier_id: str | None = None,
    sort_column: str | None = None,
    sort_direction: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
    shape: Callable[[dict[str, Any]], Any] | None = None,
) -> dict[str, Any]:
    """The calendar's people: {entries, has_more, next_cursor}, each entry passed through `shape` when given."""
    params = {
        "query": query,
        # Luma reads tags as repeated query keys (?tags=a&tags=b) and matches contacts with ANY of them.
        "tags": tags,
        "membership_status": membership_status,
        "calendar_membership_tier_id": calendar_membership_tier_id,
        "sort_column": sort_column,
        "sort_direction": sort_direction,
    }
    return await client.collect(routes.CONTACTS_LIST, params, limit=limit, cursor=cursor, shape=shape)
