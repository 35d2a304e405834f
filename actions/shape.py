"""How handlers shape answers: lists name their objects, carry has_more / next_cursor, and come as a summary of
each item (what a person scans; agents pay per token) unless detail "full" asks for Luma's whole objects.

A long list is best shaped while it is read: pass `pick(detail, summary, full)` as the `shape` of the operation
(it reaches `LumaClient.collect`, which keeps only the shaped items of each page) and answer with `listed(...)`.
`listing(...)` shapes a list that was read whole."""

from collections.abc import Callable
from typing import Any

from autohive_integrations_sdk import ActionResult

Shape = Callable[[dict[str, Any]], dict[str, Any]]


def identity(item: dict[str, Any]) -> dict[str, Any]:
    return item


def pick(detail: str | None, summary: Shape = identity, full: Shape = identity) -> Shape:
    """The shape `detail` asks for."""
    return full if detail == "full" else summary


def listed(name: str, found: dict[str, Any]) -> ActionResult:
    """A list whose entries are already shaped."""
    return ActionResult(
        data={name: found["entries"], "has_more": found["has_more"], "next_cursor": found["next_cursor"]}
    )


def listing(
    name: str, found: dict[str, Any], detail: str | None = None, summary: Shape = identity, full: Shape = identity
) -> ActionResult:
    shape = pick(detail, summary, full)
    return listed(name, {**found, "entries": [shape(item) for item in found["entries"]]})
