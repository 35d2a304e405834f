"""Cursor pagination as Luma describes it: ``{entries, has_more, next_cursor?}`` with opaque cursors."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable
from typing import Any

from .errors import bad_request


def paginate(
    query: dict[str, Any],
    filter_key: str,
    items: list[Any],
    render: Callable[[Any], dict],
    *,
    default_size: int,
    max_size: int,
) -> dict:
    digest = hashlib.sha256(filter_key.encode()).hexdigest()[:16]
    offset = 0
    cursor = query.get("pagination_cursor")
    if cursor is not None:
        try:
            decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
            offset, bound_to = decoded["o"], decoded["f"]
            if not isinstance(offset, int) or offset < 0:
                raise ValueError
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise bad_request("Invalid pagination_cursor") from None
        if bound_to != digest:
            raise bad_request("pagination_cursor does not match the filters of this request")
    limit = query.get("pagination_limit", default_size)
    # Luma only says "the server will enforce a maximum"; we clamp rather than reject.
    limit = max(1, min(int(limit), max_size))
    page = items[offset : offset + limit]
    result: dict[str, Any] = {"entries": [render(i) for i in page], "has_more": offset + limit < len(items)}
    if result["has_more"]:
        token = json.dumps({"o": offset + limit, "f": digest}, separators=(",", ":")).encode()
        result["next_cursor"] = base64.urlsafe_b64encode(token).decode().rstrip("=")
    return result


def sort_items(items: list, key: Callable[[Any], Any], direction: str | None) -> list:
    direction = direction or "asc"
    desc = direction.startswith("desc")
    # Postgres semantics: NULLs sort as larger than everything unless "nulls last" is explicit.
    nulls_last = direction.endswith("nulls last") or not desc
    present = [i for i in items if key(i) is not None]
    missing = [i for i in items if key(i) is None]
    present.sort(key=key, reverse=desc)
    return present + missing if nulls_last else missing + present
