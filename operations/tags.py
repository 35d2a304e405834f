"""Tags of the calendar's people (Luma's contact tags) and of its events.

Luma gives both kinds the same six routes (list, create, update, delete, apply, unapply); they differ only in what a
tag is put on and where a tag shows on it, so one implementation serves both, parametrized by a `TagKind`.
"""

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import routes
from helpers import InputError, LumaClient, LumaNotFoundError, LumaResponseError, compact, has_id
from operations.removals import remove
from emails import email_key
from validation import normalize_email, visible_text
from writes import Absent, FindNew, Landed, Outcome, Partial, ReadBack, gone_check, not_in

# Luma documents no maximum for one apply/unapply. A call is one request, never split, so its counts are Luma's own
# for the whole call; 100 keeps that request quick, and a check after a lost answer short (it reads 100 people or
# events per page and stops once it has seen every one given).
MAX_TARGETS_PER_CALL = 100
# A check after a lost apply/unapply reads at most this many pages of 100 per look, so it costs a few requests;
# what it could not see is reported as unconfirmed, never guessed.
CHECK_PAGES = 3
# How many of the calendar's tags an error about an unknown tag names.
SHOWN_TAGS = 20


@dataclass(frozen=True)
class TagKind:
    """What differs between person tags and event tags: routes, where a tag shows, and the words of messages."""

    noun: str  # "person tag"
    things: str  # what a tag is put on, plural: "people"
    list_route: str
    create_route: str
    update_route: str
    delete_route: str
    apply_route: str
    unapply_route: str
    list_action: str
    create_action: str
    update_action: str
    delete_action: str
    # Where tagged things are read after a lost apply/unapply, and the action a person checks them with.
    holders_route: str
    holders_params: Callable[[str], dict[str, Any]]
    holders_action: str
    # The keys an entry of holders_route is known by (an email, a user id, an event id), matched against targets.
    keys_of: Callable[[dict[str, Any]], set[str]]


def _person_keys(person: dict[str, Any]) -> set[str]:
    keys = {email_key(person.get("email")), person.get("user_id"), person.get("id")}
    return {key for key in keys if isinstance(key, str) and key}


def _event_keys(event: dict[str, Any]) -> set[str]:
    return {event["id"]} if isinstance(event.get("id"), str) else set()


PERSON_TAGS = TagKind(
    noun="person tag",
    things="people",
    list_route=routes.CONTACT_TAGS_LIST,
    create_route=routes.CONTACT_TAGS_CREATE,
    update_route=routes.CONTACT_TAGS_UPDATE,
    delete_route=routes.CONTACT_TAGS_DELETE,
    apply_route=routes.CONTACT_TAGS_APPLY,
    unapply_route=routes.CONTACT_TAGS_UNAPPLY,
    list_action="list_person_tags",
    create_action="create_person_tag",
    update_action="update_person_tag",
    delete_action="delete_person_tag",
    holders_route=routes.CONTACTS_LIST,
    # Only the tag's people: far fewer pages than the whole calendar.
    holders_params=lambda tag_id: {"tags": [tag_id]},
    holders_action="list_people",
    keys_of=_person_keys,
)
EVENT_TAGS = TagKind(
    noun="event tag",
    things="events",
    list_route=routes.EVENT_TAGS_LIST,
    create_route=routes.EVENT_TAGS_CREATE,
    update_route=routes.EVENT_TAGS_UPDATE,
    delete_route=routes.EVENT_TAGS_DELETE,
    apply_route=routes.EVENT_TAGS_APPLY,
    unapply_route=routes.EVENT_TAGS_UNAPPLY,
    list_action="list_event_tags",
    create_action="create_event_tag",
    update_action="update_event_tag",
    delete_action="delete_event_tag",
    holders_route=routes.CALENDAR_EVENTS_LIST,
    # Luma has no tag filter on events: the latest first, where the events people tag usually are, and the events
    # merely listed on the calendar too, since Luma tags every event on the calendar.
    holders_params=lambda tag_id: {"access": ["manage", "view"], "sort_direction": "desc"},
    holders_action="get_events",
    keys_of=_event_keys,
)


# ---- The calendar's tags -----------------------------------------------------------------------------------


def tag_ids(holder: dict[str, Any]) -> set[Any]:
    """The ids of the tags an event or a person carries."""
    tags = holder.get("tags")
    return {tag.get("id") for tag in tags if isinstance(tag, dict)} if isinstance(tags, list) else set()


