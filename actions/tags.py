"""Tags of the calendar's people and of its events: list, create, update, delete, put on, take off."""

from typing import Any

from autohive_integrations_sdk import ActionHandler, ActionResult

from actions.shape import listing
from helpers import LumaClient
from luma import luma
from operations import tags
from operations.tags import EVENT_TAGS, PERSON_TAGS

# ---- Person tags -------------------------------------------------------------------------------------------


@luma.action("list_person_tags")
class ListPersonTagsAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        found = await tags.list_tags(LumaClient(context), PERSON_TAGS)
        return listing("tags", found, inputs.get("detail"), tags.tag_summary)


@luma.action("create_person_tag")
class CreatePersonTagAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        tag = await tags.create_tag(LumaClient(context), PERSON_TAGS, inputs["name"], inputs.get("color"))
        return ActionResult(data={"tag": tag})


@luma.action("update_person_tag")
class UpdatePersonTagAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        tag = await tags.update_tag(
            LumaClient(context), PERSON_TAGS, inputs["tag_id"], name=inputs.get("name"), color=inputs.get("color")
        )
        return ActionResult(data={"tag": tag})


@luma.action("delete_person_tag")
class DeletePersonTagAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        return ActionResult(data=await tags.delete_tag(LumaClient(context), PERSON_TAGS, inputs["tag_id"]))


@luma.action("tag_people")
class TagPeopleAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        people = tags.people_targets(inputs.get("emails"), inputs.get("user_ids"))
        report = await tags.retag(LumaClient(context), PERSON_TAGS, inputs["tag"], people, adding=True)
        return ActionResult(data=report)


@luma.action("untag_people")
class UntagPeopleAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        people = tags.people_targets(inputs.get("emails"), inputs.get("user_ids"))
        report = await tags.retag(LumaClient(context), PERSON_TAGS, inputs["tag"], people, adding=False)
        return ActionResult(data=report)


# ---- Event tags --------------------------------------------------------------------------------------------


@luma.action("list_event_tags")
class ListEventTagsAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        found = await tags.list_tags(LumaClient(context), EVENT_TAGS)
        return listing("tags", found, inputs.get("detail"), tags.tag_summary)


@luma.action("create_event_tag")
class CreateEventTagAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        tag = await tags.create_tag(LumaClient(context), EVENT_TAGS, inputs["name"], inputs.get("color"))
        return ActionResult(data={"tag": tag})


@luma.action("update_event_tag")
class UpdateEventTagAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        tag = await tags.update_tag(
            LumaClient(context), EVENT_TAGS, inputs["tag_id"], name=inputs.get("name"), color=inputs.get("color")
        )
        return ActionResult(data={"tag": tag})


@luma.action("delete_event_tag")
class DeleteEventTagAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        return ActionResult(data=await tags.delete_tag(LumaClient(context), EVENT_TAGS, inputs["tag_id"]))


@luma.action("tag_events")
class TagEventsAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        events = tags.event_targets(inputs["event_api_ids"])
        report = await tags.retag(LumaClient(context), EVENT_TAGS, inputs["tag"], events, adding=True)
        return ActionResult(data=report)


@luma.action("untag_events")
class UntagEventsAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        events = tags.event_targets(inputs["event_api_ids"])
        report = await tags.retag(LumaClient(context), EVENT_TAGS, inputs["tag"], events, adding=False)
        return ActionResult(data=report)
