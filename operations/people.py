"""The calendar's people (Luma calls them contacts)."""

from typing import Any

import routes
from helpers import LumaClient


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
) -> dict[str, Any]:
    params = {
        "query": query,
        # Luma reads tags as repeated query keys (?tags=a&tags=b) and matches contacts with ANY of them.
        "tags": tags,
        "membership_status": membership_status,
        "calendar_membership_tier_id": calendar_membership_tier_id,
        "sort_column": sort_column,
        "sort_direction": sort_direction,
    }
    return await client.collect(routes.CONTACTS_LIST, params, limit=limit, cursor=cursor)
