"""The emulator's route table against its contract: a handler for every route, a route for every handler."""

from __future__ import annotations

import pytest

from luma_local import LumaEmulator
from luma_local import routes as emulator_routes
from luma_local.contract import Contract

pytestmark = pytest.mark.emulator


def contract_routes() -> set[tuple[str, str]]:
    return set(Contract.load(strict=True).routes)


def test_every_contract_route_has_exactly_one_handler() -> None:
    table = emulator_routes.route_table()
    assert set(table) == contract_routes()
    emulator_routes.check_complete(table, contract_routes())


def test_a_contract_route_without_handler_stops_start_up() -> None:
    table = emulator_routes.route_table()
    del table[("GET", "/v1/events/get")]
    with pytest.raises(RuntimeError, match="without handler.*GET /v1/events/get"):
        emulator_routes.check_complete(table, contract_routes())


def test_a_handler_for_a_route_outside_the_contract_stops_start_up() -> None:
    table = emulator_routes.route_table()
    table[("GET", "/v1/event/get")] = table[("GET", "/v1/events/get")]
    with pytest.raises(RuntimeError, match="not in the contract.*GET /v1/event/get"):
        emulator_routes.check_complete(table, contract_routes())


def test_the_emulator_refuses_to_start_with_an_incomplete_table(monkeypatch: pytest.MonkeyPatch) -> None:
    real = emulator_routes.route_table

    def without_cancel() -> emulator_routes.RouteTable:
        table = real()
        del table[("POST", "/v1/events/cancel")]
        return table

    monkeypatch.setattr(emulator_routes, "route_table", without_cancel)
    with pytest.raises(RuntimeError, match="POST /v1/events/cancel"):
        LumaEmulator()