def tag_names(holder: dict[str, Any]) -> list[Any] | None:
    """The names of the tags an event or a person carries, for a summary; None when Luma shows no list of them."""
    tags = holder.get("tags")
    return [tag.get("name") for tag in tags if isinstance(tag, dict)] if isinstance(tags, list) else None


def tag_summary(tag: dict[str, Any]) -> dict[str, Any]:
    """A tag is little more than its name; its color only matters when showing it, so detail full adds it."""
    return {"id": tag.get("id"), "name": tag.get("name")}


async def list_tags(client: LumaClient, kind: TagKind) -> dict[str, Any]:
    """Every tag of the kind. Luma's list takes no cursor and answers all of them at once; its has_more is passed
    on as it is (false in every answer seen), with no cursor to continue from."""
    data = await client.get(kind.list_route)
    entries = data.get("entries")
    if not isinstance(entries, list):
        raise LumaResponseError(f"GET {kind.list_route}: Luma's answer had no list of entries; retry later.")
    return {
        "entries": [tag for tag in entries if has_id(tag)],
        "has_more": bool(data.get("has_more")),
        "next_cursor": None,
    }


async def calendar_tags(client: LumaClient, kind: TagKind) -> list[dict[str, Any]]:
    return (await list_tags(client, kind))["entries"]


async def find_tag(client: LumaClient, kind: TagKind, tag_id: str) -> dict[str, Any] | None:
    return next((tag for tag in await calendar_tags(client, kind) if tag["id"] == tag_id), None)


def same_name(a: Any, b: Any) -> bool:
    return isinstance(a, str) and isinstance(b, str) and a.strip().casefold() == b.strip().casefold()


def _shown(tags: list[dict[str, Any]]) -> str:
    names = ", ".join(f"'{tag.get('name')}' ({tag['id']})" for tag in tags[:SHOWN_TAGS])
    more = f" and {len(tags) - SHOWN_TAGS} more" if len(tags) > SHOWN_TAGS else ""
    return names + more


def _no_such_tag(kind: TagKind, field: str, given: str, tags: list[dict[str, Any]]) -> str:
    """The sentence for a tag (by id or name) or a tag_id (by id) the calendar does not have, naming its tags."""
    if not tags:
        return f"{field} '{given}': this calendar has no {kind.noun}s yet. Create one with {kind.create_action}."
    by_name = field == "tag"
    known = [str(tag.get("name") if by_name else tag["id"]) for tag in tags]
    close = difflib.get_close_matches(given, known, n=1, cutoff=0.6)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return (
        f"{field} '{given}' is not one of this calendar's {kind.noun}s.{hint} They are: {_shown(tags)}. Give one "
        f"of these ({'its id or name' if by_name else 'its id'}), or create the tag with {kind.create_action}."
    )


async def resolve_tag(client: LumaClient, kind: TagKind, given: str) -> dict[str, Any]:
    """The tag a caller named by id or name. Luma would take a name too, but a misspelt one must be an error that
    shows the calendar's tags, never a silent no-op; names match ignoring case when only one tag fits."""
    ref = given.strip()
    tags = await calendar_tags(client, kind)
    by_id = [tag for tag in tags if tag["id"] == ref]
    exact = [tag for tag in tags if tag.get("name") == ref]
    folded = [tag for tag in tags if same_name(tag.get("name"), ref)]
    found = by_id or exact or folded
    if not found:
        raise InputError(_no_such_tag(kind, "tag", ref, tags))
    if len(found) > 1:
        raise InputError(
            f"tag '{ref}' fits {len(found)} {kind.noun}s whose names differ only in case: {_shown(found)}. Give the "
            "tag's id instead."
        )
    return found[0]


# ---- Create, update, delete --------------------------------------------------------------------------------


def _name_taken(kind: TagKind, holder: dict[str, Any]) -> InputError:
    return InputError(
        f"The calendar's {kind.noun} '{holder.get('name')}' already exists (id {holder['id']}, color "
        f"{holder.get('color')}); tag names are compared ignoring case, since a tag is also named by its name. "
        f"Use that tag, or change it with {kind.update_action}."
    )


