"""The calendar's people (contacts)."""

from typing import Any

from autohive_integrations_sdk import ActionHandler, ActionResult

from actions.shape import listed, pick
from helpers import LumaClient
from luma import luma
from operations import people
from validation import normalize_guests


@luma.action("list_people")
class ListPeopleAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        found = await people.list_people(
            LumaClient(context),
            query=inputs.get("query"),
            tags=inputs.get("tags"),
            membership_status=inputs.get("membership_status"),
            calendar_membership_tier_id=inputs.get("calendar_membership_tier_id"),
            sort_column=inputs.get("sort_column"),
            sort_direction=inputs.get("sort_direction"),
            limit=inputs.get("limit"),
            cursor=inputs.get("cursor"),
            shape=pick(inputs.get("detail"), people.person_summary),
        )
        return listed("people", found)


@luma.action("import_people")
class ImportPeopleAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        report = await people.import_people(
            LumaClient(context),
            normalize_guests(inputs["people"], "people", max_count=people.MAX_PEOPLE_PER_CALL),
            inputs.get("tags"),
        )
        return ActionResult(data=report)


@luma.action("block_person")
class BlockPersonAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        person, blocked, already_absent = await people.block_person(
            LumaClient(context), inputs.get("email"), inputs.get("contact_id")
        )
        return ActionResult(data={"person": person, "blocked": blocked, "already_absent": already_absent})


@luma.action("remove_person")
class RemovePersonAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        person, already_absent = await people.remove_person(
            LumaClient(context), inputs.get("email"), inputs.get("contact_id")
        )
        return ActionResult(data={"person": person, "already_absent": already_absent})


@luma.action("restore_person")
class RestorePersonAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        person, already_active = await people.restore_person(
            LumaClient(context), inputs.get("email"), inputs.get("contact_id")
        )
        return ActionResult(data={"person": person, "already_active": already_active})
