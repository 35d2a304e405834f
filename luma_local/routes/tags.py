"""Contact tags and event tags: one implementation, since Luma gives both the same six routes.

They differ only in what a tag is put on: contacts (named by ``user_ids``/``emails``) or events (``event_ids``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..errors import bad_request, not_found
from ..state import ACTIVE, CalendarData, new_id, public
from .base import Ctx, RouteTable, routes_of

COLORS = ["cranberry", "barney", "red", "green", "blue", "purple", "yellow", "orange"]


def by_id_or_name(store: dict[str, dict], value: str) -> dict | None:
    if value in store:
        return store[value]
    lowered = value.strip().lower()
    return next((t for t in store.values() if t["name"].lower() == lowered), None)


def resolve(store: dict[str, dict], values: Iterable[str]) -> list[dict]:
    found = []
    for v in values:
        tag = by_id_or_name(store, v)
        if tag is None:
            raise bad_request(f"Unknown tag '{v}': create it first")
        found.append(tag)
    return found


def tags_of(store: dict[str, dict], holder: dict) -> list[dict]:
    return [{"id": t, "name": store[t]["name"]} for t in holder["_tags"] if t in store]


def _contacts_named(ctx: Ctx) -> list[dict | None]:
    named = []
    for ident in list(ctx.body.get("user_ids") or []) + list(ctx.body.get("emails") or []):
        user = ctx.state.user_by_id_or_email(ident)
        contact = ctx.calendar.contacts.get(user["id"]) if user else None
        named.append(contact if contact and contact["_standing"] == ACTIVE else None)
    return named


def _events_named(ctx: Ctx) -> list[dict | None]:
    named = (ctx.state.events.get(event_id) for event_id in ctx.body["event_ids"])
    return [ev if ev is not None and ctx.calendar.lists(ev) else None for ev in named]


@dataclass(frozen=True)
class TagKind:
    path: str  # the route family, e.g. /v1/calendars/contact-tags
    store: Callable[[CalendarData], dict[str, dict]]
    holders: Callable[[Ctx], Iterable[dict]]  # everything that may carry a tag of this kind
    named: Callable[[Ctx], list[dict | None]]  # what an apply/unapply body names (None: unknown)


CONTACT_TAGS = TagKind(
    "/v1/calendars/contact-tags",
    lambda cal: cal.contact_tags,
    lambda ctx: ctx.calendar.contacts.values(),
    _contacts_named,
)
EVENT_TAGS = TagKind(
    "/v1/calendars/event-tags",
    lambda cal: cal.event_tags,
    lambda ctx: ctx.state.events.values(),
    _events_named,
)


ROUTES: RouteTable = {}
route = routes_of(ROUTES)


def _serve(kind: TagKind) -> None:
    """Files the six handlers of one kind of tag under its route family."""

    def store(ctx: Ctx) -> dict[str, dict]:
        return kind.store(ctx.calendar)

    def tag_or_404(ctx: Ctx, ref: str) -> dict:
        tag = by_id_or_name(store(ctx), ref)
        if tag is None:
            raise not_found(f"Tag {ref}")
        return tag

    @route("GET", f"{kind.path}/list")
    def list_tags(ctx: Ctx) -> dict:
        return {"entries": [public(t) for t in store(ctx).values()], "has_more": False}

    @route("POST", f"{kind.path}/create")
    def create(ctx: Ctx) -> dict:
        tags = store(ctx)
        name = ctx.body["name"].strip()
        if not name:
            raise bad_request("Invalid name: must not be blank")
        if by_id_or_name(tags, name) is not None:
            raise bad_request(f"A tag named '{name}' already exists")
        tag = {"id": new_id("tag"), "name": name, "color": ctx.body.get("color") or COLORS[len(tags) % len(COLORS)]}
        tags[tag["id"]] = tag
        return {"id": tag["id"]}

    @route("POST", f"{kind.path}/update")
    def update(ctx: Ctx) -> dict:
        b = ctx.body
        tag = store(ctx).get(b["tag_id"])
        if tag is None:
            raise not_found(f"Tag {b['tag_id']}")
        if b.get("name") is not None:
            other = by_id_or_name(store(ctx), b["name"])
            if other is not None and other["id"] != tag["id"]:
                raise bad_request(f"A tag named '{b['name']}' already exists")
            tag["name"] = b["name"].strip()
        if b.get("color") is not None:
            tag["color"] = b["color"]
        return {}

    @route("POST", f"{kind.path}/delete")
    def delete(ctx: Ctx) -> dict:
        tag_id = ctx.body["tag_id"]
        if store(ctx).pop(tag_id, None) is None:
            raise not_found(f"Tag {tag_id}")
        for holder in kind.holders(ctx):
            if tag_id in holder["_tags"]:
                holder["_tags"].remove(tag_id)
        return {}

    def retag(ctx: Ctx, *, adding: bool) -> dict:
        # Luma's document: skipped_count counts those "skipped because they are not calendar contacts" (events: "not
        # on this calendar"); so a contact or event already in the requested state is counted as applied / removed.
        tag = tag_or_404(ctx, ctx.body["tag"])
        done = skipped = 0
        for holder in kind.named(ctx):
            if holder is None:
                skipped += 1
                continue
            done += 1
            if adding and tag["id"] not in holder["_tags"]:
                holder["_tags"].append(tag["id"])
            elif not adding and tag["id"] in holder["_tags"]:
                holder["_tags"].remove(tag["id"])
        return {"applied_count" if adding else "removed_count": done, "skipped_count": skipped}

    @route("POST", f"{kind.path}/apply")
    def apply(ctx: Ctx) -> dict:
        return retag(ctx, adding=True)

    @route("POST", f"{kind.path}/unapply")
    def unapply(ctx: Ctx) -> dict:
        return retag(ctx, adding=False)


_serve(CONTACT_TAGS)
_serve(EVENT_TAGS)