async def create_tag(client: LumaClient, kind: TagKind, name: str, color: str | None = None) -> dict[str, Any]:
    name = visible_text(name, "name")
    # Luma documents nothing about a second tag with the same name; two would make a name ambiguous wherever it
    # names a tag (apply, list filters), so it is refused here, with the tag that has it.
    existing = await calendar_tags(client, kind)
    taken = next((tag for tag in existing if same_name(tag.get("name"), name)), None)
    if taken is not None:
        raise _name_taken(kind, taken)
    body = compact({"name": name, "color": color})
    # Tags carry no creation time: a tag absent from the list read before the request is one this request made.
    confirm = FindNew(
        candidates=lambda: calendar_tags(client, kind),
        is_new=not_in({tag["id"] for tag in existing}),
        matches=lambda tag: same_name(tag.get("name"), name) and (color is None or tag.get("color") == color),
        checked=f"the calendar's {kind.noun}s for a new one named '{name}'",
        verify=f"List them with {kind.list_action}",
    )
    created = await client.post(kind.create_route, body, confirm=confirm, expect_id=True)
    # Luma answers only the id; a tag found by the check carries the color Luma chose.
    return {
        "id": created["id"],
        "name": created.get("name") or name,
        **compact({"color": created.get("color") or color}),
    }


def _name_given(kind: TagKind, tag_id: str, tags: list[dict[str, Any]], action: str) -> None:
    """A tag's name given as its tag_id: Luma knows no such id, and a delete would take it for already deleted."""
    if any(tag["id"] == tag_id for tag in tags):
        return
    named = [tag for tag in tags if same_name(tag.get("name"), tag_id)]
    if named:
        ids = " or ".join(tag["id"] for tag in named)
        raise InputError(f"'{tag_id}' is the name of {kind.noun} {ids}; {action} takes its id.")


async def update_tag(
    client: LumaClient, kind: TagKind, tag_id: str, *, name: str | None = None, color: str | None = None
) -> dict[str, Any]:
    if name is None and color is None:
        raise InputError(f"Nothing to change: give name, color or both for {kind.noun} {tag_id}.")
    name = visible_text(name, "name") if name is not None else None
    tags = await calendar_tags(client, kind)
    _name_given(kind, tag_id, tags, kind.update_action)
    current = next((tag for tag in tags if tag["id"] == tag_id), None)
    if current is None:
        raise LumaNotFoundError(_no_such_tag(kind, "tag_id", tag_id, tags), status=404)
    taken = next((tag for tag in tags if tag["id"] != tag_id and same_name(tag.get("name"), name)), None)
    if taken is not None:
        raise _name_taken(kind, taken)
    changes = compact({"name": name, "color": color})
    confirm = ReadBack(
        read=lambda: find_tag(client, kind, tag_id),
        matches=lambda tag: all(tag.get(key) == value for key, value in changes.items()),
        checked=f"{kind.noun} {tag_id}'s {' and '.join(changes)}",
        verify=f"Read it with {kind.list_action}",
    )
    try:
        await client.post(kind.update_route, {"tag_id": tag_id, **changes}, confirm=confirm)
    except LumaNotFoundError as error:
        raise LumaNotFoundError(
            f"Luma no longer has {kind.noun} {tag_id} (404): it was deleted while this update ran. See the calendar's "
            f"{kind.noun}s with {kind.list_action}.",
            status=404,
            luma_message=error.luma_message,
        ) from None
    return {**current, **changes}


async def delete_tag(client: LumaClient, kind: TagKind, tag_id: str) -> dict[str, Any]:
    """Deletes the tag (Luma takes it off everything carrying it). A tag id (tag-...) Luma does not know (404) is
    reported as already absent, as a retry after a lost answer finds it."""
    if not tag_id.startswith("tag-"):
        # Luma's tag ids start with tag- ("usually"): anything else is read against the names first.
        _name_given(kind, tag_id, await calendar_tags(client, kind), kind.delete_action)
    confirm = gone_check(
        lambda: find_tag(client, kind, tag_id),
        checked=f"the calendar's {kind.noun}s for {tag_id}",
        verify=f"Look for it with {kind.list_action}",
    )
    absent = await remove(client, kind.delete_route, {"tag_id": tag_id}, confirm, named=("tag_id", tag_id))
    return {"deleted": True, "tag_id": tag_id, "already_absent": absent}


# ---- Put on and take off -----------------------------------------------------------------------------------


