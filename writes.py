"""Write safety: what a write's outcome can be, and the named ways to check Luma's state after an ambiguous failure.

Luma has no idempotency keys, so a write whose answer was lost (timeout, dropped connection, 5xx, an unreadable 2xx)
may or may not have been applied. `LumaClient.write` never re-sends it; it asks the write's `Confirmation` to look,
and looks once more after a short settle delay. Each write action picks one strategy by name:

* `ReadBack`: read the object and compare every field sent (status changes, deletes via `gone=True`, which
  `gone_check` builds).
* `ReadBackChanges`: for updates, compare only the fields the write changes (read before it), never a field that
  already held the sent value; nothing visible changed means it cannot be confirmed.
* `FindNew`: find the one new item among candidates, counting only items made after the request was sent and
  matching every field sent that Luma returns (read in full when the list shows less); two candidates are reported
  as uncertain, never guessed between.
* `PerEmail`: look up each email of a batch (guests, invites) and keep those with evidence newer than the request.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from emails import email_key

if TYPE_CHECKING:
    from helpers import LumaClient

# Luma's clock and ours may disagree by a little; an item stamped this much before the request still counts as
# possibly made by it (every other sent field must match as well).
CLOCK_SKEW = timedelta(seconds=2)


@dataclass(frozen=True)
class Landed:
    """The write took effect: `value` is Luma's answer, or what the check found."""

    value: Any


@dataclass(frozen=True)
class Absent:
    """The check did not find the write's effect."""

    value: None = None


@dataclass(frozen=True)
class Partial:
    """Part of a batch shows on Luma (`landed`); `missing` could not be confirmed."""

    landed: list[Any]
    missing: list[Any]

    @property
    def value(self) -> "Partial":
        return self


@dataclass(frozen=True)
class Ambiguous:
    """More than one item could be the one this write made: which one cannot be told."""

    candidates: list[Any]
    value: None = None


Outcome = Landed | Absent | Partial | Ambiguous


class Confirmation(Protocol):
    checked: str  # what the check looks at, for the message when it cannot confirm
    verify: str  # how a person checks by hand before retrying

    async def check(self, client: "LumaClient", sent_at: datetime) -> Outcome: ...


@dataclass
class ReadBack:
    """Reads the object; it landed when `matches` holds (with `gone`, when the object no longer exists)."""

    read: Callable[[], Awaitable[dict[str, Any] | None]]
    matches: Callable[[dict[str, Any]], bool]
    checked: str
    verify: str
    gone: bool = False

    async def check(self, client: "LumaClient", sent_at: datetime) -> Outcome:
        found = await self.read()
        if self.gone:
            return Landed(None) if found is None else Absent()
        return Landed(found) if found is not None and self.matches(found) else Absent()


def gone_check(read: Callable[[], Awaitable[dict[str, Any] | None]], *, checked: str, verify: str) -> ReadBack:
    """The check of a delete or removal: it landed once `read` finds nothing."""
    return ReadBack(read=read, matches=lambda found: False, checked=checked, verify=verify, gone=True)


@dataclass
class ReadBackChanges:
    """For updates: reads the object and compares only the fields the write changes, those that differed from the
    object read before it. A field that already held the sent value proves nothing (the write may never have
    reached Luma), and one Luma does not show (absent from the object read before, or named in `unseen`) cannot be
    compared: when no changed field can be seen, the write cannot be confirmed. A write is applied whole, so one
    changed field showing its new value confirms all of it. An update that changes nothing visible and sends nothing
    unseen leaves the object as asked, whatever happened. `view` derives what Luma shows under another name (an
    event's slug from its url) and is applied to both reads."""

    read: Callable[[], Awaitable[dict[str, Any] | None]]
    before: dict[str, Any]
    sent: dict[str, Any]
    same: Callable[[str, Any, Any], bool]
    checked: str
    verify: str
    unseen: frozenset[str] = frozenset()
    view: Callable[[dict[str, Any]], dict[str, Any]] = lambda item: item  # noqa: E731 - a default, said once

    def __post_init__(self) -> None:
        seen_before = self.view(self.before)
        self.hidden = [key for key in self.sent if key in self.unseen or key not in seen_before]
        self.changed = [
            key for key in self.sent if key not in self.hidden and not self.same(key, seen_before[key], self.sent[key])
        ]

    async def check(self, client: "LumaClient", sent_at: datetime) -> Outcome:
        if not self.changed:
            # Nothing visible to look at: as asked already, or not to be confirmed by any read.
            return Absent() if self.hidden else Landed(self.before)
        found = await self.read()
        if found is None:
            return Absent()
        seen = self.view(found)
        shown = all(key in seen and self.same(key, seen[key], self.sent[key]) for key in self.changed)
        return Landed(found) if shown else Absent()


