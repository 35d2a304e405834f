"""The calendar's people (Luma calls them contacts): list, import many with a truthful report per email, and block,
remove or restore one person.

Luma's contact object has no status: a blocked or removed person simply leaves contacts/list, so the list shows who
is active and nothing more. Blocked and removed people cannot be told apart through the API."""

import math
from collections.abc import Callable
from datetime import datetime
from typing import Any, Unpack

import routes
from helpers import InputError, LumaClient, LumaError, LumaNotFoundError, Paging, compact, lean, not_found
from operations.batches import EmailBatches, Record, look_up_each
from operations.removals import gone_or_unknown, remove
from operations.tags import tag_ids, tag_names
from emails import email_key, other_domain_form
from validation import luma_instant, normalize_email
from writes import Absent, ReadBack

# The same cap as a guest list: what one run can send, check and report on in its time budget.
MAX_PEOPLE_PER_CALL = 1000
# Luma documents no maximum for contacts[] in an import. An import sends no email, so a request is light; but a
# batch whose answer is lost is checked email by email (or with a read of the people list), twice, and 50 keeps that
# check inside one run's time budget and Luma's 200 requests a minute (as for guests), and a batch Luma refuses for
# one email is narrowed down to it in few halvings.
IMPORT_BATCH_SIZE = 50
# Up to this many emails are looked up one by one (contacts/list with query = the email); more are looked for in a
# paged read of the people list, which is cheaper on a calendar with fewer pages of people than emails asked.
LOOKUP_MAX_EMAILS = 10
# Tags named in an error, at most: a calendar may have hundreds.
SHOWN_TAGS = 50
UNCONFIRMED_IMPORT = (
    "Sent, but Luma's answer was lost or unreadable and the calendar's people did not show this email (with every "
    "tag given); it was not sent again, because Luma may still have applied it. Check with list_people (query = the "
    "email) before importing it again."
)


