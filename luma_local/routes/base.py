"""What every route handler receives, and how a module files its handlers in its route table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import not_found
from ..paging import paginate
from ..state import CalendarData, EmulatorState

if TYPE_CHECKING:
    from ..server import LumaEmulator


@dataclass
class Ctx:
    emu: LumaEmulator
    route: tuple[str, str]
    query: dict[str, Any]
    body: dict[str, Any]
    filter_key: str
    acting_for: CalendarData | None  # None on routes that act for no calendar (organization, user, images)

    @property
    def state(self) -> EmulatorState:
        return self.emu.state

    @property
    def calendar(self) -> CalendarData:
        """The calendar this call acts for: the calendar key's, or the one an organization key names."""
        if self.acting_for is None:
            raise RuntimeError(f"emulator bug: {self.route} acts for no calendar but asked for one")
        return self.acting_for

    def event(self, event_id: str) -> dict:
        """An event the calendar manages; others are as unknown to it as missing ones."""
        ev = self.state.event_or_404(event_id)
        if ev["calendar_id"] != self.calendar.id:
            raise not_found(f"Event {event_id}")
        return ev

    def page(self, items: list[Any], render: Callable[[Any], dict]) -> dict:
        return paginate(
            self.query,
            self.filter_key,
            items,
            render,
            default_size=self.emu.default_page_size,
            max_size=self.emu.max_page_size,
        )


Handler = Callable[[Ctx], Any]
RouteTable = dict[tuple[str, str], Handler]


def routes_of(table: RouteTable) -> Callable[[str, str], Callable[[Handler], Handler]]:
    """The decorator that files a handler in `table` under its route: a module declares `ROUTES: RouteTable = {}`
    and `route = routes_of(ROUTES)`, then puts `@route("GET", "/v1/events/get")` on each handler. A route filed
    twice is an emulator bug, stopped at import."""

    def route(method: str, path: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            taken = table.get((method, path))
            if taken is not None:
                raise RuntimeError(
                    f"emulator bug: {method} {path} has two handlers ({taken.__name__} and {handler.__name__})"
                )
            table[(method, path)] = handler
            return handler

        return register

    return route
