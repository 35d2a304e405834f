"""The emulator's clock, and time as Luma writes it: UTC instants with milliseconds and ``Z``, ISO 8601 durations."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from .errors import bad_request


def iso(dt: datetime) -> str:
    dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_dt(value: str) -> datetime:
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def iso_duration(seconds: float) -> str:
    days, rem = divmod(int(seconds), 86400)
    hours, rem = divmod(rem, 3600)
    minutes, secs = divmod(rem, 60)
    out = "P" + (f"{days}D" if days else "")
    time_part = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + (f"{secs}S" if secs else "")
    if time_part:
        out += "T" + time_part
    return out if out != "P" else "PT0S"


def parse_duration(value: str) -> timedelta:
    m = re.fullmatch(r"P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?", value)
    if not m or value in ("P", "PT"):
        raise bad_request(f"Invalid duration_interval: {value!r} is not an ISO 8601 duration such as PT2H")
    weeks, days, hours, minutes, seconds = (float(g) if g else 0.0 for g in m.groups())
    return timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)


class Clock:
    """The one clock behind every timestamp, the rate limit, cancellation tokens and the invite quota week.

    Real time by default. ``set()`` freezes it at an instant and ``advance()`` moves it (frozen or not), so a
    test can say when things happen: ``emu.clock.set(datetime(2026, 11, 1, tzinfo=UTC))``,
    ``emu.clock.advance(seconds=90)``. ``resume()`` lets a frozen clock run again from where it stands.
    Called, it answers seconds since the epoch, which is what the rate limiter reads.
    """

    def __init__(self, start: datetime | None = None):
        self._frozen_at: datetime | None = None
        self._offset = timedelta(0)
        if start is not None:
            self.set(start)

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def now(self) -> datetime:
        if self._frozen_at is not None:
            return self._frozen_at
        return datetime.now(UTC) + self._offset

    def now_iso(self) -> str:
        return iso(self.now())

    def __call__(self) -> float:
        return self.now().timestamp()

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("Clock.set needs an aware datetime, e.g. datetime(2026, 11, 1, tzinfo=UTC)")
        self._frozen_at = when.astimezone(UTC)

    def advance(self, delta: timedelta | None = None, **units: float) -> datetime:
        step = (delta or timedelta(0)) + timedelta(**units)
        if self._frozen_at is not None:
            self._frozen_at += step
        else:
            self._offset += step
        return self.now()

    def resume(self) -> None:
        if self._frozen_at is not None:
            self._offset = self._frozen_at - datetime.now(UTC)
            self._frozen_at = None


def instant(at: datetime | str | None, clock: Clock) -> str:
    """A timestamp for a test helper's ``at``: the given instant, or the clock's now."""
    if at is None:
        return clock.now_iso()
    if isinstance(at, str):
        at = parse_dt(at)
    if at.tzinfo is None:
        raise ValueError(f"{at!r} has no time zone; pass an aware datetime or an ISO string with Z or an offset")
    return iso(at)
