"""The calendar's people (Luma calls them contacts) and their tags."""

from typing import Any

import routes
from helpers import InputError, LumaClient, lean

# Tags named in an error, at most: a calendar may have hundreds.
SHOWN_TAGS = 50


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


# ---- tags of people -----------------------------------------------------------------------------------------


async def person_tags(client: LumaClient) -> list[dict[str, Any]]:
    # contact-tags/list answers has_more but takes no cursor: one answer is all Luma gives.
    return await client.get_entries(routes.CONTACT_TAGS_LIST)


def _tags_text(known: list[dict[str, Any]]) -> str:
    if not known:
        return "The calendar has no tags yet (create one in Luma, or with the tag actions)."
    shown = ", ".join(f"'{tag.get('name')}' ({tag.get('id')})" for tag in known[:SHOWN_TAGS])
    more = f" and {len(known) - SHOWN_TAGS} more" if len(known) > SHOWN_TAGS else ""
    return f"The calendar's tags are: {shown}{more}."


def match_tags(wanted: list[str], known: list[dict[str, Any]], field: str = "tags") -> list[dict[str, Any]]:
    """The calendar's tags that `wanted` names, each by id or by name (a name in any case), in order and once each.
    A name or id the calendar lacks is an error that lists the calendar's tags."""
    by_id = {tag.get("id"): tag for tag in known}
    found: list[dict[str, Any]] = []
    unknown: list[str] = []
    for ref in wanted:
        text = ref.strip()
        tag = by_id.get(text)
        if tag is None:
            exact = [t for t in known if t.get("name") == text]
            folded = [t for t in known if str(t.get("name", "")).lower() == text.lower()]
            if len(exact) == 1 or len(folded) == 1:
                tag = (exact or folded)[0]
            elif len(folded) > 1:
                ids = ", ".join(f"'{t.get('name')}' ({t.get('id')})" for t in folded)
                raise InputError(f"{field}: '{ref}' names more than one tag in other cases ({ids}); give the id.")
        if tag is None:
            unknown.append(ref)
        elif tag not in found:
            found.append(tag)
    if unknown:
        names = ", ".join(f"'{ref}'" for ref in unknown)
        raise InputError(
            f"{field}: the calendar has no tag {names}. {_tags_text(known)} Give tags by id or by name (any case)."
        )
    return found


async def resolve_tags(client: LumaClient, wanted: list[str] | None, field: str = "tags") -> list[dict[str, Any]]:
    return match_tags(wanted, await person_tags(client), field) if wanted else []


# ---- listing people -----------------------------------------------------------------------------------------


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
    # Luma answers an unknown tag with nobody rather than an error; the ids of the tags named are sent, so a name
    # in another case finds its tag too.
    tag_ids = [tag["id"] for tag in await resolve_tags(client, tags)] or None
    params = {
        "query": query,
        # Luma reads tags as repeated query keys (?tags=a&tags=b) and matches contacts with ANY of them.
        "tags": tag_ids,
        "membership_status": membership_status,
        "calendar_membership_tier_id": calendar_membership_tier_id,
        "sort_column": sort_column,
        "sort_direction": sort_direction,
    }
    return await client.collect(routes.CONTACTS_LIST, params, limit=limit, cursor=cursor)
