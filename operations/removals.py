"""Deletes and removals, where the thing already gone is what was asked for."""

from typing import Any

from helpers import LumaClient, LumaNotFoundError
from writes import Confirmation


async def remove(client: LumaClient, path: str, body: dict[str, Any], confirm: Confirmation) -> bool:
    """Sends the delete or removal once (checked by `confirm` after a lost answer) and says whether the thing was
    already absent: Luma's 404 to it means it is gone, whoever removed it and whenever, as a retry after a lost answer
    finds it."""
    try:
        await client.post(path, body, confirm=confirm)
    except LumaNotFoundError:
        return True
    return False
