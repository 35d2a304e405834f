"""Webhooks of the calendar. Luma returns a webhook's signing secret with every read of it; this integration hands
it out only from the create (the moment the receiver needs it) and masks it everywhere else, so that a list or a
log of a run never carries it."""

from typing import Any

import routes
from helpers import InputError, LumaClient, LumaNotFoundError, has_id, not_found, or_none
from operations.removals import remove
from validation import luma_instant
from writes import FindNew, ReadBack, created_after, gone_check

MASKED_SECRET = "whsec_****"  # nosec B105 - the mask shown instead of a secret, not a secret


def masked(webhook: dict[str, Any]) -> dict[str, Any]:
    return {**webhook, "secret": MASKED_SECRET} if "secret" in webhook else webhook


def webhook_summary(webhook: dict[str, Any]) -> dict[str, Any]:
    """What a person scans in a list of webhooks; detail "full" adds created_at and the masked secret."""
    return {key: webhook.get(key) for key in ("id", "url", "event_types", "status") if key in webhook}


async def list_webhooks(client: LumaClient, *, limit: int | None = None, cursor: str | None = None) -> dict:
    found = await client.collect(routes.WEBHOOKS_LIST, limit=limit, cursor=cursor)
    return {**found, "entries": [masked(webhook) for webhook in found["entries"]]}


def _missing(webhook_id: str, error: LumaNotFoundError) -> LumaNotFoundError:
    return not_found(
        f"The calendar has no webhook with id {webhook_id} (404)", "list_webhooks shows its webhooks and ids.", error
    )


async def _read(client: LumaClient, webhook_id: str) -> dict[str, Any]:
    """The webhook with its secret in clear: for this module only."""
    try:
        return await client.get_object(routes.WEBHOOKS_GET, {"id": webhook_id})
    except LumaNotFoundError as error:
        raise _missing(webhook_id, error) from None


async def _read_if_there(client: LumaClient, webhook_id: str) -> dict[str, Any] | None:
    return await or_none(_read(client, webhook_id))


async def get_webhook(client: LumaClient, webhook_id: str) -> dict[str, Any]:
    return masked(await _read(client, webhook_id))


def _shows(webhook: dict[str, Any], body: dict[str, Any]) -> bool:
    """Whether the webhook holds every field sent; Luma keeps event types as a set (order and repeats do not count)."""
    for key, sent in body.items():
        if key == "id":
            continue
        shown = webhook.get(key)
        if key == "event_types":
            if not isinstance(shown, list) or set(shown) != set(sent):
                return False
        elif shown != sent:
            return False
    return True


async def create_webhook(client: LumaClient, url: str, event_types: list[str]) -> dict[str, Any]:
    """The new webhook, secret included: the caller's one chance to store it."""
    body = {"url": url.strip(), "event_types": list(dict.fromkeys(event_types))}

    async def candidates() -> list[dict[str, Any]]:
        return [webhook async for page in client.pages(routes.WEBHOOKS_LIST) for webhook in page.entries]

    confirm = FindNew(
        candidates=candidates,
        is_new=created_after(lambda webhook: luma_instant(webhook.get("created_at"))),
        matches=lambda webhook: _shows(webhook, body),
        checked=f"the calendar's webhooks for one to {body['url']} with these event types made after the request",
        verify=f"Look for a webhook to {body['url']} with list_webhooks",
    )
    return await client.post(routes.WEBHOOKS_CREATE, body, confirm=confirm, expect_id=True)


async def update_webhook(
    client: LumaClient, webhook_id: str, *, event_types: list[str] | None = None, status: str | None = None
) -> dict[str, Any]:
    if event_types is None and status is None:
        raise InputError("Nothing to update: give event_types, status or both besides webhook_id.")
    body: dict[str, Any] = {"id": webhook_id}
    if event_types is not None:
        body["event_types"] = list(dict.fromkeys(event_types))
    if status is not None:
        body["status"] = status
    confirm = ReadBack(
        read=lambda: _read_if_there(client, webhook_id),
        matches=lambda webhook: _shows(webhook, body),
        checked=f"webhook {webhook_id} for the fields sent",
        verify=f"Read the webhook with get_webhook (webhook_id {webhook_id})",
    )
    try:
        updated = await client.post(routes.WEBHOOKS_UPDATE, body, confirm=confirm)
    except LumaNotFoundError as error:
        raise _missing(webhook_id, error) from None
    return masked(updated if has_id(updated) else await _read(client, webhook_id))


async def delete_webhook(client: LumaClient, webhook_id: str) -> dict[str, Any]:
    confirm = gone_check(
        lambda: _read_if_there(client, webhook_id),
        checked=f"whether webhook {webhook_id} still exists",
        verify=f"Look it up with get_webhook (webhook_id {webhook_id})",
    )
    absent = await remove(client, routes.WEBHOOKS_DELETE, {"id": webhook_id}, confirm, named=("webhook_id", webhook_id))
    return {"webhook_id": webhook_id, "deleted": True, "already_absent": absent}
