"""Deletes and removals, where the thing already gone is what was asked for."""

from typing import Any, Literal

from helpers import LumaClient, LumaNotFoundError
from validation import ID_INPUTS, has_id_form, id_form
from writes import Confirmation


async def remove(
    client: LumaClient,
    path: str,
    body: dict[str, Any],
    confirm: Confirmation,
    *,
    named: tuple[str, str] | None = None,
) -> bool:
    """Sends the delete or removal once (checked by `confirm` after a lost answer) and says whether the thing was
    already absent: Luma's 404 to it means it is gone, whoever removed it and whenever, as a retry after a lost answer
    finds it. `named` is the (input, value) naming the thing, when it is an id: see `gone_or_unknown`."""
    try:
        await client.post(path, body, confirm=confirm)
    except LumaNotFoundError as error:
        return named is None or gone_or_unknown(*named, error)
    return False


def gone_or_unknown(name: str, value: str, error: LumaNotFoundError | None = None) -> Literal[True]:
    """True (already absent) for an id Luma does not know that has the form of the input's ids: it was removed. Any
    other value (a slug, a misspelt id) never named anything, so reporting it gone would hide the mistake while the
    thing it was meant for stays: that is a not-found error naming the value and the form expected."""
    if has_id_form(name, value):
        return True
    raise LumaNotFoundError(
        f"Luma knows nothing with the id '{value}', and {name} takes {id_form(name)}, so nothing was changed: get "
        f"one from {ID_INPUTS[name][2]}.",
        luma_message=error.luma_message if error is not None else None,
    )
