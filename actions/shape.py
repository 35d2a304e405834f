"""How handlers shape answers: lists name their objects, carry has_more / next_cursor, and come as a summary of
each item (what a person scans; agents pay per token) unless detail "full" asks for Luma's whole objects."""

from collections.abc import Callable
from typing import Any

from autohive_integrations_sdk import ActionResult

Shape = Callable[[dict[str, Any]], dict[str, Any]]


def identity(item: dict[str, Any]) -> dict[str, Any]:
    return item


def listing(
    name: str, found: dict[str, Any], detail: str | None = None, summary: Shape = identity, full: Shape = identity
) -> ActionResult:
    shape = full if detail == "full" else summary
    return ActionResult(
        data={
            name: [shape(item) for item in found["entries"]],
            "has_more": found["has_more"],
            "next_cursor": found["next_cursor"],
        }
    )