def _distinct(values: list[str], key: Callable[[str], str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(key(value), value)
    return list(seen.values())


def _at_most(count: int, what: str) -> None:
    if count > MAX_TARGETS_PER_CALL:
        raise InputError(
            f"{what} hold {count} entries; at most {MAX_TARGETS_PER_CALL} fit in one call (one request to Luma, "
            f"whose answer counts them all at once). Send the first {MAX_TARGETS_PER_CALL}, then call again with "
            "the rest."
        )


def people_targets(emails: list[str] | None, user_ids: list[str] | None) -> dict[str, list[str]]:
    """Luma's `emails` and `user_ids` of an apply/unapply: emails validated and normalized, repeats dropped (emails
    by email_key), at least one person and at most MAX_TARGETS_PER_CALL."""
    emails = _distinct([normalize_email(email, f"emails[{at}]") for at, email in enumerate(emails or [])], email_key)
    user_ids = _distinct([user_id.strip() for user_id in user_ids or []], str)
    if not emails and not user_ids:
        raise InputError("Give the people: emails, user_ids or both, with at least one entry between them.")
    _at_most(len(emails) + len(user_ids), "emails and user_ids together")
    return compact({"emails": emails or None, "user_ids": user_ids or None})


def event_targets(event_ids: list[str]) -> dict[str, list[str]]:
    """Luma's `event_ids` of an apply/unapply: repeats dropped, at most MAX_TARGETS_PER_CALL."""
    event_ids = _distinct([event_id.strip() for event_id in event_ids], str)
    _at_most(len(event_ids), "event_api_ids")
    return {"event_ids": event_ids}


def _target_key(field: str, value: str) -> str:
    return email_key(value) if field == "emails" else value


@dataclass(frozen=True)
class Checked:
    """What a check after a lost answer showed: every target in the requested state; `seen` when each was seen on
    the calendar (so none can have been skipped)."""

    done: list[str]
    seen: bool


@dataclass
class TagsShow:
    """Write-safety check for apply/unapply. Both are idempotent on Luma's state, so the check reads that state:
    who carries the tag now. Luma applies one request as a whole, so a target seen on the calendar in the state
    opposite to the one requested proves the request did not land; targets not seen (not on the calendar, or
    beyond the pages read) stay unconfirmed."""

    kind: TagKind
    tag: dict[str, Any]
    targets: dict[str, list[str]]
    adding: bool

    def __post_init__(self) -> None:
        self.checked = (
            f"which of the {self.kind.things} given carry {self.kind.noun} '{self.tag.get('name')}' ({self.tag['id']})"
        )
        self.verify = f"Check their tags with {self.kind.holders_action}"

    async def check(self, client: LumaClient, sent_at: datetime) -> Outcome:
        wanted = {_target_key(field, value): value for field, values in self.targets.items() for value in values}
        carrying: set[str] = set()
        without: set[str] = set()
        complete, pages = False, 0
        async for page in client.pages(self.kind.holders_route, self.kind.holders_params(self.tag["id"])):
            for entry in page.entries:
                keys = self.kind.keys_of(entry) & set(wanted)
                tagged = self.tag["id"] in tag_ids(entry)
                (carrying if tagged else without).update(wanted[key] for key in keys)
            pages += 1
            complete = not page.has_more
            if complete or len(carrying | without) == len(wanted) or pages >= CHECK_PAGES:
                break
        targets = list(wanted.values())
        if self.adding:
            done, undone = [t for t in targets if t in carrying], [t for t in targets if t in without]
        else:
            # Not carrying the tag is the state asked for, also for anyone absent from a complete list of holders.
            gone = [t for t in targets if t in without or (complete and t not in carrying)]
            done, undone = gone, [t for t in targets if t in carrying]
        if undone or not done:
            return Absent()
        unknown = [t for t in targets if t not in done]
        if unknown:
            return Partial(done, unknown)
        return Landed(Checked(done, seen=all(t in carrying | without for t in targets)))


def _count(answer: dict[str, Any], key: str) -> int | None:
    value = answer.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value == int(value) and value >= 0:
        return int(value)
    return None


async def retag(
    client: LumaClient, kind: TagKind, tag: str, targets: dict[str, list[str]], *, adding: bool
) -> dict[str, Any]:
    """Puts the tag on the targets (adding) or takes it off. Luma only touches people already on the calendar (or
    events on it) and counts the others as skipped."""
    found = await resolve_tag(client, kind, tag)
    route = kind.apply_route if adding else kind.unapply_route
    outcome = await client.write(route, {"tag": found["id"], **targets}, confirm=TagsShow(kind, found, targets, adding))
    counted = "applied_count" if adding else "removed_count"
    if isinstance(outcome, Partial):
        count, skipped, checked, unconfirmed = len(outcome.landed), None, True, outcome.missing
    elif isinstance(outcome.value, Checked):
        count, skipped, checked, unconfirmed = len(outcome.value.done), 0 if outcome.value.seen else None, True, []
    else:
        answer = outcome.value if isinstance(outcome.value, dict) else {}
        count, skipped, checked, unconfirmed = _count(answer, counted), _count(answer, "skipped_count"), False, []
    return {
        "tag": tag_summary(found),
        counted: count,
        "skipped_count": skipped,
        "confirmed_by_check": checked,
        "unconfirmed": unconfirmed,
    }
