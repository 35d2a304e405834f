"""What every route handler receives, and the shape of a module's route table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..paging import paginate
from ..state import CalendarData, EmulatorState

if TYPE_CHECKING:
    from ..server import LumaEmulator


@dataclass
class Ctx:
    emu: LumaEmulator
    query: dict[str, Any]
    body: dict[str, Any]
    filter_key: str
    calendar: CalendarData  # the calendar this call acts for

    @property
    def state(self) -> EmulatorState:
        return self.emu.state

    def event(self, event_id: str) -> dict:
        return self.state.event_or_404(event_id)

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
