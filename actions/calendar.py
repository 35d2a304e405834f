"""The calendar's people (contacts)."""

from typing import Any

from autohive_integrations_sdk import ActionHandler, ActionResult

from helpers import LumaClient, luma_action
from luma import luma

CONTACTS_LIST = "/v1/calendars/contacts/list"
DEFAULT_LIMIT = 100


@luma.action("list_people")
class ListPeopleAction(ActionHandler):
    @luma_action
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        params = {
            "query": inputs.get("query"),
            # Luma reads tags as repeated query keys (?tags=a&tags=b) and matches contacts with ANY of them.
            "tags": inputs.get("tags"),
            "membership_status": inputs.get("membership_status"),
            "calendar_membership_tier_id": inputs.get("calendar_membership_tier_id"),
            "sort_column": inputs.get("sort_column"),
            "sort_direction": inputs.get("sort_direction"),
        }
        page = await LumaClient(context).collect(
            CONTACTS_LIST, params, limit=inputs.get("limit") or DEFAULT_LIMIT, cursor=inputs.get("cursor")
        )
        return ActionResult(
            data={"people": page["entries"], "has_more": page["has_more"], "next_cursor": page["next_cursor"]}
        )
