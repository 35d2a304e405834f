"""Every route the emulator serves, gathered from one module per Luma resource."""

from __future__ import annotations

from . import (
    calendar,
    contacts,
    coupons,
    entities,
    events,
    guests,
    hosts,
    images,
    memberships,
    organizations,
    tags,
    ticket_types,
    users,
    webhooks,
)
from .base import RouteTable

MODULES = (
    users,
    calendar,
    events,
    guests,
    hosts,
    ticket_types,
    coupons,
    contacts,
    tags,
    memberships,
    webhooks,
    organizations,
    entities,
    images,
)


def route_table() -> RouteTable:
    table: RouteTable = {}
    for module in MODULES:
        overlap = table.keys() & module.ROUTES.keys()
        if overlap:
            raise RuntimeError(f"{module.__name__} serves routes another module serves: {sorted(overlap)}")
        table.update(module.ROUTES)
    return table


def calendar_free() -> frozenset[tuple[str, str]]:
    """Routes that act for no particular calendar, so an organization key need not name one."""
    return frozenset().union(*(getattr(module, "CALENDAR_FREE", ()) for module in MODULES))


def check_complete(table: RouteTable, contract_routes: set[tuple[str, str]]) -> None:
    """Every route of the contract has a handler, and every handler answers a route of the contract."""
    missing = sorted(f"{m} {p}" for (m, p) in contract_routes - table.keys())
    if missing:
        raise RuntimeError(f"routes without handler: {missing}")
    extra = sorted(f"{m} {p}" for (m, p) in table.keys() - contract_routes)
    if extra:
        raise RuntimeError(f"handlers for routes that are not in the contract: {extra}")