def person_summary(person: dict[str, Any]) -> dict[str, Any]:
    """What a person scans in the calendar's people; detail "full" gives Luma's whole contact."""
    membership = person.get("membership")
    return {
        "id": person.get("id"),
        "email": person.get("email"),
        **lean(
            {
                "name": person.get("name"),
                "created_at": person.get("created_at"),
                "tags": tag_names(person),
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


# ---- listing and finding people -----------------------------------------------------------------------------


async def list_people(
    client: LumaClient,
    *,
    query: str | None = None,
    tags: list[str] | None = None,
    membership_status: str | None = None,
    calendar_membership_tier_id: str | None = None,
    sort_column: str | None = None,
    sort_direction: str | None = None,
    **paging: Unpack[Paging],
) -> dict[str, Any]:
    """The calendar's people: {entries, has_more, next_cursor}, each entry passed through `shape` when given."""
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
    return await client.collect(routes.CONTACTS_LIST, params, **paging)


async def find_person(
    client: LumaClient, *, email: str | None = None, contact_id: str | None = None
) -> dict[str, Any] | None:
    """The person among the calendar's people, or None. An email is searched for (one request, usually): Luma's
    `query` is a search, so its matches are filtered to exactly this email. Luma has no lookup by id, so a
    contact_id is looked for page by page through the whole list."""
    if email is not None:
        # Luma stores the text it was given: an internationalised domain may be held in either form.
        for query in (email, other_domain_form(email)):
            found = (
                await client.find(
                    routes.CONTACTS_LIST,
                    {"query": query},
                    match=lambda entry: email_key(entry.get("email")) == email_key(email),
                )
                if query is not None
                else None
            )
            if found is not None:
                return found
        return None
    return await client.find(routes.CONTACTS_LIST, match=is_person(contact_id))


def is_person(contact_id: str | None) -> Callable[[dict[str, Any]], bool]:
    """Whether an entry of the calendar's people is the one a contact id or a usr- id names."""
    return lambda entry: contact_id in (entry.get("id"), entry.get("user_id"))


async def existing_people(
    client: LumaClient, emails: list[str], max_requests: int | None = None
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The people of those emails already on the calendar (by email_key), in few requests: a search per
    email, or a paged read of the people list. Luma gives no count of people, so the read stops once it has cost
    as many requests as the searches for the emails still missing would, and searches for those instead (never
    more than twice the cheaper way). Past `max_requests`, the emails not yet checked are returned for a later call."""
    found: dict[str, dict[str, Any]] = {}
    wanted = {email_key(email) for email in emails}
    budget = max_requests if max_requests is not None else math.inf
    if len(emails) > LOOKUP_MAX_EMAILS:
        pages_read = 0
        async for page in client.pages(routes.CONTACTS_LIST):
            for entry in page.entries:
                email = email_key(entry.get("email"))
                if email in wanted:
                    found[email] = entry
            pages_read += 1
            if len(found) == len(wanted) or not page.has_more:
                return found, []
            if pages_read >= min(len(wanted) - len(found), budget / 2):
                break
        budget -= pages_read
    rest = [email for email in emails if email_key(email) not in found]
    checked, unchecked = (rest, []) if len(rest) <= budget else (rest[: int(budget)], rest[int(budget) :])
    records = await look_up_each(checked, lambda email: find_person(client, email=email))
    found.update({email_key(email): record for email, record in zip(checked, records) if record is not None})
    return found, unchecked


# ---- import -------------------------------------------------------------------------------------------------


def has_tags(wanted: list[str]) -> Callable[[Record], bool]:
    def shows(record: Record) -> bool:
        return set(wanted) <= tag_ids(record)

    return shows


def person_since(record: Record) -> datetime | None:
    """When the person joined the calendar."""
    return luma_instant(record.get("created_at"))


class PeopleImport(EmailBatches):
    """People imported to the calendar, with tags. Someone already a person of the calendar is sent again only when
    they lack a tag given (Luma applies the tags, and keeps the name it has); they are reported already_person."""

    done = "imported"
    already = "already_person"
    batch_size = IMPORT_BATCH_SIZE
    unconfirmed = UNCONFIRMED_IMPORT
    checked = "each email of the batch among the calendar's people"
    verify = "Check each email with list_people (query = the email)"
    listing = "the calendar's people (list_people)"

    def __init__(self, client: LumaClient, tags: list[dict[str, Any]]):
        self.tag_ids = [tag["id"] for tag in tags]
        super().__init__(client, path=routes.CONTACTS_IMPORT, shows=has_tags(self.tag_ids), since=person_since)
        # People of the calendar before this call (with or without the tags given).
        self.present_before: set[str] = set()

    def body(self, batch: list[dict[str, str]]) -> dict[str, Any]:
        return compact({"contacts": batch, "tags": self.tag_ids or None})

    async def existing(self, emails: list[str], max_requests: int) -> tuple[dict[str, Record], list[str]]:
        found, unchecked = await existing_people(self.client, emails, max_requests)
        self.present_before = set(found)
        return found, unchecked

    async def lookup(self, emails: list[str]) -> list[Record | None]:
        found, _ = await existing_people(self.client, emails)
        return [found.get(email_key(email)) for email in emails]

    def already_message(self, record: Record, note: str) -> str:
        tags = " with every tag given" if self.tag_ids else ""
        return f"Already a person of the calendar{tags}{note}. Luma keeps the name it has for them."

    def _mark_done(self, entries: list[dict[str, str]]) -> None:
        for entry in entries:
            if email_key(entry["email"]) in self.present_before:
                message = "Already a person of the calendar; the tags given were applied. Luma keeps their name."
                self._mark([entry], self.already, message)
            else:
                self._mark([entry], self.done)


async def import_people(
    client: LumaClient, people: list[dict[str, str]], tags: list[str] | None = None
) -> dict[str, Any]:
    """Imports normalized people ({email, name?}) with the tags named (ids or names); reports each as imported,
    already_person, failed, unconfirmed or not_processed."""
    return await PeopleImport(client, await resolve_tags(client, tags)).run(people)


# ---- one person: block, remove, restore ---------------------------------------------------------------------


def one_person(email: str | None, contact_id: str | None) -> tuple[str, str]:
    """("email", the address) or ("contact_id", the id): Luma takes either, and the caller gives one."""
    if email is not None and contact_id is not None:
        raise InputError("Give either email or contact_id, not both: each names the person on its own.")
    if email is not None:
        return "email", normalize_email(email)
    if contact_id is None:
        raise InputError("Give the person: email, or contact_id (the id from list_people).")
    return "contact_id", contact_id


def _described(key: str, value: str) -> str:
    return f"email {value}" if key == "email" else f"contact_id {value}"


def _reference(key: str, value: str, person: dict[str, Any] | None) -> dict[str, Any]:
    """The person as the answer shows them: their summary when the list showed them, else what was given."""
    if person is not None:
        return person_summary(person)
    return {"email": value} if key == "email" else {"id": value}


async def _find_named(client: LumaClient, key: str, value: str) -> dict[str, Any] | None:
    return await find_person(client, **{key: value})


def _reader(client: LumaClient, key: str, value: str, person: dict[str, Any] | None):
    """Reads the person again: by their email once it is known (one search instead of a read of every page)."""
    email = person.get("email") if person is not None else None
    if isinstance(email, str) and email:
        return lambda: find_person(client, email=email)
    return lambda: _find_named(client, key, value)


LIST_VERIFY = "Look for them with list_people (query = their email)"


def _listing_check(client: LumaClient, key: str, value: str, person: dict[str, Any] | None, gone: bool) -> ReadBack:
    """The check of a write whose effect is the person leaving (`gone`) or joining the calendar's people list."""
    return ReadBack(
        read=_reader(client, key, value, person),
        matches=lambda found: True,
        gone=gone,
        checked=f"the calendar's people for {_described(key, value)}",
        verify=LIST_VERIFY,
    )


class Unreadable:
    """The check for a write whose effect Luma's API cannot show (blocking someone already off the people list):
    nothing found is ever proof, so a lost answer is reported as not confirmed."""

    def __init__(self, checked: str, verify: str):
        self.checked, self.verify = checked, verify

    async def check(self, client: LumaClient, sent_at: Any) -> Absent:
        return Absent()


async def remove_person(client: LumaClient, email: str | None, contact_id: str | None) -> tuple[dict[str, Any], bool]:
    """Removes a person from the calendar's people; returns (the person, whether they were already absent).

    Nothing is sent for someone not on the list: they are removed already, blocked (a remove could turn a block
    into a plain removal), or were never a person of the calendar."""
    key, value = one_person(email, contact_id)
    person = await _find_named(client, key, value)
    if person is None:
        return _reference(key, value, None), key != "contact_id" or gone_or_unknown("contact_id", value)
    confirm = _listing_check(client, key, value, person, gone=True)
    return _reference(key, value, person), await remove(client, routes.CONTACTS_REMOVE, {key: value}, confirm)


async def block_person(
    client: LumaClient, email: str | None, contact_id: str | None
) -> tuple[dict[str, Any], bool, bool]:
    """Blocks a person; returns (the person, whether Luma blocked them, whether they were already off the list).

    Someone off the list may still be a person Luma knows (removed, or blocked already), so the block is sent
    anyway: a removed person could otherwise come back. Luma answers 404 for someone it does not know at all."""
    key, value = one_person(email, contact_id)
    person = await _find_named(client, key, value)
    if person is not None:
        confirm: Any = _listing_check(client, key, value, person, gone=True)
    else:
        confirm = Unreadable(
            checked=f"the calendar's people for {_described(key, value)}, who was not listed before (the list shows "
            "neither blocked nor removed people, so it cannot show this block)",
            verify="Blocking again is harmless: call block_person again",
        )
    named = ("contact_id", value) if key == "contact_id" else None
    if await remove(client, routes.CONTACTS_BLOCK, {key: value}, confirm, named=named):
        return _reference(key, value, None), False, True
    return _reference(key, value, person), True, person is None


async def restore_person(client: LumaClient, email: str | None, contact_id: str | None) -> tuple[dict[str, Any], bool]:
    """Brings a blocked or removed person back to the calendar's people; returns (the person, whether they were
    already active). Nothing is sent for someone already on the list."""
    key, value = one_person(email, contact_id)
    person = await _find_named(client, key, value)
    if person is not None:
        return person_summary(person), True
    confirm = _listing_check(client, key, value, None, gone=False)
    try:
        answer = await client.post(routes.CONTACTS_RESTORE, {key: value}, confirm=confirm)
    except LumaNotFoundError as error:
        raise not_found(
            f"Luma knows no person with {_described(key, value)} on this calendar (404), so there is no one to restore",
            "Restore brings back someone blocked or removed; to add someone new, use import_people.",
            error,
        ) from None
    if isinstance(answer, dict) and answer.get("email"):
        return person_summary(answer), False
    try:
        restored = await confirm.read()
    except LumaError:
        # The restore landed; a failed read must not make it look as if nothing happened.
        restored = None
    return _reference(key, value, restored), False
