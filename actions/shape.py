"""How handlers shape answers: lists name their objects and always carry has_more / next_cursor."""

from typing import Any

from autohive_integrations_sdk import ActionResult


def listing(name: str, found: dict[str, Any]) -> ActionResult:
    return ActionResult(
        data={name: found["entries"], "has_more": found["has_more"], "next_cursor": found["next_cursor"]}
    )