@dataclass
class FindNew:
    """Finds the item a create made. `is_new(item, sent_at)` says whether an item can be newer than the request
    (a created_at after it, or an id absent from a list read before it); `matches` compares every field sent."""

    candidates: Callable[[], Awaitable[list[dict[str, Any]]]]
    is_new: Callable[[dict[str, Any], datetime], bool]
    matches: Callable[[dict[str, Any]], bool]
    checked: str
    verify: str
    # Reads a remaining candidate in full (None when it is gone), for lists that do not show every field sent.
    in_full: Callable[[dict[str, Any]], Awaitable[dict[str, Any] | None]] | None = None

    async def check(self, client: "LumaClient", sent_at: datetime) -> Outcome:
        found = [item for item in await self.candidates() if self.is_new(item, sent_at) and self.matches(item)]
        if self.in_full is not None:
            read = [await self.in_full(item) for item in found]
            found = [item for item in read if item is not None and self.matches(item)]
        if len(found) > 1:
            return Ambiguous(found)
        return Landed(found[0]) if found else Absent()


def created_after(stamp_of: Callable[[dict[str, Any]], datetime | None]) -> Callable[[dict[str, Any], datetime], bool]:
    """`is_new` for items that carry a creation time."""

    def is_new(item: dict[str, Any], sent_at: datetime) -> bool:
        stamp = stamp_of(item)
        return stamp is not None and stamp >= sent_at - CLOCK_SKEW

    return is_new


def not_in(known_ids: set[str]) -> Callable[[dict[str, Any], datetime], bool]:
    """`is_new` for items without a creation time: ids read before the request are not new."""
    return lambda item, sent_at: item.get("id") not in known_ids


@dataclass
class PerEmail:
    """Looks up each email of a batch. A record `shows` the write when it holds the person as the write would leave
    them; `since(record)` is the earliest time it shows them so. A record counts as this write's effect when the
    email was looked up and found absent earlier in this run (`known_absent`), or when its earliest evidence is not
    older than the request: a record older than that was there before, and no proof that the batch landed.
    Returns Landed when every email shows, otherwise Partial; both carry (email, record or None) pairs."""

    lookup: Callable[[list[str]], Awaitable[list[dict[str, Any] | None]]]
    emails: list[str]
    shows: Callable[[dict[str, Any]], bool]
    since: Callable[[dict[str, Any]], datetime | None]
    checked: str
    verify: str
    known_absent: frozenset[str] = frozenset()

    def made_by_this_write(self, email: str, record: dict[str, Any] | None, sent_at: datetime) -> bool:
        if record is None or not self.shows(record):
            return False
        if email_key(email) in self.known_absent:
            return True
        earliest = self.since(record)
        return earliest is not None and earliest >= sent_at - CLOCK_SKEW

    async def check(self, client: "LumaClient", sent_at: datetime) -> Outcome:
        records = await self.lookup(self.emails)
        landed, missing = [], []
        for email, record in zip(self.emails, records):
            (landed if self.made_by_this_write(email, record, sent_at) else missing).append((email, record))
        return Partial(landed, missing) if missing else Landed(landed)
